/* tables.c: lnn's table files (CSV/TSV, LIBSVM, .npy) on the command line:
 * their options, and loading them for train, eval and predict. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>

#include "cli.h"
#include "options.h"

#define DEFAULT_TABLE_VAL 0.1  /* of a single file's rows, when not given */
#define DEFAULT_TABLE_TEST 0.1
#define CLI_FEATURES_MAX ((size_t)1 << 31)
#define CLI_IMAGE_SIDE_MAX 4096
#define MNIST_SIDE 28

enum { PART_TRAIN, PART_VAL, PART_TEST };

CLI_CHOICES_OF_LIST(cli_scales, LNN_SCALE_LIST, CLI_NOTE_AT);
CLI_CHOICES_OF_LIST(cli_inverts, LNN_INVERT_LIST, CLI_NOTE_AT);
/* the imputations' names are strings ("most-frequent"), not tokens */
#define IMPUTE_NAME_AT(E, value, token, name, cat, note) [value] = name,
#define IMPUTE_NOTE_AT(E, value, token, name, cat, note) [value] = note,
static const char *const impute_names[] = {LNN_IMPUTE_LIST(IMPUTE_NAME_AT)};
static const char *const impute_notes[] = {LNN_IMPUTE_LIST(IMPUTE_NOTE_AT)};
#undef IMPUTE_NAME_AT
#undef IMPUTE_NOTE_AT
const cli_choices cli_imputes = CLI_CHOICES(impute_names, NULL, impute_notes);

void cli_table_args_init(cli_table_args *t)
{
    *t = (cli_table_args){.table = lnn_table_opts_default(), .scale = -1,
                          .loss = -1, .scale_target = 1,
                          .image = {MNIST_SIDE, MNIST_SIDE, LNN_INVERT_NO},
                          .prep = lnn_prep_opts_default(LNN_SCALE_STANDARD)};
    /* a CSV as people have it: gaps filled, text columns categories */
    t->table.missing = 1;
    t->table.text = 1;
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

/* "WxH", each 1 .. CLI_IMAGE_SIDE_MAX. */
static bool parse_image_size(const char *s, lnn_image_opts *o)
{
    const char *x = strchr(s, 'x');
    char w[32];
    if (!x || (size_t)(x - s) >= sizeof w) {
        cli_error("--image-size: '%s'; give WIDTHxHEIGHT, e.g. 28x28", s);
        return false;
    }
    memcpy(w, s, (size_t)(x - s));
    w[x - s] = '\0';
    return cli_parse_size("--image-size", w, 1, CLI_IMAGE_SIDE_MAX,
                          &o->width) &&
           cli_parse_size("--image-size", x + 1, 1, CLI_IMAGE_SIDE_MAX,
                          &o->height);
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
    case CLI_OPT_TASK:
        return cli_parse_choice("--task", arg, &cli_tasks, &t->task) ? 1 : -1;
    case CLI_OPT_LOSS:
        return cli_parse_choice("--loss", arg, &cli_losses, &t->loss) ? 1
                                                                      : -1;
    case CLI_OPT_SCALE_TARGET:
        return cli_parse_choice("--scale-target", arg, &cli_scale_targets,
                                &t->scale_target) ? 1 : -1;
    case CLI_OPT_HUBER_DELTA:
        return cli_parse_float("--huber-delta", arg, 1e-6, 1e6,
                               &t->huber_delta) ? 1 : -1;
    case CLI_OPT_INVERT: {
        int v;
        if (!cli_parse_choice("--invert", arg, &cli_inverts, &v))
            return -1;
        t->image.invert = (lnn_invert)v;
        return 1;
    }
    case CLI_OPT_IMAGE_SIZE: return parse_image_size(arg, &t->image) ? 1 : -1;
    case CLI_OPT_NA_VALUES:
        if (strlen(arg) > LNN_NA_VALUES_MAX) {
            cli_error("--na-values: %zu bytes, more than the %d a model "
                      "keeps", strlen(arg), LNN_NA_VALUES_MAX);
            return -1;
        }
        t->table.na_values = arg;
        return 1;
    case CLI_OPT_IMPUTE:
        if (!cli_parse_choice("--impute", arg, &cli_imputes, &t->prep.impute))
            return -1;
        t->table.missing = t->prep.impute != LNN_IMPUTE_ERROR;
        return 1;
    case CLI_OPT_MISSING_INDICATORS: t->prep.missing_indicators = 1; return 1;
    case CLI_OPT_CATEGORICAL: t->table.categorical = arg; return 1;
    case CLI_OPT_IGNORE: t->table.ignore = arg; return 1;
    case CLI_OPT_COLUMNS: t->table.columns = arg; return 1;
    case CLI_OPT_ID: t->table.id = arg; return 1;
    case CLI_OPT_MAX_CATEGORIES:
        return cli_parse_size("--max-categories", arg, 1, SIZE_MAX,
                              &t->prep.max_categories) ? 1 : -1;
    default: return 0;
    }
}

/* Does directory path have a sub-directory (not a '.' name)? */
static bool has_subdir(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return false;
    bool found = false;
    const struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        char sub[4096];
        struct stat st;
        found = e->d_name[0] != '.' &&
                (size_t)snprintf(sub, sizeof sub, "%s/%s", path,
                                 e->d_name) < sizeof sub &&
                stat(sub, &st) == 0 && S_ISDIR(st.st_mode);
    }
    closedir(d);
    return found;
}

bool cli_is_table(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0 &&
           (!S_ISDIR(st.st_mode) || has_subdir(path));
}

bool cli_model_image(const lnn_net *net, const char *path, lnn_image_opts *o)
{
    const lnn_prep *p = lnn_net_prep(net);
    const size_t n_0 = lnn_net_dims(net)[0];
    if (p && p->image_width) {
        o->width = p->image_width;
        o->height = p->image_height;
    } else if (n_0 == MNIST_SIDE * MNIST_SIDE) {
        o->width = o->height = MNIST_SIDE;
    } else {
        cli_error("%s: the model takes %zu inputs and records no image size: "
                  "it reads no images", path, n_0);
        return false;
    }
    return true;
}

/* An image folder: its table, and a line on the files it skipped. */
static bool load_images(lnn_table *t, const char *dir,
                        const lnn_image_opts *img)
{
    char err[CLI_ERRLEN];
    lnn_image_skips sk;
    if (lnn_table_load_images(t, dir, img, &sk, err, sizeof err) != LNN_OK) {
        cli_error("%s", err);
        return false;
    }
    char a[sizeof sk.first_not_image + 64] = "";
    char b[sizeof sk.first_undecodable + 64] = "";
    if (sk.not_images)
        snprintf(a, sizeof a, "%zu not PNG or JPEG (first: %s)",
                 sk.not_images, sk.first_not_image);
    if (sk.undecodable)
        snprintf(b, sizeof b, "%zu undecodable (first: %s)", sk.undecodable,
                 sk.first_undecodable);
    if (sk.not_images || sk.undecodable)
        cli_warn("%s: skipped %zu file%s: %s%s%s", dir,
                 sk.not_images + sk.undecodable,
                 sk.not_images + sk.undecodable == 1 ? "" : "s", a,
                 *a && *b ? ", " : "", b);
    return true;
}

/* One table file or image folder, its message printed on failure. */
static bool load(lnn_table *t, const char *path, const lnn_table_opts *o,
                 const lnn_image_opts *img)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return load_images(t, path, img);
    char err[CLI_ERRLEN];
    if (lnn_table_load(t, path, o, err, sizeof err) != LNN_OK) {
        cli_error("%s", err);
        return false;
    }
    return true;
}

/* A table's width and feature names are the training file's. */
static bool same_columns(const lnn_table *t, const char *path,
                         const lnn_table *first)
{
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
    return true;
}

/* --sample-weight COLUMN: the column taken out of t's features as its
 * rows' training weights (a file without it, when it is optional, such as
 * --val-data and --test-data, whose weights training ignores: left as it
 * is). */
static bool take_weights(lnn_table *t, const char *path, const char *column,
                         bool optional)
{
    char err[CLI_ERRLEN];
    if (!column)
        return true;
    bool present = false;
    for (size_t i = 0; t->columns && i < t->n_x && !present; i++)
        present = strcmp(t->columns[i], column) == 0;
    if (optional && !present)
        return true;
    if (lnn_table_take_weights(t, column, err, sizeof err) == LNN_OK)
        return true;
    cli_error("%s: %s", path, err);
    return false;
}

/* A second file (--val-data, --test-data) read like the first, its
 * columns checked (a renamed column is named before any label is matched)
 * and its targets made as the first's. */
static bool load_like(lnn_table *t, const char *path, const lnn_table *first,
                      const cli_table_args *ta, lnn_loss loss)
{
    const bool multi = cli_task_multi(ta);
    lnn_table_opts same = ta->table;
    same.no_label = multi;
    same.n_features = first->n_x; /* LIBSVM: the training file's width */
    same.labels_path = NULL;      /* an X.npy second file: not supported */
    if (!load(t, path, &same, &ta->image) ||
        !take_weights(t, path, ta->sample_weight, true))
        return false;
    if (multi) /* the target columns are among the features until taken */
        return cli_task_like(t, path, first, ta, loss) &&
               same_columns(t, path, first);
    return same_columns(t, path, first) &&
           cli_task_like(t, path, first, ta, loss);
}

/* The parts of a single --data file (--val, --test), or 0 for a part that
 * comes from its own file; false if they leave no rows for training. */
static bool part_sizes(const cli_table_args *ta, const cli_part *val,
                       size_t m, const char *path, size_t *n_val,
                       size_t *n_test)
{
    const cli_part def_val = {.frac = DEFAULT_TABLE_VAL};
    const cli_part def_test = {.frac = DEFAULT_TABLE_TEST};
    *n_val = ta->val_data ? 0 : cli_part_of(val->set ? val : &def_val, m);
    *n_test = ta->test_data ? 0
                            : cli_part_of(ta->test.set ? &ta->test
                                                       : &def_test, m);
    if (*n_val + *n_test < m)
        return true;
    cli_error("--val %zu and --test %zu leave none of the %zu rows of %s "
              "for training", *n_val, *n_test, m, path);
    return false;
}

/* "bill_length_mm 2 (median 44.45), sex 11 (most-frequent \"male\")":
 * the cells of each column filled in every part, said in one line. */
static void describe_fill(const cli_dataset *d)
{
    const lnn_prep *p = &d->prep;
    char line[1024] = "";
    size_t used = 0, total = 0;
    for (size_t c = 0; c < p->n_raw; c++) {
        const lnn_prep_column *pc = &p->raw[c];
        size_t n = 0;
        for (int k = 0; k < 3; k++)
            for (size_t j = 0; j < d->tab[k].m && d->tab[k].X; j++)
                n += isnan(d->tab[k].X[j * d->tab[k].n_x + c]);
        total += n;
        char fill[96], name[32];
        if (!pc->n_levels && !pc->other)
            snprintf(fill, sizeof fill, "%g", (double)pc->fill);
        else if (pc->fill < 0)
            snprintf(fill, sizeof fill, "none");
        else
            snprintf(fill, sizeof fill, "\"%.60s\"",
                     pc->fill < (float)pc->n_levels
                                             ? pc->levels[(size_t)pc->fill]
                                             : "(other)");
        snprintf(name, sizeof name, "column %zu", c + 1);
        const int w = n && used < sizeof line
                          ? snprintf(line + used, sizeof line - used,
                                     "%s%s %zu (%s %s)", used ? ", " : "",
                                     pc->name ? pc->name : name, n,
                                     lnn_impute_name(pc->impute), fill)
                          : 0;
        used += w > 0 ? (size_t)w : 0;
    }
    if (total)
        printf("missing: %zu cells filled: %s\n", total, line);
}

/* "label: column 5 \"species\" (--label 4 counts from 0; ...)": said when
 * --label named the column by an index, which counts from 0 where the
 * column lists of --ignore, --columns and --categorical count from 1 (kept
 * so: an index that counted otherwise would silently take another
 * column). */
static void describe_label(const lnn_table *t, const char *label)
{
    if (!label || !*label || !t->label_field ||
        label[strspn(label, "0123456789")] != '\0' ||
        (t->label && strcmp(t->label, label) == 0))
        return;
    printf("label: column %zu%s%.60s%s (--label %s counts from 0; --ignore, "
           "--columns and --categorical count from 1)\n", t->label_field,
           t->label ? " \"" : "", t->label ? t->label : "",
           t->label ? "\"" : "", label);
}

/* "island 3, sex 2": the category columns and their one-hot inputs. */
static void describe_categories(const lnn_prep *p)
{
    char line[1024] = "";
    size_t used = 0;
    for (size_t c = 0; c < p->n_raw; c++) {
        const lnn_prep_column *pc = &p->raw[c];
        char name[32];
        snprintf(name, sizeof name, "column %zu", c + 1);
        const int w = (pc->n_levels || pc->other) && used < sizeof line
                          ? snprintf(line + used, sizeof line - used,
                                     "%s%s %zu%s", used ? ", " : "",
                                     pc->name ? pc->name : name,
                                     pc->n_levels,
                                     pc->other ? " + other" : "")
                          : 0;
        used += w > 0 ? (size_t)w : 0;
    }
    if (used)
        printf("categories (one-hot): %s\n", line);
}

/* names[k] for each k with is[k] (n of them), then extra if not NULL,
 * comma-separated at *at (room enough), or NULL for none; names holding a
 * comma are passed over. */
static const char *join(char **at, char *const *names, size_t n,
                        const bool *is, const char *extra)
{
    char *s = *at;
    size_t used = 0;
    for (size_t k = 0; k <= n; k++) {
        const char *name = k == n ? extra : is[k] ? names[k] : NULL;
        if (name && !strchr(name, ','))
            used += (size_t)sprintf(s + used, "%s%s", used ? "," : "", name);
    }
    *at += used + 1;
    return used ? s : NULL;
}

bool cli_table_model_opts(lnn_table_opts *o, const lnn_prep *p,
                          bool no_weights, char **cats)
{
    *cats = NULL;
    o->missing = p->raw != NULL;
    o->text = p->raw != NULL;
    o->categorical = o->ignore = o->columns = NULL;
    o->soft_columns = 1;
    if (!o->id)
        o->id = p->id_name;
    if (!o->na_values) /* the training file's, unless given now */
        o->na_values = p->na_values;
    if (p->raw)
        o->unlabeled_n_x = p->n_raw;
    if (p->raw && !o->label && !o->no_label && p->label)
        o->label = p->label; /* the training file's label column */
    const size_t n = p->n_raw + p->n_skipped;
    char **names = calloc(n ? n : 1, sizeof *names);
    bool *is = calloc(n ? n : 1, sizeof *is);
    size_t len = 2 + (p->weight_column ? strlen(p->weight_column) + 2 : 0);
    for (size_t c = 0; names && is && c < n; c++) {
        names[c] = c < p->n_raw ? p->raw[c].name : p->skipped[c - p->n_raw];
        is[c] = c >= p->n_raw || p->raw[c].n_levels || p->raw[c].other;
        len += names[c] ? strlen(names[c]) + 1 : 0;
    }
    if (!names || !is || !(*cats = malloc(len))) {
        free(names);
        free(is);
        cli_error("out of memory");
        return false;
    }
    char *at = *cats;
    o->categorical = join(&at, names, p->n_raw, is, NULL);
    /* --sample-weight's column is no feature: passed over where a file
     * has it */
    o->ignore = join(&at, names + p->n_raw, p->n_skipped, is + p->n_raw,
                     no_weights ? p->weight_column : NULL);
    free(names);
    free(is);
    return true;
}

void cli_table_unseen(const lnn_table *t, const char *path)
{
    if (t->n_unseen)
        cli_warn("%s: %zu cell%s of categories the model never saw in "
                 "training (their one-hot inputs are all zero)", path,
                 t->n_unseen, t->n_unseen == 1 ? "" : "s");
}

/* What train says of a table's preparation once it is fitted and before
 * it is applied (which fills the gaps it counts): lnn_table_prepare's
 * fitted, with ctx this. */
typedef struct fitted_report {
    const cli_dataset *d;
    const char *label; /* --label */
} fitted_report;

static lnn_status report_fitted(const lnn_prep *p, const lnn_table *t,
                                void *ctx)
{
    const fitted_report *r = ctx;
    describe_label(t, r->label);
    describe_categories(p);
    describe_fill(r->d);
    return LNN_OK;
}

/* Split the training file, fit the scaling, the preparation and the
 * targets' on its first n_train rows, record the split and apply it
 * (lnn_table_prepare: the library's one order), then apply it to a
 * separate validation and test file. */
static bool prepare(cli_dataset *d, const cli_table_args *ta, size_t n_train,
                    uint64_t seed, size_t n_val, size_t n_test,
                    lnn_scale scale, bool quiet)
{
    char err[CLI_ERRLEN];
    fitted_report r = {d, ta->table.label};
    lnn_prep_opts po = ta->prep;
    po.scale = ta->scale >= 0 ? (lnn_scale)ta->scale : scale;
    po.m_fit = n_train;
    po.fitted = quiet ? NULL : report_fitted;
    po.ctx = &r;
    if (lnn_table_prepare(&d->tab[PART_TRAIN], &d->prep, n_val, n_test, seed,
                          &po, cli_task_standardise(ta, d->loss), err,
                          sizeof err) != LNN_OK) {
        cli_error("%s", err);
        return false;
    }
    /* kept in the model: the weight column's name (eval and predict skip
     * it) and the texts of a gap (eval, predict and the ONNX graph) */
    if ((ta->sample_weight &&
         !(d->prep.weight_column = strdup(ta->sample_weight))) ||
        (ta->table.na_values && d->prep.raw &&
         !(d->prep.na_values = strdup(ta->table.na_values)))) {
        cli_error("out of memory");
        return false;
    }
    for (int k = PART_VAL; k <= PART_TEST; k++)
        if (d->tab[k].m &&
            lnn_prep_apply(&d->prep, &d->tab[k], err, sizeof err) != LNN_OK) {
            cli_error("%s", err);
            return false;
        }
    return true;
}

/* What the dataset line says of the targets: "3 classes", "1 target". */
static const char *describe_targets(const cli_dataset *d, char *buf,
                                    size_t len)
{
    const lnn_table *t = &d->tab[PART_TRAIN];
    if (lnn_loss_target(d->loss) == LNN_TARGET_CLASSES)
        snprintf(buf, len, "%zu classes", t->n_classes);
    else if (t->y)
        snprintf(buf, len, "a binary label (%s: 1)", t->names[1]);
    else
        snprintf(buf, len, "%zu %s%s", t->n_t,
                 lnn_loss_target(d->loss) == LNN_TARGET_VALUES ? "target"
                                                               : "label",
                 t->n_t == 1 ? "" : "s");
    return buf;
}

/* The "dataset:" line of a loaded table or image folder. */
static void describe(const cli_dataset *d, const char *path, size_t n_train)
{
    const lnn_table *t = &d->tab[PART_TRAIN];
    char what[96];
    describe_targets(d, what, sizeof what);
    if (d->prep.image_width)
        printf("dataset: %s: %zu train, %zu validation, %zu test images of "
               "%zux%zu, %s\n", path, n_train, d->splits.val.m,
               d->splits.test.m, d->prep.image_width, d->prep.image_height,
               what);
    else
        printf("dataset: %s: %zu train, %zu validation, %zu test rows of %zu "
               "features (%s), %s; scaling %s\n", path, n_train,
               d->splits.val.m, d->splits.test.m, t->n_x,
               t->X_u8 ? "bytes" : "float32", what,
               lnn_scale_name(d->prep.scale));
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
    lnn_table_opts o = ta->table;
    o.no_label = cli_task_multi(ta);
    if (!load(t, path, &o, &ta->image))
        goto fail;
    if (!take_weights(t, path, ta->sample_weight, false))
        goto usage;
    int rc = cli_task_train(ta, t, path, &d->loss, quiet);
    if (rc == EXIT_USAGE)
        goto usage;
    if (rc != EXIT_OK)
        goto fail;
    if ((ta->val_data && !load_like(&d->tab[PART_VAL], ta->val_data, t, ta,
                                    d->loss)) ||
        (ta->test_data && !load_like(&d->tab[PART_TEST], ta->test_data, t,
                                     ta, d->loss)))
        goto fail;
    const size_t m = t->m;
    size_t n_val, n_test;
    if (!part_sizes(ta, val, m, path, &n_val, &n_test))
        goto usage;
    const size_t n_fit = m - n_val - n_test;
    if (n_train == 0)
        n_train = n_fit;
    if (n_train > n_fit) {
        cli_error("--train-subset: %zu, but the training part has %zu rows",
                  n_train, n_fit);
        goto usage;
    }
    const lnn_table *tv = ta->val_data ? &d->tab[PART_VAL] : t;
    const lnn_table *tt = ta->test_data ? &d->tab[PART_TEST] : t;
    struct stat st;
    const bool images = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    /* images (a folder of them, or an IDX file) as bytes / 255; any other
     * table standardised, whatever its values look like (0..16 digits are
     * no pixels): the format list's scale column */
    const lnn_scale scale =
        images ? LNN_SCALE_BYTE : lnn_format_scale(lnn_table_format(path));
    if (!prepare(d, ta, n_train, seed, n_val, n_test, scale, quiet))
        goto fail;
    if (images) { /* an image folder */
        d->prep.image_width = ta->image.width;
        d->prep.image_height = ta->image.height;
    }
    d->splits.train = lnn_table_view(t, 0, n_train);
    d->splits.val = ta->val_data ? lnn_table_view(tv, 0, tv->m)
                                 : lnn_table_view(t, n_fit, n_val);
    d->splits.test = ta->test_data ? lnn_table_view(tt, 0, tt->m)
                                   : lnn_table_view(t, n_fit + n_val, n_test);
    if (!quiet)
        describe(d, path, n_train);
    return EXIT_OK;
usage:
    cli_dataset_free(d);
    return EXIT_USAGE;
fail:
    cli_dataset_free(d);
    return EXIT_RUNTIME;
}

int cli_dataset_for_model(cli_dataset *d, const char *path,
                          const cli_table_args *ta, const lnn_prep *p,
                          lnn_loss loss)
{
    memset(d, 0, sizeof *d);
    d->is_table = true;
    d->loss = loss;
    snprintf(d->dir, sizeof d->dir, "%s", path);
    lnn_table *t = &d->tab[PART_TRAIN];
    lnn_table_opts o = ta->table;
    o.n_features = p->n_x;
    cli_task_model_opts(&o, p);
    char *cats;
    if (!cli_table_model_opts(&o, p, false, &cats))
        goto fail;
    char err[CLI_ERRLEN];
    const lnn_image_opts img = {p->image_width ? p->image_width : MNIST_SIDE,
                                p->image_height ? p->image_height : MNIST_SIDE,
                                ta->image.invert};
    const bool loaded = load(t, path, &o, &img);
    free(cats);
    if (!loaded || !take_weights(t, path, p->weight_column, true) ||
        !cli_task_for_model(t, path, p, loss))
        goto fail;
    /* the training file: the model's id of it, or (a model from before
     * ids) its row count */
    const bool by_id = p->data.rows != 0;
    const bool same = p->split_m && (by_id ? cli_same_data(&p->data, &t->id)
                                           : p->split_m == t->m);
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
    cli_table_unseen(t, path);
    const size_t n_fit = t->m - n_val - n_test;
    d->splits.train = lnn_table_view(t, 0, n_fit);
    d->splits.val = lnn_table_view(t, n_fit, n_val);
    d->splits.test = lnn_table_view(t, n_fit + n_val, n_test);
    d->source = same && by_id ? "the training file, the model's split"
                : same ? "the model's split (a model without the training "
                         "file's id: told by its row count)"
                : by_id && p->split_m ? "not the training file, every row"
                                      : "every row";
    return EXIT_OK;
fail:
    cli_dataset_free(d);
    return EXIT_RUNTIME;
}

bool cli_same_data(const lnn_data_id *a, const lnn_data_id *b)
{
    return a->bytes == b->bytes && a->rows == b->rows &&
           a->digest == b->digest;
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
