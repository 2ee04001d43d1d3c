/* options.c: parsing a command line and writing --help from a command's
 * table of options (options.h). */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "options.h"

#define HELP_WIDTH 77   /* --help lines end before this column */
#define HELP_INDENT 23  /* where an option's text starts */
#define HELP_TEXT 1024  /* the longest text of one option */

static bool is_option(const cli_option *o)
{
    return o->name != NULL;
}

static bool is_end(const cli_option *o)
{
    return !o->name && !o->help;
}

/* The option named name (len characters): exact, else the only one it
 * begins; NULL with *ambiguous set when it begins several. */
static const cli_option *find_long(const cli_option *t, const char *name,
                                   size_t len, bool *ambiguous)
{
    const cli_option *found = NULL;
    size_t n_found = 0;
    *ambiguous = false;
    for (const cli_option *o = t; !is_end(o); o++) {
        if (!is_option(o) || strncmp(o->name, name, len) != 0)
            continue;
        if (o->name[len] == '\0')
            return o;
        found = o;
        n_found++;
    }
    *ambiguous = n_found > 1;
    return n_found == 1 ? found : NULL;
}

static const cli_option *find_letter(const cli_option *t, char letter)
{
    for (const cli_option *o = t; !is_end(o); o++)
        if (is_option(o) && o->letter == letter)
            return o;
    return NULL;
}

/* Optimal string alignment distance of a and b (each under 64 bytes). */
static size_t distance(const char *a, const char *b)
{
    enum { MAX = 64 };
    size_t d[MAX + 1][MAX + 1];
    const size_t n = strlen(a) < MAX ? strlen(a) : MAX;
    const size_t m = strlen(b) < MAX ? strlen(b) : MAX;
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            const size_t cost = a[i - 1] != b[j - 1];
            size_t best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

const char *cli_nearest(const char *word, const char *const *names,
                        size_t n)
{
    /* near: a third of the word's letters changed, at least 1, at most 3 */
    size_t limit = strlen(word) / 3;
    limit = limit < 1 ? 1 : limit > 3 ? 3 : limit;
    const char *best = NULL;
    size_t best_d = limit + 1;
    for (size_t i = 0; i < n; i++) {
        const size_t d = distance(word, names[i]);
        if (d < best_d) {
            best = names[i];
            best_d = d;
        }
    }
    return best;
}

/* "lnn: CMD: unknown option '--word'[; did you mean '--name'?]; see ..." */
static int unknown_option(const cli_command *cmd, const char *word,
                          size_t len)
{
    const char *names[256];
    size_t n = 0;
    for (const cli_option *o = cmd->options; !is_end(o) && n < 256; o++)
        if (is_option(o))
            names[n++] = o->name;
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)len - 2, word + 2);
    const char *near = len > 2 && word[1] == '-'
                           ? cli_nearest(name, names, n) : NULL;
    if (near)
        cli_error("%s: unknown option '%.*s'; did you mean '--%s'? see "
                  "'lnn %s --help'", cmd->name, (int)len, word, near,
                  cmd->name);
    else
        cli_error("%s: unknown option '%.*s'; see 'lnn %s --help'",
                  cmd->name, (int)len, word, cmd->name);
    return EXIT_USAGE;
}

/* The long option argv[*i] ("--name" or "--name=value"): hand it to
 * take. -1 to go on, or an exit status. */
static int take_long(const cli_command *cmd, int argc, char **argv, int *i,
                     cli_take_fn *take, void *ctx)
{
    const char *word = argv[*i];
    const char *eq = strchr(word, '=');
    const size_t len = eq ? (size_t)(eq - word) : strlen(word);
    bool ambiguous;
    const cli_option *o = find_long(cmd->options, word + 2, len - 2,
                                    &ambiguous);
    if (ambiguous) {
        char list[512] = "";
        for (const cli_option *p = cmd->options; !is_end(p); p++)
            if (is_option(p) && strncmp(p->name, word + 2, len - 2) == 0)
                snprintf(list + strlen(list), sizeof list - strlen(list),
                         "%s--%s", list[0] ? ", " : "", p->name);
        cli_error("%s: option '%.*s' is ambiguous (%s)", cmd->name, (int)len,
                  word, list);
        return EXIT_USAGE;
    }
    if (!o)
        return unknown_option(cmd, word, len);
    cli_given g = {.id = o->id, .at = *i, .words = 1};
    if (o->value && eq) {
        g.value = eq + 1;
    } else if (o->value) {
        if (*i + 1 >= argc) {
            cli_error("%s: option '--%s' needs a value; see 'lnn %s --help'",
                      cmd->name, o->name, cmd->name);
            return EXIT_USAGE;
        }
        g.value = argv[++*i];
        g.words = 2;
    } else if (eq) {
        cli_error("%s: option '--%s' takes no value", cmd->name, o->name);
        return EXIT_USAGE;
    }
    if (o->id == CLI_OPT_HELP) {
        cli_options_usage(cmd, stdout);
        return EXIT_OK;
    }
    return take(ctx, &g) ? -1 : EXIT_USAGE;
}

/* Short options argv[*i]: flags ("-q", "-qh"), the last of which may take
 * a value, the rest of the word or the next one ("-o FILE", "-oFILE"). */
static int take_short(const cli_command *cmd, int argc, char **argv, int *i,
                      cli_take_fn *take, void *ctx)
{
    for (const char *p = argv[*i] + 1; *p; p++) {
        const cli_option *o = find_letter(cmd->options, *p);
        if (!o) {
            cli_error("%s: unknown option '-%c'; see 'lnn %s --help'",
                      cmd->name, *p, cmd->name);
            return EXIT_USAGE;
        }
        if (o->id == CLI_OPT_HELP) {
            cli_options_usage(cmd, stdout);
            return EXIT_OK;
        }
        cli_given g = {.id = o->id, .at = *i, .words = 1};
        if (o->value && p[1]) {
            g.value = p + 1;
        } else if (o->value) {
            if (*i + 1 >= argc) {
                cli_error("%s: option '-%c' needs a value; see 'lnn %s "
                          "--help'", cmd->name, *p, cmd->name);
                return EXIT_USAGE;
            }
            g.value = argv[++*i];
            g.words = 2;
        }
        if (!take(ctx, &g))
            return EXIT_USAGE;
        if (o->value)
            break;
    }
    return -1;
}

int cli_options_parse(const cli_command *cmd, int argc, char **argv,
                      cli_take_fn *take, void *ctx, int *first)
{
    /* the words of options, then the operands, in their order */
    char **words = malloc(2 * (size_t)argc * sizeof *words);
    if (!words) {
        cli_error("out of memory");
        return EXIT_RUNTIME;
    }
    char **operands = words + argc;
    int n_words = 0, n_operands = 0, rc = -1, i = 1;
    for (; i < argc && rc < 0; i++) {
        const char *w = argv[i];
        const int at = i;
        if (strcmp(w, "--") == 0) {
            words[n_words++] = argv[i++];
            break;
        }
        if (w[0] != '-' || w[1] == '\0') {
            operands[n_operands++] = argv[i];
            continue;
        }
        rc = w[1] == '-' ? take_long(cmd, argc, argv, &i, take, ctx)
                         : take_short(cmd, argc, argv, &i, take, ctx);
        for (int k = at; k <= i && k < argc; k++)
            words[n_words++] = argv[k];
    }
    if (rc < 0) {
        for (; i < argc; i++)
            operands[n_operands++] = argv[i];
        memcpy(argv + 1, words, (size_t)n_words * sizeof *argv);
        memcpy(argv + 1 + n_words, operands, (size_t)n_operands * sizeof *argv);
        *first = 1 + n_words;
    }
    free(words);
    return rc;
}

/* "relu, sigmoid" or "auto (he for relu, ...), he, ..." into buf. */
static void choices_text(const cli_choices *c, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < c->n && at < len; i++) {
        if (!c->names[i])
            continue;
        const char *note = c->notes ? c->notes[i] : "";
        const char *old = c->olds ? c->olds[i] : NULL;
        at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? ", " : "",
                               c->names[i]);
        if ((note[0] || old) && at < len)
            at += (size_t)snprintf(buf + at, len - at, " (%s%s%s)", note,
                                   note[0] && old ? "; also " : old
                                   ? "also " : "", old ? old : "");
    }
}

void cli_wrap(FILE *to, const char *text, size_t col, size_t indent)
{
    bool first = true;
    for (const char *p = text + strspn(text, " "); *p;) {
        const size_t len = strcspn(p, " ");
        if (!first && col + 1 + len >= HELP_WIDTH) {
            fprintf(to, "\n%*s", (int)indent, "");
            col = indent;
        } else if (!first) {
            fputc(' ', to);
            col++;
        }
        fprintf(to, "%.*s", (int)len, p);
        col += len;
        first = false;
        p += len;
        p += strspn(p, " ");
    }
    fputc('\n', to);
}

/* "  -q, --quiet" or "  --beta1 F, --beta2 F" (o and the options after it
 * that it describes): its length. */
static size_t print_names(FILE *to, const cli_option *o)
{
    int n = fprintf(to, "  ");
    for (const cli_option *p = o; p == o || (is_option(p) && !p->help);
         p++) {
        n += fprintf(to, "%s", p == o ? "" : ", ");
        if (p->letter)
            n += fprintf(to, "-%c, ", p->letter);
        n += fprintf(to, "--%s%s%s", p->name, p->value ? " " : "",
                     p->value ? p->value : "");
    }
    return n > 0 ? (size_t)n : 0;
}

/* One option's lines of --help. */
static void print_option(const cli_command *cmd, const cli_option *o,
                         FILE *to)
{
    char text[HELP_TEXT], list[HELP_TEXT / 2], more[HELP_TEXT / 2];
    size_t col = print_names(to, o);
    if (col + 2 > HELP_INDENT) {
        fputs("  ", to);
        col += 2;
    } else {
        fprintf(to, "%*s", (int)(HELP_INDENT - col), "");
        col = HELP_INDENT;
    }
    list[0] = '\0';
    if (o->choices)
        choices_text(o->choices, list, sizeof list);
    const char *extra = cmd->more ? cmd->more(o->id, more, sizeof more)
                                  : NULL;
    snprintf(text, sizeof text, "%s%s%s%s%s%s%s%s", o->help,
             list[0] && o->help[0] ? ": " : "", list,
             extra ? " " : "", extra ? extra : "",
             o->def ? " [" : "", o->def ? o->def : "", o->def ? "]" : "");
    cli_wrap(to, text, col, HELP_INDENT);
}

void cli_options_usage(const cli_command *cmd, FILE *to)
{
    fprintf(to, "Usage: lnn %s %s\n%s\n", cmd->name, cmd->synopsis,
            cmd->about);
    for (const cli_option *o = cmd->options; !is_end(o); o++) {
        if (!is_option(o))
            fprintf(to, "%s\n", o->help);
        else if (o->help)
            print_option(cmd, o, to);
    }
    if (cmd->epilogue)
        fprintf(to, "\n%s", cmd->epilogue);
}

/* The words of choices c, space-separated. */
static void print_choice_words(FILE *to, const cli_choices *c)
{
    bool first = true;
    for (size_t i = 0; i < c->n; i++)
        if (c->names[i]) {
            fprintf(to, "%s%s", first ? "" : " ", c->names[i]);
            first = false;
        }
}

/* The bash case of one command: its options, and what each one's value
 * completes to (its choices, or files). */
static void completion_case(FILE *to, const cli_command *cmd)
{
    fprintf(to, "    %s)\n        opts='", cmd->name);
    bool first = true;
    for (const cli_option *o = cmd->options; !is_end(o); o++)
        if (is_option(o)) {
            fprintf(to, "%s--%s", first ? "" : " ", o->name);
            first = false;
        }
    fprintf(to, "'\n        case $prev in\n");
    for (const cli_option *o = cmd->options; !is_end(o); o++) {
        if (!is_option(o) || !o->value)
            continue;
        if (o->choices) {
            fprintf(to, "        --%s) values='", o->name);
            print_choice_words(to, o->choices);
            fprintf(to, "' ;;\n");
        } else if (strstr(o->value, "FILE") || strstr(o->value, "DIR")) {
            fprintf(to, "        --%s) values=/ ;;\n", o->name);
        } else {
            fprintf(to, "        --%s) values=- ;;\n", o->name);
        }
    }
    fprintf(to, "        esac ;;\n");
}

void cli_completion_bash(FILE *to, const cli_command *const *cmds, size_t n)
{
    fprintf(to,
"# bash completion for lnn and lnn-mpi, made by 'lnn completion' from the\n"
"# commands' tables of options.\n"
"_lnn()\n"
"{\n"
"    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
"    local opts= values=\n"
"    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
"        COMPREPLY=($(compgen -W '");
    for (size_t i = 0; i < n; i++)
        fprintf(to, "%s ", cmds[i]->name);
    fprintf(to, "--help --version' -- \"$cur\"))\n"
"        return\n"
"    fi\n"
"    case ${COMP_WORDS[1]} in\n");
    for (size_t i = 0; i < n; i++)
        completion_case(to, cmds[i]);
    fprintf(to,
"    esac\n"
"    case $values in\n"
"    /) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
"    -) COMPREPLY=() ;;\n"
"    '') if [[ $cur == -* ]]; then\n"
"            COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
"        else\n"
"            COMPREPLY=($(compgen -f -- \"$cur\"))\n"
"        fi ;;\n"
"    *) COMPREPLY=($(compgen -W \"$values\" -- \"$cur\")) ;;\n"
"    esac\n"
"}\n"
"complete -o filenames -F _lnn lnn lnn-mpi\n");
}
