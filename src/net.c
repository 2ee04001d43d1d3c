/* net.c: the network: creation, parameter initialisation, and the forward
 * and backward passes over all layers. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "enums.h"
#include "kernels.h"
#include "net.h"
#include "threads.h"
#include "rng.h"
#include "util.h"

#define LNN_ALIGN 64
/* The random stream of parameter initialisation (training shuffles use
 * streams 1 + epoch of their own seed). */
#define LNN_STREAM_INIT 0
#define LNN_EXERCISE_INIT_STD 0.1 /* the exercise's W = 0.1 N(0, 1) */

lnn_status lnn__fail(lnn_net *net, lnn_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lnn__verr(net->errmsg, sizeof net->errmsg, s, fmt, ap);
    va_end(ap);
    return s;
}

/* A zeroed, 64-byte aligned block of `count` elements of `size` bytes. */
static void *alloc_block(size_t count, size_t size)
{
    size_t bytes;
    if (!lnn__mul(count, size, &bytes) ||
        !lnn__add(bytes, LNN_ALIGN - 1, &bytes))
        return NULL;
    bytes -= bytes % LNN_ALIGN; /* aligned_alloc wants a multiple */
    void *p = aligned_alloc(LNN_ALIGN, bytes ? bytes : LNN_ALIGN);
    if (p)
        memset(p, 0, bytes);
    return p;
}

/* Validate cfg; on success *n_params and *n_units (sum of n_l, l >= 1) are
 * the block sizes the network needs, *bytes all its blocks together. */
/* Columns of an evaluation chunk for a network of max_batch columns whose
 * evaluation needs per_col floats a column (H, X, Y, a prediction):
 * LNN_EVAL_COLS where those fit in LNN_EVAL_BYTES, fewer where they do not,
 * never fewer than max_batch. */
static size_t eval_cols(size_t max_batch, size_t per_col)
{
    size_t cols = LNN_EVAL_BYTES / sizeof(float) / per_col;
    cols = cols < LNN_EVAL_COLS ? cols : LNN_EVAL_COLS;
    return max_batch > cols ? max_batch : cols;
}

/* Layer l's activation (1 <= l <= L) as cfg gives it. */
static lnn_activation config_act(const lnn_net_config *cfg, size_t l)
{
    if (l == cfg->L)
        return lnn_loss_output(cfg->loss);
    return cfg->hidden_each ? cfg->hidden_each[l - 1] : cfg->hidden;
}

/* Units (sum of n_l) of the layers that keep Z for the backward. */
static size_t Z_units(const lnn_net_config *cfg)
{
    size_t units = 0;
    for (size_t l = 1; l <= cfg->L; l++)
        if (lnn__act_needs_Z(config_act(cfg, l)))
            units += cfg->dims[l];
    return units;
}

/* The config's activations and leaky slope. */
static lnn_status check_acts(const lnn_net_config *cfg, char *err,
                             size_t errlen)
{
    if (!lnn__is_hidden(cfg->hidden))
        return lnn__err(err, errlen, LNN_ERR_ARG,
                        "%s is not a hidden activation",
                        lnn_activation_name(cfg->hidden));
    for (size_t l = 1; l < cfg->L; l++)
        if (!lnn__is_hidden(config_act(cfg, l)))
            return lnn__err(err, errlen, LNN_ERR_ARG,
                            "hidden layer %zu: %s is not a hidden activation",
                            l, lnn_activation_name(config_act(cfg, l)));
    if (!(cfg->leaky_slope >= 0.0f && cfg->leaky_slope < 1.0f))
        return lnn__err(err, errlen, LNN_ERR_ARG,
                        "leaky slope %g: must be in [0, 1)",
                        (double)cfg->leaky_slope);
    return LNN_OK;
}

static lnn_status check_config(const lnn_net_config *cfg, size_t *n_params,
                               size_t *n_units, size_t *bytes, char *err,
                               size_t errlen)
{
    if (!cfg->dims)
        return lnn__err(err, errlen, LNN_ERR_ARG, "layer sizes are NULL");
    if (cfg->L < 1)
        return lnn__err(err, errlen, LNN_ERR_ARG,
                           "a network needs at least 2 layer sizes "
                           "(input and output), got %zu", cfg->L + 1);
    lnn_status s = check_acts(cfg, err, errlen);
    if (s != LNN_OK)
        return s;
    if (!lnn__is_loss(cfg->loss))
        return lnn__err(err, errlen, LNN_ERR_ARG, "unknown loss %d",
                        (int)cfg->loss);
    if (!(cfg->huber_delta >= 0.0f && isfinite(cfg->huber_delta)))
        return lnn__err(err, errlen, LNN_ERR_ARG,
                        "huber delta %g: must be finite and > 0",
                        (double)cfg->huber_delta);
    if (!lnn__is_optimizer(cfg->optimizer))
        return lnn__err(err, errlen, LNN_ERR_ARG, "unknown optimizer %d",
                           (int)cfg->optimizer);
    if (cfg->max_batch == 0)
        return lnn__err(err, errlen, LNN_ERR_ARG, "max_batch is 0");
    if (cfg->max_batch > LNN_BLAS_MAX)
        return lnn__err(err, errlen, LNN_ERR_OVERFLOW,
                           "max_batch %zu exceeds %zu", cfg->max_batch,
                           LNN_BLAS_MAX);
    if (cfg->L > LNN_BLAS_MAX)
        return lnn__err(err, errlen, LNN_ERR_OVERFLOW,
                           "%zu layers are too many", cfg->L);
    size_t params = 0, units = 0;
    for (size_t l = 0; l <= cfg->L; l++) {
        const size_t n = cfg->dims[l];
        if (n == 0)
            return lnn__err(err, errlen, LNN_ERR_ARG,
                               "layer %zu has size 0", l);
        if (n > LNN_BLAS_MAX)
            return lnn__err(err, errlen, LNN_ERR_OVERFLOW,
                               "layer %zu has size %zu, more than %zu", l, n,
                               LNN_BLAS_MAX);
        size_t w, block;
        if (!lnn__mul(n, cfg->max_batch, &block) ||
            (l == 0 && !lnn__mul(block, sizeof(float), &block)))
            goto overflow;
        if (l == 0)
            continue;
        if (!lnn__mul(n, cfg->dims[l - 1], &w) || !lnn__add(w, n, &w) ||
            !lnn__add(params, w, &params) || !lnn__add(units, n, &units))
            goto overflow;
    }
    /* params, grads, optimizer state; dZ (and the kept Z) of a batch; H,
     * X, Y, labels and
     * predictions of an evaluation chunk: all floats or int32 (the
     * evaluation's sums are a few doubles per output, counted in units) */
    size_t per_col, floats, batch, kept;
    if (!lnn__mul(params, 2 + lnn__opt_slots(cfg->optimizer), &floats) ||
        !lnn__add(units, Z_units(cfg), &kept) ||
        !lnn__mul(kept, cfg->max_batch, &batch) ||
        !lnn__add(floats, batch, &floats) ||
        !lnn__add(units, cfg->dims[0] + cfg->dims[cfg->L] + 2, &per_col) ||
        !lnn__mul(per_col, eval_cols(cfg->max_batch, per_col), &batch) ||
        !lnn__add(floats, batch, &floats) ||
        !lnn__mul(floats, sizeof(float), bytes))
        goto overflow;
    *n_params = params;
    *n_units = units;
    return LNN_OK;
overflow:
    return lnn__err(err, errlen, LNN_ERR_OVERFLOW,
                       "layer sizes and max_batch %zu overflow the memory "
                       "they need", cfg->max_batch);
}

/* Carve the per-layer views out of the blocks (malloc-and-point), each
 * layer with cfg's activation. */
static void carve_layers(lnn_net *net, const lnn_net_config *cfg, size_t ec)
{
    const size_t L = net->L, mb = net->max_batch;
    float *p = net->params, *g = net->grads;
    float *h = net->H_block, *d = net->dZ_block, *z = net->Z_block;
    for (size_t l = 1; l <= L; l++) {
        lnn__layer_buf *ly = &net->layers[l];
        ly->n = net->dims[l];
        ly->n_prev = net->dims[l - 1];
        ly->act = lnn__act_of(config_act(cfg, l), net->leaky_slope);
        if (lnn__act_needs_Z(ly->act.f)) {
            ly->Z = z;
            z += ly->n * mb;
        }
        ly->W = p;
        ly->dW = g;
        p += ly->n * ly->n_prev;
        g += ly->n * ly->n_prev;
        ly->b = p;
        ly->db = g;
        p += ly->n;
        g += ly->n;
        ly->H = h;
        ly->dZ = d;
        h += ly->n * ec;
        d += ly->n * mb;
    }
}

/* Layer 1's split forward (lnn__net_forward) for a net of cfg: keep one
 * partial product of n_1 x max_batch per member of the team OpenMP would
 * form now past the first, where the partials take no more memory than
 * W_1 (n_0 x n_1): (T - 1) max_batch <= n_0, so the batch is narrower
 * than the input and the cores exchange less than W_1. Returns false if
 * out of memory. */
static bool alloc_split(lnn_net *net, const lnn_net_config *cfg)
{
    const size_t n_0 = cfg->dims[0], n_1 = cfg->dims[1],
                 mb = cfg->max_batch;
    const size_t parts = (size_t)lnn_omp_threads() - 1;
    if (parts == 0 || parts * mb > n_0)
        return true;
    net->P_block = alloc_block(parts * n_1 * mb, sizeof(float));
    net->P_parts = net->P_block ? parts : 0;
    return net->P_block != NULL;
}

lnn_status lnn_net_create(lnn_net **out, const lnn_net_config *cfg,
                          char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    if (!out || !cfg)
        return lnn__err(err, errlen, LNN_ERR_ARG,
                           "network or config pointer is NULL");
    size_t n_params = 0, n_units = 0, bytes = 0;
    lnn_status s = check_config(cfg, &n_params, &n_units, &bytes, err, errlen);
    if (s != LNN_OK)
        return s;

    const size_t L = cfg->L, mb = cfg->max_batch,
                 ec = eval_cols(mb, n_units + cfg->dims[0] + cfg->dims[L] + 2);
    lnn_net *net = calloc(1, sizeof *net);
    if (!net)
        goto nomem;
    net->L = L;
    net->hidden = cfg->hidden;
    net->leaky_slope = lnn__act_of(LNN_ACT_LEAKY_RELU, cfg->leaky_slope).a;
    net->max_batch = mb;
    net->eval_cols = ec;
    net->n_params = n_params;
    net->optimizer = cfg->optimizer;
    net->plateau = (lnn__plateau){.scale = 1.0f};
    net->head = (lnn__head){.loss = cfg->loss,
                            .delta = cfg->huber_delta > 0.0f
                                         ? cfg->huber_delta : 1.0f};
    net->dims = malloc((L + 1) * sizeof *net->dims);
    net->layers = calloc(L + 1, sizeof *net->layers);
    net->params = alloc_block(n_params, sizeof(float));
    net->grads = alloc_block(n_params, sizeof(float));
    const size_t slots = lnn__opt_slots(cfg->optimizer);
    if (slots)
        net->opt_state = alloc_block(slots * n_params, sizeof(float));
    net->H_block = alloc_block(n_units * ec, sizeof(float));
    net->dZ_block = alloc_block(n_units * mb, sizeof(float));
    const size_t z_units = Z_units(cfg);
    if (z_units)
        net->Z_block = alloc_block(z_units * mb, sizeof(float));
    net->X_eval = alloc_block(cfg->dims[0] * ec, sizeof(float));
    net->Y_eval = alloc_block(cfg->dims[L] * ec, sizeof(float));
    net->labels_eval = alloc_block(ec, sizeof(int32_t));
    net->pred_batch = alloc_block(ec, sizeof(int32_t));
    net->eval_sums = alloc_block(LNN_HEAD_SUMS(cfg->dims[L]), sizeof(double));
    net->clip_sq = alloc_block(lnn__clip_units(cfg->dims, L), sizeof(double));
    if (!net->dims || !net->layers || !net->params || !net->grads ||
        (slots && !net->opt_state) || (z_units && !net->Z_block) ||
        !net->H_block || !net->dZ_block || !net->X_eval || !net->Y_eval ||
        !net->labels_eval || !net->pred_batch || !net->eval_sums ||
        !net->clip_sq || !alloc_split(net, cfg))
        goto nomem;
    memcpy(net->dims, cfg->dims, (L + 1) * sizeof *net->dims);

    carve_layers(net, cfg, ec);
    *out = net;
    return LNN_OK;
nomem:
    lnn_net_destroy(net);
    return lnn__err(err, errlen, LNN_ERR_NOMEM,
                       "out of memory: a network of %zu parameters with "
                       "max_batch %zu needs %.1f MiB", n_params, mb,
                       (double)bytes / 1048576.0);
}

void lnn_net_destroy(lnn_net *net)
{
    if (!net)
        return;
    free(net->dims);
    free(net->layers);
    free(net->params);
    free(net->grads);
    free(net->opt_state);
    free(net->H_block);
    free(net->dZ_block);
    free(net->Z_block);
    free(net->X_eval);
    free(net->Y_eval);
    free(net->labels_eval);
    free(net->pred_batch);
    free(net->eval_sums);
    free(net->clip_sq);
    free(net->P_block);
    lnn_prep_free(net->prep);
    free(net->prep);
    free(net->class_w);
    free(net->D_block);
    free(net->K_block);
    free(net);
}

const char *lnn_net_errmsg(const lnn_net *net)
{
    return net ? net->errmsg : "no network";
}

size_t lnn_net_L(const lnn_net *net) { return net->L; }
const size_t *lnn_net_dims(const lnn_net *net) { return net->dims; }
lnn_activation lnn_net_hidden(const lnn_net *net) { return net->hidden; }
float lnn_net_leaky_slope(const lnn_net *net) { return net->leaky_slope; }

lnn_activation lnn_net_activation(const lnn_net *net, size_t l)
{
    return net && l >= 1 && l <= net->L ? net->layers[l].act.f
                                        : LNN_ACT_IDENTITY;
}
lnn_optimizer lnn_net_optimizer(const lnn_net *net) { return net->optimizer; }
lnn_loss lnn_net_loss(const lnn_net *net) { return net->head.loss; }
float lnn_net_huber_delta(const lnn_net *net) { return net->head.delta; }

lnn_status lnn_net_set_class_weights(lnn_net *net, const float *w)
{
    if (!net)
        return LNN_ERR_ARG;
    const size_t n = net->dims[net->L];
    if (w && lnn_loss_target(net->head.loss) != LNN_TARGET_CLASSES)
        return lnn__fail(net, LNN_ERR_ARG,
                         "class weights: a %s head has no classes",
                         lnn_loss_name(net->head.loss));
    for (size_t c = 0; w && c < n; c++)
        if (!(w[c] > 0.0f) || !isfinite(w[c]))
            return lnn__fail(net, LNN_ERR_ARG,
                             "class weights: class %zu has weight %g; each "
                             "must be finite and > 0", c, (double)w[c]);
    float *copy = NULL;
    if (w && !(copy = malloc(n * sizeof *copy)))
        return lnn__fail(net, LNN_ERR_NOMEM, "out of memory");
    if (w)
        memcpy(copy, w, n * sizeof *copy);
    free(net->class_w);
    net->class_w = copy;
    return LNN_OK;
}

float lnn_net_lr_scale(const lnn_net *net)
{
    return net ? net->plateau.scale : NAN;
}

lnn_status lnn_net_set_dropout(lnn_net *net, const float *p)
{
    if (!net)
        return LNN_ERR_ARG;
    size_t units = 0;
    for (size_t l = 1; p && l < net->L; l++) {
        if (!(p[l - 1] >= 0.0f && p[l - 1] < 1.0f))
            return lnn__fail(net, LNN_ERR_ARG,
                             "dropout: hidden layer %zu has rate %g; each "
                             "must be in [0, 1)", l, (double)p[l - 1]);
        units += p[l - 1] > 0.0f ? net->dims[l] : 0;
    }
    float *block = NULL;
    uint8_t *K = NULL;
    if (units && (!(block = alloc_block(units * net->max_batch,
                                        sizeof(float))) ||
                  !(K = alloc_block(units * net->max_batch, 1)))) {
        free(block);
        return lnn__fail(net, LNN_ERR_NOMEM,
                         "out of memory for dropout's %zu x %zu floats",
                         units, net->max_batch);
    }
    free(net->D_block);
    free(net->K_block);
    net->D_block = block;
    net->K_block = K;
    for (size_t l = 1; l < net->L; l++) {
        lnn__layer_buf *ly = &net->layers[l];
        ly->p = p ? p[l - 1] : 0.0f;
        const size_t cells = ly->p > 0.0f ? ly->n * net->max_batch : 0;
        ly->D = ly->p > 0.0f ? block : NULL;
        ly->K = ly->p > 0.0f ? K : NULL;
        block += cells;
        K += cells;
    }
    return LNN_OK;
}

float lnn_net_dropout(const lnn_net *net, size_t l)
{
    return net && l >= 1 && l < net->L ? net->layers[l].p : 0.0f;
}

const float *lnn_net_class_weights(const lnn_net *net)
{
    return net ? net->class_w : NULL;
}
size_t lnn_net_max_batch(const lnn_net *net) { return net->max_batch; }
size_t lnn_net_n_params(const lnn_net *net) { return net->n_params; }
float *lnn_net_params(lnn_net *net) { return net->params; }
float *lnn_net_grads(lnn_net *net) { return net->grads; }
lnn_train_state lnn_net_train_state(const lnn_net *net) { return net->state; }
lnn_init lnn_net_init(const lnn_net *net) { return net->init; }
uint64_t lnn_net_init_seed(const lnn_net *net) { return net->init_seed; }

lnn_status lnn_net_set_train_state(lnn_net *net, lnn_train_state st)
{
    if (!net)
        return LNN_ERR_ARG;
    net->state = st;
    return LNN_OK;
}

lnn_status lnn_net_layer(lnn_net *net, size_t l, lnn_layer *out)
{
    if (!net || !out)
        return LNN_ERR_ARG;
    if (l < 1 || l > net->L)
        return lnn__fail(net, LNN_ERR_ARG, "layer %zu: layers are 1..%zu", l,
                         net->L);
    const lnn__layer_buf *ly = &net->layers[l];
    *out = (lnn_layer){.n = ly->n, .n_prev = ly->n_prev, .W = ly->W,
                       .b = ly->b, .dW = ly->dW, .db = ly->db, .H = ly->H,
                       .dZ = ly->dZ};
    return LNN_OK;
}

/* The scheme LNN_INIT_AUTO gives layer l: its activation's (the list's
 * init), the last hidden layer's for the output layer, the config's for a
 * network without hidden layers. */
static lnn_init auto_init(const lnn_net *net, size_t l)
{
    if (net->L == 1)
        return lnn__act_init(net->hidden);
    return lnn__act_init(net->layers[l < net->L ? l : net->L - 1].act.f);
}

lnn_init lnn_net_auto_init(const lnn_net *net)
{
    lnn_init made = auto_init(net, 1);
    for (size_t l = 2; l <= net->L; l++)
        made = auto_init(net, l) == made ? made : LNN_INIT_AUTO;
    return made;
}

lnn_status lnn_initialize_parameters(lnn_net *net, lnn_init scheme,
                                     uint64_t seed)
{
    if (!net)
        return LNN_ERR_ARG;
    if (!lnn__is_init(scheme))
        return lnn__fail(net, LNN_ERR_ARG, "unknown initialisation scheme %d",
                         (int)scheme);
    lnn_rng rng;
    lnn__rng_seed(&rng, seed, LNN_STREAM_INIT);
    for (size_t l = 1; l <= net->L; l++) {
        lnn__layer_buf *ly = &net->layers[l];
        const lnn_init s = scheme == LNN_INIT_AUTO ? auto_init(net, l)
                                                   : scheme;
        double std = LNN_EXERCISE_INIT_STD;
        if (s == LNN_INIT_HE)
            std = sqrt(2.0 / (double)ly->n_prev);
        else if (s == LNN_INIT_XAVIER)
            std = sqrt(2.0 / (double)(ly->n_prev + ly->n));
        for (size_t k = 0; k < ly->n * ly->n_prev; k++)
            ly->W[k] = (float)(std * lnn__rng_normal(&rng));
        memset(ly->b, 0, ly->n * sizeof *ly->b);
    }
    /* Fresh parameters start a fresh training run. */
    net->state = (lnn_train_state){0};
    if (net->opt_state)
        memset(net->opt_state, 0,
               lnn__opt_slots(net->optimizer) * net->n_params * sizeof(float));
    net->opt_t = 0;
    /* auto: what it gave (itself where the layers' schemes differ) */
    net->init = scheme == LNN_INIT_AUTO ? lnn_net_auto_init(net) : scheme;
    net->init_seed = seed;
    return LNN_OK;
}

int lnn__net_team(const lnn_net *net, size_t m, bool backward)
{
    /* multiply-adds per column: every W_l H_{l-1} forward; backward every
     * dW_l and dH_{l-1}, twice that less dH_0 */
    double madds = 0.0;
    for (size_t l = 1; l <= net->L; l++)
        madds += (double)net->dims[l] * (double)net->dims[l - 1];
    if (backward)
        madds = 2.0 * madds - (double)net->dims[1] * (double)net->dims[0];
    return lnn__team_size(m, madds * (double)m);
}

/* A pass over the network, for lnn__team_pass. */
typedef struct net_pass {
    lnn_net *net;
    const float *X; /* n_0 x m */
    lnn__targets T; /* the m columns' targets (backward only) */
    size_t m;
    float inv_m;    /* the gradients' 1/m (backward only; net.h) */
    lnn__mode mode;
    size_t parts;   /* a split forward's partials past the first (its team's
                       count - 1, set by rank 0 before the team meets) */
} net_pass;

/* Does a pass in this mode apply layer ly's dropout? Training passes
 * only (and not the bench's GEMMs alone). */
static bool dropping(const lnn__layer_buf *ly, lnn__mode mode)
{
    return ly->D && (mode & LNN_MODE_TRAIN) && !(mode & LNN_MODE_GEMMS);
}

/* Layer l's output for columns j0 .. j0+cols as the next layer reads it:
 * H, or with dropout the masked D (H stays for f'). */
static const float *layer_output(const net_pass *p, size_t l, size_t j0,
                                 size_t cols)
{
    const lnn_net *net = p->net;
    lnn__layer_buf *ly = &net->layers[l];
    float *H = ly->H + j0 * ly->n;
    if (!dropping(ly, p->mode))
        return H;
    float *D = ly->D + j0 * ly->n;
    lnn__dropout(D, ly->K + j0 * ly->n, H, ly->p, ly->n, cols, &net->drop_at,
                 l, net->drop_at.g0 + j0);
    return D;
}

/* The forward of layers l0 .. L for columns j0 .. j0+cols of the batch,
 * H_prev (n_{l0-1} x cols) their input. */
static void forward_layers(const net_pass *p, size_t l0, const float *H_prev,
                           size_t j0, size_t cols)
{
    const lnn_net *net = p->net;
    for (size_t l = l0; l <= net->L; l++) {
        lnn__layer_buf *ly = &net->layers[l];
        lnn__layer_forward(ly->H + j0 * ly->n,
                           ly->Z ? ly->Z + j0 * ly->n : NULL, H_prev, ly->W,
                           ly->b, ly->act, ly->n, ly->n_prev, cols, p->mode);
        H_prev = layer_output(p, l, j0, cols);
    }
}

static void forward_columns(void *ctx, size_t j0, size_t cols)
{
    const net_pass *p = ctx;
    forward_layers(p, 1, p->X + j0 * p->net->dims[0], j0, cols);
}

/* The split forward (lnn__net_forward): where rank r of the team puts its
 * partial product W_1[:, share] . X[share, :] (n_1 x m): rank 0 in the
 * layer's own Z_1 (H_1 where Z_1 is not kept), the others in P_block. */
static float *layer1_partial(const net_pass *p, size_t rank)
{
    const lnn__layer_buf *ly = &p->net->layers[1];
    if (rank > 0)
        return p->net->P_block + (rank - 1) * ly->n * p->m;
    return ly->Z ? ly->Z : ly->H; /* a training pass's (split_layer1) */
}

/* The split forward's first stage: this member's share of W_1's columns
 * (the cut of dW_1 and of the update: lnn__share of n_0) times the same
 * rows of X, over every column of the batch. */
static void layer1_share(void *ctx, size_t rank, size_t count)
{
    net_pass *p = ctx;
    const lnn__layer_buf *ly = &p->net->layers[1];
    if (rank == 0)
        p->parts = count - 1;
    size_t lo, hi;
    float *P = layer1_partial(p, rank);
    if (lnn__share(ly->n_prev, rank, count, &lo, &hi))
        lnn__gemm(false, false, ly->n, p->m, hi - lo, 1.0f,
                  ly->W + lo * ly->n, ly->n, p->X + lo, ly->n_prev, 0.0f, P,
                  ly->n);
    else /* an empty share (more members than inputs) adds nothing */
        memset(P, 0, ly->n * p->m * sizeof *P);
}

/* The split forward's columns j0 .. j0+cols: Z_1 = the sum of the
 * partials, in rank order, then H_1 = f(Z_1 + b_1) and layers 2 .. L as
 * in forward_columns. */
static void split_columns(void *ctx, size_t j0, size_t cols)
{
    const net_pass *p = ctx;
    lnn__layer_buf *ly = &p->net->layers[1];
    const size_t n = ly->n, count = n * cols;
    float *restrict Z = layer1_partial(p, 0) + j0 * n;
    if (!(p->mode & LNN_MODE_GEMMS)) {
        for (size_t r = 1; r <= p->parts; r++) {
            const float *restrict P = layer1_partial(p, r) + j0 * n;
            for (size_t k = 0; k < count; k++)
                Z[k] += P[k];
        }
        lnn__act_forward(ly->H + j0 * n, ly->Z ? Z : NULL, Z, ly->b, ly->act,
                         n, cols);
    }
    forward_layers(p, 2, layer_output(p, 1, j0, cols), j0, cols);
}

/* Does a pass in this mode with a team of T split layer 1 by the columns
 * of W_1? A training pass where the net keeps the partials (alloc_split):
 * each member then reads and (in the update) writes only its own share of
 * W_1 instead of all of it, half of it just written by another core. */
static bool split_layer1(const lnn_net *net, int T, lnn__mode mode)
{
    return (mode & LNN_MODE_TRAIN) && T > 1 && (size_t)T - 1 <= net->P_parts;
}

void lnn__net_forward(lnn_net *net, const float *X, size_t m, lnn__mode mode)
{
    net_pass p = {.net = net, .X = X, .m = m, .mode = mode};
    const int T = lnn__net_team(net, m, false);
    if (split_layer1(net, T, mode))
        lnn__team_pass_first(T, m, layer1_share, split_columns, &p);
    else
        lnn__team_pass(T, m, forward_columns, NULL, &p);
    net->m_fwd = mode & LNN_MODE_TRAIN ? m : 0; /* what a backward may use */
}

/* The backward's column-wise part for columns j0 .. j0+cols: dZ_L from the
 * head (its output activation's Jacobian folded in, so the output layer's
 * own backward is the identity), then for l = L..1 dZ_l from dH_l, and
 * dH_{l-1} = W_l^T dZ_l. */
static void delta_columns(void *ctx, size_t j0, size_t cols)
{
    const net_pass *p = ctx;
    const lnn_net *net = p->net;
    lnn__layer_buf *out = &net->layers[net->L];
    if (!(p->mode & LNN_MODE_GEMMS))
        lnn__head_delta(&net->head, out->dZ + j0 * out->n,
                        out->H + j0 * out->n,
                        lnn__targets_at(p->T, out->n, j0), out->n, cols);
    for (size_t l = net->L; l >= 1; l--) {
        lnn__layer_buf *ly = &net->layers[l];
        /* dH_{l-1} lands in layer l-1's dZ buffer, which its own delta
         * then turns into dZ_{l-1} in place. No gradient for X (l = 1). */
        float *dH_prev = l > 1 ? net->layers[l - 1].dZ + j0 * ly->n_prev
                               : NULL;
        float *dZ = ly->dZ + j0 * ly->n;
        const lnn__act act =
            l == net->L ? lnn__act_of(LNN_ACT_IDENTITY, 0.0f) : ly->act;
        if (dropping(ly, p->mode)) /* dH = dD (.) the mask / (1 - p) */
            lnn__dropout_back(dZ, ly->K + j0 * ly->n, ly->p, ly->n, cols);
        lnn__layer_delta(dH_prev, dZ, dZ, ly->H + j0 * ly->n,
                         ly->Z ? ly->Z + j0 * ly->n : NULL, ly->W, act,
                         ly->n, ly->n_prev, cols, p->mode);
    }
}

/* The backward's sums over the batch: this member's share of every dW_l
 * and db_l (and of the norm's pieces, for clipping, while in its cache). */
static void grads_share(void *ctx, size_t rank, size_t count)
{
    const net_pass *p = ctx;
    lnn_net *net = p->net;
    for (size_t l = 1; l <= net->L; l++) {
        lnn__layer_buf *ly = &net->layers[l];
        const lnn__layer_buf *prev = &net->layers[l - 1];
        const float *H_prev = l == 1                     ? p->X
                              : dropping(prev, p->mode) ? prev->D
                                                        : prev->H;
        lnn__layer_grads(ly->dW, ly->db, ly->dZ, H_prev, ly->n, ly->n_prev,
                         p->m, p->inv_m,
                         lnn__dW_by_columns(ly->n, ly->n_prev, l == 1), rank,
                         count, p->mode);
        if (p->mode & LNN_MODE_CLIP_SUMS)
            lnn__clip_sums(net, l, rank, count);
    }
}

void lnn__net_backward_share(lnn_net *net, const float *X, lnn__targets T,
                             size_t m, size_t m_all, lnn__mode mode)
{
    net_pass p = {.net = net, .X = X, .T = T, .m = m,
                  .inv_m = 1.0f / (float)m_all, .mode = mode};
    lnn__team_pass(lnn__net_team(net, m, true), m, delta_columns, grads_share,
                   &p);
}

void lnn__net_backward(lnn_net *net, const float *X, lnn__targets T,
                       size_t m, lnn__mode mode)
{
    lnn__net_backward_share(net, X, T, m, m, mode);
}

static lnn_status check_batch(lnn_net *net, size_t m)
{
    if (m == 0 || m > net->max_batch)
        return lnn__fail(net, LNN_ERR_SHAPE,
                         "batch of %zu columns: must be 1..%zu (max_batch)",
                         m, net->max_batch);
    return LNN_OK;
}

lnn_status lnn_L_layer_forward(lnn_net *net, const float *X, size_t m,
                               const float **HL)
{
    if (!net)
        return LNN_ERR_ARG;
    if (!X)
        return lnn__fail(net, LNN_ERR_ARG, "forward: X is NULL");
    lnn_status s = check_batch(net, m);
    if (s != LNN_OK)
        return s;
    const int scope = lnn__blas_scope_begin();
    lnn__net_forward(net, X, m, LNN_MODE_TRAIN);
    lnn__blas_scope_end(scope);
    if (HL)
        *HL = net->layers[net->L].H;
    return LNN_OK;
}

lnn_status lnn_L_layer_backward(lnn_net *net, const float *X, const float *Y,
                                size_t m)
{
    if (!net)
        return LNN_ERR_ARG;
    if (!X || !Y)
        return lnn__fail(net, LNN_ERR_ARG, "backward: X or Y is NULL");
    if (net->m_fwd == 0)
        return lnn__fail(net, LNN_ERR_ARG,
                         "backward without a training forward before it");
    if (m != net->m_fwd)
        return lnn__fail(net, LNN_ERR_SHAPE,
                         "backward of %zu columns after a forward of %zu", m,
                         net->m_fwd);
    const int scope = lnn__blas_scope_begin();
    lnn__net_backward(net, X, (lnn__targets){.Y = Y}, m, LNN_MODE_TRAIN);
    lnn__blas_scope_end(scope);
    return LNN_OK;
}
