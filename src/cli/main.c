/* main.c: the lnn command: dispatch to train, eval, predict, export and
 * import. */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

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

static void usage(FILE *to)
{
    fprintf(to,
"Usage: lnn COMMAND [OPTION]...\n"
"A fast L-layer neural-network trainer (OpenBLAS + OpenMP).\n"
"\n"
"Commands:\n"
"  train     train a network on an MNIST-format dataset\n"
"  eval      loss, accuracy and confusion matrix of a saved model\n"
"  predict   classify IDX or PGM images with a saved model\n"
"  export    write a model as safetensors (PyTorch) or ONNX\n"
"  import    make a model from a PyTorch nn.Sequential's safetensors\n"
"\n"
"  lnn COMMAND --help   options of a command\n"
"  lnn --version        version, BLAS and threads\n");
}

/* Run the command of argv[1] in world w. */
static int run_command(int argc, char **argv, cli_world *w)
{
    const char *cmd = argv[1];
    /* Each subcommand parses argv[1..]: its own name is argv[0]. */
    if (strcmp(cmd, "train") == 0)
        return cli_train(argc - 1, argv + 1, w);
    /* eval and predict are quick: in a run of several processes, rank 0
     * does them alone. */
    if (w->comm.rank != 0)
        return EXIT_OK;
    if (strcmp(cmd, "eval") == 0)
        return cli_eval(argc - 1, argv + 1);
    if (strcmp(cmd, "predict") == 0)
        return cli_predict(argc - 1, argv + 1);
    if (strcmp(cmd, "export") == 0)
        return cli_export(argc - 1, argv + 1);
    if (strcmp(cmd, "import") == 0)
        return cli_import(argc - 1, argv + 1);
    cli_error("unknown command '%s'; try 'lnn --help'", cmd);
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
    return cli_world_stop(&w, run_command(argc, argv, &w));
}
