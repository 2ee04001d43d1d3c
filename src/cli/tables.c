/* tables.c: lnn's table files (CSV/TSV, LIBSVM, .npy) on the command line:
 * their options, and loading them for train, eval and predict. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>

#include "cli.h"
#include "options.h"

#define DEFAULT_TABLE_VAL 0.1  /* of a single file's rows, when not given */
#define DEFAULT_TABLE_TEST 0.1
/* Classes a table may have however few rows it has; beyond, more than one
 * class per two rows is refused unless --task classify says it is meant. */
#define CLASSES_FREE 64
#define CLI_FEATURES_MAX ((size_t)1 << 31)
#define CLI_IMAGE_SIDE_MAX 4096
#define MNIST_SIDE 28

enum { PART_TRAIN, PART_VAL, PART_TEST };

#define SCALE_NAME_AT(E, value, name, note) [value] = #name,
#define SCALE_NOTE_AT(E, value, name, note) [value] = note,
static const char *const scale_names[] = {LNN_SCALE_LIST(SCALE_NAME_AT)};
static const char *const scale_notes[] = {LNN_SCALE_LIST(SCALE_NOTE_AT)};
#undef SCALE_NAME_AT
#undef SCALE_NOTE_AT
const cli_choices cli_scales = CLI_CHOICES(scale_names, NULL, scale_notes);
#define INVERT_NAME_AT(E, value, name, note) [value] = #name,
#define INVERT_NOTE_AT(E, value, name, note) [value] = note,
static const char *const invert_names[] = {LNN_INVERT_LIST(INVERT_NAME_AT)};
static const char *const invert_notes[] = {LNN_INVERT_LIST(INVERT_NOTE_AT)};
#undef INVERT_NAME_AT
#undef INVERT_NOTE_AT
const cli_choices cli_inverts = CLI_CHOICES(invert_names, NULL, invert_notes);

void cli_table_args_init(cli_table_args *t)
{
    *t = (cli_table_args){.table = lnn_table_opts_default(), .scale = -1,
                          .image = {MNIST_SIDE, MNIST_SIDE, LNN_INVERT_NO}};
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
    case CLI_OPT_INVERT: {
        int v;
        if (!cli_parse_choice("--invert", arg, &cli_inverts, &v))
            return -1;
        t->image.invert = (lnn_invert)v;
        return 1;
    }
    case CLI_OPT_IMAGE_SIZE: return parse_image_size(arg, &t->image) ? 1 : -1;
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

/* A second file (--val-data, --test-data) read like the first, its
 * columns checked and its labels indexed by the first's vocabulary. */
static bool load_like(lnn_table *t, const char *path, const lnn_table *first,
                      const lnn_table_opts *o, const lnn_image_opts *img)
{
    lnn_table_opts same = *o;
    same.n_features = first->n_x; /* LIBSVM: the training file's width */
    same.labels_path = NULL;      /* an X.npy second file: not supported */
    if (!load(t, path, &same, img))
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

/* The "dataset:" line of a loaded table or image folder. */
static void describe(const cli_dataset *d, const char *path, size_t n_train,
                     lnn_scale scale)
{
    const lnn_table *t = &d->tab[PART_TRAIN];
    if (d->prep.image_width)
        printf("dataset: %s: %zu train, %zu validation, %zu test images of "
               "%zux%zu, %zu classes\n", path, n_train, d->splits.val.m,
               d->splits.test.m, d->prep.image_width, d->prep.image_height,
               t->n_classes);
    else
        printf("dataset: %s: %zu train, %zu validation, %zu test rows of %zu "
               "features (%s), %zu classes; scaling %s\n", path, n_train,
               d->splits.val.m, d->splits.test.m, t->n_x,
               t->X_u8 ? "bytes" : "float32", t->n_classes,
               lnn_scale_name(scale));
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
    if (!load(t, path, &ta->table, &ta->image))
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
    if (!ta->classify && t->n_classes > CLASSES_FREE &&
        t->n_classes > t->m / 2) {
        cli_error("%s: %zu classes in %zu rows: the label looks like an id "
                  "or a number, not a class (--task classify trains on it "
                  "anyway)", path, t->n_classes, t->m);
        goto usage;
    }
    if (ta->val_data &&
        !load_like(&d->tab[PART_VAL], ta->val_data, t, &ta->table,
                  &ta->image))
        goto fail;
    if (ta->test_data &&
        !load_like(&d->tab[PART_TEST], ta->test_data, t, &ta->table,
                  &ta->image))
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
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) { /* an image folder */
        d->prep.image_width = ta->image.width;
        d->prep.image_height = ta->image.height;
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
        describe(d, path, n_train, scale);
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
    const lnn_image_opts img = {p->image_width ? p->image_width : MNIST_SIDE,
                                p->image_height ? p->image_height : MNIST_SIDE,
                                ta->image.invert};
    if (!load(t, path, &o, &img))
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
    if (!one_hot_all(d))
        goto fail;
    const size_t n_fit = t->m - n_val - n_test;
    d->splits.train = lnn_table_view(t, 0, n_fit, d->Y[PART_TRAIN]);
    d->splits.val = lnn_table_view(t, n_fit, n_val, d->Y[PART_TRAIN]);
    d->splits.test = lnn_table_view(t, n_fit + n_val, n_test,
                                    d->Y[PART_TRAIN]);
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
