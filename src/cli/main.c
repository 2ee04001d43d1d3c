/* main.c: the lnn command: dispatch to train, eval and predict. */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* How long an idle OpenMP thread spins before it sleeps. lnn's team meets
 * a few times per training step; a thread that sleeps at once (passive)
 * pays a wake-up of tens of microseconds at each meeting, a thread that
 * spins long (libgomp's default, or active) burns the core another process
 * may need, and then waits for a partner that cannot run: 3x slower when
 * one core is busy elsewhere. A bounded spin of 1000 rounds was the best of
 * both on a 2-core machine (bench/README.md). libgomp reads these settings
 * once, when it loads, so the only way to set them for ourselves is to
 * start again with them set. Respect settings the user chose. */
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
"\n"
"  lnn COMMAND --help   options of a command\n"
"  lnn --version        version, BLAS and threads\n");
}

int main(int argc, char **argv)
{
    ensure_short_spin(argv);
    /* A file-size limit (ulimit -f) makes a save fail with EFBIG and a
     * message, keeping the previous model, instead of killing lnn. */
    signal(SIGXFSZ, SIG_IGN);
    /* lnn's thread arrangement (lnn.h): one team of all OpenMP's threads,
     * each running its share of the GEMMs. --threads sets it again. */
    lnn_set_threads(lnn_omp_threads());
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
    /* Each subcommand parses argv[1..]: its own name is argv[0]. */
    if (strcmp(cmd, "train") == 0)
        return cli_train(argc - 1, argv + 1);
    if (strcmp(cmd, "eval") == 0)
        return cli_eval(argc - 1, argv + 1);
    if (strcmp(cmd, "predict") == 0)
        return cli_predict(argc - 1, argv + 1);
    cli_error("unknown command '%s'; try 'lnn --help'", cmd);
    return EXIT_USAGE;
}
