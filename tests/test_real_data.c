/* A real IDX data set, from the directory in $LNN_DATA (tests/with-data.sh
 * finds it and skips the test when it is absent): the exercise's shapes
 * after data_wrapper, the first labels, the pixel range and the data set's
 * well-known statistics, and a one-hot column per sample. The argument says
 * which data set's facts to check: mnist or fashion. The test images also
 * load as a table (LNN_FORMAT_IDX, its labels found beside it) to the same
 * bytes and labels. A directory that is there but does not load is a
 * failure. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "lnn.h"

#define CLASSES 10
#define SIDE 28
#define PIXELS (SIDE * SIDE)
#define TRAIN_ALL 60000
#define TEST_ALL 10000
#define PIXEL_MAX 255.0
#define MEAN_TOL 5e-5

/* What is known of a data set: its first labels, how many of each class
 * its files hold (the published counts), and the mean of the 60000
 * training images' pixels scaled to [0, 1] (torchvision's normalisation
 * constant). */
typedef struct facts {
    const char *name;
    uint8_t first_train, first_test;
    size_t train_counts[CLASSES], test_counts[CLASSES];
    double mean;
} facts;

static const facts DATA_SETS[] = {
    {"mnist", 5, 7, /* the exercise's first training digit is a 5 */
     {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949},
     {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, 0.1307},
    {"fashion", 9, 9, /* an ankle boot, both */
     {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000},
     {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, 0.2860},
};

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void check_counts(const lnn_dataset *d, const size_t *want)
{
    size_t got[CLASSES] = {0};
    for (size_t j = 0; j < d->m; j++)
        got[d->labels[j] < CLASSES ? d->labels[j] : 0]++;
    for (size_t c = 0; c < CLASSES; c++)
        CHECK(got[c] == want[c]);
}

/* Every column of a view's Y is one-hot, its 1 at the sample's label. */
static void check_one_hot(const lnn_data *v, const uint8_t *labels)
{
    size_t bad = 0;
    for (size_t j = 0; j < v->m; j++) {
        double sum = 0.0;
        for (size_t i = 0; i < v->n_y; i++)
            sum += v->Y[j * v->n_y + i];
        bad += sum != 1.0 || v->Y[j * v->n_y + labels[j]] != 1.0f;
    }
    CHECK(bad == 0);
}

/* The test images of dir as a table, told IDX by their name, the labels
 * found beside them: the bytes and labels of lnn_load_data's d, classes
 * named "0".."9". */
static void check_idx_table(const char *dir, const lnn_dataset *d)
{
    char path[4096], err[512] = "";
    struct stat st;
    snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte", dir);
    if (stat(path, &st) != 0) /* lnn_load_data_dir's order: raw, else .gz */
        snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte.gz", dir);
    CHECK(lnn_table_format(path) == LNN_FORMAT_IDX);
    lnn_table t;
    CHECK_STATUS(lnn_table_load(&t, path, NULL, err, sizeof err), LNN_OK);
    if (!t.X_u8 || !t.y) {
        fprintf(stderr, "%s: %s\n", path, err);
        return;
    }
    CHECK(t.n_x == d->n_x && t.m == d->m && t.n_classes == CLASSES);
    CHECK(memcmp(t.X_u8, d->X, d->n_x * d->m) == 0);
    size_t bad = 0;
    for (size_t j = 0; j < t.m; j++)
        bad += t.y[j] != (int32_t)d->labels[j];
    CHECK(bad == 0);
    for (size_t c = 0; c < CLASSES; c++)
        CHECK(t.names[c][0] == (char)('0' + c) && t.names[c][1] == '\0');
    lnn_table_free(&t);
}

int main(int argc, char **argv)
{
    const facts *f = NULL;
    for (size_t k = 0; argc == 2 && k < sizeof DATA_SETS / sizeof *DATA_SETS;
         k++)
        if (strcmp(argv[1], DATA_SETS[k].name) == 0)
            f = &DATA_SETS[k];
    const char *dir = getenv("LNN_DATA");
    if (!f || !dir || !*dir) {
        fprintf(stderr, "usage: LNN_DATA=DIR test_real_data mnist|fashion\n");
        return 1;
    }

    char err[512] = "";
    lnn_dataset train, test;
    lnn_splits s;
    const double t0 = seconds();
    CHECK_STATUS(lnn_load_data_dir(dir, &train, &test, CLASSES, err,
                                   sizeof err), LNN_OK);
    const double t1 = seconds();
    if (!train.X || !test.X) {
        fprintf(stderr, "%s: %s\n", f->name, err);
        return check_result(f->name);
    }
    CHECK_STATUS(lnn_data_wrapper(&s, &train, &test, LNN_MNIST_TRAIN,
                                  LNN_MNIST_VAL, err, sizeof err), LNN_OK);
    const double t2 = seconds();
    printf("%s: %s: load %.3f s, data_wrapper %.3f s\n", f->name, dir, t1 - t0,
           t2 - t1);

    /* the files */
    CHECK(train.m == TRAIN_ALL && test.m == TEST_ALL);
    CHECK(train.rows == SIDE && train.cols == SIDE);
    CHECK(test.rows == SIDE && test.cols == SIDE);
    CHECK(train.n_x == PIXELS && test.n_x == PIXELS);
    CHECK(train.labels[0] == f->first_train);
    CHECK(test.labels[0] == f->first_test);
    check_counts(&train, f->train_counts);
    check_counts(&test, f->test_counts);

    /* pixels: bytes spanning 0..255, so scaled by 1/255 they fill [0, 1]
     * exactly; and the mean every user of the data set normalises with */
    uint8_t lo = UINT8_MAX, hi = 0;
    double sum = 0.0;
    for (size_t i = 0; i < train.n_x * train.m; i++) {
        lo = train.X[i] < lo ? train.X[i] : lo;
        hi = train.X[i] > hi ? train.X[i] : hi;
        sum += train.X[i];
    }
    CHECK(lo == 0 && hi == UINT8_MAX);
    CHECK_NEAR(lo / PIXEL_MAX, 0.0, 0.0);
    CHECK_NEAR(hi / PIXEL_MAX, 1.0, 0.0);
    CHECK_NEAR(sum / PIXEL_MAX / (double)(train.n_x * train.m), f->mean,
               MEAN_TOL);

    /* the exercise's shapes: X 784 x m, Y 10 x m */
    const lnn_data *views[] = {&s.train, &s.val, &s.test};
    const size_t m[] = {LNN_MNIST_TRAIN, LNN_MNIST_VAL, TEST_ALL};
    const uint8_t *labels[] = {train.labels, train.labels + LNN_MNIST_TRAIN,
                               test.labels};
    for (size_t v = 0; v < 3; v++) {
        CHECK(views[v]->n_x == PIXELS);
        CHECK(views[v]->n_y == CLASSES);
        CHECK(views[v]->m == m[v]);
        CHECK(views[v]->X_u8 != NULL && views[v]->X == NULL);
        if (views[v]->Y && views[v]->m == m[v])
            check_one_hot(views[v], labels[v]);
    }
    CHECK(s.val.X_u8 == train.X + (size_t)LNN_MNIST_TRAIN * PIXELS);
    CHECK(s.test.X_u8 == test.X);
    /* the validation set is the last 10000 training images */
    CHECK(LNN_MNIST_TRAIN + LNN_MNIST_VAL == TRAIN_ALL);

    check_idx_table(dir, &test);

    lnn_splits_free(&s);
    lnn_dataset_free(&train);
    lnn_dataset_free(&test);
    return check_result(f->name);
}
