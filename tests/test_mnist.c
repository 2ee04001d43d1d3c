/* The real MNIST, from the directory named by $LNN_DATA: the exercise's
 * shapes after data_wrapper, the first labels, the pixel range and the
 * well-known statistics, and a one-hot column per sample. Skips (exit 77)
 * only when LNN_DATA is unset or names no directory; a directory that is
 * there but does not load is a failure. */
#define _POSIX_C_SOURCE 200809L /* stat, clock_gettime */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "lnn.h"

#define MNIST_CLASSES 10
#define MNIST_SIDE 28
#define MNIST_PIXELS (MNIST_SIDE * MNIST_SIDE)
#define MNIST_TRAIN_ALL 60000
#define MNIST_TEST 10000
#define PIXEL_MAX 255.0
/* torchvision's normalisation constant: the mean of the 60000 training
 * images' pixels, scaled to [0, 1] */
#define MNIST_MEAN 0.1307
#define MNIST_MEAN_TOL 5e-5

/* How many of each digit the files hold (the published class counts). */
static const size_t TRAIN_COUNTS[MNIST_CLASSES] = {
    5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949};
static const size_t TEST_COUNTS[MNIST_CLASSES] = {
    980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void check_counts(const lnn_dataset *d, const size_t *want)
{
    size_t got[MNIST_CLASSES] = {0};
    for (size_t j = 0; j < d->m; j++)
        got[d->labels[j] < MNIST_CLASSES ? d->labels[j] : 0]++;
    for (size_t c = 0; c < MNIST_CLASSES; c++)
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

int main(void)
{
    /* $LNN_DATA, else the source tree's data/mnist (set by meson) */
    const char *dir = getenv("LNN_DATA");
    if (!dir || !*dir)
        dir = getenv("LNN_TEST_DATA_DIR");
    struct stat st;
    if (!dir || !*dir || stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        printf("mnist: no data set (LNN_DATA unset and %s missing): "
               "skipped\n", dir ? dir : "data/mnist");
        return CHECK_SKIP;
    }

    char err[512] = "";
    lnn_dataset train, test;
    lnn_splits s;
    const double t0 = seconds();
    CHECK_STATUS(lnn_load_data_dir(dir, &train, &test, MNIST_CLASSES, err,
                                   sizeof err), LNN_OK);
    const double t1 = seconds();
    if (!train.X || !test.X) {
        fprintf(stderr, "mnist: %s\n", err);
        return check_result("mnist");
    }
    CHECK_STATUS(lnn_data_wrapper(&s, &train, &test, LNN_MNIST_TRAIN,
                                  LNN_MNIST_VAL, err, sizeof err), LNN_OK);
    const double t2 = seconds();
    printf("mnist: %s: load %.3f s, data_wrapper %.3f s\n", dir, t1 - t0,
           t2 - t1);

    /* the files */
    CHECK(train.m == MNIST_TRAIN_ALL && test.m == MNIST_TEST);
    CHECK(train.rows == MNIST_SIDE && train.cols == MNIST_SIDE);
    CHECK(test.rows == MNIST_SIDE && test.cols == MNIST_SIDE);
    CHECK(train.n_x == MNIST_PIXELS && test.n_x == MNIST_PIXELS);
    CHECK(train.labels[0] == 5); /* the exercise's first training digit */
    CHECK(test.labels[0] == 7);
    check_counts(&train, TRAIN_COUNTS);
    check_counts(&test, TEST_COUNTS);

    /* pixels: bytes spanning 0..255, so scaled by 1/255 they fill [0, 1]
     * exactly; and the mean every MNIST user normalises with */
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
    CHECK_NEAR(sum / PIXEL_MAX / (double)(train.n_x * train.m), MNIST_MEAN,
               MNIST_MEAN_TOL);

    /* the exercise's shapes: X 784 x m, Y 10 x m */
    const lnn_data *views[] = {&s.train, &s.val, &s.test};
    const size_t m[] = {LNN_MNIST_TRAIN, LNN_MNIST_VAL, MNIST_TEST};
    const uint8_t *labels[] = {train.labels, train.labels + LNN_MNIST_TRAIN,
                               test.labels};
    for (size_t v = 0; v < 3; v++) {
        CHECK(views[v]->n_x == MNIST_PIXELS);
        CHECK(views[v]->n_y == MNIST_CLASSES);
        CHECK(views[v]->m == m[v]);
        CHECK(views[v]->X_u8 != NULL && views[v]->X == NULL);
        if (views[v]->Y && views[v]->m == m[v])
            check_one_hot(views[v], labels[v]);
    }
    CHECK(s.val.X_u8 == train.X + (size_t)LNN_MNIST_TRAIN * MNIST_PIXELS);
    CHECK(s.test.X_u8 == test.X);
    /* the validation set is the last 10000 training images */
    CHECK(LNN_MNIST_TRAIN + LNN_MNIST_VAL == MNIST_TRAIN_ALL);

    lnn_splits_free(&s);
    lnn_dataset_free(&train);
    lnn_dataset_free(&test);
    return check_result("mnist");
}
