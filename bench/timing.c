/* timing.c: wall-clock samples of interleaved tasks, and robust statistics.
 *
 * Wall time, not process CPU time: CPU time sums every thread's time, so a
 * kernel that runs on two threads would look twice as slow as it is. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Seconds per call over `calls` back-to-back calls; negative if one
 * failed. */
static double sample(const bench_task *task, size_t calls)
{
    const double t0 = bench_now();
    for (size_t c = 0; c < calls; c++)
        if (task->run(task->ctx) != 0)
            return -1.0;
    return (bench_now() - t0) / (double)calls;
}

int bench_time(const bench_task *tasks, size_t k, const bench_plan *plan,
               double *t)
{
    if (k > BENCH_TASKS_MAX)
        return -1;
    /* Calibrate on warm calls: the first call of each task pays for page
     * faults and cold caches, the second one is timed. */
    double per_call[BENCH_TASKS_MAX], slowest = 0.0;
    for (size_t i = 0; i < k; i++) {
        double s = sample(&tasks[i], 1);
        if (s >= 0.0)
            s = sample(&tasks[i], 1);
        if (s < 0.0)
            return -1;
        per_call[i] = fmax(s, 1e-9);
        slowest = fmax(slowest, per_call[i]);
    }
    const size_t calls = (size_t)ceil(plan->sample_s / slowest);

    for (size_t r0 = 0; r0 < plan->reps; r0 += plan->block) {
        const size_t r1 = r0 + plan->block < plan->reps ? r0 + plan->block
                                                        : plan->reps;
        for (size_t i = 0; i < k; i++) {
            /* Warm up before each block: besides caches, the threads the
             * previous task left spinning (OpenMP spins for milliseconds
             * after a parallel region) would slow this task's first calls;
             * they go to sleep first, so the samples see this task's own
             * steady state. */
            const size_t lead = (size_t)ceil(plan->warmup_s / per_call[i]);
            if (sample(&tasks[i], lead) < 0.0)
                return -1;
            for (size_t r = r0; r < r1; r++) {
                const double s = sample(&tasks[i], calls);
                if (s < 0.0)
                    return -1;
                t[i * plan->reps + r] = s;
            }
        }
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_in_place(double *x, size_t n)
{
    qsort(x, n, sizeof *x, cmp_double);
    return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

double bench_median(const double *x, size_t n, double *scratch)
{
    memcpy(scratch, x, n * sizeof *x);
    return median_in_place(scratch, n);
}

double bench_min(const double *x, size_t n)
{
    double lo = x[0];
    for (size_t i = 1; i < n; i++)
        lo = x[i] < lo ? x[i] : lo;
    return lo;
}

double bench_median_ratio(const double *num, const double *den, size_t n,
                          double *scratch)
{
    for (size_t i = 0; i < n; i++)
        scratch[i] = num[i] / den[i];
    return median_in_place(scratch, n);
}
