/* workload.c: what lnn-bench times. One layer's forward and backward
 * through the public API (lnn_layer_forward and lnn_layer_backward: the
 * network's code path, one layer in one team), a whole training step
 * through the public API, and beside each the same passes of the library
 * run as LNN_MODE_GEMMS (kernels.h): the same sgemm calls, team and shares
 * on the same buffers, without the elementwise work, so the ratio is what
 * everything else costs. All buffers are allocated and filled here, once,
 * before anything is timed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "bench.h"
#include "kernels.h"
#include "net.h"
#include "rng.h"
#include "util.h"

#define BENCH_ALIGN 64          /* as the network's own blocks */
#define BENCH_LR 0.01f          /* small enough that repeating one batch
                                   never diverges */
#define BENCH_DH_SCALE 0.01     /* dH ~ U(-0.01, 0.01): a gradient's size */
#define BENCH_STREAM_LAYER 0    /* random streams of the bench's seed */
#define BENCH_STREAM_BATCH 1

/* A 64-byte aligned block of count floats, or NULL. */
static float *alloc_floats(size_t count)
{
    size_t bytes;
    if (!lnn__mul(count, sizeof(float), &bytes) ||
        !lnn__add(bytes, BENCH_ALIGN - 1, &bytes))
        return NULL;
    bytes -= bytes % BENCH_ALIGN;
    return aligned_alloc(BENCH_ALIGN, bytes ? bytes : BENCH_ALIGN);
}

/* x[k] ~ U(lo, hi). Uniform rather than normal: filling a 4096 x 4096 W
 * with Box-Muller would take longer than timing it. */
static void fill_uniform(float *x, size_t count, double lo, double hi,
                         lnn_rng *rng)
{
    for (size_t k = 0; k < count; k++)
        x[k] = (float)(lo + (hi - lo) * lnn__rng_uniform(rng));
}

double bench_flop_forward(size_t n, size_t n_prev, size_t m)
{
    return 2.0 * (double)n * (double)n_prev * (double)m;
}

double bench_flop_backward(size_t n, size_t n_prev, size_t m, bool dH_prev)
{
    return (dH_prev ? 2.0 : 1.0) * bench_flop_forward(n, n_prev, m);
}

/* ------------------------------------------------------------------------ */
/* One layer                                                                */
/* ------------------------------------------------------------------------ */

struct bench_layer {
    size_t n, n_prev, max_m;
    size_t m;         /* columns of the tasks handed out last */
    lnn_activation f;
    float *W;         /* n x n_prev */
    float *b;         /* n */
    float *H_prev;    /* n_prev x max_m */
    float *H;         /* n x max_m: the forward output */
    float *dZ;        /* n x max_m: dH, turned into dZ in place, as the
                         network does */
    float *dW;        /* n x n_prev */
    float *db;        /* n */
    float *dH_prev;   /* n_prev x max_m */
    float *Z;         /* n x max_m: the bare forward GEMM's output (H must
                         keep the activation for backward) */
    float *Zk;        /* n x max_m: Z + b kept for f' where it needs it
                         (lnn__act_needs_Z: gelu, silu), else NULL */
};

int bench_layer_create(bench_layer **out, size_t n, size_t n_prev,
                       size_t max_m, lnn_activation f, uint64_t seed)
{
    size_t nm, pm, np;
    *out = NULL;
    if (!lnn__mul(n, max_m, &nm) || !lnn__mul(n_prev, max_m, &pm) ||
        !lnn__mul(n, n_prev, &np)) {
        fprintf(stderr, "lnn-bench: layer %zu-%zu at m=%zu is too large\n",
                n_prev, n, max_m);
        return -1;
    }
    bench_layer *ly = calloc(1, sizeof *ly);
    if (!ly)
        goto nomem;
    *ly = (bench_layer){.n = n, .n_prev = n_prev, .max_m = max_m,
                        .m = max_m, .f = f};
    ly->W = alloc_floats(np);
    ly->b = alloc_floats(n);
    ly->H_prev = alloc_floats(pm);
    ly->H = alloc_floats(nm);
    ly->dZ = alloc_floats(nm);
    ly->dW = alloc_floats(np);
    ly->db = alloc_floats(n);
    ly->dH_prev = alloc_floats(pm);
    ly->Z = alloc_floats(nm);
    if (lnn__act_needs_Z(f))
        ly->Zk = alloc_floats(nm);
    if (!ly->W || !ly->b || !ly->H_prev || !ly->H || !ly->dZ || !ly->dW ||
        !ly->db || !ly->dH_prev || !ly->Z || (lnn__act_needs_Z(f) && !ly->Zk))
        goto nomem;

    /* He-uniform W, inputs in [0, 1) like scaled pixels or ReLU outputs,
     * and a small bias, so that about half the ReLUs are active. */
    lnn_rng rng;
    lnn__rng_seed(&rng, seed, BENCH_STREAM_LAYER);
    const double a = sqrt(6.0 / (double)n_prev);
    fill_uniform(ly->W, np, -a, a, &rng);
    fill_uniform(ly->b, n, -0.1, 0.1, &rng);
    fill_uniform(ly->H_prev, pm, 0.0, 1.0, &rng);
    fill_uniform(ly->dZ, nm, -BENCH_DH_SCALE, BENCH_DH_SCALE, &rng);
    *out = ly;
    return 0;
nomem:
    bench_layer_destroy(ly);
    fprintf(stderr, "lnn-bench: out of memory for layer %zu-%zu at m=%zu\n",
            n_prev, n, max_m);
    return -1;
}

void bench_layer_destroy(bench_layer *ly)
{
    if (!ly)
        return;
    free(ly->W);
    free(ly->b);
    free(ly->H_prev);
    free(ly->H);
    free(ly->dZ);
    free(ly->dW);
    free(ly->db);
    free(ly->dH_prev);
    free(ly->Z);
    free(ly->Zk);
    free(ly);
}

/* A library call that failed: the sizes were checked when the layer was
 * made, so this is a bug. */
static int layer_failed(const char *what, lnn_status s)
{
    fprintf(stderr, "lnn-bench: %s: %s\n", what, lnn_strerror(s));
    return -1;
}

static int layer_forward(void *ctx)
{
    const bench_layer *ly = ctx;
    if (ly->Zk) { /* the network's training pass: the public one keeps no Z */
        lnn__layer_forward_pass(ly->H, ly->Zk, ly->H_prev, ly->W, ly->b,
                                lnn__act_of(ly->f, 0.0f), ly->n, ly->n_prev,
                                ly->m, LNN_MODE_TRAIN);
        return 0;
    }
    lnn_status s = lnn_layer_forward(ly->H, ly->H_prev, ly->W, ly->b, ly->f,
                                     ly->n, ly->n_prev, ly->m);
    return s == LNN_OK ? 0 : layer_failed("lnn_layer_forward", s);
}

/* Z (n x m) = W . H_prev alone, into Z: H must keep the activation for
 * backward. */
static int layer_forward_gemm(void *ctx)
{
    const bench_layer *ly = ctx;
    lnn__layer_forward_pass(ly->Z, NULL, ly->H_prev, ly->W, ly->b,
                            lnn__act_of(ly->f, 0.0f), ly->n, ly->n_prev,
                            ly->m, LNN_MODE_GEMMS);
    return 0;
}

static int layer_backward(void *ctx)
{
    const bench_layer *ly = ctx;
    /* In place, dZ = dH, as in the network: repeating it changes nothing,
     * since f'(Z) is taken from H (or the kept Z), which backward does not
     * write. */
    if (ly->Zk) {
        lnn__layer_backward_pass(ly->dH_prev, ly->dW, ly->db, ly->dZ, ly->dZ,
                                 ly->H, ly->Zk, ly->H_prev, ly->W,
                                 lnn__act_of(ly->f, 0.0f), ly->n, ly->n_prev,
                                 ly->m, LNN_MODE_TRAIN);
        return 0;
    }
    lnn_status s = lnn_layer_backward(ly->dH_prev, ly->dW, ly->db, ly->dZ,
                                      ly->dZ, ly->H, ly->H_prev, ly->W, ly->f,
                                      ly->n, ly->n_prev, ly->m);
    return s == LNN_OK ? 0 : layer_failed("lnn_layer_backward", s);
}

/* dH_prev = W^T . dZ and dW = (1/m) dZ . H_prev^T alone. */
static int layer_backward_gemm(void *ctx)
{
    const bench_layer *ly = ctx;
    lnn__layer_backward_pass(ly->dH_prev, ly->dW, ly->db, ly->dZ, ly->dZ,
                             ly->H, ly->Zk, ly->H_prev, ly->W,
                             lnn__act_of(ly->f, 0.0f), ly->n, ly->n_prev,
                             ly->m, LNN_MODE_TRAIN | LNN_MODE_GEMMS);
    return 0;
}

void bench_layer_tasks(bench_layer *ly, size_t m,
                       bench_task tasks[BENCH_LAYER_TASKS])
{
    ly->m = m;
    tasks[0] = (bench_task){layer_forward, ly};
    tasks[1] = (bench_task){layer_forward_gemm, ly};
    tasks[2] = (bench_task){layer_backward, ly};
    tasks[3] = (bench_task){layer_backward_gemm, ly};
}

bench_task bench_layer_gemm_task(bench_layer *ly, size_t m)
{
    ly->m = m;
    return (bench_task){layer_forward_gemm, ly};
}

/* ------------------------------------------------------------------------ */
/* A training step                                                          */
/* ------------------------------------------------------------------------ */

/* A variant's row of BENCH_VARIANT_LIST. */
typedef struct variant_row {
    const char *name;
    bool loop;
    lnn_loss loss;
    float dropout;
    bool balanced;
    float clip;
} variant_row;

static const variant_row variants[] = {
#define VARIANT_ROW(E, name, loop, loss, dropout, balanced, clip)             \
    [E] = {name, loop, loss, dropout, balanced, clip},
    BENCH_VARIANT_LIST(VARIANT_ROW)
#undef VARIANT_ROW
};

BENCH_NAMED_ROWS(bench_variant, variants, bench_variant_from_name,
                 bench_variant_name)

struct bench_net {
    lnn_net *net;
    size_t m;
    float *X;           /* n_0 x m, in [0, 1) */
    float *Y;           /* n_L x m: one-hot, 0/1 labels or values */
    int32_t *labels;    /* m classes (the loop's classes) */
    float *w;           /* m balanced class weights */
    const variant_row *v;
    lnn__batch B;       /* the loop's batch: X and its targets */
    lnn_train_opts opts;
};

/* Balanced class weights of the batch's labels, as lnn train
 * --class-weight balanced weighs classes: m / (n_L count(class)). */
static int balanced_weights(bench_net *bn, size_t n_L)
{
    size_t *count = calloc(n_L, sizeof *count);
    if (!count) {
        fprintf(stderr, "lnn-bench: out of memory for class weights\n");
        return -1;
    }
    for (size_t j = 0; j < bn->m; j++)
        count[bn->labels[j]]++;
    for (size_t j = 0; j < bn->m; j++)
        bn->w[j] = (float)((double)bn->m /
                           ((double)n_L * (double)count[bn->labels[j]]));
    free(count);
    return 0;
}

/* The batch's targets for the head's loss, and the loop's batch. */
static int fill_targets(bench_net *bn, size_t n_L, lnn_rng *rng)
{
    const lnn_target target = lnn_loss_target(bn->v->loss);
    memset(bn->Y, 0, n_L * bn->m * sizeof *bn->Y);
    for (size_t j = 0; j < bn->m; j++) {
        bn->labels[j] = (int32_t)lnn__rng_below(rng, n_L);
        bn->Y[j * n_L + (size_t)bn->labels[j]] = 1.0f;
    }
    for (size_t k = 0; target != LNN_TARGET_CLASSES && k < n_L * bn->m; k++)
        bn->Y[k] = target == LNN_TARGET_BINARY
                       ? (float)lnn__rng_below(rng, 2)
                       : (float)lnn__rng_uniform(rng);
    if (bn->v->balanced && balanced_weights(bn, n_L) != 0)
        return -1;
    const bool classes = target == LNN_TARGET_CLASSES;
    bn->B = (lnn__batch){.X = bn->X, .m = bn->m, .m_all = bn->m,
                         .T = {.Y = classes ? NULL : bn->Y,
                               .labels = classes ? bn->labels : NULL,
                               .w = bn->v->balanced ? bn->w : NULL}};
    bn->opts = lnn_train_opts_default();
    bn->opts.clip_norm = bn->v->clip;
    return 0;
}

/* The network of ns, initialised, with the variant's dropout. */
static int make_net(bench_net *bn, const bench_net_spec *ns, uint64_t seed)
{
    char err[BENCH_TEXT_MAX];
    const lnn_net_config cfg = {.L = ns->L, .dims = ns->dims,
                                .hidden = ns->f, .max_batch = ns->m,
                                .optimizer = LNN_OPT_SGD,
                                .loss = bn->v->loss};
    lnn_status s = lnn_net_create(&bn->net, &cfg, err, sizeof err);
    if (s != LNN_OK) {
        fprintf(stderr, "lnn-bench: network: %s\n", err);
        return -1;
    }
    float rates[BENCH_NET_MAX];
    for (size_t l = 0; l < BENCH_NET_MAX; l++)
        rates[l] = bn->v->dropout;
    s = lnn_initialize_parameters(bn->net, LNN_INIT_AUTO, seed);
    if (s == LNN_OK && bn->v->dropout > 0.0f)
        s = lnn_net_set_dropout(bn->net, rates);
    if (s != LNN_OK) {
        fprintf(stderr, "lnn-bench: network: %s\n",
                lnn_net_errmsg(bn->net));
        return -1;
    }
    return 0;
}

int bench_net_create(bench_net **out, const bench_net_spec *ns,
                     uint64_t seed)
{
    *out = NULL;
    bench_net *bn = calloc(1, sizeof *bn);
    if (!bn) {
        fprintf(stderr, "lnn-bench: out of memory for a network\n");
        return -1;
    }
    bn->m = ns->m;
    bn->v = &variants[ns->variant];
    if (make_net(bn, ns, seed) != 0)
        goto fail;
    /* lnn_net_create has checked that n_0 m and n_L m fit. */
    const size_t n_L = ns->dims[ns->L], xm = ns->dims[0] * ns->m,
                 ym = n_L * ns->m;
    bn->X = alloc_floats(xm);
    bn->Y = alloc_floats(ym);
    bn->w = alloc_floats(ns->m);
    bn->labels = malloc(ns->m * sizeof *bn->labels);
    if (!bn->X || !bn->Y || !bn->w || !bn->labels) {
        fprintf(stderr, "lnn-bench: out of memory for a batch of %zu\n",
                ns->m);
        goto fail;
    }
    lnn_rng rng;
    lnn__rng_seed(&rng, seed, BENCH_STREAM_BATCH);
    fill_uniform(bn->X, xm, 0.0, 1.0, &rng);
    if (fill_targets(bn, n_L, &rng) != 0)
        goto fail;
    *out = bn;
    return 0;
fail:
    bench_net_destroy(bn);
    return -1;
}

void bench_net_destroy(bench_net *bn)
{
    if (!bn)
        return;
    lnn_net_destroy(bn->net);
    free(bn->X);
    free(bn->Y);
    free(bn->w);
    free(bn->labels);
    free(bn);
}

/* One update of the exercise's loop: forward, loss, backward, update. */
static int net_step(void *ctx)
{
    const bench_net *bn = ctx;
    const float *HL;
    double loss = 0.0;
    const size_t n_L = lnn_net_dims(bn->net)[lnn_net_L(bn->net)];
    lnn_status s = lnn_L_layer_forward(bn->net, bn->X, bn->m, &HL);
    if (s == LNN_OK)
        s = lnn_compute_loss(HL, bn->Y, n_L, bn->m, &loss);
    if (s == LNN_OK && !isfinite(loss))
        s = LNN_ERR_DIVERGED;
    if (s == LNN_OK)
        s = lnn_L_layer_backward(bn->net, bn->X, bn->Y, bn->m);
    if (s == LNN_OK)
        s = lnn_update_parameters(bn->net, BENCH_LR);
    if (s != LNN_OK) {
        fprintf(stderr, "lnn-bench: training step: %s (%s)\n",
                lnn_strerror(s), lnn_net_errmsg(bn->net));
        return -1;
    }
    return 0;
}

/* One update of lnn_L_layer_model's loop, the variant's: forward, the
 * head's loss, the backward, then the update (by SGD). */
static int net_loop_step(void *ctx)
{
    bench_net *bn = ctx;
    double loss;
    const lnn_status s =
        lnn__train_step(bn->net, &bn->B, &bn->opts, BENCH_LR, &loss);
    if (s != LNN_OK) {
        fprintf(stderr, "lnn-bench: training step (+%s): %s (%s)\n",
                bn->v->name, lnn_strerror(s), lnn_net_errmsg(bn->net));
        return -1;
    }
    return 0;
}

/* The step's products alone: the library's forward and backward passes as
 * LNN_MODE_GEMMS, on the network's own buffers (every Z_l; every dH_{l-1},
 * none for X, and every dW_l). They overwrite H, dZ and dW, which the next
 * step computes afresh before reading them. */
static int net_step_gemm(void *ctx)
{
    const bench_net *bn = ctx;
    lnn__net_forward(bn->net, bn->X, bn->m, LNN_MODE_TRAIN | LNN_MODE_GEMMS);
    lnn__net_backward(bn->net, bn->X, (lnn__targets){.Y = bn->Y}, bn->m,
                      LNN_MODE_TRAIN | LNN_MODE_GEMMS);
    return 0;
}

void bench_net_tasks(bench_net *bn, bench_task tasks[BENCH_NET_TASKS])
{
    tasks[0] = (bench_task){bn->v->loop ? net_loop_step : net_step, bn};
    tasks[1] = (bench_task){net_step_gemm, bn};
}
