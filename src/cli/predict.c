/* predict.c: lnn predict: what a saved model says of table rows, IDX,
 * PGM, PNG or JPEG images: classes, labels or values. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "options.h"
#include "outfile.h"
#include "paths.h"
#include "pgm.h"

#define PREDICT_BATCH 1024
#define SNIFF_BYTES 8

enum { OPT_TOP = CLI_OPT_OWN, OPT_OUTPUT, OPT_THRESHOLD };

static const cli_option options[] = {
    CLI_OPTION_MODEL,
    {"top", 0, "K", OPT_TOP, "also the next most likely classes, K in all",
     "1", NULL},
    {"output", 0, "FILE.csv", OPT_OUTPUT, "write every prediction there "
     "instead, at full float precision, with a header: row (counting the "
     "rows and images of all INPUTs from 0), then for classes label and one "
     "probability column per class named by it; for regression one column "
     "per target, in its own units; for multi-label one 0/1 column per "
     "label, then p_LABEL, its probability", NULL, NULL},
    {"threshold", 0, "F", OPT_THRESHOLD, "multi-label: a label is set from "
     "this probability on", "0.5", NULL},
    CLI_OPTIONS_TABLE,
    CLI_OPTION_THREADS,
    CLI_OPTION_HELP,
    CLI_OPTIONS_END,
};

const cli_command cli_predict_command = {
    .name = "predict",
    .summary = "what a saved model predicts for table rows or images",
    .synopsis = "--model FILE [OPTION]... INPUT...",
    .about =
"Print what the model predicts for every row or image of every INPUT: the\n"
"class and its probability (classification), the labels set and theirs\n"
"(multi-label), or the values in the targets' own units (regression).\n"
"An INPUT is a table file (.csv, .tsv, .svm/.libsvm, .npy; its label\n"
"column, if any, is ignored; features scaled as in training; classes\n"
"printed by their label names), an IDX image file (gzipped or not; all its\n"
"images), a PGM image (P5 or P2, greyscale, of the model's image size,\n"
"0 = background as in MNIST), or a PNG or JPEG image of any size and\n"
"colour (made grey, resized by area averaging to the model's image size:\n"
"28x28 for MNIST; see --invert). A file that cannot be read is named on one line; the others\n"
"are still predicted, and the exit status is then 1.\n",
    .options = options,
};

typedef struct predict_args {
    cli_common co;
    cli_table_args ta;
    const char *output;
    uint64_t top;
    float threshold;
} predict_args;

/* Take one option of the command line (cli_take_fn). */
static bool take(void *ctx, const cli_given *g)
{
    predict_args *a = ctx;
    switch (g->id) {
    case OPT_TOP: return cli_parse_u64("--top", g->value, 1, 1000, &a->top);
    case OPT_OUTPUT: a->output = g->value; return true;
    case OPT_THRESHOLD:
        return cli_parse_float("--threshold", g->value, 0, 1, &a->threshold);
    default: {
        const int shared = cli_table_option(&a->ta, g->id, g->value);
        return (shared ? shared
                       : cli_common_option(&a->co, g->id, g->value)) > 0;
    }
    }
}

/* Where predictions go: lines on stdout, or every output as CSV. */
typedef struct predict_out {
    size_t top;
    FILE *csv;  /* --output, or NULL */
    size_t row; /* CSV rows written */
    cli_outputs what;
    float *scratch; /* n_L + 2 */
} predict_out;

/* Run d through the network in chunks and print every column. */
static bool predict_data(lnn_net *net, const lnn_data *d,
                         char *const *ids, const char *name, bool indexed,
                         predict_out *o)
{
    const size_t n_L = lnn_net_dims(net)[lnn_net_L(net)];
    for (size_t j0 = 0; j0 < d->m; j0 += lnn_net_max_batch(net)) {
        const size_t batch = lnn_net_max_batch(net);
        const size_t cols = d->m - j0 < batch ? d->m - j0 : batch;
        const float *HL;
        if (lnn_forward_data(net, d, j0, cols, &HL) != LNN_OK) {
            cli_error("%s: %s", name, lnn_net_errmsg(net));
            return false;
        }
        for (size_t k = 0; k < cols * n_L; k++)
            if (!isfinite(HL[k])) {
                cli_error("%s: sample %zu: the network's output is not "
                          "finite (an input too large for the model?)",
                          name, j0 + k / n_L);
                return false;
            }
        for (size_t j = 0; j < cols; j++)
            if (o->csv)
                cli_outputs_row(&o->what, o->csv, o->row++,
                                ids ? ids[j0 + j] : NULL, HL + j * n_L,
                                o->scratch);
            else
                cli_outputs_line(&o->what, name, j0 + j, indexed,
                                 HL + j * n_L, o->top, o->scratch);
    }
    return true;
}

/* A table file: read as in training (the model's width, its scaling). */
static bool predict_table(lnn_net *net, const char *path,
                          const cli_table_args *ta, predict_out *o)
{
    const size_t n_0 = lnn_net_dims(net)[0];
    const size_t n_L = lnn_net_dims(net)[lnn_net_L(net)];
    const lnn_prep *prep = lnn_net_prep(net);
    const lnn_prep bytes = {.scale = LNN_SCALE_BYTE, .n_x = n_0};
    lnn_table_opts opts = ta->table;
    opts.n_features = n_0;
    opts.unlabeled_n_x = n_0;
    char *cats = NULL;
    if (prep)
        cli_task_model_opts(&opts, prep);
    if (!cli_table_model_opts(&opts, prep ? prep : &bytes, true, &cats))
        return false;
    lnn_table t;
    char err[CLI_ERRLEN];
    const lnn_status loaded = lnn_table_load(&t, path, &opts, err,
                                             sizeof err);
    free(cats);
    if (loaded != LNN_OK ||
        !cli_task_drop_targets(&t, prep, err, sizeof err) ||
        lnn_prep_apply(prep ? prep : &bytes, &t, err, sizeof err) != LNN_OK) {
        cli_error("%s%s%s", strncmp(err, path, strlen(path)) ? path : "",
                  strncmp(err, path, strlen(path)) ? ": " : "", err);
        lnn_table_free(&t);
        return false;
    }
    cli_table_unseen(&t, path);
    lnn_data d = lnn_table_view(&t, 0, t.m);
    d.n_y = n_L;
    d.Y = NULL;
    d.labels = NULL;
    const bool ok = predict_data(net, &d, t.ids, path, true, o);
    lnn_table_free(&t);
    return ok;
}

/* Does the name end in .png, .jpg or .jpeg (any case)? */
static bool image_name(const char *path)
{
    static const char *const ext[] = {".png", ".jpg", ".jpeg"};
    const size_t n = strlen(path);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        const size_t k = strlen(ext[i]);
        if (n > k && strcasecmp(path + n - k, ext[i]) == 0)
            return true;
    }
    return false;
}

/* A PNG or JPEG image: the model's size, its scaling (bytes / 255 for an
 * image or IDX model). */
static bool predict_image(lnn_net *net, const char *path, lnn_invert invert,
                          predict_out *o)
{
    lnn_image_opts img = {.invert = invert};
    if (!cli_model_image(net, path, &img))
        return false;
    const size_t n_0 = lnn_net_dims(net)[0];
    const lnn_prep *prep = lnn_net_prep(net);
    const lnn_prep bytes = {.scale = LNN_SCALE_BYTE, .n_x = n_0};
    lnn_table t = {.n_x = img.width * img.height, .m = 1,
                   .X_u8 = malloc(img.width * img.height)};
    char err[CLI_ERRLEN];
    bool ok = t.X_u8 != NULL;
    if (!ok)
        cli_error("%s: out of memory", path);
    else if (lnn_image_read(path, &img, t.X_u8, err, sizeof err) != LNN_OK) {
        cli_error("%s", err);
        ok = false;
    } else if (lnn_prep_apply(prep ? prep : &bytes, &t, err, sizeof err) !=
               LNN_OK) {
        cli_error("%s: %s", path, err);
        ok = false;
    }
    lnn_data d = lnn_table_view(&t, 0, 1);
    d.n_y = lnn_net_dims(net)[lnn_net_L(net)];
    ok = ok && predict_data(net, &d, NULL, path, false, o);
    lnn_table_free(&t);
    return ok;
}

static bool predict_one(lnn_net *net, const char *path, lnn_invert invert,
                        predict_out *o)
{
    const size_t n_0 = lnn_net_dims(net)[0];
    const size_t n_L = lnn_net_dims(net)[lnn_net_L(net)];
    unsigned char head[SNIFF_BYTES] = {0};
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    char err[CLI_ERRLEN];
    if (lnn_image_sniff(head, got) || (f && image_name(path)))
        return predict_image(net, path, invert, o);
    if (pgm_sniff(head, got)) {
        float *x = malloc(n_0 * sizeof *x);
        bool ok = x && pgm_read(path, x, n_0, err, sizeof err);
        if (x && !ok)
            cli_error("%s", err);
        lnn_data d = {.n_x = n_0, .n_y = n_L, .m = 1, .X = x};
        ok = ok && predict_data(net, &d, NULL, path, false, o);
        free(x);
        return ok;
    }
    /* Anything else must be an IDX image file; its loader says if not. */
    lnn_dataset images;
    if (lnn_load_images(&images, path, err, sizeof err) != LNN_OK) {
        cli_error("%s (inputs are table files, IDX image files, PGM, PNG or "
                  "JPEG images)", err);
        return false;
    }
    bool ok = images.n_x == n_0;
    if (!ok)
        cli_error("%s: %zux%zu images, the model takes %zu pixels", path,
                  images.rows, images.cols, n_0);
    lnn_data d = {.n_x = n_0, .n_y = n_L, .m = images.m, .X_u8 = images.X};
    ok = ok && predict_data(net, &d, NULL, path, true, o);
    lnn_dataset_free(&images);
    return ok;
}

/* --output is none of the files read, and can be written: 0, else an exit
 * status (the message printed). */
static int check_output(const char *model, const char *output, int n,
                         char *const *inputs)
{
    for (int i = 0; i < n; i++)
        if (paths_same_file(output, inputs[i])) {
            cli_error("predict: --output %s: is the input %s; writing it "
                      "would destroy it", output, inputs[i]);
            return EXIT_USAGE;
        }
    paths io = {0};
    paths_in(&io, "--model", model);
    paths_out(&io, "--output", output);
    char err[CLI_ERRLEN];
    const int rc = paths_check(&io, err, sizeof err);
    if (rc)
        cli_error("predict: %s", err);
    return rc;
}

int cli_predict(int argc, char **argv)
{
    predict_args a = {.top = 1, .threshold = 0.5f};
    cli_table_args_init(&a.ta);
    int first;
    const int parsed = cli_options_parse(&cli_predict_command, argc, argv,
                                         take, &a, &first);
    if (parsed >= 0)
        return parsed;
    if (cli_common_apply(&a.co, "predict", true) != EXIT_OK)
        return EXIT_USAGE;
    if (first == argc) {
        cli_error("predict: no INPUT images given");
        return EXIT_USAGE;
    }
    const uint64_t top = a.top;
    const char *output = a.output;
    const int bad = output ? check_output(a.co.model, output, argc - first,
                                          argv + first)
                           : 0;
    if (bad)
        return bad;
    lnn_net *net = cli_model_load_chunked(a.co.model, PREDICT_BATCH);
    if (!net)
        return EXIT_RUNTIME;
    const size_t n_L = lnn_net_dims(net)[lnn_net_L(net)];
    predict_out o = {.top = (size_t)top};
    cli_outputs_init(&o.what, net, a.threshold);
    const lnn_prep *prep = lnn_net_prep(net);
    o.what.id_name = a.ta.table.id      ? a.ta.table.id
                     : prep && prep->id_name ? prep->id_name : NULL;
    const size_t n_classes = o.what.binary ? 2 : n_L;
    if (top > n_classes) {
        cli_error("--top: %llu, but the model has %zu classes",
                  (unsigned long long)top, n_classes);
        lnn_net_destroy(net);
        return EXIT_USAGE;
    }
    if (!(o.scratch = malloc((n_L + 2) * sizeof *o.scratch))) {
        cli_error("out of memory");
        lnn_net_destroy(net);
        return EXIT_RUNTIME;
    }
    outfile file;
    char err[CLI_ERRLEN];
    if (output && !outfile_open(&file, output, err, sizeof err)) {
        cli_error("predict: %s", err);
        free(o.scratch);
        lnn_net_destroy(net);
        return EXIT_RUNTIME;
    }
    o.csv = output ? file.fp : NULL;
    if (o.csv)
        cli_outputs_header(&o.what, o.csv);
    int rc = EXIT_OK;
    /* an IDX image file is predicted as images (predict_one: no labels
     * file needed), not as the table of lnn_table_load's IDX row */
    for (int i = first; i < argc; i++)
        if (lnn_table_format(argv[i]) != LNN_FORMAT_AUTO &&
                    lnn_table_format(argv[i]) != LNN_FORMAT_IDX
                ? !predict_table(net, argv[i], &a.ta, &o)
                : !predict_one(net, argv[i], a.ta.image.invert, &o))
            rc = EXIT_RUNTIME;
    if (o.csv && !outfile_close(&file, rc == EXIT_OK && !ferror(o.csv), err,
                                sizeof err)) {
        if (rc == EXIT_OK)
            cli_error("predict: %s", err);
        rc = EXIT_RUNTIME;
    }
    free(o.scratch);
    lnn_net_destroy(net);
    return rc;
}
