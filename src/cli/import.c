/* import.c: lnn import: make an lnn model from a PyTorch nn.Sequential
 * state dict in a safetensors file. */
#define _POSIX_C_SOURCE 200809L

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "paths.h"
#include "safetensors.h"
#include "sequential.h"

#define IMPORT_MAX_BATCH 128 /* stored as the model's default batch */

enum { OPT_ACTIVATION = 256 };

static const struct option long_options[] = {
    {"activation", required_argument, NULL, OPT_ACTIVATION},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void usage(void)
{
    printf(
"Usage: lnn import [OPTION]... WEIGHTS.safetensors OUT.lnn\n"
"Make an lnn model (for eval, predict, train --resume) from the state dict\n"
"of a PyTorch nn.Sequential(Linear, act, Linear, act, ..., Linear) saved as\n"
"safetensors: tensors 0.weight [n_1, n_0], 0.bias [n_1], 2.weight\n"
"[n_2, n_1], ... in F32, F64, F16 or BF16 (read as float32). The output\n"
"layer gets lnn's softmax; inputs are 8-bit pixels / 255, as in lnn train,\n"
"unless the metadata describes a model trained on a table (\"input\",\n"
"\"scale_shift\", \"scale_mul\", \"labels\", \"columns\", as lnn export writes\n"
"them): then its scaling, label names and feature names come along.\n"
"lnn export writes such files; see docs/model-format.md.\n"
"\n"
"  --activation NAME  hidden activation, relu or sigmoid [the file's\n"
"                     metadata \"activation\"; required without it]\n"
"  -h, --help         show this help\n"
"\n"
"Exit status: 0 done, 1 failed (files, damaged input), 2 bad usage.\n");
}

int cli_import(int argc, char **argv)
{
    const char *activation = NULL;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        int which;
        switch (c) {
        case OPT_ACTIVATION:
            if (!cli_parse_choice("--activation", optarg,
                                  &cli_hidden_activations, &which))
                return EXIT_USAGE;
            activation = lnn_activation_name((lnn_activation)which);
            break;
        case 'h': usage(); return EXIT_OK;
        default: return cli_getopt_error("import", c, argv);
        }
    }
    if (argc - optind != 2) {
        cli_error("import: expected WEIGHTS.safetensors and OUT.lnn; see "
                  "'lnn import --help'");
        return EXIT_USAGE;
    }
    const char *in = argv[optind], *out = argv[optind + 1];
    char err[CLI_ERRLEN];
    paths io = {0};
    paths_in(&io, "", in);
    paths_out(&io, "import:", out);
    const int rc = paths_check(&io, err, sizeof err);
    if (rc) {
        cli_error("%s", err);
        return rc;
    }
    st_file f;
    if (!st_load(&f, in, err, sizeof err)) {
        cli_error("%s", err);
        return EXIT_RUNTIME;
    }
    lnn_net *net = seq_net_create(&f, activation, IMPORT_MAX_BATCH, err,
                                  sizeof err);
    st_free(&f);
    if (!net) {
        cli_error("%s: %s", in, err);
        return EXIT_RUNTIME;
    }
    const bool ok = lnn_model_save(net, NULL, out, err, sizeof err) == LNN_OK;
    if (!ok)
        cli_error("%s", err);
    lnn_net_destroy(net);
    return ok ? EXIT_OK : EXIT_RUNTIME;
}
