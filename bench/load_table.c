/* load_table.c: how fast lnn_table_load reads a table file.
 * Usage: lnn-load-table FILE [REPEATS] [--train]. Prints one line per load:
 * bench=load_table file=... rows= features= storage= seconds= mb_per_s=
 * cpu_seconds= (peak RSS: run it under /usr/bin/time -v). --train reads the file as
 * lnn train does (missing cells and text columns taken, for imputation and
 * one-hot) and then times lnn_table_prepare with train's defaults (10 %
 * validation, 10 % test, standard scaling): mode=train, prepare_seconds=. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lnn.h"

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* wall seconds */
static double now(void) { return clock_s(CLOCK_MONOTONIC); }
/* CPU seconds of every thread of the process: less moved by other
 * processes on a shared machine than the wall time */
static double cpu(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

/* lnn_table_prepare as lnn train calls it by default: 10 % validation,
 * 10 % test, standard scaling; its seconds, or -1 on failure. */
static double prepare(lnn_table *t, char *err, size_t errlen)
{
    lnn_prep p;
    const lnn_prep_opts o = lnn_prep_opts_default(LNN_SCALE_STANDARD);
    const size_t n_val = t->m / 10, n_test = t->m / 10;
    const double t0 = now();
    if (lnn_table_prepare(t, &p, n_val, n_test, 1, &o, 1, err, errlen) !=
        LNN_OK)
        return -1;
    const double s = now() - t0;
    lnn_prep_free(&p);
    return s;
}

int main(int argc, char **argv)
{
    const int train = argc > 2 && strcmp(argv[argc - 1], "--train") == 0;
    if (argc < 2 || argc > 3 + train || strcmp(argv[1], "--train") == 0) {
        fprintf(stderr, "usage: %s FILE [REPEATS] [--train]\n", argv[0]);
        return 2;
    }
    const int repeats = argc > 2 + train ? atoi(argv[2]) : 1;
    struct stat st;
    const double mb = stat(argv[1], &st) == 0 ? (double)st.st_size / 1e6 : 0;
    lnn_table_opts opts = lnn_table_opts_default();
    opts.missing = opts.text = train;
    for (int r = 0; r < repeats; r++) {
        lnn_table t;
        char err[512];
        const double t0 = now(), c0 = cpu();
        if (lnn_table_load(&t, argv[1], &opts, err, sizeof err) != LNN_OK) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        const double s = now() - t0, c = cpu() - c0;
        printf("bench=load_table file=%s rows=%zu features=%zu classes=%zu "
               "storage=%s seconds=%.3f cpu_seconds=%.3f mb_per_s=%.0f",
               argv[1], t.m, t.n_x, t.n_classes, t.X_u8 ? "u8" : "f32", s, c,
               mb / s);
        const double p = train ? prepare(&t, err, sizeof err) : 0;
        lnn_table_free(&t);
        if (p < 0) {
            fprintf(stderr, "\n%s\n", err);
            return 1;
        }
        if (train)
            printf(" mode=train prepare_seconds=%.3f", p);
        printf("\n");
    }
    return 0;
}
