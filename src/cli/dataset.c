/* dataset.c: where the data comes from, for every subcommand. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#define IDX_LABELS_MAX 256 /* IDX labels are bytes */
#define LOCAL_DATA_DIR "data/mnist"
#define DEBIAN_FASHION_DIR "/usr/share/datasets/fashion-mnist"

/* Does dir hold the four files of an IDX data set, each raw or gzipped? An
 * empty or half-downloaded default directory must not hide the next
 * default. */
static bool has_dataset(const char *dir)
{
    static const char *const names[] = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        bool found = false;
        for (int gz = 0; gz < 2 && !found; gz++) {
            char path[4096];
            struct stat st;
            snprintf(path, sizeof path, "%s/%s%s", dir, names[i],
                     gz ? ".gz" : "");
            found = stat(path, &st) == 0 && S_ISREG(st.st_mode);
        }
        if (!found)
            return false;
    }
    return true;
}

/* The first of --data, $LNN_DATA, data/mnist, Debian's Fashion-MNIST. An
 * explicitly named directory is used even if it is wrong (the loader will
 * say what is missing); the defaults only if they hold a data set. */
static bool locate(cli_dataset *d, const char *data_opt)
{
    const char *env = getenv("LNN_DATA");
    const char *dir = NULL;
    if (data_opt) {
        dir = data_opt;
        d->source = "--data";
    } else if (env && *env) {
        dir = env;
        d->source = "$LNN_DATA";
    } else if (has_dataset(LOCAL_DATA_DIR)) {
        dir = LOCAL_DATA_DIR;
        d->source = "./" LOCAL_DATA_DIR;
    } else if (has_dataset(DEBIAN_FASHION_DIR)) {
        dir = DEBIAN_FASHION_DIR;
        d->source = "Debian's dataset-fashion-mnist";
    }
    if (!dir)
        return false;
    snprintf(d->dir, sizeof d->dir, "%s", dir);
    return true;
}

/* The name of the dataset in dir: its last component, printable, at most
 * LNN_DATA_NAME_MAX - 1 bytes. */
static void dataset_name(char *name, const char *dir)
{
    size_t end = strlen(dir);
    while (end > 1 && dir[end - 1] == '/')
        end--;
    size_t begin = end;
    while (begin > 0 && dir[begin - 1] != '/')
        begin--;
    size_t n = 0;
    for (size_t k = begin; k < end && n + 1 < LNN_DATA_NAME_MAX; k++) {
        const unsigned char c = (unsigned char)dir[k];
        name[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
    }
    name[n] = '\0';
}

const char *cli_data_said(const lnn_data_id *id, char *buf, size_t len)
{
    snprintf(buf, len, "\"%s\" (%llu images)", id->name,
             (unsigned long long)id->rows);
    return buf;
}

int cli_dataset_load(cli_dataset *d, const char *data_opt,
                     const cli_table_args *ta, uint64_t seed, size_t n_train,
                     const cli_part *val, bool quiet)
{
    if (cli_is_table(data_opt))
        return cli_dataset_load_table(d, data_opt, ta, seed, n_train, val,
                                      quiet);
    memset(d, 0, sizeof *d);
    if (!locate(d, data_opt)) {
        cli_error("no dataset found: pass --data DIR (a directory with the "
                  "four MNIST-format files), set LNN_DATA, run "
                  "data/fetch-mnist.sh (downloads MNIST into %s), or install "
                  "Fashion-MNIST with 'apt-get install dataset-fashion-mnist'",
                  LOCAL_DATA_DIR);
        return EXIT_RUNTIME;
    }
    char err[CLI_ERRLEN];
    if (lnn_load_data_dir(d->dir, &d->train_set, &d->test_set,
                          IDX_LABELS_MAX, err, sizeof err) != LNN_OK) {
        cli_error("%s", err);
        return EXIT_RUNTIME;
    }
    d->id = lnn_dataset_id(&d->train_set);
    dataset_name(d->id.name, d->dir);
    /* the classes are the data's: 0 .. the largest label */
    size_t n_classes = 0;
    for (size_t j = 0; j < d->train_set.m; j++)
        if (d->train_set.labels[j] >= n_classes)
            n_classes = (size_t)d->train_set.labels[j] + 1;
    for (size_t j = 0; j < d->test_set.m; j++)
        if (d->test_set.labels[j] >= n_classes)
            n_classes = (size_t)d->test_set.labels[j] + 1;
    d->train_set.n_classes = d->test_set.n_classes = n_classes;
    const size_t m = d->train_set.m;
    const size_t n_val = val->set ? cli_part_of(val, m) : LNN_MNIST_VAL;
    if (n_val >= m) {
        cli_error("--val: %zu validation samples leave none of the %zu for "
                  "training", n_val, m);
        cli_dataset_free(d);
        return EXIT_USAGE;
    }
    if (n_train == 0)
        n_train = m - n_val;
    if (n_train + n_val > m) {
        cli_error("--train-subset: %zu training + %zu validation samples, "
                  "but the dataset has %zu", n_train, n_val, m);
        cli_dataset_free(d);
        return EXIT_USAGE;
    }
    if (lnn_data_split(&d->splits, &d->train_set, &d->test_set, n_train,
                       n_val, err, sizeof err) != LNN_OK) {
        cli_error("%s", err);
        cli_dataset_free(d);
        return EXIT_RUNTIME;
    }
    if (!quiet)
        printf("dataset: %s (from %s): %zu train, %zu validation, %zu test "
               "images of %zux%zu\n", d->dir, d->source, n_train, n_val,
               d->test_set.m, d->train_set.rows, d->train_set.cols);
    return EXIT_OK;
}

void cli_dataset_free(cli_dataset *d)
{
    for (int k = 0; k < 3; k++) {
        lnn_table_free(&d->tab[k]);
    }
    lnn_prep_free(&d->prep);
    lnn_splits_free(&d->splits);
    lnn_dataset_free(&d->train_set);
    lnn_dataset_free(&d->test_set);
}
