/* eval.c: lnn eval: loss, accuracy and confusion matrix of a saved model. */
#define _POSIX_C_SOURCE 200809L

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define EVAL_BATCH 1024 /* columns per forward pass */

enum { OPT_SPLIT = 256, OPT_VAL };

static const struct option long_options[] = {
    CLI_OPTION_MODEL,
    CLI_OPTION_DATA,
    {"split", required_argument, NULL, OPT_SPLIT},
    {"val", required_argument, NULL, OPT_VAL},
    CLI_OPTIONS_TABLE,
    CLI_OPTION_THREADS,
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *const split_names[] = {"test", "val", "train"};
static const cli_choices splits = CLI_CHOICES(split_names, NULL, NULL);

static void usage(void)
{
    printf(
"Usage: lnn eval --model FILE [OPTION]...\n"
"Report a saved model's loss, accuracy and confusion matrix on one split\n"
"of the dataset.\n"
"\n"
"  --model FILE      the model (from lnn train --save)\n"
"  --data FILE|DIR   a table file or an image folder (its labels read\n"
"                    with the model's vocabulary, its features scaled as in\n"
"                    training; the model's split of it when it is the\n"
"                    training data, else every row), or a dataset\n"
"                    directory, as for lnn train\n"
"                    [$LNN_DATA, else ./data/mnist, else Debian's\n"
"                    Fashion-MNIST]\n"
"  --split NAME      test, val or train [test]\n"
"  --val N           validation images of an IDX dataset, as for lnn train\n"
"                    [%d]\n"
"%s"
"  --threads N       threads [all cores]\n"
"  -h, --help        show this help\n", LNN_MNIST_VAL, cli_table_help);
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

int cli_eval(int argc, char **argv)
{
    cli_common co = {0};
    int split = 0;
    cli_part n_val = {0};
    cli_table_args ta;
    cli_table_args_init(&ta);
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case OPT_SPLIT:
            ok = cli_parse_choice("--split", optarg, &splits, &split);
            break;
        case OPT_VAL:
            ok = cli_parse_part("--val", optarg, &n_val);
            break;
        case 'h': usage(); return EXIT_OK;
        default:
            if (!(ok = cli_table_option(&ta, c, optarg)) &&
                !(ok = cli_common_option(&co, c, optarg)))
                return cli_getopt_error("eval", c, argv);
        }
        if (ok <= 0)
            return EXIT_USAGE;
    }
    if (optind < argc) {
        cli_error("eval: unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
    if (cli_common_apply(&co, "eval", true) != EXIT_OK)
        return EXIT_USAGE;
    const char *model = co.model, *data = co.data;

    lnn_net *net = cli_model_load_chunked(model, EVAL_BATCH);
    if (!net)
        return EXIT_RUNTIME;
    cli_dataset ds;
    const lnn_prep *prep = lnn_net_prep(net);
    lnn_prep idx_prep = {0}; /* a version-1 model: bytes / 255, classes
                                named by their indices */
    int rc;
    if (!prep && cli_is_table(data) && !cli_idx_prep(&idx_prep, net)) {
        rc = EXIT_RUNTIME;
        lnn_net_destroy(net);
        return rc;
    }
    if (cli_is_table(data))
        rc = cli_dataset_for_model(&ds, data, &ta, prep ? prep : &idx_prep);
    else
        rc = cli_dataset_load(&ds, data, &ta, 0, 0, &n_val, false);
    lnn_prep_free(&idx_prep);
    if (rc) {
        lnn_net_destroy(net);
        return rc;
    }
    const lnn_data *d = split == 0 ? &ds.splits.test
                      : split == 1 ? &ds.splits.val : &ds.splits.train;
    const size_t n_L = lnn_net_dims(net)[lnn_net_L(net)];
    int32_t *pred = malloc(d->m * sizeof *pred);
    size_t *confusion = NULL;
    double loss, acc;
    rc = EXIT_RUNTIME;
    if (!pred) {
        cli_error("out of memory");
        goto done;
    }
    if (d->m == 0) {
        cli_error("eval: the %s split is empty", split_names[split]);
        rc = EXIT_USAGE;
        goto done;
    }
    if (lnn_evaluate(net, d, &loss, &acc, pred) != LNN_OK) {
        /* the model does not fit the data: a usage error, named */
        cli_error("%s: %s", model, lnn_net_errmsg(net));
        rc = EXIT_USAGE;
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
    if (ds.is_table)
        printf("data: %s, %s: %s, %zu rows\n", ds.dir, ds.source,
               split_names[split], d->m);
    else
        printf("split: %s, %zu images\n", split_names[split], d->m);
    printf("loss %.4f  accuracy %.2f%%\n", loss, 100.0 * acc);
    print_confusion(confusion, n_L, prep ? prep->names : NULL);
    rc = EXIT_OK;
done:
    free(pred);
    free(confusion);
    cli_dataset_free(&ds);
    lnn_net_destroy(net);
    return rc;
}
