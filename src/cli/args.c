/* args.c: what the subcommands share: strict parsing of option values,
 * usage errors, loading a model. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("lnn: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

double cli_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int cli_getopt_error(const char *cmd, int c, char *const *argv)
{
    /* optind is past the offending word */
    const char *word = argv[optind - 1];
    if (c == ':')
        cli_error("%s: option '%s' needs a value; see 'lnn %s --help'", cmd,
                  word, cmd);
    else if (optopt && word[1] != '-')
        cli_error("%s: unknown option '-%c'; see 'lnn %s --help'", cmd,
                  optopt, cmd);
    else
        cli_error("%s: unknown option '%s'; see 'lnn %s --help'", cmd, word,
                  cmd);
    return EXIT_USAGE;
}

lnn_net *cli_model_load(const char *path, lnn_train_opts *opts,
                        size_t max_batch)
{
    char err[CLI_ERRLEN];
    lnn_net *net;
    if (lnn_model_load(&net, opts, path, max_batch, err, sizeof err) ==
        LNN_OK)
        return net;
    cli_error("%s", err);
    return NULL;
}

lnn_net *cli_model_load_chunked(const char *path, size_t batch)
{
    /* One column first, to learn the network's widths. */
    lnn_net *net = cli_model_load(path, NULL, 1);
    if (!net)
        return NULL;
    const size_t L = lnn_net_L(net), *dims = lnn_net_dims(net);
    /* a column of X, Y, predictions, and H and dZ of every layer */
    size_t per_col = dims[0] + dims[L] + 1;
    for (size_t l = 1; l <= L; l++)
        per_col += 2 * dims[l];
    per_col *= sizeof(float);
    if (batch > CLI_BATCH_BYTES / per_col)
        batch = CLI_BATCH_BYTES / per_col ? CLI_BATCH_BYTES / per_col : 1;
    if (batch == 1)
        return net;
    lnn_net_destroy(net);
    return cli_model_load(path, NULL, batch);
}

bool cli_parse_u64(const char *name, const char *s, uint64_t min, uint64_t max,
                   uint64_t *out)
{
    char *end;
    errno = 0;
    /* strtoull accepts "-1" (as a huge number) and leading spaces: refuse
     * anything but digits. */
    if (s[0] < '0' || s[0] > '9') {
        cli_error("%s: '%s' is not a whole number", name, s);
        return false;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0') {
        cli_error("%s: '%s' is not a whole number", name, s);
        return false;
    }
    if (errno == ERANGE || v < min || v > max) {
        cli_error("%s: %s is out of range (%llu to %llu)", name, s,
                  (unsigned long long)min, (unsigned long long)max);
        return false;
    }
    *out = v;
    return true;
}

bool cli_parse_size(const char *name, const char *s, size_t min, size_t max,
                    size_t *out)
{
    uint64_t v;
    if (!cli_parse_u64(name, s, min, max, &v))
        return false;
    *out = (size_t)v;
    return true;
}

bool cli_parse_float(const char *name, const char *s, double min, double max,
                     float *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v)) {
        cli_error("%s: '%s' is not a number", name, s);
        return false;
    }
    if (errno == ERANGE || v < min || v > max) {
        cli_error("%s: %s is out of range (%g to %g)", name, s, min, max);
        return false;
    }
    *out = (float)v;
    return true;
}

bool cli_parse_choice(const char *name, const char *s,
                      const char *const *choices, int *out)
{
    char list[256] = "";
    for (int i = 0; choices[i]; i++) {
        if (strcmp(s, choices[i]) == 0) {
            *out = i;
            return true;
        }
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 i ? ", " : "", choices[i]);
    }
    cli_error("%s: '%s' is not one of %s", name, s, list);
    return false;
}

bool cli_parse_layers(const char *name, const char *s, size_t *dims,
                      size_t *count)
{
    size_t n = 0;
    const char *p = s;
    for (;;) {
        char item[32];
        const size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof item) {
            cli_error("%s: '%s' is not a list of layer sizes like "
                      "784,256,10", name, s);
            return false;
        }
        if (n == LNN_CLI_MAX_DIMS) {
            cli_error("%s: more than %d layer sizes", name, LNN_CLI_MAX_DIMS);
            return false;
        }
        memcpy(item, p, len);
        item[len] = '\0';
        if (!cli_parse_size(name, item, 1, (size_t)1 << 24, &dims[n++]))
            return false;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    if (n < 2) {
        cli_error("%s: a network needs at least 2 layer sizes (input and "
                  "output), got %zu", name, n);
        return false;
    }
    *count = n;
    return true;
}
