/* main.c: the lnn command: dispatch to train, eval, predict, export,
 * import, plot and completion. */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "options.h"

/* How long an idle OpenMP thread spins before it sleeps: briefly, since
 * lnn's team meets a few times per step and may share the cores with other
 * work (docs/threading.md has the measurements). libgomp reads the setting
 * once, when it loads, so the only way to set it for ourselves is to start
 * again with it set. Respect settings the user chose. */
static void ensure_short_spin(char **argv)
{
    if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT"))
        return;
    setenv("GOMP_SPINCOUNT", "1000", 1);
    execv("/proc/self/exe", argv);
    /* exec failed (no /proc): carry on with libgomp's default */
}

static int run_completion(int argc, char **argv);

/* The commands: each one's table of options, and what runs it (train
 * with every process of the run; the others, which are quick, on rank 0
 * alone). */
typedef struct command {
    const cli_command *cmd;
    int (*run)(int argc, char **argv);
    int (*run_world)(int argc, char **argv, cli_world *w);
} command;

static const command commands[] = {
    {&cli_train_command, NULL, cli_train},
    {&cli_eval_command, cli_eval, NULL},
    {&cli_predict_command, cli_predict, NULL},
    {&cli_export_command, cli_export, NULL},
    {&cli_import_command, cli_import, NULL},
    {&cli_plot_command, cli_plot, NULL},
    {&cli_completion_command, run_completion, NULL},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static const cli_option completion_options[] = {
    CLI_OPTION_HELP,
    CLI_OPTIONS_END,
};

const cli_command cli_completion_command = {
    .name = "completion",
    .summary = "print the bash completion of lnn's commands and options",
    .synopsis = "[OPTION]...",
    .about =
"Print a bash script that completes lnn's (and lnn-mpi's) commands, options\n"
"and option values. meson install puts it where bash-completion finds it;\n"
"to try it in one shell: source <(lnn completion)\n",
    .options = completion_options,
};

/* lnn completion: no options but --help (cli_take_fn never called). */
static bool take_nothing(void *ctx, const cli_given *g)
{
    (void)ctx;
    (void)g;
    return false;
}

static int run_completion(int argc, char **argv)
{
    int first;
    const int rc = cli_options_parse(&cli_completion_command, argc, argv,
                                     take_nothing, NULL, &first);
    if (rc >= 0)
        return rc;
    if (first < argc) {
        cli_error("completion: unexpected argument '%s'", argv[first]);
        return EXIT_USAGE;
    }
    const cli_command *cmds[N_COMMANDS];
    for (size_t i = 0; i < N_COMMANDS; i++)
        cmds[i] = commands[i].cmd;
    cli_completion_bash(stdout, cmds, N_COMMANDS);
    return EXIT_OK;
}

static void usage(FILE *to)
{
    fprintf(to,
"Usage: lnn COMMAND [OPTION]...\n"
"A fast L-layer neural-network trainer (OpenBLAS + OpenMP).\n"
"\n"
"Commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        fprintf(to, "  %-10s  ", commands[i].cmd->name);
        cli_wrap(to, commands[i].cmd->summary, 14, 14);
    }
    fprintf(to,
"\n"
"  lnn COMMAND --help   options of a command\n"
"  lnn --version        version, BLAS and threads\n");
}

/* Run the command of argv[1] in world w. */
static int run_command(int argc, char **argv, cli_world *w)
{
    const char *names[N_COMMANDS];
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const command *c = &commands[i];
        names[i] = c->cmd->name;
        if (strcmp(argv[1], c->cmd->name) != 0)
            continue;
        /* Each subcommand parses argv[1..]: its own name is argv[0]. */
        if (c->run_world)
            return c->run_world(argc - 1, argv + 1, w);
        return w->comm.rank == 0 ? c->run(argc - 1, argv + 1) : EXIT_OK;
    }
    const char *near = cli_nearest(argv[1], names, N_COMMANDS);
    if (near)
        cli_error("unknown command '%s'; did you mean '%s'? try 'lnn --help'",
                  argv[1], near);
    else
        cli_error("unknown command '%s'; try 'lnn --help'", argv[1]);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    ensure_short_spin(argv);
    /* A file-size limit (ulimit -f) makes a save fail with EFBIG and a
     * message, keeping the previous model, instead of killing lnn. */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("lnn %s\nblas: %s (%s)\nthreads: %d OpenMP, %d BLAS\n",
               lnn_version(), lnn_blas_info(), lnn_blas_threading(),
               lnn_omp_threads(), lnn_blas_threads());
        return EXIT_OK;
    }
    cli_world w;
    int rc = cli_world_start(&w, &argc, &argv);
    if (rc != EXIT_OK)
        return rc;
    w.program = argv[0];
    return cli_world_stop(&w, run_command(argc, argv, &w));
}
