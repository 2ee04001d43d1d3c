/* sweep.c: what one run measures: per layer shape and batch size the
 * forward and backward of one layer beside their bare GEMMs, then whole
 * training steps; and measuring a row again. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

#define BENCH_SEED 1

/* Time tasks (pairs: the library's call, then its bare GEMMs) and turn
 * pair j into rows[j]'s statistics. */
static int time_rows(const bench_task *tasks, size_t k, const bench_plan *plan,
                     bench_row *rows)
{
    const size_t reps = plan->reps;
    double *t = malloc(k * reps * sizeof *t);
    double *scratch = malloc(reps * sizeof *scratch);
    int rc = -1;
    if (!t || !scratch)
        fprintf(stderr, "lnn-bench: out of memory\n");
    else
        rc = bench_time(tasks, k, plan, t);
    for (size_t j = 0; rc == 0 && j < k / 2; j++) {
        const double *lib = t + 2 * j * reps, *gemm = lib + reps;
        bench_row *row = &rows[j];
        row->median_s = bench_median(lib, reps, scratch);
        row->min_s = bench_min(lib, reps);
        row->gemm_median_s = bench_median(gemm, reps, scratch);
        row->gemm_min_s = bench_min(gemm, reps);
        row->efficiency = bench_median_ratio(gemm, lib, reps, scratch);
        row->attempts = 1;
    }
    free(t);
    free(scratch);
    return rc;
}

/* The forward and backward rows of one layer at batch m. */
static int measure_layer(const bench_sweep *sw, bench_layer *ly,
                         const bench_shape *sh, size_t m, bench_row rows[2])
{
    for (size_t k = 0; k < 2; k++) {
        rows[k] = (bench_row){
            .kind = k == 0 ? BENCH_FORWARD : BENCH_BACKWARD,
            .m = m,
            .act = lnn_activation_name(sh->f),
            .flop = k == 0 ? bench_flop_forward(sh->n, sh->n_prev, m)
                           : bench_flop_backward(sh->n, sh->n_prev, m, true),
            .shape = sh,
        };
        snprintf(rows[k].dims, sizeof rows[k].dims, "%zu-%zu", sh->n_prev,
                 sh->n);
    }
    bench_task tasks[BENCH_LAYER_TASKS];
    bench_layer_tasks(ly, m, tasks);
    return time_rows(tasks, BENCH_LAYER_TASKS, &sw->plan, rows);
}

/* The step row of one network. */
static int measure_net(const bench_sweep *sw, const bench_net_spec *ns,
                       bench_row *row)
{
    *row = (bench_row){.kind = ns->train ? BENCH_TRAIN : BENCH_STEP,
                       .m = ns->m, .net = ns,
                       .act = ns->label};
    size_t len = 0;
    for (size_t l = 0; l <= ns->L; l++) {
        const int w = snprintf(row->dims + len, sizeof row->dims - len,
                               "%s%zu", l ? "-" : "", ns->dims[l]);
        len = w < 0 ? sizeof row->dims : len + (size_t)w;
        if (len >= sizeof row->dims) {
            fprintf(stderr, "lnn-bench: network sizes too long\n");
            return -1;
        }
        if (l > 0) /* no gradient for X: layer 1 has no dH_prev */
            row->flop +=
                bench_flop_forward(ns->dims[l], ns->dims[l - 1], ns->m) +
                bench_flop_backward(ns->dims[l], ns->dims[l - 1], ns->m,
                                    l > 1);
    }
    if (ns->train)
        return bench_train_measure(ns, row, BENCH_SEED);
    bench_net *bn;
    if (bench_net_create(&bn, ns, BENCH_SEED) != 0)
        return -1;
    bench_task tasks[BENCH_NET_TASKS];
    bench_net_tasks(bn, tasks);
    const int rc = time_rows(tasks, BENCH_NET_TASKS, &sw->plan, row);
    bench_net_destroy(bn);
    return rc;
}

static size_t largest_batch(const bench_sweep *sw)
{
    size_t max_m = 0;
    for (size_t i = 0; i < sw->n_batches; i++)
        max_m = sw->batches[i] > max_m ? sw->batches[i] : max_m;
    return max_m;
}

/* On a terminal (stderr), one status line that says which row was just
 * measured, erased by the next; the rows themselves are printed once, in
 * the tables, when all are done. */
static void show_progress(const char *what, const bench_row *row,
                          size_t done, size_t total)
{
    if (!isatty(STDERR_FILENO))
        return;
    fprintf(stderr, "\r\033[K%s %s %s m=%zu (%zu of %zu)", what,
            bench_kind_name(row->kind), row->dims, row->m, done, total);
    fflush(stderr);
}

static void end_progress(void)
{
    if (isatty(STDERR_FILENO))
        fputs("\r\033[K", stderr);
}

int bench_run(const bench_sweep *sw, bench_report *r)
{
    const size_t total = 2 * sw->n_shapes * sw->n_batches + sw->n_nets;
    r->n_rows = 0;
    r->rows = calloc(total + 1, sizeof *r->rows);
    if (!r->rows) {
        fprintf(stderr, "lnn-bench: out of memory\n");
        return -1;
    }
    if (bench_machine_peak(&r->machine, sw->peak_n, &sw->plan) != 0)
        return -1;
    /* One allocation per shape, at the largest batch, for all batches. */
    for (size_t i = 0; i < sw->n_shapes; i++) {
        const bench_shape *sh = &sw->shapes[i];
        bench_layer *ly;
        if (bench_layer_create(&ly, sh->n, sh->n_prev, largest_batch(sw),
                               sh->f, BENCH_SEED) != 0)
            return -1;
        for (size_t b = 0; b < sw->n_batches; b++) {
            bench_row *rows = &r->rows[r->n_rows];
            if (measure_layer(sw, ly, sh, sw->batches[b], rows) != 0) {
                bench_layer_destroy(ly);
                return -1;
            }
            r->n_rows += 2;
            show_progress("measured", &rows[1], r->n_rows, total);
        }
        bench_layer_destroy(ly);
    }
    for (size_t i = 0; i < sw->n_nets; i++) {
        bench_row *row = &r->rows[r->n_rows];
        if (measure_net(sw, &sw->nets[i], row) != 0)
            return -1;
        r->n_rows++;
        show_progress("measured", row, r->n_rows, total);
    }
    end_progress();
    return 0;
}

/* Fold a new attempt into a row: the best of each statistic. */
static void keep_best(bench_row *row, const bench_row *again)
{
    row->median_s = fmin(row->median_s, again->median_s);
    row->min_s = fmin(row->min_s, again->min_s);
    row->gemm_median_s = fmin(row->gemm_median_s, again->gemm_median_s);
    row->gemm_min_s = fmin(row->gemm_min_s, again->gemm_min_s);
    row->efficiency = fmax(row->efficiency, again->efficiency);
    row->attempts++;
}

int bench_remeasure(const bench_sweep *sw, bench_report *r, size_t i)
{
    const bench_row *old = &r->rows[i];
    bench_row again[2];
    size_t n_again;
    if (old->net) {
        if (measure_net(sw, old->net, again) != 0)
            return -1;
        n_again = 1;
    } else {
        const bench_shape *sh = old->shape;
        bench_layer *ly;
        if (bench_layer_create(&ly, sh->n, sh->n_prev, old->m, sh->f,
                               BENCH_SEED) != 0)
            return -1;
        const int rc = measure_layer(sw, ly, sh, old->m, again);
        bench_layer_destroy(ly);
        if (rc != 0)
            return -1;
        n_again = 2;
    }
    show_progress("re-measured", &again[n_again - 1], i + 1, r->n_rows);
    end_progress();
    /* the rows of the same layer and batch, or of the same network */
    const bench_shape *sh = old->shape;
    const bench_net_spec *net = old->net;
    const size_t m = old->m;
    for (size_t j = 0; j < r->n_rows; j++) {
        bench_row *row = &r->rows[j];
        if (row->shape != sh || row->net != net || row->m != m)
            continue;
        for (size_t k = 0; k < n_again; k++)
            if (again[k].kind == row->kind)
                keep_best(row, &again[k]);
    }
    return 0;
}
