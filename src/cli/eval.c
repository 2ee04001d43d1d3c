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

enum { OPT_SPLIT = CLI_OPT_OWN, OPT_VAL, OPT_PLOT };

static const char *const split_names[] = {"test", "val", "train"};
static const cli_choices splits = CLI_CHOICES(split_names, NULL, NULL);

#define STR_(x) #x
#define STR(x) STR_(x)

static const cli_option options[] = {
    CLI_OPTION_MODEL,
    {"data", 0, "FILE|DIR", CLI_OPT_DATA, "a table file or an image folder "
     "(its labels read with the model's vocabulary, its features scaled as "
     "in training; the model's split of it when it is the training data, "
     "else every row), or a dataset directory, as for lnn train", "$LNN_DATA, else ./data/mnist, "
     "else Debian's Fashion-MNIST", NULL},
    {"split", 0, "NAME", OPT_SPLIT, "", "test", &splits},
    {"val", 0, "N", OPT_VAL, "validation images of an IDX dataset, as for "
     "lnn train", STR(LNN_MNIST_VAL), NULL},
    {"plot", 0, "FILE.svg", OPT_PLOT, "draw the confusion matrix there, as a "
     "heat map (each cell coloured by its share of the true class)", NULL,
     NULL},
    CLI_OPTIONS_TABLE,
    CLI_OPTION_THREADS,
    CLI_OPTION_HELP,
    CLI_OPTIONS_END,
};

const cli_command cli_eval_command = {
    .name = "eval",
    .summary = "loss, accuracy and confusion matrix of a saved model",
    .synopsis = "--model FILE [OPTION]...",
    .about =
"Report a saved model's loss, accuracy and confusion matrix on one split\n"
"of the dataset.\n",
    .options = options,
};

typedef struct eval_args {
    cli_common co;
    int split;
    cli_part n_val;
    cli_table_args ta;
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
    case OPT_PLOT: a->plot = g->value; return true;
    default: {
        const int shared = cli_table_option(&a->ta, g->id, g->value);
        return (shared ? shared
                       : cli_common_option(&a->co, g->id, g->value)) > 0;
    }
    }
}

/* confusion[t * n + p]: samples of true class t predicted as p; classes
 * by name when the model has a vocabulary */
static void print_confusion(const size_t *confusion, size_t n,
                            char *const *names)
{
    printf("confusion matrix (rows: true class, columns: predicted)\n");
    printf("%6s", "");
    for (size_t p = 0; p < n; p++)
        if (names)
            printf(" %6.6s", names[p]);
        else
            printf(" %6zu", p);
    printf("\n");
    for (size_t t = 0; t < n; t++) {
        if (names)
            printf("%6.6s", names[t]);
        else
            printf("%6zu", t);
        for (size_t p = 0; p < n; p++)
            printf(" %6zu", confusion[t * n + p]);
        printf("\n");
    }
}

/* --plot: the confusion matrix as a heat map. */
static bool draw_confusion(const size_t *confusion, size_t n,
                           char *const *names, const char *model,
                           const char *split, double acc, const char *path)
{
    char title[CLI_ERRLEN], err[CLI_ERRLEN];
    snprintf(title, sizeof title, "lnn eval: %s, %s split, accuracy %.2f %%",
             model, split, 100.0 * acc);
    if (plot_confusion(confusion, n, names, title, path, err, sizeof err))
        return true;
    cli_error("%s", err);
    return false;
}

/* Evaluate net (from file model) on split d of ds and print the report
 * (and draw it, with plot): an exit status. */
static int evaluate(lnn_net *net, const char *model, const cli_dataset *ds,
                    const lnn_data *d, const char *split, const char *plot)
{
    const size_t n_L = lnn_net_dims(net)[lnn_net_L(net)];
    const lnn_prep *prep = lnn_net_prep(net);
    int32_t *pred = malloc(d->m * sizeof *pred);
    size_t *confusion = NULL;
    double loss, acc;
    int rc = EXIT_RUNTIME;
    if (!pred) {
        cli_error("out of memory");
        goto done;
    }
    if (d->m == 0) {
        cli_error("eval: the %s split is empty", split);
        rc = EXIT_USAGE;
        goto done;
    }
    if (lnn_evaluate(net, d, &loss, &acc, pred) != LNN_OK) {
        /* the model does not fit the data: a usage error, named */
        cli_error("%s: %s", model, lnn_net_errmsg(net));
        rc = EXIT_USAGE;
        goto done;
    }
    if (!isfinite(loss)) {
        cli_error("%s: the network's output is not finite on %s (an input "
                  "too large for the model?)", model, ds->dir);
        goto done;
    }
    /* n_L is now known to be the data's class count, not just the file's
     * word */
    if (!(confusion = calloc(n_L * n_L, sizeof *confusion))) {
        cli_error("out of memory");
        goto done;
    }
    for (size_t j = 0; j < d->m; j++) {
        size_t t = 0;
        for (size_t i = 1; i < n_L; i++)
            t = d->Y[i + j * n_L] > d->Y[t + j * n_L] ? i : t;
        confusion[t * n_L + (size_t)pred[j]]++;
    }
    printf("model: %s (", model);
    for (size_t l = 0; l <= lnn_net_L(net); l++)
        printf("%s%zu", l ? "-" : "", lnn_net_dims(net)[l]);
    printf(" %s, %llu epochs trained)\n",
           lnn_activation_name(lnn_net_hidden(net)),
           (unsigned long long)lnn_net_train_state(net).epoch);
    if (ds->is_table)
        printf("data: %s, %s: %s, %zu rows\n", ds->dir, ds->source, split,
               d->m);
    else
        printf("split: %s, %zu images\n", split, d->m);
    printf("loss %.4f  accuracy %.2f%%\n", loss, 100.0 * acc);
    print_confusion(confusion, n_L, prep ? prep->names : NULL);
    rc = plot && !draw_confusion(confusion, n_L, prep ? prep->names : NULL,
                                 model, split, acc, plot)
             ? EXIT_RUNTIME : EXIT_OK;
done:
    free(pred);
    free(confusion);
    return rc;
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
        rc = cli_dataset_for_model(&ds, data, ta, prep ? prep : &idx_prep);
    else
        rc = cli_dataset_load(&ds, data, ta, 0, 0, &a.n_val, false);
    lnn_prep_free(&idx_prep);
    if (rc) {
        lnn_net_destroy(net);
        return rc;
    }
    const lnn_data *d = split == 0 ? &ds.splits.test
                      : split == 1 ? &ds.splits.val : &ds.splits.train;
    rc = evaluate(net, model, &ds, d, split_names[split], a.plot);
    cli_dataset_free(&ds);
    lnn_net_destroy(net);
    return rc;
}
