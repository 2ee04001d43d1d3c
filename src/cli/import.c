/* import.c: lnn import: make an lnn model from a PyTorch nn.Sequential
 * state dict in a safetensors file. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "options.h"
#include "paths.h"
#include "safetensors.h"
#include "sequential.h"

#define IMPORT_MAX_BATCH 128 /* stored as the model's default batch */

enum { OPT_ACTIVATION = CLI_OPT_OWN };

static const cli_option options[] = {
    {"activation", 0, "NAME[,NAME...]", OPT_ACTIVATION, "hidden activation: "
     "one for every hidden layer, or one per hidden layer",
     "the file's metadata \"activation\"; required without it",
     &cli_hidden_activations},
    CLI_OPTION_HELP,
    CLI_OPTIONS_END,
};

const cli_command cli_import_command = {
    .name = "import",
    .summary = "make a model from a PyTorch nn.Sequential's safetensors",
    .synopsis = "[OPTION]... WEIGHTS.safetensors OUT.lnn",
    .about =
"Make an lnn model (for eval, predict, train --resume) from the state dict\n"
"of a PyTorch nn.Sequential(Linear, act, Linear, act, ..., Linear) saved as\n"
"safetensors: tensors 0.weight [n_1, n_0], 0.bias [n_1], 2.weight\n"
"[n_2, n_1], ... in F32, F64, F16 or BF16 (read as float32). The output\n"
"layer's head is the metadata's \"loss\" (ce, bce, mse, mae, huber with\n"
"\"huber_delta\"; softmax and cross-entropy without it); inputs are 8-bit\n"
"pixels / 255, as in lnn train, unless the metadata describes a model\n"
"trained on a table (\"input\", \"scale_shift\", \"scale_mul\", \"labels\",\n"
"\"columns\", \"targets\", \"target_shift\", \"target_mul\", as lnn export\n"
"writes them): then its scaling, its class, feature and target names and\n"
"its target scaling come along.\n"
"lnn export writes such files; see docs/model-format.md.\n",
    .options = options,
    .epilogue =
"Exit status: 0 done, 1 failed (files, damaged input), 2 bad usage.\n",
};

/* Take --activation (cli_take_fn): *ctx is its list, once its names are
 * hidden activations (its length is checked against the file's layers). */
static bool take(void *ctx, const cli_given *g)
{
    lnn_activation acts[LNN_CLI_MAX_DIMS];
    size_t n;
    if (!cli_parse_activations("--activation", g->value, acts,
                               LNN_CLI_MAX_DIMS, &n))
        return false;
    *(const char **)ctx = g->value;
    return true;
}

int cli_import(int argc, char **argv)
{
    const char *activation = NULL;
    int first;
    const int rc = cli_options_parse(&cli_import_command, argc, argv, take,
                                     &activation, &first);
    if (rc >= 0)
        return rc;
    if (argc - first != 2) {
        cli_error("import: expected WEIGHTS.safetensors and OUT.lnn; see "
                  "'lnn import --help'");
        return EXIT_USAGE;
    }
    const char *in = argv[first], *out = argv[first + 1];
    char err[CLI_ERRLEN];
    paths io = {0};
    paths_in(&io, "", in);
    paths_out(&io, "import:", out);
    const int bad = paths_check(&io, err, sizeof err);
    if (bad) {
        cli_error("%s", err);
        return bad;
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
    if (!ok) {
        cli_error("%s", err);
    } else {
        char acts[CLI_ACTS_LEN];
        printf("wrote %s: network ", out);
        for (size_t l = 0; l <= lnn_net_L(net); l++)
            printf("%s%zu", l ? "-" : "", lnn_net_dims(net)[l]);
        printf(" %s, %zu parameters, from %s\n",
               cli_activations(net, acts, sizeof acts),
               lnn_net_n_params(net), in);
    }
    lnn_net_destroy(net);
    return ok ? EXIT_OK : EXIT_RUNTIME;
}
