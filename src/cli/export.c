/* export.c: lnn export: write a model as safetensors (an nn.Sequential
 * state dict) or ONNX, for other tools. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "options.h"
#include "onnx.h"
#include "paths.h"
#include "safetensors.h"
#include "sequential.h"

#define EXPORT_MAX_BATCH 1 /* the network only lends its parameters */

enum { OPT_FORMAT = CLI_OPT_OWN };
enum { FORMAT_SAFETENSORS, FORMAT_ONNX, FORMAT_FROM_NAME };

static const char *const format_names[] = {"safetensors", "onnx"};
static const cli_choices formats = CLI_CHOICES(format_names, NULL, NULL);

static const cli_option options[] = {
    {"format", 0, "F", OPT_FORMAT, "", "from OUT's extension: .safetensors, "
     ".onnx", &formats},
    CLI_OPTION_HELP,
    CLI_OPTIONS_END,
};

const cli_command cli_export_command = {
    .name = "export",
    .summary = "write a model as safetensors (PyTorch) or ONNX",
    .synopsis = "[OPTION]... MODEL OUT",
    .about =
"Write the network of MODEL (from lnn train --save) for other tools:\n"
"  safetensors  the state dict of PyTorch's nn.Sequential(Linear, act, ...,\n"
"               Linear): 0.weight [n_1, n_0], 0.bias [n_1], 2.weight, ...\n"
"               (float32), with the layer sizes, activation and loss as\n"
"               metadata\n"
"  onnx         a graph from \"input\" [N, n_0] to what predict --output\n"
"               writes (opset 13): Gemm and Relu/Sigmoid per layer, then\n"
"               the loss's head: \"probabilities\" [N, classes] (Softmax;\n"
"               for bce of one yes/no column both classes' 1 - p, p) or\n"
"               [N, labels] (Sigmoid), or \"predictions\" [N, targets] in\n"
"               the targets' units (their scaling undone)\n"
"Inputs are what lnn feeds the network: 8-bit pixels / 255; for a model\n"
"trained on a table, its scaling, label, feature and target names and\n"
"target scaling go into the metadata (and the ONNX graph scales its\n"
"inputs itself). A table model with text columns or missing cells exports\n"
"its preparation too: in the metadata's \"preparation\" (lnn import\n"
"restores it), and in an ONNX graph whose inputs are the training file's\n"
"columns, one per column, named as it, [N, 1]: float for numbers (NaN:\n"
"missing), string for text (\"\", NA, N/A, NaN, nan, ?, null, NULL, None:\n"
"missing); the graph fills gaps, one-hots text (ai.onnx.ml LabelEncoder)\n"
"and scales.\n"
"See docs/model-format.md. On success it prints one line: the file, its\n"
"size and what it holds.\n",
    .options = options,
    .epilogue =
"Exit status: 0 done, 1 failed (files, damaged input), 2 bad usage.\n",
};

/* Take --format (cli_take_fn). */
static bool take(void *ctx, const cli_given *g)
{
    return cli_parse_choice("--format", g->value, &formats, ctx);
}

static bool ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* "wrote OUT: ..." on stdout: what the file holds and its size. */
static void say_written(const char *out, int format, const lnn_net *net,
                        size_t n_tensors, const onnx_output *graph)
{
    const size_t L = lnn_net_L(net), *dims = lnn_net_dims(net);
    struct stat st;
    const double kib = stat(out, &st) == 0 ? (double)st.st_size / 1024.0 : 0;
    const lnn_prep *p = lnn_net_prep(net);
    printf("wrote %s (%.1f KiB): ", out, kib);
    if (format == FORMAT_SAFETENSORS)
        printf("the state dict of nn.Sequential, %zu float32 tensors",
               n_tensors);
    else if (p && p->raw)
        printf("an ONNX graph (opset 13, ai.onnx.ml), the %zu raw columns "
               "[N, 1] each, prepared, to %s [N, %zu]", p->n_raw,
               graph->name, graph->width);
    else
        printf("an ONNX graph (opset 13), input [N, %zu] to %s [N, %zu]",
               dims[0], graph->name, graph->width);
    printf(", network ");
    for (size_t l = 0; l <= L; l++)
        printf("%s%zu", l ? "-" : "", dims[l]);
    char acts[CLI_ACTS_LEN];
    printf(" %s, %zu parameters\n", cli_activations(net, acts, sizeof acts),
           lnn_net_n_params(net));
}

int cli_export(int argc, char **argv)
{
    int format = FORMAT_FROM_NAME, first;
    const int rc = cli_options_parse(&cli_export_command, argc, argv, take,
                                     &format, &first);
    if (rc >= 0)
        return rc;
    if (argc - first != 2) {
        cli_error("export: expected MODEL and OUT; see 'lnn export --help'");
        return EXIT_USAGE;
    }
    const char *model = argv[first], *out = argv[first + 1];
    if (format == FORMAT_FROM_NAME) {
        if (ends_with(out, ".safetensors"))
            format = FORMAT_SAFETENSORS;
        else if (ends_with(out, ".onnx"))
            format = FORMAT_ONNX;
        else {
            cli_error("export: cannot tell the format from '%s'; name it "
                      "*.safetensors or *.onnx, or give --format", out);
            return EXIT_USAGE;
        }
    }
    paths io = {0};
    paths_in(&io, "", model);
    paths_out(&io, "export:", out);
    char err[CLI_ERRLEN];
    const int bad = paths_check(&io, err, sizeof err);
    if (bad) {
        cli_error("%s", err);
        return bad;
    }
    lnn_net *net = cli_model_load(model, NULL, EXPORT_MAX_BATCH);
    if (!net)
        return EXIT_RUNTIME;
    seq_state s;
    onnx_output graph = {0};
    bool ok = seq_state_from_net(&s, net, err, sizeof err);
    if (ok && format == FORMAT_SAFETENSORS)
        ok = st_write(out, s.tensors, s.n_tensors, s.metadata,
                      s.n_metadata, err, sizeof err);
    else if (ok)
        ok = onnx_write(out, net, &s, &graph, err, sizeof err);
    if (!ok)
        cli_error("%s", err);
    else
        say_written(out, format, net, s.n_tensors, &graph);
    seq_state_free(&s);
    lnn_net_destroy(net);
    return ok ? EXIT_OK : EXIT_RUNTIME;
}
