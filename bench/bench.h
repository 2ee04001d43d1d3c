/* bench.h: the parts of lnn-bench: timing, workloads, reports and the
 * comparison with a baseline. One file per concern:
 *
 *     timing.c    clock, interleaved samples, median / min / median ratio
 *     workload.c  one layer's forward and backward, a training step, and
 *                 the bare GEMMs of each (the GEMM bound)
 *     machine.c   CPU, BLAS, threads, peak sgemm
 *     report.c    the stdout table, per-result lines, JSON, Markdown
 *     svg.c       the chart
 *     json.c      a small JSON reader (for our own schema)
 *     compare.c   --compare BASELINE.json (and reading any --json file)
 *     main.c      options and the sweep
 *     ab*.c       --ab BASE_EXE: two executables side by side (ab.h),
 *                 with the statistics in stats.c
 */
#ifndef LNN_BENCH_H
#define LNN_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lnn_exercise.h"

/* Exit codes of lnn-bench. */
#define BENCH_EXIT_OK 0
#define BENCH_EXIT_SLOWER 1 /* --compare: some row is worse than allowed */
#define BENCH_EXIT_ERROR 2  /* bad arguments or baseline, no memory, I/O */
#define BENCH_EXIT_INCONCLUSIVE 3 /* --ab: too noisy to tell */

/* The JSON schema written by --json and read by --compare. */
#define BENCH_SCHEMA "lnn-bench/1"

#if defined(__GNUC__)
#  define BENCH_PRINTF(fmt_idx, args_idx) \
      __attribute__((format(printf, fmt_idx, args_idx)))
#else
#  define BENCH_PRINTF(fmt_idx, args_idx)
#endif

#define BENCH_DIMS_MAX 64 /* "784-1024-1024-10" and longer */
#define BENCH_TEXT_MAX 256

/* ------------------------------------------------------------------------ */
/* Timing (timing.c)                                                        */
/* ------------------------------------------------------------------------ */

/* One workload: run() does one call of it and returns nonzero on failure. */
typedef struct bench_task {
    int (*run)(void *ctx);
    void *ctx;
} bench_task;

typedef struct bench_plan {
    size_t reps;      /* timed samples of every task */
    size_t block;     /* of which a task runs this many in a row */
    double sample_s;  /* a sample repeats a call for about this long */
    double warmup_s;  /* untimed run of a task before each block */
} bench_plan;

#define BENCH_TASKS_MAX 4 /* tasks timed together */

/* Time k tasks interleaved, in rounds: a block of samples of task 0, of
 * task 1, ..., of task k-1, then the next round, so that tasks compared
 * with each other meet the same load on a shared machine. Each block starts
 * with an untimed warm-up of about plan->warmup_s. Every sample of every
 * task repeats the same number of calls, chosen so that the slowest task's
 * sample lasts about plan->sample_s. At most BENCH_TASKS_MAX tasks.
 * t (k x reps, out): t[i * reps + r] = seconds per call of task i in
 * sample r. Returns 0, or -1 if a task failed. */
int bench_time(const bench_task *tasks, size_t k, const bench_plan *plan,
               double *t);

/* Wall-clock seconds (CLOCK_MONOTONIC). */
double bench_now(void);

/* Median of x[0..n) (n >= 1); scratch holds n doubles. */
double bench_median(const double *x, size_t n, double *scratch);
/* Smallest of x[0..n) (n >= 1). */
double bench_min(const double *x, size_t n);
/* Median over r of num[r] / den[r]: the ratio of two interleaved tasks,
 * pair by pair, so a load that slows both cancels out. */
double bench_median_ratio(const double *num, const double *den, size_t n,
                          double *scratch);

/* ------------------------------------------------------------------------ */
/* Results                                                                  */
/* ------------------------------------------------------------------------ */

typedef enum bench_kind {
    BENCH_FORWARD = 0,  /* one layer: lnn_layer_forward */
    BENCH_BACKWARD = 1, /* one layer: lnn_layer_backward */
    BENCH_STEP = 2,     /* a network: forward, loss, backward, update */
    BENCH_TRAIN = 3     /* a network: a whole short training (train.c) */
} bench_kind;

/* "forward", "backward", "step", "train". */
const char *bench_kind_name(bench_kind kind);

/* One result. Times are seconds per call. */
typedef struct bench_row {
    bench_kind kind;
    char dims[BENCH_DIMS_MAX]; /* "n_prev-n" for a layer, "784-256-128-10"
                                  for a network */
    size_t m;                  /* batch size (columns) */
    const char *act;           /* a layer's activation; a step's hidden
                                  layers' ("relu"), with its variant
                                  ("relu+clip"); a train row's optimizer */
    double flop;               /* floating-point operations of its GEMMs */
    double median_s, min_s;    /* the library's code path */
    double gemm_median_s, gemm_min_s; /* the bare sgemm calls of the same
                                         shapes: the GEMM bound */
    double efficiency;         /* median over samples of gemm / library */
    double first_s, last_s;    /* a train row: its first and last epoch's
                                  time per update */
    unsigned attempts;         /* measurements taken (see bench_remeasure) */
    /* What was measured, to measure it again: a layer at batch m, or a
     * network (the other is NULL). */
    const struct bench_shape *shape;
    const struct bench_net_spec *net;
} bench_row;

/* Seconds as milliseconds, the unit of every report. */
static inline double bench_ms(double s)
{
    return 1e3 * s;
}

/* GFLOP/s of a row at its median time, and of its bare GEMMs at theirs. */
double bench_gflops(const bench_row *row);
double bench_gemm_gflops(const bench_row *row);

/* What the run was measured on. */
typedef struct bench_machine {
    char cpu[BENCH_TEXT_MAX]; /* model name from /proc/cpuinfo */
    long cores;               /* online processors */
    const char *blas;         /* lnn_blas_info() */
    const char *kernel;       /* the kernel OpenBLAS runs, as "Haswell" */
    const char *forced_kernel;/* OPENBLAS_CORETYPE, which forces the
                                 kernel, or NULL: OpenBLAS's own choice */
    const char *blas_threading;
    int omp_threads, blas_threads;
    char env[BENCH_TEXT_MAX]; /* the threading variables that are set, as
                                 "OMP_WAIT_POLICY=passive", or "" */
    size_t peak_n;            /* the square product C = A B is N x N */
    double peak_gflops;       /* 2 N^3 / its fastest sample */
} bench_machine;

typedef struct bench_report {
    bench_machine machine;
    bool quick;
    bench_plan plan;
    bench_row *rows;
    size_t n_rows;
} bench_report;

/* ------------------------------------------------------------------------ */
/* Workloads (workload.c)                                                   */
/* ------------------------------------------------------------------------ */

/* One layer n_prev -> n with its inputs, outputs and gradients for up to
 * max_m columns. */
typedef struct bench_layer bench_layer;

/* Allocate and fill a layer (W, b, H_prev random from seed). Returns 0, or
 * -1 with a message on stderr. */
int bench_layer_create(bench_layer **out, size_t n, size_t n_prev,
                       size_t max_m, lnn_activation f, uint64_t seed);
void bench_layer_destroy(bench_layer *ly);
/* The four tasks of one layer at m columns (m <= max_m), in this order:
 * forward, its GEMM; backward, its GEMMs. */
#define BENCH_LAYER_TASKS 4
void bench_layer_tasks(bench_layer *ly, size_t m,
                       bench_task tasks[BENCH_LAYER_TASKS]);
/* The bare forward GEMM alone (for the peak: an N -> N layer at m = N). */
bench_task bench_layer_gemm_task(bench_layer *ly, size_t m);

/* A step row's variant: what its step runs (workload.c). The plain step
 * (no name) is the exercise's: lnn_L_layer_forward, lnn_compute_loss,
 * lnn_L_layer_backward, lnn_update_parameters. The others (loop 1) are the
 * body of lnn_L_layer_model's loop (lnn__train_step: the head's loss,
 * the backward, then the update) on one batch, each with one thing on,
 * against `loop`, which has none: columns: enum, name (after a '+' in
 * --nets and in the act column), loop, the head's loss, dropout's rate in
 * every hidden layer, balanced class weights (by the batch's counts), the
 * clip norm (0: none). */
#define BENCH_VARIANT_LIST(X)                                                 \
    X(BENCH_EXERCISE, "",         0, LNN_LOSS_CE,  0.0f, 0, 0.0f)             \
    X(BENCH_LOOP,     "loop",     1, LNN_LOSS_CE,  0.0f, 0, 0.0f)             \
    X(BENCH_DROPOUT,  "dropout",  1, LNN_LOSS_CE,  0.2f, 0, 0.0f)             \
    X(BENCH_BALANCED, "balanced", 1, LNN_LOSS_CE,  0.0f, 1, 0.0f)             \
    X(BENCH_CLIP,     "clip",     1, LNN_LOSS_CE,  0.0f, 0, 1.0f)             \
    X(BENCH_BCE,      "bce",      1, LNN_LOSS_BCE, 0.0f, 0, 0.0f)             \
    X(BENCH_MSE,      "mse",      1, LNN_LOSS_MSE, 0.0f, 0, 0.0f)

/* T_from_name and T_name over `rows`, a static table of one list's rows
 * (each with a .name), as src/enums.c's ENUM_FUNCTIONS does for the
 * library's lists. Row 0 is the list's unnamed default, which no name
 * selects. */
#define BENCH_NAMED_ROWS(T, rows, from_name, name_of)                         \
    bool from_name(const char *name, T *out)                                  \
    {                                                                         \
        for (size_t i = 1; i < sizeof rows / sizeof *rows; i++)               \
            if (strcmp(name, rows[i].name) == 0) {                            \
                *out = (T)i;                                                  \
                return true;                                                  \
            }                                                                 \
        return false;                                                         \
    }                                                                         \
    const char *name_of(T v) { return rows[v].name; }

#define BENCH_VARIANT_ENUM(E, ...) E,
typedef enum bench_variant {
    BENCH_VARIANT_LIST(BENCH_VARIANT_ENUM)
} bench_variant;
#undef BENCH_VARIANT_ENUM

/* The variant of that name (not the exercise's, which has none): true,
 * or false if there is none. */
bool bench_variant_from_name(const char *name, bench_variant *v);
const char *bench_variant_name(bench_variant v);

/* A network and one batch for a training step. */
typedef struct bench_net bench_net;
struct bench_net_spec;

/* Allocate and fill a step row's network and batch (ns: its sizes, batch,
 * activation and variant). Returns 0, or -1 with a message on stderr. */
int bench_net_create(bench_net **out, const struct bench_net_spec *ns,
                     uint64_t seed);
void bench_net_destroy(bench_net *bn);
/* A training step, then its GEMMs alone. */
#define BENCH_NET_TASKS 2
void bench_net_tasks(bench_net *bn, bench_task tasks[BENCH_NET_TASKS]);

/* Floating-point operations of a layer's GEMMs: forward 2 n n_prev m;
 * backward 4 n n_prev m (dW and dH_prev), or 2 n n_prev m without
 * dH_prev (a network's first layer). */
double bench_flop_forward(size_t n, size_t n_prev, size_t m);
double bench_flop_backward(size_t n, size_t n_prev, size_t m, bool dH_prev);

/* ------------------------------------------------------------------------ */
/* The sweep (sweep.c)                                                      */
/* ------------------------------------------------------------------------ */

#define BENCH_LIST_MAX 64 /* entries in each list of a sweep */
#define BENCH_NET_MAX 16  /* layer sizes of a network */

/* A layer n_prev -> n with activation f. */
typedef struct bench_shape {
    size_t n_prev, n;
    lnn_activation f;
} bench_shape;

/* The data of a train row: X(enum, name, fill), fill the static function
 * of train.c that makes the inputs of a synthetic set.
 * images: MNIST-like pictures whose border is always 0; sparse: bag-of-words
 * counts whose features follow a Zipf law, most of them rare. */
#define BENCH_DATA_LIST(X)                                                    \
    X(BENCH_DATA_IMAGES, "",       fill_images)                               \
    X(BENCH_DATA_SPARSE, "sparse", fill_sparse)

#define BENCH_DATA_ENUM(E, ...) E,
typedef enum bench_data {
    BENCH_DATA_LIST(BENCH_DATA_ENUM)
} bench_data;
#undef BENCH_DATA_ENUM

/* The data kind of that name (not the images', which has none): true, or
 * false if there is none. */
bool bench_data_from_name(const char *name, bench_data *d);
const char *bench_data_name(bench_data d);

/* A network n_0 - ... - n_L trained at batch m: a step row (its hidden
 * layers' activation f, its variant), or with `train` a train row (a whole short
 * training by optimizer opt on data of kind data). */
typedef struct bench_net_spec {
    size_t dims[BENCH_NET_MAX];
    size_t L;
    size_t m;
    lnn_activation f;
    bench_variant variant;      /* a step row's */
    char label[BENCH_DIMS_MAX]; /* the act column: a step row's "relu",
                                   "gelu+dropout"; a train row's "adam",
                                   "adam+sparse" */
    bool train;
    lnn_optimizer opt;          /* a train row's, and its data: */
    bench_data data;
} bench_net_spec;

/* A train row of ns (ns->train): 2000 updates of ns->opt in 20 epochs on
 * synthetic data of kind ns->data, a validation pass after each epoch; each
 * epoch is a sample of the time per update, beside the bare GEMMs of an
 * update (train.c). Fills the row's times and efficiency. Returns 0, or
 * -1 with a message on stderr. */
int bench_train_measure(const bench_net_spec *ns, bench_row *row,
                        uint64_t seed);

/* Everything one run measures, and how. */
typedef struct bench_sweep {
    bench_shape shapes[BENCH_LIST_MAX];
    size_t n_shapes;
    size_t batches[BENCH_LIST_MAX];
    size_t n_batches;
    bench_net_spec nets[BENCH_LIST_MAX];
    size_t n_nets;
    bench_plan plan;
    size_t peak_n; /* the square sgemm of the peak */
} bench_sweep;

/* Measure the peak, then every shape at every batch size (a forward and a
 * backward row each), then every network (a step row each), printing a
 * line per row as it is done. Fills r->machine.peak_*, r->rows (allocated;
 * the caller frees it) and r->n_rows. Returns 0 or -1 (message on
 * stderr). */
int bench_run(const bench_sweep *sw, bench_report *r);

/* Measure row i's layer or network again, and keep in each of its rows the
 * best of each statistic over the attempts (the lower times, the higher
 * efficiency): a row that a passing load slowed recovers, a row that is
 * slower by itself stays slower. Returns 0 or -1. */
int bench_remeasure(const bench_sweep *sw, bench_report *r, size_t i);

/* ------------------------------------------------------------------------ */
/* Machine (machine.c)                                                      */
/* ------------------------------------------------------------------------ */

/* Fill everything but the peak. */
void bench_machine_probe(bench_machine *mach);
/* Measure the peak sgemm GFLOP/s on an N x N product. Returns 0 or -1. */
int bench_machine_peak(bench_machine *mach, size_t N, const bench_plan *plan);

/* ------------------------------------------------------------------------ */
/* Reports (report.c, svg.c)                                                */
/* ------------------------------------------------------------------------ */

/* The header and the tables, for people. */
void bench_print_report(FILE *f, const bench_report *r);

/* Writers to a stream (its errors are checked by bench_write_file). */
void bench_emit_json(FILE *f, const bench_report *r);
void bench_emit_markdown(FILE *f, const bench_report *r);
void bench_emit_svg(FILE *f, const bench_report *r);
/* s as XML text: &, <, > and " escaped (svg.c). */
void bench_xml_text(FILE *f, const char *s);

/* s as a JSON string literal: quotes, backslashes and control characters
 * escaped. */
void bench_json_string(FILE *f, const char *s);

/* Open path with fopen's mode (NULL after a message on stderr); close it,
 * checking every write: 0, or -1 after a message. */
FILE *bench_open(const char *path, const char *mode);
int bench_close(FILE *f, const char *path);

/* Write path with emit, checking open, write and close. Returns 0, or -1
 * with a message on stderr. */
int bench_write_file(const char *path,
                     void (*emit)(FILE *f, const bench_report *r),
                     const bench_report *r);

/* ------------------------------------------------------------------------ */
/* Comparison (compare.c)                                                   */
/* ------------------------------------------------------------------------ */

/* A baseline: the results of an earlier run, read from its JSON. */
typedef struct bench_baseline bench_baseline;

/* One row of such a file. Times in seconds. */
typedef struct bench_result {
    bench_kind kind;
    char dims[BENCH_DIMS_MAX];
    char act[BENCH_DIMS_MAX];
    size_t m;
    double efficiency;
    double median_s, gemm_median_s;
} bench_result;

/* The rows of a loaded file, in its order; n gets their count. */
const bench_result *bench_baseline_rows(const bench_baseline *b, size_t *n);

/* Read and check a file written by --json. Returns 0, or -1 with a
 * one-line message on stderr (unreadable, not JSON, not our schema). */
int bench_baseline_load(bench_baseline **out, const char *path);
void bench_baseline_free(bench_baseline *b);

/* Whether a row is worse than the baseline allows (false for a row the
 * baseline does not have). Median times count only when measured in the
 * same setup as the baseline. */
bool bench_row_slower(const bench_baseline *b, const bench_row *row,
                      const bench_machine *mc, double tolerance,
                      double time_tolerance);

/* Compare r with the baseline: print every row's change to f and return
 * BENCH_EXIT_OK, BENCH_EXIT_SLOWER (a row's efficiency fell by more than
 * the fraction `tolerance`, or, measured in the same setup, its median
 * time rose by more than `time_tolerance`), or BENCH_EXIT_ERROR (no row in
 * common). */
int bench_compare(FILE *f, const bench_baseline *b, const bench_report *r,
                  double tolerance, double time_tolerance);

#endif /* LNN_BENCH_H */
