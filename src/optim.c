/* optim.c: parameter updates over the flat parameter block (the exercise's
 * gradient descent, momentum, Nesterov, AdamW), weight decay, and the
 * learning-rate schedules.
 *
 * All optimizer state lives in the network: opt_state (the velocity v, or
 * Adam's first and second moments) and opt_t (steps taken). The schedule is
 * a pure function of the options and the iteration. So a network whose
 * parameters, opt_state, opt_t and training position are restored continues
 * bit for bit. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include "net.h"
#include "threads.h"
#include "util.h"


bool lnn__lr_ok(float lr)
{
    return isfinite(lr) && lr > 0.0f;
}

/* ------------------------------------------------------------------------ */
/* Validation                                                               */
/* ------------------------------------------------------------------------ */

/* A float option and the interval it must lie in (finite in any case). */
typedef struct bound {
    const char *name;
    float value;
    float lo, hi;
    bool lo_closed, hi_closed; /* [lo or (lo; hi] or hi) */
    bool used;                 /* checked only if the configuration uses it */
} bound;

/* The first used option outside its interval: its message goes to msg
 * (which may be NULL) and LNN_ERR_ARG is returned. */
static lnn_status check_bounds(const bound *bounds, size_t n, char *msg,
                               size_t len)
{
    for (size_t i = 0; i < n; i++) {
        const bound *b = &bounds[i];
        const float x = b->value;
        const bool ok = isfinite(x) &&
                        (b->lo_closed ? x >= b->lo : x > b->lo) &&
                        (b->hi_closed ? x <= b->hi : x < b->hi);
        if (b->used && !ok) {
            if (msg)
                snprintf(msg, len, "%s %g: must be finite and in %c%g, %g%c",
                         b->name, (double)x, b->lo_closed ? '[' : '(',
                         (double)b->lo, (double)b->hi,
                         b->hi_closed ? ']' : ')');
            return LNN_ERR_ARG;
        }
    }
    return LNN_OK;
}

/* The hyper-parameters the optimizer `opt` uses. Options of the other
 * optimizers are not looked at, so an options struct zeroed by the caller
 * works for plain SGD. */
static lnn_status check_optim(const lnn_train_opts *o, lnn_optimizer opt,
                              char *msg, size_t len)
{
    const bool heavy_ball = lnn__opt_uses(opt) & LNN_USES_MOMENTUM;
    const bool adam = lnn__opt_uses(opt) & LNN_USES_ADAM;
    const bound bounds[] = {
        {"momentum", o->momentum, 0.0f, 1.0f, true, false, heavy_ball},
        {"beta1", o->beta1, 0.0f, 1.0f, true, false, adam},
        {"beta2", o->beta2, 0.0f, 1.0f, true, false, adam},
        {"eps", o->eps, 0.0f, INFINITY, false, false, adam},
        {"weight_decay", o->weight_decay, 0.0f, INFINITY, true, false, true},
    };
    return check_bounds(bounds, sizeof bounds / sizeof *bounds, msg, len);
}

/* The schedule kind and the parameters it uses. */
static lnn_status check_schedule(const lnn_train_opts *o, char *msg,
                                 size_t len)
{
    const lnn_lr_schedule kind = o->lr_schedule;
    if (!lnn__is_schedule(kind)) {
        if (msg)
            snprintf(msg, len, "unknown learning-rate schedule %d",
                     (int)kind);
        return LNN_ERR_ARG;
    }
    if (kind == LNN_LR_STEP && o->lr_step_epochs == 0) {
        if (msg)
            snprintf(msg, len, "lr_step_epochs is 0: step decay needs at "
                     "least 1 epoch between steps");
        return LNN_ERR_ARG;
    }
    if (kind == LNN_LR_PLATEAU && o->lr_patience == 0) {
        if (msg)
            snprintf(msg, len, "lr_patience is 0: the plateau schedule "
                     "needs at least 1 report without improvement");
        return LNN_ERR_ARG;
    }
    const bound bounds[] = {
        {"lr_gamma", o->lr_gamma, 0.0f, 1.0f, false, true,
         kind == LNN_LR_STEP || kind == LNN_LR_PLATEAU},
        {"lr_min_frac", o->lr_min_frac, 0.0f, 1.0f, true, true,
         kind == LNN_LR_COSINE || kind == LNN_LR_PLATEAU},
    };
    return check_bounds(bounds, sizeof bounds / sizeof *bounds, msg, len);
}

lnn_status lnn__check_hyper(const lnn_train_opts *opts, lnn_optimizer opt,
                            char *msg, size_t len)
{
    lnn_status s = check_optim(opts, opt, msg, len);
    return s != LNN_OK ? s : check_schedule(opts, msg, len);
}

static lnn_status check_lr(lnn_net *net, float lr)
{
    if (!lnn__lr_ok(lr))
        return lnn__fail(net, LNN_ERR_ARG,
                         "learning rate %g: must be finite and > 0",
                         (double)lr);
    return LNN_OK;
}

/* ------------------------------------------------------------------------ */
/* Learning-rate schedules                                                  */
/* ------------------------------------------------------------------------ */

float lnn__lr_at(const lnn_train_opts *o, uint64_t t, uint64_t steps_per_epoch,
                 uint64_t total)
{
    const uint64_t warmup = o->lr_warmup;
    double f = 1.0; /* the schedule's factor on learning_rate */
    switch (o->lr_schedule) {
    case LNN_LR_CONSTANT:
        break;
    case LNN_LR_STEP: {
        const uint64_t epoch = t / steps_per_epoch;
        f = pow((double)o->lr_gamma, (double)(epoch / o->lr_step_epochs));
        break;
    }
    case LNN_LR_COSINE: {
        /* Progress p runs from 0 at the end of the warm-up to 1 at `total`
         * steps; the last step of a run (t = total - 1) is just above the
         * minimum, so no step is spent at a rate of 0. */
        double p = 1.0;
        if (t < warmup)
            p = 0.0;
        else if (total > warmup)
            p = fmin(1.0, (double)(t - warmup) / (double)(total - warmup));
        const double min = (double)o->lr_min_frac;
        f = min + (1.0 - min) * 0.5 * (1.0 + cos(LNN_PI * p));
        break;
    }
    case LNN_LR_PLATEAU: /* the network's scale: lnn__lr_now */
        break;
    }
    /* Linear warm-up, (t + 1) / warmup: the first step already moves (a
     * rate of exactly 0 would waste it), step warmup - 1 is at full rate. */
    if (t < warmup)
        f *= (double)(t + 1) / (double)warmup;
    return (float)((double)o->learning_rate * f);
}

float lnn__lr_now(const lnn_net *net, const lnn_train_opts *opts, uint64_t t,
                  uint64_t steps_per_epoch, uint64_t total)
{
    const float lr = lnn__lr_at(opts, t, steps_per_epoch, total);
    return opts->lr_schedule == LNN_LR_PLATEAU ? lr * net->plateau.scale
                                               : lr;
}

void lnn__plateau_judge(lnn_net *net, const lnn_train_opts *opts, double v,
                        bool higher)
{
    lnn__plateau *p = &net->plateau;
    if (opts->lr_schedule != LNN_LR_PLATEAU)
        return;
    const double d = opts->min_delta;
    const bool better = !p->has_best ? !isnan(v)
                        : higher     ? v > p->best + d
                                     : v < p->best - d;
    if (better) {
        *p = (lnn__plateau){.scale = p->scale, .has_best = true, .best = v};
        return;
    }
    if (++p->stale < opts->lr_patience)
        return;
    /* a decay, never below lr_min_frac, and never to 0 (an underflow) */
    float next = p->scale * opts->lr_gamma;
    if (next < opts->lr_min_frac)
        next = opts->lr_min_frac;
    if (next > 0.0f)
        p->scale = next;
    p->stale = 0;
}

lnn_status lnn_lr_at(const lnn_train_opts *opts, uint64_t iteration,
                     uint64_t steps_per_epoch, uint64_t total, float *lr)
{
    if (!opts || !lr || steps_per_epoch == 0 || total == 0 ||
        !lnn__lr_ok(opts->learning_rate) ||
        check_schedule(opts, NULL, 0) != LNN_OK)
        return LNN_ERR_ARG;
    *lr = lnn__lr_at(opts, iteration, steps_per_epoch, total);
    return LNN_OK;
}

/* ------------------------------------------------------------------------ */
/* Update rules: one OpenMP loop each over a run of n parameters            */
/* ------------------------------------------------------------------------ */
/* W stands for any parameter (weights or biases), G for its gradient. Weight
 * decay wd: for SGD, momentum and Nesterov it is L2 regularisation, the
 * gradient wd W of (wd / 2) |W|^2 added to G before the rule (so it also
 * feeds the velocity); for Adam it is decoupled (AdamW, below). */

/* One run of n parameters of the flat block, and what an update rule may
 * read. Each rule is a kernel <name>_run taking this (named after its row
 * in LNN_OPTIMIZER_LIST, which dispatches to it). */
#define OPT_MAX_SLOTS 2
#define SLOTS_FIT(E, value, name, slots, ...)                                 \
    _Static_assert(slots <= OPT_MAX_SLOTS, #name ": too many state slots");
LNN_OPTIMIZER_LIST(SLOTS_FIT)
#undef SLOTS_FIT

typedef struct update {
    float *W;          /* n parameters */
    const float *G;    /* their gradients */
    float *state[OPT_MAX_SLOTS]; /* the rule's slots of state for them */
    size_t n;
    float lr, wd;      /* this update's rate; weight decay (0 for biases) */
    float gs;          /* the factor on G (clipping's; 1) */
    float mu;          /* momentum */
    float beta1, beta2, eps;
    float inv_bc1, inv_bc2; /* Adam's 1 / (1 - beta^t): bias corrections */
} update;

/* W -= lr (G + wd W), G here and below already times the factor gs */
LNN_VECTOR_CLONES
static void sgd_run(const update *u)
{
    float *restrict W = u->W;
    const float *restrict G = u->G;
    const size_t n = u->n;
    const float lr = u->lr, wd = u->wd, gs = u->gs;
    LNN_OMP(omp simd)
    for (size_t k = 0; k < n; k++)
        W[k] = lnn__flush(W[k] - lr * (G[k] * gs + wd * W[k]));
}

/* Heavy-ball momentum, with g = G + wd W:
 *   momentum:  v = mu v + g; W -= lr v
 *   nesterov:  v = mu v + g; W -= lr (g + mu v)
 * Nesterov's is the form that needs no look-ahead gradient (Sutskever et
 * al.; PyTorch's nesterov=True): the look-ahead update (gradient taken at
 * W - lr mu v) rewritten in terms of the look-ahead point itself, so one
 * gradient per step suffices. One kernel for both: the test of nesterov
 * is a select in the vector loop. */
LNN_VECTOR_CLONES
static void heavy_ball(const update *u, bool nesterov)
{
    float *restrict W = u->W, *restrict v = u->state[0];
    const float *restrict G = u->G;
    const size_t n = u->n;
    const float lr = u->lr, wd = u->wd, mu = u->mu, gs = u->gs;
    LNN_OMP(omp simd)
    for (size_t k = 0; k < n; k++) {
        const float g = G[k] * gs + wd * W[k];
        v[k] = lnn__flush(mu * v[k] + g);
        W[k] = lnn__flush(W[k] - lr * (nesterov ? g + mu * v[k] : v[k]));
    }
}

static void momentum_run(const update *u)
{
    heavy_ball(u, false);
}

static void nesterov_run(const update *u)
{
    heavy_ball(u, true);
}

/* AdamW (Loshchilov & Hutter). mom1 and mom2 are Adam's first and second
 * moment estimates (the paper's m and v; m is our batch size):
 *   mom1 = beta1 mom1 + (1 - beta1) G        mom2 = beta2 mom2 + (1 - beta2) G^2
 * Both start at 0, so early on they are biased towards 0 by a factor
 * 1 - beta^t; dividing by it gives unbiased estimates mom1_hat, mom2_hat:
 *   W -= lr (mom1_hat / (sqrt(mom2_hat) + eps) + wd W)
 * The decay is decoupled: applied to W directly, not added to G, where
 * Adam's normalisation would shrink it for weights with large gradients. */
LNN_VECTOR_CLONES
static void adam_run(const update *u)
{
    float *restrict W = u->W, *restrict mom1 = u->state[0],
          *restrict mom2 = u->state[1];
    const float *restrict G = u->G;
    const size_t n = u->n;
    const float lr = u->lr, wd = u->wd, gs = u->gs;
    const float b1 = u->beta1, b2 = u->beta2, eps = u->eps;
    const float inv_bc1 = u->inv_bc1, inv_bc2 = u->inv_bc2;
    LNN_OMP(omp simd)
    for (size_t k = 0; k < n; k++) {
        const float g = G[k] * gs;
        mom1[k] = lnn__flush(b1 * mom1[k] + (1.0f - b1) * g);
        mom2[k] = lnn__flush(b2 * mom2[k] + (1.0f - b2) * g * g);
        const float mom1_hat = mom1[k] * inv_bc1;
        const float mom2_hat = mom2[k] * inv_bc2;
        W[k] = lnn__flush(W[k] - lr * (mom1_hat / (sqrtf(mom2_hat) + eps) +
                                       wd * W[k]));
    }
}

/* Update parameters [k0, k0 + n) of the flat block, with weight decay wd,
 * by the network's optimizer: the kernel its list row names. */
static void update_run(lnn_net *net, lnn_optimizer opt, update u, size_t k0,
                       size_t n, float wd)
{
    u.W = net->params + k0;
    u.G = net->grads + k0;
    for (size_t slot = 0; slot < lnn__opt_slots(opt); slot++)
        u.state[slot] = net->opt_state + slot * net->n_params + k0;
    u.n = n;
    u.wd = wd;
#define RUN_CASE(E, value, name, ...) case E: name##_run(&u); break;
    switch (opt) {
        LNN_OPTIMIZER_LIST(RUN_CASE)
    }
#undef RUN_CASE
}

void lnn__optim_begin(lnn_net *net, const lnn_train_opts *opts, float lr,
                      lnn__step *step)
{
    net->opt_t++;
    *step = (lnn__step){.opt = net->optimizer, .lr = lr,
                        .mu = opts->momentum, .wd = opts->weight_decay,
                        .gscale = 1.0f};
    if (lnn__opt_uses(net->optimizer) & LNN_USES_ADAM) {
        const double t = (double)net->opt_t;
        step->beta1 = opts->beta1;
        step->beta2 = opts->beta2;
        step->eps = opts->eps;
        step->inv_bc1 = (float)(1.0 / (1.0 - pow((double)opts->beta1, t)));
        step->inv_bc2 = (float)(1.0 / (1.0 - pow((double)opts->beta2, t)));
    }
}

/* Update parameters [k0, k0 + n) of the flat block from their gradients
 * and state by the step's rule, with weight decay if they are weights
 * (biases never decay). */
static void optim_run(lnn_net *net, const lnn__step *step, size_t k0,
                      size_t n, bool weights)
{
    const update u = {.lr = step->lr, .mu = step->mu, .beta1 = step->beta1,
                      .beta2 = step->beta2, .eps = step->eps,
                      .inv_bc1 = step->inv_bc1, .inv_bc2 = step->inv_bc2,
                      .gs = step->gscale};
    /* Weights decay, biases do not (decaying a bias pulls a unit's offset
     * towards 0 and does not limit the function's complexity). */
    update_run(net, step->opt, u, k0, n, weights ? step->wd : 0.0f);
}

/* An update, for lnn__team_ranks. */
typedef struct update_pass {
    lnn_net *net;
    const lnn__step *step;
} update_pass;

/* Member rank of count's share of the update: the parameters whose
 * gradients it computed in the backward (lnn__layer_grads' cut: a share of
 * dW_l's columns, or of its rows in every column; of db_l's rows), so it
 * reads its own dW_l and, as layer 1's split forward reads, writes its own
 * share of W_1. */
static void update_share(void *ctx, size_t rank, size_t count)
{
    const update_pass *u = ctx;
    lnn_net *net = u->net;
    const lnn__step *step = u->step;
    for (size_t l = 1; l <= net->L; l++) {
        const lnn__layer_buf *ly = &net->layers[l];
        const size_t n = ly->n, n_prev = ly->n_prev;
        const size_t kW = (size_t)(ly->W - net->params), kb = kW + n * n_prev;
        size_t lo, hi;
        if (lnn__dW_by_columns(n, n_prev, l == 1)) {
            if (lnn__share(n_prev, rank, count, &lo, &hi))
                optim_run(net, step, kW + lo * n, (hi - lo) * n, true);
        } else if (lnn__share(n, rank, count, &lo, &hi)) {
            /* rows lo .. hi of every column: one run if that is all */
            const size_t runs = hi - lo == n ? 1 : n_prev,
                         len = hi - lo == n ? n * n_prev : hi - lo;
            for (size_t c = 0; c < runs; c++)
                optim_run(net, step, kW + c * n + lo, len, true);
        }
        if (lnn__share(n, rank, count, &lo, &hi))
            optim_run(net, step, kb + lo, hi - lo, false);
    }
}

void lnn__optim_all(lnn_net *net, const lnn__step *step)
{
    update_pass u = {.net = net, .step = step};
    lnn__team_ranks(lnn__par(net->n_params) ? lnn_omp_threads() : 1,
                    update_share, &u);
}

void lnn__optim_step(lnn_net *net, const lnn_train_opts *opts, float lr)
{
    lnn__step step;
    lnn__optim_begin(net, opts, lr, &step);
    lnn__optim_all(net, &step);
}

lnn_status lnn_optim_step(lnn_net *net, const lnn_train_opts *opts, float lr)
{
    if (!net)
        return LNN_ERR_ARG;
    if (!opts)
        return lnn__fail(net, LNN_ERR_ARG, "optimizer options are NULL");
    lnn_status s = check_lr(net, lr);
    if (s == LNN_OK)
        s = check_optim(opts, net->optimizer, net->errmsg,
                        sizeof net->errmsg);
    if (s != LNN_OK)
        return s;
    lnn__optim_step(net, opts, lr);
    return LNN_OK;
}

lnn_status lnn_update_parameters(lnn_net *net, float learning_rate)
{
    if (!net)
        return LNN_ERR_ARG;
    lnn_status s = check_lr(net, learning_rate);
    if (s != LNN_OK)
        return s;
    /* The exercise's W -= lr dW, b -= lr db, whatever the net's optimizer
     * (its state untouched), by the update's team and cut. */
    const lnn__step step = {.opt = LNN_OPT_SGD, .lr = learning_rate,
                            .gscale = 1.0f};
    lnn__optim_all(net, &step);
    return LNN_OK;
}
