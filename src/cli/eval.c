/* eval.c: lnn eval: loss, accuracy and confusion matrix of a saved model. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"
#include "plot.h"

#define EVAL_BATCH 1024 /* columns per forward pass */

enum { OPT_SPLIT = CLI_OPT_OWN, OPT_VAL, OPT_JSON, OPT_PLOT };

static const char *const split_names[] = {"test", "val", "train"};
static const cli_choices splits = CLI_CHOICES(split_names, NULL, NULL);

#define STR_(x) #x
#define STR(x) STR_(x)

static const cli_option options[] = {
    CLI_OPTION_MODEL,
    {"data", 0, "FILE|DIR", CLI_OPT_DATA, "a table file or an image folder "
     "(its labels read with the model's vocabulary, its features scaled as "
     "in training; the model's split of it when it is the training data, "
     "else every row), or a dataset directory, as for lnn train (one found "
     "by default must be the model's training data)", "$LNN_DATA, else "
     "./data/mnist, else Debian's Fashion-MNIST", NULL},
    {"split", 0, "NAME", OPT_SPLIT, "", "test", &splits},
    {"val", 0, "N", OPT_VAL, "validation images of an IDX dataset, as for "
     "lnn train", STR(LNN_MNIST_VAL), NULL},
    {"json", 0, NULL, OPT_JSON, "print the report as one JSON object, and "
     "nothing else, on standard output (notes go to standard error)", NULL,
     NULL},
    {"plot", 0, "FILE.svg", OPT_PLOT, "draw the confusion matrix there, as a "
     "heat map (each cell coloured by its share of the true class); for "
     "regression, the predictions against the true values", NULL, NULL},
    CLI_OPTIONS_TABLE,
    CLI_OPTION_THREADS,
    CLI_OPTION_HELP,
    CLI_OPTIONS_END,
};

const cli_command cli_eval_command = {
    .name = "eval",
    .summary = "the metrics of a saved model on one split of a dataset",
    .synopsis = "--model FILE [OPTION]...",
    .about =
"Report a saved model's metrics on one split of the dataset, by its task:\n"
"classification: accuracy (95% Wilson interval), log loss, balanced\n"
"accuracy, macro and weighted F1, per-class precision, recall and F1, ROC\n"
"and PR AUC of a binary task, the confusion matrix (up to 30 classes, else\n"
"its largest cells); regression: RMSE (95% bootstrap interval), MAE and R^2\n"
"in the targets' units, per target; multi-label: subset accuracy, Hamming\n"
"loss, micro and macro F1, per label. --json gives them all as JSON (keys\n"
"task, rows, loss, and the metrics' names; per_class, per_target,\n"
"per_label; intervals as NAME_ci).\n",
    .options = options,
};

typedef struct eval_args {
    cli_common co;
    int split;
    cli_part n_val;
    cli_table_args ta;
    bool json;
    const char *plot; /* --plot FILE.svg, or NULL */
} eval_args;

/* Take one option of the command line (cli_take_fn). */
static bool take(void *ctx, const cli_given *g)
{
    eval_args *a = ctx;
    switch (g->id) {
    case OPT_SPLIT:
        return cli_parse_choice("--split", g->value, &splits, &a->split);
    case OPT_VAL: return cli_parse_part("--val", g->value, &a->n_val);
    case OPT_JSON: a->json = true; return true;
    case OPT_PLOT: a->plot = g->value; return true;
    default: {
        const int shared = cli_table_option(&a->ta, g->id, g->value);
        return (shared ? shared
                       : cli_common_option(&a->co, g->id, g->value)) > 0;
    }
    }
}

/* Evaluate net (from file model) on split d of ds and print the report
 * (and draw it, with plot): an exit status. With --json the report is the
 * only thing on stdout. */
static int evaluate(lnn_net *net, const char *model, const cli_dataset *ds,
                    const lnn_data *d, const char *split,
                    const eval_args *a)
{
    if (d->m == 0) {
        cli_error("eval: the %s split is empty", split);
        return EXIT_USAGE;
    }
    FILE *notes = a->json ? stderr : stdout;
    char acts[CLI_ACTS_LEN];
    fprintf(notes, "model: %s (", model);
    for (size_t l = 0; l <= lnn_net_L(net); l++)
        fprintf(notes, "%s%zu", l ? "-" : "", lnn_net_dims(net)[l]);
    fprintf(notes, " %s, %s, %llu epochs trained)\n",
            cli_activations(net, acts, sizeof acts),
            lnn_loss_name(lnn_net_loss(net)),
            (unsigned long long)lnn_net_train_state(net).epoch);
    if (ds->is_table)
        fprintf(notes, "data: %s, %s: %s, %zu rows\n", ds->dir, ds->source,
                split, d->m);
    else
        fprintf(notes, "split: %s, %zu images\n", split, d->m);
    fflush(notes);
    const cli_report_opts ro = {.model = model, .data = ds->dir,
                                .split = split, .json = a->json,
                                .plot = a->plot};
    return cli_report(net, d, &ro);
}

/* An IDX model knows the dataset it was trained on: other data found by
 * default ($LNN_DATA, ./data/mnist, Debian's Fashion-MNIST) is refused,
 * other data named by --data is evaluated, saying so. An exit status. */
static int idx_data_ok(const lnn_net *net, const char *model,
                       const cli_dataset *ds, bool json)
{
    const lnn_data_id had = lnn_net_data_id(net);
    if (ds->is_table || !had.rows || cli_same_data(&had, &ds->id))
        return EXIT_OK;
    char mine[160], theirs[160];
    cli_data_said(&had, mine, sizeof mine);
    cli_data_said(&ds->id, theirs, sizeof theirs);
    if (strcmp(ds->source, "--data") == 0) {
        fprintf(json ? stderr : stdout, "data: %s is not the model's "
                "training data: trained on %s, this is %s\n", ds->dir, mine,
                theirs);
        return EXIT_OK;
    }
    cli_error("eval: %s was trained on %s; the dataset found in %s (%s) is "
              "%s, other data (--data %s evaluates it anyway)", model, mine,
              ds->dir, ds->source, theirs, ds->dir);
    return EXIT_USAGE;
}

int cli_eval(int argc, char **argv)
{
    eval_args a = {0};
    cli_table_args_init(&a.ta);
    int first, rc = cli_options_parse(&cli_eval_command, argc, argv, take, &a,
                                      &first);
    if (rc >= 0)
        return rc;
    if (first < argc) {
        cli_error("eval: unexpected argument '%s'", argv[first]);
        return EXIT_USAGE;
    }
    if (cli_common_apply(&a.co, "eval", true) != EXIT_OK)
        return EXIT_USAGE;
    const char *model = a.co.model, *data = a.co.data;
    const int split = a.split;
    char err[CLI_ERRLEN];
    if (a.plot && !plot_path_ok("--plot", a.plot, err, sizeof err)) {
        cli_error("%s", err);
        return EXIT_USAGE;
    }
    const cli_table_args *ta = &a.ta;

    lnn_net *net = cli_model_load_chunked(model, EVAL_BATCH);
    if (!net)
        return EXIT_RUNTIME;
    cli_dataset ds;
    const lnn_prep *prep = lnn_net_prep(net);
    lnn_prep idx_prep = {0}; /* a version-1 model: bytes / 255, classes
                                named by their indices */
    if (!prep && cli_is_table(data) && !cli_idx_prep(&idx_prep, net)) {
        rc = EXIT_RUNTIME;
        lnn_net_destroy(net);
        return rc;
    }
    if (cli_is_table(data))
        rc = cli_dataset_for_model(&ds, data, ta, prep ? prep : &idx_prep,
                                   lnn_net_loss(net));
    else /* its line, with --json, on standard error once it is sure */
        rc = cli_dataset_load(&ds, data, ta, 0, 0, &a.n_val, a.json);
    lnn_prep_free(&idx_prep);
    if (!rc && (rc = idx_data_ok(net, model, &ds, a.json)) != EXIT_OK)
        cli_dataset_free(&ds);
    else if (!rc && a.json && !ds.is_table)
        fprintf(stderr, "dataset: %s (from %s)\n", ds.dir, ds.source);
    if (rc) {
        lnn_net_destroy(net);
        return rc;
    }
    const lnn_data *d = split == 0 ? &ds.splits.test
                      : split == 1 ? &ds.splits.val : &ds.splits.train;
    rc = evaluate(net, model, &ds, d, split_names[split], &a);
    cli_dataset_free(&ds);
    lnn_net_destroy(net);
    return rc;
}
