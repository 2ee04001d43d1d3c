/* tables.c: lnn's table files (CSV/TSV, LIBSVM, .npy) on the command line:
 * their options, and loading them for train, eval and predict. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "options.h"

#define DEFAULT_TABLE_VAL 0.1  /* of a single file's rows, when not given */
#define DEFAULT_TABLE_TEST 0.1
#define CLI_FEATURES_MAX ((size_t)1 << 31)

enum { PART_TRAIN, PART_VAL, PART_TEST };

#define SCALE_NAME_AT(E, value, name, note) [value] = #name,
#define SCALE_NOTE_AT(E, value, name, note) [value] = note,
static const char *const scale_names[] = {LNN_SCALE_LIST(SCALE_NAME_AT)};
static const char *const scale_notes[] = {LNN_SCALE_LIST(SCALE_NOTE_AT)};
#undef SCALE_NAME_AT
#undef SCALE_NOTE_AT
const cli_choices cli_scales = CLI_CHOICES(scale_names, NULL, scale_notes);

void cli_table_args_init(cli_table_args *t)
{
    *t = (cli_table_args){.table = lnn_table_opts_default(), .scale = -1};
}

bool cli_parse_part(const char *name, const char *s, cli_part *out)
{
    *out = (cli_part){.set = true};
    if (strchr(s, '.')) {
        float f;
        if (!cli_parse_float(name, s, 0.0, 0.99, &f))
            return false;
        out->frac = f;
        return true;
    }
    return cli_parse_size(name, s, 0, SIZE_MAX, &out->count);
}

size_t cli_part_of(const cli_part *p, size_t m)
{
    if (p->count || !(p->frac > 0.0))
        return p->count;
    return (size_t)(p->frac * (double)m + 0.5);
}

int cli_table_option(cli_table_args *t, int c, const char *arg)
{
    switch (c) {
    case CLI_OPT_LABELS: t->table.labels_path = arg; return 1;
    case CLI_OPT_DELIMITER:
        if (strcmp(arg, "tab") == 0 || strcmp(arg, "\\t") == 0)
            t->table.delimiter = '\t';
        else if (strlen(arg) == 1 && strchr(",;\t |", arg[0]))
            t->table.delimiter = arg[0];
        else {
            cli_error("--delimiter: '%s'; give one of , ; | or tab", arg);
            return -1;
        }
        return 1;
    case CLI_OPT_HEADER: t->table.header = 1; return 1;
    case CLI_OPT_NO_HEADER: t->table.header = 0; return 1;
    case CLI_OPT_LABEL: t->table.label = arg; return 1;
    case CLI_OPT_FEATURES:
        return cli_parse_size("--features", arg, 1, CLI_FEATURES_MAX,
                              &t->table.n_features) ? 1 : -1;
    case CLI_OPT_TEST_DATA: t->test_data = arg; return 1;
    case CLI_OPT_VAL_DATA: t->val_data = arg; return 1;
    case CLI_OPT_TEST: return cli_parse_part("--test", arg, &t->test) ? 1 : -1;
    case CLI_OPT_SCALE:
        return cli_parse_choice("--scale", arg, &cli_scales, &t->scale) ? 1
                                                                        : -1;
    default: return 0;
    }
}

bool cli_is_table(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* One table, its message printed on failure. */
static bool load(lnn_table *t, const char *path, const lnn_table_opts *o)
{
    char err[CLI_ERRLEN];
    if (lnn_table_load(t, path, o, err, sizeof err) != LNN_OK) {
        cli_error("%s", err);
        return false;
    }
    return true;
}

/* A second file (--val-data, --test-data) read like the first, its
 * columns checked and its labels indexed by the first's vocabulary. */
static bool load_like(lnn_table *t, const char *path, const lnn_table *first,
                      const lnn_table_opts *o)
{
    lnn_table_opts same = *o;
    same.n_features = first->n_x; /* LIBSVM: the training file's width */
    same.labels_path = NULL;      /* an X.npy second file: not supported */
    if (!load(t, path, &same))
        return false;
    char err[CLI_ERRLEN];
    if (t->n_x != first->n_x) {
        cli_error("%s: %zu features, the training file has %zu", path,
                  t->n_x, first->n_x);
        return false;
    }
    if (lnn_table_check_columns(t, first->columns, first->n_x, err,
                                sizeof err) != LNN_OK) {
        cli_error("%s: %s", path, err);
        return false;
    }
    if (!t->y) {
        cli_error("%s: no labels", path);
        return false;
    }
    if (lnn_table_relabel(t, first->names, first->n_classes, err,
                          sizeof err) != LNN_OK) {
        cli_error("%s: %s", path, err);
        return false;
    }
    return true;
}

/* One-hot labels of every loaded table. */
static bool one_hot_all(cli_dataset *d)
{
    char err[CLI_ERRLEN];
    for (int k = 0; k < 3; k++)
        if (d->tab[k].y &&
            lnn_table_one_hot(&d->tab[k], &d->Y[k], err, sizeof err) !=
                LNN_OK) {
            cli_error("%s", err);
            return false;
        }
    return true;
}

int cli_dataset_load_table(cli_dataset *d, const char *path,
                           const cli_table_args *ta, uint64_t seed,
                           size_t n_train, const cli_part *val, bool quiet)
{
    memset(d, 0, sizeof *d);
    d->is_table = true;
    snprintf(d->dir, sizeof d->dir, "%s", path);
    d->source = "--data";
    lnn_table *t = &d->tab[PART_TRAIN];
    char err[CLI_ERRLEN];
    if (!load(t, path, &ta->table))
        goto fail;
    if (!t->y) {
        cli_error("%s: no labels to train on (an X.npy needs --labels y.npy)",
                  path);
        goto fail;
    }
    if (t->n_classes < 2) {
        cli_error("%s: every row has the label \"%s\": training needs at "
                  "least 2 classes", path, t->names[0]);
        goto fail;
    }
    if (ta->val_data &&
        !load_like(&d->tab[PART_VAL], ta->val_data, t, &ta->table))
        goto fail;
    if (ta->test_data &&
        !load_like(&d->tab[PART_TEST], ta->test_data, t, &ta->table))
        goto fail;
    const size_t m = t->m;
    const cli_part def_val = {.frac = DEFAULT_TABLE_VAL};
    const cli_part def_test = {.frac = DEFAULT_TABLE_TEST};
    const size_t n_val = ta->val_data ? 0
                         : cli_part_of(val->set ? val : &def_val, m);
    const size_t n_test = ta->test_data
                              ? 0
                              : cli_part_of(ta->test.set ? &ta->test
                                                         : &def_test, m);
    if (n_val + n_test >= m) {
        cli_error("--val %zu and --test %zu leave none of the %zu rows of %s "
                  "for training", n_val, n_test, m, path);
        goto usage;
    }
    if (lnn_table_split(t, n_val, n_test, seed, err, sizeof err) != LNN_OK) {
        cli_error("%s: %s", path, err);
        goto fail;
    }
    const size_t n_fit = m - n_val - n_test;
    if (n_train == 0)
        n_train = n_fit;
    if (n_train > n_fit) {
        cli_error("--train-subset: %zu, but the training part has %zu rows",
                  n_train, n_fit);
        goto usage;
    }
    const lnn_scale scale = ta->scale >= 0 ? (lnn_scale)ta->scale
                            : t->X_u8     ? LNN_SCALE_BYTE
                                          : LNN_SCALE_STANDARD;
    if (lnn_prep_fit(&d->prep, t, n_train, scale, err, sizeof err) !=
        LNN_OK) {
        cli_error("%s", err);
        goto fail;
    }
    if (n_val || n_test) { /* recorded: eval redoes it on this file */
        d->prep.split_seed = seed;
        d->prep.split_m = m;
        d->prep.split_val = n_val;
        d->prep.split_test = n_test;
    }
    for (int k = 0; k < 3; k++)
        if (d->tab[k].m &&
            lnn_prep_apply(&d->prep, &d->tab[k], err, sizeof err) != LNN_OK) {
            cli_error("%s", err);
            goto fail;
        }
    if (!one_hot_all(d))
        goto fail;
    d->splits.train = lnn_table_view(t, 0, n_train, d->Y[PART_TRAIN]);
    d->splits.val = ta->val_data
                        ? lnn_table_view(&d->tab[PART_VAL], 0,
                                         d->tab[PART_VAL].m, d->Y[PART_VAL])
                        : lnn_table_view(t, n_fit, n_val, d->Y[PART_TRAIN]);
    d->splits.test = ta->test_data
                         ? lnn_table_view(&d->tab[PART_TEST], 0,
                                          d->tab[PART_TEST].m,
                                          d->Y[PART_TEST])
                         : lnn_table_view(t, n_fit + n_val, n_test,
                                          d->Y[PART_TRAIN]);
    if (!quiet)
        printf("dataset: %s: %zu train, %zu validation, %zu test rows of %zu "
               "features (%s), %zu classes; scaling %s\n", path, n_train,
               d->splits.val.m, d->splits.test.m, t->n_x,
               t->X_u8 ? "bytes" : "float32", t->n_classes,
               lnn_scale_name(scale));
    return EXIT_OK;
usage:
    cli_dataset_free(d);
    return EXIT_USAGE;
fail:
    cli_dataset_free(d);
    return EXIT_RUNTIME;
}

int cli_dataset_for_model(cli_dataset *d, const char *path,
                          const cli_table_args *ta, const lnn_prep *p)
{
    memset(d, 0, sizeof *d);
    d->is_table = true;
    snprintf(d->dir, sizeof d->dir, "%s", path);
    lnn_table *t = &d->tab[PART_TRAIN];
    lnn_table_opts o = ta->table;
    o.n_features = p->n_x;
    char err[CLI_ERRLEN];
    if (!load(t, path, &o))
        goto fail;
    if (!t->y || !p->names) {
        cli_error("%s: no labels to evaluate against", path);
        goto fail;
    }
    if (lnn_table_relabel(t, p->names, p->n_classes, err, sizeof err) !=
        LNN_OK) {
        cli_error("%s: %s", path, err);
        goto fail;
    }
    const bool same = p->split_m && p->split_m == t->m;
    const size_t n_val = same ? p->split_val : 0;
    const size_t n_test = same ? p->split_test : t->m;
    if (same &&
        lnn_table_split(t, n_val, n_test, p->split_seed, err, sizeof err) !=
            LNN_OK) {
        cli_error("%s: %s", path, err);
        goto fail;
    }
    if (lnn_prep_apply(p, t, err, sizeof err) != LNN_OK) {
        cli_error("%s: %s", path, err);
        goto fail;
    }
    if (!one_hot_all(d))
        goto fail;
    const size_t n_fit = t->m - n_val - n_test;
    d->splits.train = lnn_table_view(t, 0, n_fit, d->Y[PART_TRAIN]);
    d->splits.val = lnn_table_view(t, n_fit, n_val, d->Y[PART_TRAIN]);
    d->splits.test = lnn_table_view(t, n_fit + n_val, n_test,
                                    d->Y[PART_TRAIN]);
    d->source = same ? "the model's split" : "every row";
    return EXIT_OK;
fail:
    cli_dataset_free(d);
    return EXIT_RUNTIME;
}

bool cli_idx_prep(lnn_prep *p, const lnn_net *net)
{
    const size_t n_L = lnn_net_dims(net)[lnn_net_L(net)];
    *p = (lnn_prep){.scale = LNN_SCALE_BYTE, .n_x = lnn_net_dims(net)[0],
                    .n_classes = n_L, .names = calloc(n_L, sizeof(char *))};
    for (size_t i = 0; p->names && i < n_L; i++) {
        char name[24];
        snprintf(name, sizeof name, "%zu", i);
        if (!(p->names[i] = strdup(name))) {
            lnn_prep_free(p);
            break;
        }
    }
    if (!p->names)
        cli_error("out of memory");
    return p->names != NULL;
}
