/* train.c: the long-run rows. A whole short training through
 * lnn_L_layer_model (the trainer's own loop: shuffled batches, the
 * optimizer's update, a validation pass after every epoch, as `lnn train`
 * runs), long enough for what appears only after many updates to show: an
 * optimizer state decaying into subnormal floats takes about 800 updates
 * (docs/threading.md, "Subnormal floats"). Each epoch is one sample: its
 * time per update, evaluation included. Between epochs, untimed by the
 * epoch's clock, the network's own bare GEMMs of one update and of its
 * share of the evaluation are timed on the same buffers: the GEMM bound of
 * that epoch, as a step row has it.
 *
 * The data (BENCH_DATA_LIST) are bytes labelled by a fixed random linear
 * teacher, so the network learns (loss falls towards 0) and its ReLUs
 * settle as they do on real data. The images look like MNIST where it
 * matters here: ink (1 pixel in 3, any grey) only inside a disc in the
 * middle of a square image, the border always 0. The sparse kind is
 * bag-of-words counts, most features rare. On MNIST and on both kinds
 * about 10 % of Adam's first moments are subnormal after 1000 updates
 * without the flush; at a batch of 32 (the sparse row's) the update weighs
 * more against the GEMMs, so the stall shows more. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "kernels.h"
#include "net.h"
#include "rng.h"
#include "util.h"

#define TRAIN_EPOCH_UPDATES 100  /* samples = 100 batches */
#define TRAIN_EPOCHS 20          /* 2000 updates in all */
#define TRAIN_VAL_BATCHES 20     /* validation samples = 20 batches */
#define TRAIN_GEMM_CALLS 5       /* bare GEMM passes timed per epoch */
#define TRAIN_DISC 0.36          /* ink radius / side (10 of MNIST's 28) */
#define TRAIN_WORDS 64           /* sparse: feature draws per sample */
#define TRAIN_ZIPF 1.1           /* sparse: the frequency law's exponent */
#define TRAIN_WORD_INK 64        /* sparse: a draw's byte (1/4 of 255) */
#define TRAIN_STREAM_DATA 2      /* random stream of the bench's seed */

/* The CLI's default rates (src/cli/train.c), cosine decay for Adam as
 * `lnn train` runs it, constant for the others. */
#define TRAIN_LR_ADAM 0.003f
#define TRAIN_LR_OTHER 0.05f

/* A synthetic set: m samples, X_u8 (n_x x m) and Y one-hot (n_y x m). */
typedef struct train_data {
    lnn_data d;
    uint8_t *X_u8;
    float *Y;
} train_data;

/* Side of the square image of n_x pixels (n_x itself if it is none). */
static size_t image_side(size_t n_x)
{
    size_t s = (size_t)sqrt((double)n_x);
    while (s * s < n_x)
        s++;
    return s * s == n_x ? s : n_x;
}

/* MNIST-like images: ink (1 pixel in 3, any grey) only inside a disc in
 * the middle of a square image, the border always 0. */
static int fill_images(train_data *t, lnn_rng *rng)
{
    const size_t n_x = t->d.n_x, side = image_side(n_x);
    const double c = 0.5 * (double)(side - 1), r = TRAIN_DISC * side;
    for (size_t j = 0; j < t->d.m; j++) {
        uint8_t *x = t->X_u8 + j * n_x;
        for (size_t i = 0; i < n_x; i++) {
            const double dr = (double)(i / side) - c,
                         dc = (double)(i % side) - c;
            const bool ink = side == n_x || dr * dr + dc * dc < r * r;
            x[i] = ink && lnn__rng_below(rng, 3) == 0
                       ? (uint8_t)lnn__rng_below(rng, 256)
                       : 0;
        }
    }
    return 0;
}

/* Bag-of-words counts: each sample draws TRAIN_WORDS features by a Zipf
 * law of exponent TRAIN_ZIPF (feature i + 1 as often as 1 / (i + 1)^s, as
 * a vocabulary's words), each draw adding TRAIN_WORD_INK to its byte. Most
 * features are rare: their weights' gradients are 0 in most batches. */
static int fill_sparse(train_data *t, lnn_rng *rng)
{
    const size_t n_x = t->d.n_x;
    double *cdf = malloc(n_x * sizeof *cdf); /* the law's running sums */
    if (!cdf)
        return -1;
    double sum = 0.0;
    for (size_t i = 0; i < n_x; i++)
        cdf[i] = sum += pow((double)(i + 1), -TRAIN_ZIPF);
    memset(t->X_u8, 0, n_x * t->d.m);
    for (size_t j = 0; j < t->d.m; j++) {
        uint8_t *x = t->X_u8 + j * n_x;
        for (size_t w = 0; w < TRAIN_WORDS; w++) {
            const double u = lnn__rng_uniform(rng) * sum;
            size_t lo = 0, hi = n_x - 1; /* the first i with cdf[i] > u */
            while (lo < hi) {
                const size_t mid = lo + (hi - lo) / 2;
                if (cdf[mid] > u)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            x[lo] = (uint8_t)(x[lo] > 255 - TRAIN_WORD_INK
                                  ? 255
                                  : x[lo] + TRAIN_WORD_INK);
        }
    }
    free(cdf);
    return 0;
}

/* A data kind's row of BENCH_DATA_LIST. */
typedef struct data_row {
    const char *name;
    int (*fill)(train_data *t, lnn_rng *rng); /* 0, or -1 out of memory */
} data_row;

#define BENCH_DATA_ROW(E, name, fill) {name, fill},
static const data_row data_kinds[] = {BENCH_DATA_LIST(BENCH_DATA_ROW)};
#undef BENCH_DATA_ROW

BENCH_NAMED_ROWS(bench_data, data_kinds, bench_data_from_name,
                 bench_data_name)

/* Label each sample by the teacher T (n_y x n_x): its largest score. */
static void label_data(train_data *t, const float *T)
{
    const size_t n_x = t->d.n_x, n_y = t->d.n_y;
    for (size_t j = 0; j < t->d.m; j++) {
        const uint8_t *x = t->X_u8 + j * n_x;
        size_t best = 0;
        double best_s = -INFINITY;
        for (size_t k = 0; k < n_y; k++) {
            double s = 0.0;
            for (size_t i = 0; i < n_x; i++)
                s += (double)T[k * n_x + i] * x[i];
            if (s > best_s) {
                best_s = s;
                best = k;
            }
        }
        memset(t->Y + j * n_y, 0, n_y * sizeof *t->Y);
        t->Y[j * n_y + best] = 1.0f;
    }
}

static void data_free(train_data *t)
{
    free(t->X_u8);
    free(t->Y);
}

/* m samples of the kind, labelled by the teacher T. */
static int data_make(train_data *t, bench_data kind, size_t n_x, size_t n_y,
                     size_t m, const float *T, lnn_rng *rng)
{
    *t = (train_data){.d = {.n_x = n_x, .n_y = n_y, .m = m}};
    t->X_u8 = malloc(n_x * m);
    t->Y = malloc(n_y * m * sizeof *t->Y);
    if (!t->X_u8 || !t->Y || data_kinds[kind].fill(t, rng) != 0) {
        data_free(t);
        fprintf(stderr, "lnn-bench: out of memory for training data\n");
        return -1;
    }
    t->d.X_u8 = t->X_u8;
    t->d.Y = t->Y;
    label_data(t, T);
    return 0;
}

/* One training run's clock, its samples, and what a bare GEMM pass needs. */
typedef struct train_run {
    lnn_net *net;
    const train_data *val;
    float *X, *Y;         /* one batch as floats, for the bare GEMMs */
    size_t m, epochs;
    double t0;            /* start of the epoch in progress */
    double *lib, *gemm;   /* per epoch: seconds per update */
    int failed;
} train_run;

/* Seconds of the bare GEMMs of one update and of one evaluation batch. */
static void time_gemms(train_run *tr, double *step_s, double *fwd_s)
{
    double t = bench_now();
    for (int k = 0; k < TRAIN_GEMM_CALLS; k++) {
        lnn__net_forward(tr->net, tr->X, tr->m,
                         LNN_MODE_TRAIN | LNN_MODE_GEMMS);
        lnn__net_backward(tr->net, tr->X, (lnn__targets){.Y = tr->Y}, tr->m,
                          LNN_MODE_TRAIN | LNN_MODE_GEMMS);
    }
    const double t1 = bench_now();
    for (int k = 0; k < TRAIN_GEMM_CALLS; k++)
        lnn__net_forward(tr->net, tr->X, tr->m, LNN_MODE_GEMMS);
    *step_s = (t1 - t) / TRAIN_GEMM_CALLS;
    *fwd_s = (bench_now() - t1) / TRAIN_GEMM_CALLS;
}

/* At the end of each epoch: the validation pass (timed with the epoch),
 * the epoch's sample, then its bare GEMMs (not timed with any epoch). */
static int on_progress(const lnn_progress *p, void *ctx)
{
    train_run *tr = ctx;
    if (p->event != LNN_EVENT_EPOCH)
        return 0;
    if (lnn_evaluate(tr->net, &tr->val->d, NULL, NULL) != LNN_OK) {
        tr->failed = 1;
        return 1;
    }
    const size_t e = (size_t)p->epoch - 1;
    tr->lib[e] = (bench_now() - tr->t0) / TRAIN_EPOCH_UPDATES;
    double step_s, fwd_s;
    time_gemms(tr, &step_s, &fwd_s);
    tr->gemm[e] = step_s + fwd_s * TRAIN_VAL_BATCHES / TRAIN_EPOCH_UPDATES;
    tr->t0 = bench_now();
    return 0;
}

/* The row's statistics from its epochs. */
static void fill_row(bench_row *row, const train_run *tr)
{
    const size_t n = tr->epochs;
    double scratch[TRAIN_EPOCHS];
    row->median_s = bench_median(tr->lib, n, scratch);
    row->min_s = bench_min(tr->lib, n);
    row->gemm_median_s = bench_median(tr->gemm, n, scratch);
    row->gemm_min_s = bench_min(tr->gemm, n);
    row->efficiency = bench_median_ratio(tr->gemm, tr->lib, n, scratch);
    row->first_s = tr->lib[0];
    row->last_s = tr->lib[n - 1];
    row->attempts = 1;
}

/* The network, the data, the teacher and the float batch of a run. */
static int run_create(train_run *tr, const bench_net_spec *ns,
                      train_data data[2], uint64_t seed)
{
    const size_t n_x = ns->dims[0], n_y = ns->dims[ns->L], m = ns->m;
    char err[BENCH_TEXT_MAX];
    const lnn_net_config cfg = {.L = ns->L, .dims = ns->dims,
                                .hidden = LNN_ACT_RELU, .max_batch = m,
                                .optimizer = ns->opt};
    if (lnn_net_create(&tr->net, &cfg, err, sizeof err) != LNN_OK ||
        lnn_initialize_parameters(tr->net, LNN_INIT_AUTO, seed) != LNN_OK) {
        fprintf(stderr, "lnn-bench: network: %s\n",
                tr->net ? lnn_net_errmsg(tr->net) : err);
        return -1;
    }
    lnn_rng rng;
    lnn__rng_seed(&rng, seed, TRAIN_STREAM_DATA);
    float *T = malloc(n_y * n_x * sizeof *T);
    tr->X = malloc(n_x * m * sizeof *tr->X);
    tr->Y = malloc(n_y * m * sizeof *tr->Y);
    if (!T || !tr->X || !tr->Y) {
        free(T);
        fprintf(stderr, "lnn-bench: out of memory for training data\n");
        return -1;
    }
    for (size_t k = 0; k < n_y * n_x; k++)
        T[k] = (float)(lnn__rng_uniform(&rng) - 0.5);
    int rc = data_make(&data[0], ns->data, n_x, n_y,
                       TRAIN_EPOCH_UPDATES * m, T, &rng);
    if (rc == 0)
        rc = data_make(&data[1], ns->data, n_x, n_y, TRAIN_VAL_BATCHES * m,
                       T, &rng);
    free(T);
    if (rc != 0)
        return -1;
    for (size_t k = 0; k < n_x * m; k++)
        tr->X[k] = (float)data[0].X_u8[k] / 255.0f;
    memcpy(tr->Y, data[0].Y, n_y * m * sizeof *tr->Y);
    return 0;
}

int bench_train_measure(const bench_net_spec *ns, bench_row *row,
                        uint64_t seed)
{
    train_data data[2] = {{.X_u8 = NULL}, {.X_u8 = NULL}};
    double lib[TRAIN_EPOCHS], gemm[TRAIN_EPOCHS];
    train_run tr = {.val = &data[1], .m = ns->m, .epochs = TRAIN_EPOCHS,
                    .lib = lib, .gemm = gemm};
    int rc = run_create(&tr, ns, data, seed);
    if (rc == 0) {
        lnn_train_opts o = lnn_train_opts_default();
        o.batch_size = ns->m;
        o.epochs = TRAIN_EPOCHS;
        o.learning_rate =
            ns->opt == LNN_OPT_ADAM ? TRAIN_LR_ADAM : TRAIN_LR_OTHER;
        o.lr_schedule =
            ns->opt == LNN_OPT_ADAM ? LNN_LR_COSINE : LNN_LR_CONSTANT;
        o.progress = on_progress;
        o.progress_ctx = &tr;
        tr.t0 = bench_now();
        const lnn_status s = lnn_L_layer_model(tr.net, &data[0].d, &o);
        if (s != LNN_OK || tr.failed) {
            fprintf(stderr, "lnn-bench: training run: %s\n",
                    lnn_net_errmsg(tr.net));
            rc = -1;
        }
    }
    if (rc == 0)
        fill_row(row, &tr);
    lnn_net_destroy(tr.net);
    data_free(&data[0]);
    data_free(&data[1]);
    free(tr.X);
    free(tr.Y);
    return rc;
}
