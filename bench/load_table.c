/* load_table.c: how fast lnn_table_load reads a table file.
 * Usage: lnn-load-table FILE [REPEATS]. Prints one line per load:
 * bench=load_table file=... rows= features= storage= seconds= mb_per_s=
 * (peak RSS: run it under /usr/bin/time -v). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "lnn.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE [REPEATS]\n", argv[0]);
        return 2;
    }
    const int repeats = argc > 2 ? atoi(argv[2]) : 1;
    struct stat st;
    const double mb = stat(argv[1], &st) == 0 ? (double)st.st_size / 1e6 : 0;
    for (int r = 0; r < repeats; r++) {
        lnn_table t;
        char err[512];
        const double t0 = now();
        if (lnn_table_load(&t, argv[1], NULL, err, sizeof err) != LNN_OK) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        const double s = now() - t0;
        printf("bench=load_table file=%s rows=%zu features=%zu classes=%zu "
               "storage=%s seconds=%.3f mb_per_s=%.0f\n", argv[1], t.m, t.n_x,
               t.n_classes, t.X_u8 ? "u8" : "f32", s, mb / s);
        lnn_table_free(&t);
    }
    return 0;
}
