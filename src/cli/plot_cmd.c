/* plot_cmd.c: lnn plot: the learning curves of an earlier run, from its
 * lnn train --log. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>

#include "cli.h"
#include "options.h"
#include "plot.h"

enum { OPT_OUTPUT = CLI_OPT_OWN };

static const cli_option options[] = {
    {"output", 'o', "FILE.svg", OPT_OUTPUT, "where the picture goes "
     "(required)", NULL, NULL},
    CLI_OPTION_HELP,
    CLI_OPTIONS_END,
};

const cli_command cli_plot_command = {
    .name = "plot",
    .summary = "draw the learning curves of a run from its --log",
    .synopsis = "LOG.csv|LOG.jsonl -o FILE.svg",
    .about =
"Draw what lnn train --log wrote, as lnn train --plot draws it: the\n"
"training loss, the validation loss and the validation metric per epoch\n"
"(the best epoch marked) above, the learning rate below, as an SVG image.\n"
"Columns the log lacks (an older lnn's) are left out of the picture.\n",
    .options = options,
    .epilogue = "Exit status: 0 done, 1 failed (the log, the output), 2 bad "
                "usage.\n",
};

/* Take -o (cli_take_fn): *ctx is the path. */
static bool take(void *ctx, const cli_given *g)
{
    *(const char **)ctx = g->value;
    return true;
}

int cli_plot(int argc, char **argv)
{
    const char *out = NULL;
    int first;
    const int rc = cli_options_parse(&cli_plot_command, argc, argv, take,
                                     &out, &first);
    if (rc >= 0)
        return rc;
    if (argc - first != 1 || !out) {
        cli_error("plot: expected one LOG and -o FILE.svg; see 'lnn plot "
                  "--help'");
        return EXIT_USAGE;
    }
    const char *log = argv[first];
    char err[CLI_ERRLEN];
    if (!plot_path_ok("-o", out, err, sizeof err)) {
        cli_error("%s", err);
        return EXIT_USAGE;
    }
    plot_history h;
    if (!plot_history_read(&h, log, err, sizeof err)) {
        cli_error("%s", err);
        return EXIT_RUNTIME;
    }
    char title[CLI_ERRLEN];
    snprintf(title, sizeof title, "lnn train: %s", log);
    const bool ok = plot_training(&h, title, out, err, sizeof err);
    const size_t n = h.n;
    plot_history_free(&h);
    if (!ok) {
        cli_error("%s", err);
        return EXIT_RUNTIME;
    }
    printf("%s: %zu reports drawn\n", out, n);
    return EXIT_OK;
}
