/* Optimizers and learning-rate schedules: each update rule against steps
 * worked out by hand (Adam's bias correction at steps 1 and 2, weight decay
 * on weights but not biases), the schedules at chosen steps, the rate the
 * trainer reports, bit-exact resumption with optimizer state (in the same
 * network, and in a fresh one given only the fields a model file keeps),
 * training the synthetic problems to 95 %, and every error path. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lnn_exercise.h"
#include "net.h" /* opt_state and opt_t: what a model file saves */
#include "problems.h"
#include "threads.h" /* LNN_PAR_MIN */

#define TOL_STEP 1e-6 /* float rounding over two updates of values ~1 */
#define TOL_LR 1e-7   /* rates <= 0.1 */

/* ------------------------------------------------------------------------ */
/* Update rules by hand                                                     */
/* ------------------------------------------------------------------------ */

/* A 2-1 layer: the flat block is W = (1, -2), b = 0.5. Two updates at lr 0.1,
 * with gradients g1 = (0.5, -1, 0.25), then g2 = (0.1, 0.2, -0.25);
 * momentum 0.9, Adam's betas 0.9, 0.999. Worked for component 0 (a weight,
 * W = 1), with weight decay 0.1 where it says so:
 *  sgd:         1 - 0.1 0.5 = 0.95;  with decay 1 - 0.1 (0.5 + 0.1) = 0.94
 *  momentum:    v = 0.5, W = 0.95;  v = 0.45 + 0.1 = 0.55, W = 0.895
 *   with decay: g = 0.6, v = 0.6, W = 0.94;
 *               g = 0.1 + 0.094, v = 0.54 + 0.194 = 0.734, W = 0.8666
 *  nesterov:    v = 0.5, W = 1 - 0.1 (0.5 + 0.45) = 0.905;
 *               v = 0.55, W = 0.905 - 0.1 (0.1 + 0.495) = 0.8455
 *   with decay: g = 0.6, v = 0.6, W = 1 - 0.1 (0.6 + 0.54) = 0.886;
 *               g = 0.1886, v = 0.7286, W = 0.886 - 0.1 0.84434 = 0.801566
 *  adam step 1: mom1 = 0.05, mom2 = 0.00025; corrected by 1 - 0.9 = 0.1 and
 *               1 - 0.999 = 0.001 they are g and g^2, so the step is
 *               lr sign(g): W = 0.9 (uncorrected it would be 0.1 x 3.16)
 *  adam step 2: mom1 = 0.045 + 0.01 = 0.055, / (1 - 0.81) = 0.289474;
 *               mom2 = 0.00024975 + 0.00001 = 0.00025975, / 0.001999 =
 *               0.129940, sqrt 0.360472; W = 0.9 - 0.1 0.803042 = 0.819696
 *   with decay (decoupled): 1 - 0.1 (1 + 0.1 1) = 0.89, then
 *               0.89 - 0.1 (0.803042 + 0.1 0.89) = 0.800796
 * The bias (component 2) never decays. */
typedef struct rule_case {
    lnn_optimizer opt;
    float weight_decay;
    float after1[3], after2[3];
} rule_case;

static const rule_case rule_cases[] = {
    {LNN_OPT_SGD, 0.0f, {0.95f, -1.9f, 0.475f}, {0.94f, -1.92f, 0.5f}},
    {LNN_OPT_SGD, 0.1f, {0.94f, -1.88f, 0.475f}, {0.9206f, -1.8812f, 0.5f}},
    {LNN_OPT_MOMENTUM, 0.0f, {0.95f, -1.9f, 0.475f},
     {0.895f, -1.83f, 0.4775f}},
    {LNN_OPT_MOMENTUM, 0.1f, {0.94f, -1.88f, 0.475f},
     {0.8666f, -1.7732f, 0.4775f}},
    {LNN_OPT_NESTEROV, 0.0f, {0.905f, -1.81f, 0.4525f},
     {0.8455f, -1.767f, 0.47975f}},
    {LNN_OPT_NESTEROV, 0.1f, {0.886f, -1.772f, 0.4525f},
     {0.801566f, -1.679132f, 0.47975f}},
    {LNN_OPT_ADAM, 0.0f, {0.9f, -1.9f, 0.4f},
     {0.8196959f, -1.8488974f, 0.4052632f}},
    {LNN_OPT_ADAM, 0.1f, {0.89f, -1.88f, 0.4f},
     {0.8007959f, -1.8100974f, 0.4052632f}},
};

static void rules(void)
{
    const size_t dims[] = {2, 1};
    const float W0[3] = {1.0f, -2.0f, 0.5f};
    const float g1[3] = {0.5f, -1.0f, 0.25f}, g2[3] = {0.1f, 0.2f, -0.25f};
    for (size_t c = 0; c < sizeof rule_cases / sizeof *rule_cases; c++) {
        const rule_case *rc = &rule_cases[c];
        lnn_net *net = make_net(dims, 1, LNN_ACT_RELU, rc->opt, 1, 1);
        if (!net)
            continue;
        CHECK(lnn_net_n_params(net) == 3);
        float *W = lnn_net_params(net), *G = lnn_net_grads(net);
        memcpy(W, W0, sizeof W0);
        lnn_train_opts o = lnn_train_opts_default();
        o.weight_decay = rc->weight_decay;
        printf("%s, weight decay %g\n", lnn_optimizer_name(rc->opt),
               (double)rc->weight_decay);
        memcpy(G, g1, sizeof g1);
        CHECK_STATUS(lnn_optim_step(net, &o, 0.1f), LNN_OK);
        for (size_t k = 0; k < 3; k++)
            CHECK_NEAR(W[k], rc->after1[k], TOL_STEP);
        memcpy(G, g2, sizeof g2);
        CHECK_STATUS(lnn_optim_step(net, &o, 0.1f), LNN_OK);
        for (size_t k = 0; k < 3; k++)
            CHECK_NEAR(W[k], rc->after2[k], TOL_STEP);
        CHECK(net->opt_t == 2);
        lnn_net_destroy(net);
    }
}

/* Weight decay reaches every layer's W and no b. With zero gradients, W = 1,
 * lr 0.5 and decay 0.2: sgd, momentum (v = 0.2) and decoupled Adam (its
 * gradient step is 0 / (0 + eps) = 0) give W = 1 - 0.5 0.2 = 0.9; nesterov
 * steps by g + mu v = 0.2 + 0.18: W = 0.81. Biases stay 1. */
static void decay_layout(void)
{
    const size_t dims[] = {2, 2, 1};
    const lnn_optimizer opts[] = {LNN_OPT_SGD, LNN_OPT_MOMENTUM,
                                  LNN_OPT_NESTEROV, LNN_OPT_ADAM};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++) {
        lnn_net *net = make_net(dims, 2, LNN_ACT_RELU, opts[i], 1, 1);
        if (!net)
            continue;
        float *theta = lnn_net_params(net);
        for (size_t k = 0; k < lnn_net_n_params(net); k++)
            theta[k] = 1.0f;
        lnn_train_opts o = lnn_train_opts_default();
        o.weight_decay = 0.2f;
        CHECK_STATUS(lnn_optim_step(net, &o, 0.5f), LNN_OK);
        const float want_W = opts[i] == LNN_OPT_NESTEROV ? 0.81f : 0.9f;
        for (size_t l = 1; l <= 2; l++) {
            lnn_layer ly;
            CHECK_STATUS(lnn_net_layer(net, l, &ly), LNN_OK);
            for (size_t k = 0; k < ly.n * ly.n_prev; k++)
                CHECK_NEAR(ly.W[k], want_W, TOL_STEP);
            for (size_t k = 0; k < ly.n; k++)
                CHECK(ly.b[k] == 1.0f);
        }
        lnn_net_destroy(net);
    }
}

/* lnn_update_parameters stays the exercise's W -= lr dW on any network and
 * leaves the optimizer's state alone. */
static void exercise_update(void)
{
    const size_t dims[] = {2, 1};
    lnn_net *net = make_net(dims, 1, LNN_ACT_RELU, LNN_OPT_ADAM, 1, 1);
    if (!net)
        return;
    float *W = lnn_net_params(net), *G = lnn_net_grads(net);
    const float W0[3] = {1.0f, -2.0f, 0.5f}, g[3] = {0.5f, -1.0f, 0.25f};
    memcpy(W, W0, sizeof W0);
    memcpy(G, g, sizeof g);
    CHECK_STATUS(lnn_update_parameters(net, 0.1f), LNN_OK);
    CHECK_NEAR(W[0], 0.95, TOL_STEP);
    CHECK_NEAR(W[1], -1.9, TOL_STEP);
    CHECK_NEAR(W[2], 0.475, TOL_STEP);
    CHECK(net->opt_t == 0);
    for (size_t k = 0; k < 2 * 3; k++)
        CHECK(net->opt_state[k] == 0.0f);
    lnn_net_destroy(net);
}

/* ------------------------------------------------------------------------ */
/* Schedules                                                                */
/* ------------------------------------------------------------------------ */

static float lr_at(const lnn_train_opts *o, uint64_t t, uint64_t steps,
                   uint64_t total)
{
    float lr = NAN;
    CHECK_STATUS(lnn_lr_at(o, t, steps, total, &lr), LNN_OK);
    return lr;
}

static void schedules(void)
{
    lnn_train_opts o = lnn_train_opts_default();
    o.learning_rate = 0.1f;

    /* the default: constant, no warm-up */
    CHECK(lr_at(&o, 0, 10, 100) == 0.1f);
    CHECK(lr_at(&o, 1000000, 10, 100) == 0.1f);

    /* linear warm-up over 4 steps: (t + 1) / 4 */
    o.lr_warmup = 4;
    CHECK_NEAR(lr_at(&o, 0, 10, 100), 0.025, TOL_LR);
    CHECK_NEAR(lr_at(&o, 1, 10, 100), 0.05, TOL_LR);
    CHECK_NEAR(lr_at(&o, 2, 10, 100), 0.075, TOL_LR);
    CHECK(lr_at(&o, 3, 10, 100) == 0.1f);
    CHECK(lr_at(&o, 4, 10, 100) == 0.1f);

    /* step decay: x 0.5 every 2 epochs of 10 steps */
    o.lr_warmup = 0;
    o.lr_schedule = LNN_LR_STEP;
    o.lr_step_epochs = 2;
    o.lr_gamma = 0.5f;
    CHECK(lr_at(&o, 0, 10, 100) == 0.1f);
    CHECK(lr_at(&o, 19, 10, 100) == 0.1f);          /* last step of epoch 1 */
    CHECK_NEAR(lr_at(&o, 20, 10, 100), 0.05, TOL_LR); /* epoch 2 */
    CHECK_NEAR(lr_at(&o, 39, 10, 100), 0.05, TOL_LR);
    CHECK_NEAR(lr_at(&o, 40, 10, 100), 0.025, TOL_LR);
    CHECK_NEAR(lr_at(&o, 65, 10, 100), 0.0125, TOL_LR);
    /* with a warm-up of 5 on top */
    o.lr_warmup = 5;
    CHECK_NEAR(lr_at(&o, 0, 10, 100), 0.02, TOL_LR);
    CHECK(lr_at(&o, 4, 10, 100) == 0.1f);
    CHECK_NEAR(lr_at(&o, 20, 10, 100), 0.05, TOL_LR);

    /* cosine over 100 steps down to 0.1 of the rate:
     * 0.1 (0.1 + 0.9 (1 + cos(pi p)) / 2) */
    o.lr_warmup = 0;
    o.lr_schedule = LNN_LR_COSINE;
    o.lr_min_frac = 0.1f;
    CHECK(lr_at(&o, 0, 10, 100) == 0.1f);
    CHECK_NEAR(lr_at(&o, 25, 10, 100), 0.0868198, TOL_LR); /* cos(pi/4) */
    CHECK_NEAR(lr_at(&o, 50, 10, 100), 0.055, TOL_LR);      /* midpoint */
    const float last = lr_at(&o, 99, 10, 100);
    CHECK(last > 0.01f);                      /* the last step still moves */
    CHECK_NEAR(last, 0.0100222, TOL_LR);
    CHECK_NEAR(lr_at(&o, 100, 10, 100), 0.01, TOL_LR);
    CHECK_NEAR(lr_at(&o, 250, 10, 100), 0.01, TOL_LR); /* stays at the end */
    /* down to 0, after a warm-up of 10: the cosine spans steps 10 .. 110 */
    o.lr_min_frac = 0.0f;
    o.lr_warmup = 10;
    CHECK_NEAR(lr_at(&o, 0, 10, 110), 0.01, TOL_LR);
    CHECK(lr_at(&o, 9, 10, 110) == 0.1f);
    CHECK(lr_at(&o, 10, 10, 110) == 0.1f);
    CHECK_NEAR(lr_at(&o, 60, 10, 110), 0.05, TOL_LR);
    CHECK(lr_at(&o, 109, 10, 110) > 0.0f);
    CHECK_NEAR(lr_at(&o, 110, 10, 110), 0.0, TOL_LR);
    /* a warm-up longer than the run: only the warm-up */
    CHECK_NEAR(lr_at(&o, 4, 10, 5), 0.05, TOL_LR);

    CHECK(strcmp(lnn_lr_schedule_name(LNN_LR_CONSTANT), "constant") == 0);
    CHECK(strcmp(lnn_lr_schedule_name(LNN_LR_STEP), "step") == 0);
    CHECK(strcmp(lnn_lr_schedule_name(LNN_LR_COSINE), "cosine") == 0);
    CHECK(strcmp(lnn_lr_schedule_name((lnn_lr_schedule)9), "unknown") == 0);
}

#define MAX_RECORDED 64

typedef struct lr_log {
    float lr[MAX_RECORDED];
    uint64_t n;
} lr_log;

static int record_lr(const lnn_progress *p, void *ctx)
{
    lr_log *log = ctx;
    if (p->event == LNN_EVENT_STEP && p->iteration <= MAX_RECORDED)
        log->lr[p->iteration - 1] = p->lr;
    if (p->event == LNN_EVENT_STEP)
        log->n = p->iteration;
    return 0;
}

/* The trainer uses lnn_lr_at for every update and reports it, the run being
 * epochs x steps updates long, or num_iterations if that is fewer. */
static void reported_lr(const problem *p)
{
    const size_t dims[] = {2, 16, 4};
    const uint64_t steps = (BLOB_M + 31) / 32; /* 13 */
    lnn_data d = as_data(p);
    lnn_train_opts o = lnn_train_opts_default();
    o.batch_size = 32;
    o.epochs = 3;
    o.lr_schedule = LNN_LR_COSINE;
    o.lr_warmup = 5;
    o.lr_min_frac = 0.1f;
    o.progress = record_lr;
    const uint64_t limits[] = {0, 20};
    for (size_t i = 0; i < 2; i++) {
        lr_log log = {0};
        o.num_iterations = limits[i];
        o.progress_ctx = &log;
        const uint64_t total = limits[i] ? limits[i] : o.epochs * steps;
        lnn_net *net = make_net(dims, 2, LNN_ACT_RELU, LNN_OPT_MOMENTUM, 32, 5);
        CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_OK);
        CHECK(log.n == total);
        for (uint64_t t = 0; t < log.n && t < MAX_RECORDED; t++)
            CHECK(log.lr[t] == lr_at(&o, t, steps, total));
        CHECK_NEAR(log.lr[0], 0.1 / 5, TOL_LR);
        /* the last step is just above the minimum, 0.01: 0.010192 after
         * 39 steps, 0.010983 after 20 */
        CHECK(log.lr[total - 1] > 0.01f && log.lr[total - 1] < 0.011f);
        lnn_net_destroy(net);
    }
}

/* ------------------------------------------------------------------------ */
/* Resumption                                                               */
/* ------------------------------------------------------------------------ */

static const size_t resume_dims[] = {2, 16, 4};
#define RESUME_L 2
#define RESUME_BATCH 32
#define RESUME_EPOCHS 4

static lnn_train_opts resume_opts(lnn_lr_schedule schedule)
{
    lnn_train_opts o = lnn_train_opts_default();
    o.batch_size = RESUME_BATCH;
    o.epochs = RESUME_EPOCHS;
    o.seed = 9;
    o.learning_rate = 0.02f;
    o.weight_decay = 1e-3f;
    o.lr_schedule = schedule;
    o.lr_warmup = 7;
    o.lr_step_epochs = 1;
    o.lr_gamma = 0.7f;
    return o;
}

static int stop_at_30(const lnn_progress *p, void *ctx)
{
    (void)ctx;
    return p->iteration == 30;
}

/* What a model file keeps: parameters, optimizer state, step count and
 * training position, copied into a network created from the same config. */
static lnn_net *fresh_copy(const lnn_net *src, lnn_optimizer opt)
{
    lnn_net *dst = NULL;
    const lnn_net_config cfg = {.L = RESUME_L, .dims = resume_dims,
                                .hidden = LNN_ACT_RELU,
                                .max_batch = RESUME_BATCH, .optimizer = opt};
    CHECK_STATUS(lnn_net_create(&dst, &cfg, NULL, 0), LNN_OK);
    if (!dst)
        return NULL;
    const size_t n = src->n_params;
    memcpy(dst->params, src->params, n * sizeof(float));
    if (src->opt_state) /* SGD keeps none */
        memcpy(dst->opt_state, src->opt_state,
               lnn__opt_slots(opt) * n * sizeof(float));
    dst->opt_t = src->opt_t;
    CHECK_STATUS(lnn_net_set_train_state(dst, lnn_net_train_state(src)),
                 LNN_OK);
    return dst;
}

/* Train RESUME_EPOCHS straight; then half of them and the rest, in the same
 * network and in a fresh copy; and (cosine, whose length depends on the
 * epochs) stopped at iteration 30 and resumed with the same options. All
 * give the same bits. Returns the straight run's parameters. */
static float *resumes(const lnn_data *d, lnn_optimizer opt,
                      lnn_lr_schedule schedule)
{
    printf("resume: %s, %s schedule\n", lnn_optimizer_name(opt),
           lnn_lr_schedule_name(schedule));
    const lnn_train_opts o = resume_opts(schedule);
    lnn_net *straight = make_net(resume_dims, RESUME_L, LNN_ACT_RELU,
                                 opt, RESUME_BATCH, 5);
    lnn_net *halves = make_net(resume_dims, RESUME_L, LNN_ACT_RELU,
                               opt, RESUME_BATCH, 5);
    if (!straight || !halves)
        return NULL;
    const size_t n = lnn_net_n_params(straight);
    const size_t state_bytes = lnn__opt_slots(opt) * n * sizeof(float);
    CHECK_STATUS(lnn_L_layer_model(straight, d, &o), LNN_OK);

    lnn_net *resumed = NULL;
    if (schedule == LNN_LR_COSINE) {
        lnn_train_opts stop = o;
        stop.progress = stop_at_30;
        CHECK_STATUS(lnn_L_layer_model(halves, d, &stop), LNN_ERR_STOPPED);
        CHECK(lnn_net_train_state(halves).iteration == 30);
    } else {
        lnn_train_opts half = o;
        half.epochs = RESUME_EPOCHS / 2;
        CHECK_STATUS(lnn_L_layer_model(halves, d, &half), LNN_OK);
    }
    resumed = fresh_copy(halves, opt);
    CHECK_STATUS(lnn_L_layer_model(halves, d, &o), LNN_OK);
    if (resumed)
        CHECK_STATUS(lnn_L_layer_model(resumed, d, &o), LNN_OK);

    CHECK(memcmp(straight->params, halves->params, n * sizeof(float)) == 0);
    /* memcmp of 0 bytes from NULL (SGD keeps no state) is still UB */
    CHECK(state_bytes == 0 ||
          memcmp(straight->opt_state, halves->opt_state, state_bytes) == 0);
    CHECK(straight->opt_t == halves->opt_t);
    CHECK(straight->opt_t == lnn_net_train_state(straight).iteration);
    if (resumed) {
        CHECK(memcmp(straight->params, resumed->params,
                     n * sizeof(float)) == 0);
        CHECK(state_bytes == 0 ||
              memcmp(straight->opt_state, resumed->opt_state,
                     state_bytes) == 0);
    }
    /* the state is in use: some velocity or moment is not 0 */
    size_t nonzero = 0;
    for (size_t k = 0; k < lnn__opt_slots(opt) * n; k++)
        nonzero += straight->opt_state[k] != 0.0f;
    CHECK(opt == LNN_OPT_SGD || nonzero > 0);

    float *theta = malloc(n * sizeof *theta);
    memcpy(theta, straight->params, n * sizeof *theta);
    lnn_net_destroy(straight);
    lnn_net_destroy(halves);
    lnn_net_destroy(resumed);
    return theta;
}

static void resumption(const problem *p)
{
    lnn_data d = as_data(p);
    const lnn_optimizer opts[] = {LNN_OPT_SGD, LNN_OPT_MOMENTUM,
                                  LNN_OPT_NESTEROV, LNN_OPT_ADAM};
    enum { N_OPT = sizeof opts / sizeof *opts };
    float *theta[N_OPT];
    for (size_t i = 0; i < N_OPT; i++)
        theta[i] = resumes(&d, opts[i], LNN_LR_STEP);
    free(resumes(&d, LNN_OPT_MOMENTUM, LNN_LR_COSINE));
    free(resumes(&d, LNN_OPT_ADAM, LNN_LR_COSINE));

    /* and the optimizers do differ: no two end at the same parameters */
    lnn_net *probe = make_net(resume_dims, RESUME_L, LNN_ACT_RELU,
                              LNN_OPT_SGD, 1, 1);
    const size_t bytes = lnn_net_n_params(probe) * sizeof(float);
    lnn_net_destroy(probe);
    for (size_t i = 0; i < N_OPT; i++)
        for (size_t j = i + 1; j < N_OPT; j++)
            CHECK(theta[i] && theta[j] &&
                  memcmp(theta[i], theta[j], bytes) != 0);
    for (size_t i = 0; i < N_OPT; i++)
        free(theta[i]);
}

/* ------------------------------------------------------------------------ */
/* Learning                                                                 */
/* ------------------------------------------------------------------------ */

static void learns(const problem *p, const size_t *dims, size_t L,
                   lnn_optimizer opt, size_t batch, uint64_t epochs, float lr,
                   lnn_lr_schedule schedule)
{
    lnn_net *net = make_net(dims, L, LNN_ACT_RELU, opt, batch, 3);
    if (!net)
        return;
    lnn_data d = as_data(p);
    lnn_train_opts o = lnn_train_opts_default();
    o.batch_size = batch;
    o.epochs = epochs;
    o.learning_rate = lr;
    o.lr_schedule = schedule;
    lnn_metrics e0, e;
    CHECK_STATUS(lnn_evaluate(net, &d, &e0, NULL), LNN_OK);
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_OK);
    CHECK_STATUS(lnn_evaluate(net, &d, &e, NULL), LNN_OK);
    const double loss0 = e0.loss, loss = e.loss, acc = e.accuracy;
    printf("%s %s, %zu-%zu-..., batch %zu, %llu epochs: loss %.4f -> %.4f, "
           "accuracy %.3f\n", lnn_optimizer_name(opt),
           lnn_lr_schedule_name(schedule), dims[0], dims[1], batch,
           (unsigned long long)epochs, loss0, loss, acc);
    CHECK(loss < 0.5 * loss0);
    CHECK(acc >= 0.95);
    lnn_net_destroy(net);
}

static void learning(const problem *b, const problem *s)
{
    const size_t blob_dims[] = {2, 16, 4};
    learns(b, blob_dims, 2, LNN_OPT_MOMENTUM, 16, 10, 0.01f, LNN_LR_CONSTANT);
    learns(b, blob_dims, 2, LNN_OPT_NESTEROV, 16, 10, 0.01f, LNN_LR_CONSTANT);
    learns(b, blob_dims, 2, LNN_OPT_ADAM, 16, 10, 0.01f, LNN_LR_CONSTANT);
    const size_t spiral_dims[] = {2, 64, 64, 2};
    learns(s, spiral_dims, 3, LNN_OPT_MOMENTUM, 20, 100, 0.05f,
           LNN_LR_COSINE);
    learns(s, spiral_dims, 3, LNN_OPT_ADAM, 20, 100, 0.01f, LNN_LR_COSINE);
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/* A float option set to a bad value: training fails with LNN_ERR_ARG and a
 * message naming the option. */
typedef struct bad_option {
    lnn_optimizer opt;
    lnn_lr_schedule schedule;
    size_t offset; /* of a float field of lnn_train_opts */
    const char *name;
    float value;
} bad_option;

#define OPT(field) offsetof(lnn_train_opts, field), #field
static const bad_option bad_options[] = {
    {LNN_OPT_MOMENTUM, LNN_LR_CONSTANT, OPT(momentum), NAN},
    {LNN_OPT_MOMENTUM, LNN_LR_CONSTANT, OPT(momentum), 1.0f},
    {LNN_OPT_MOMENTUM, LNN_LR_CONSTANT, OPT(momentum), -0.1f},
    {LNN_OPT_NESTEROV, LNN_LR_CONSTANT, OPT(momentum), INFINITY},
    {LNN_OPT_ADAM, LNN_LR_CONSTANT, OPT(beta1), 1.0f},
    {LNN_OPT_ADAM, LNN_LR_CONSTANT, OPT(beta1), -0.5f},
    {LNN_OPT_ADAM, LNN_LR_CONSTANT, OPT(beta2), 1.0f},
    {LNN_OPT_ADAM, LNN_LR_CONSTANT, OPT(beta2), NAN},
    {LNN_OPT_ADAM, LNN_LR_CONSTANT, OPT(eps), 0.0f},
    {LNN_OPT_ADAM, LNN_LR_CONSTANT, OPT(eps), -1e-8f},
    {LNN_OPT_ADAM, LNN_LR_CONSTANT, OPT(eps), INFINITY},
    {LNN_OPT_SGD, LNN_LR_CONSTANT, OPT(weight_decay), -0.1f},
    {LNN_OPT_ADAM, LNN_LR_CONSTANT, OPT(weight_decay), NAN},
    {LNN_OPT_MOMENTUM, LNN_LR_CONSTANT, OPT(weight_decay), INFINITY},
    {LNN_OPT_SGD, LNN_LR_STEP, OPT(lr_gamma), 0.0f},
    {LNN_OPT_SGD, LNN_LR_STEP, OPT(lr_gamma), 1.5f},
    {LNN_OPT_ADAM, LNN_LR_STEP, OPT(lr_gamma), NAN},
    {LNN_OPT_SGD, LNN_LR_COSINE, OPT(lr_min_frac), -0.1f},
    {LNN_OPT_SGD, LNN_LR_COSINE, OPT(lr_min_frac), 1.5f},
};
#undef OPT

static void set_float(lnn_train_opts *o, size_t offset, float value)
{
    memcpy((char *)o + offset, &value, sizeof value);
}

static void option_errors(const problem *p)
{
    const size_t dims[] = {2, 16, 4};
    lnn_data d = as_data(p);
    for (size_t i = 0; i < sizeof bad_options / sizeof *bad_options; i++) {
        const bad_option *c = &bad_options[i];
        lnn_net *net = make_net(dims, 2, LNN_ACT_RELU, c->opt, 32, 5);
        if (!net)
            continue;
        lnn_train_opts o = lnn_train_opts_default();
        o.batch_size = 32;
        o.lr_schedule = c->schedule;
        set_float(&o, c->offset, c->value);
        const float W0 = lnn_net_params(net)[0];
        CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_ERR_ARG);
        if (!strstr(lnn_net_errmsg(net), c->name)) {
            CHECK(strstr(lnn_net_errmsg(net), c->name) != NULL);
            fprintf(stderr, "  message: %s\n", lnn_net_errmsg(net));
        }
        CHECK(lnn_net_train_state(net).iteration == 0);
        CHECK(lnn_net_params(net)[0] == W0);
        lnn_net_destroy(net);
    }
}

/* Options the configuration does not use are not checked: a caller who
 * zeroes the struct (eps 0, no step length) can still train with sgd. */
static void unused_options(const problem *p)
{
    const size_t dims[] = {2, 16, 4};
    lnn_data d = as_data(p);
    const lnn_optimizer opts[] = {LNN_OPT_SGD, LNN_OPT_MOMENTUM,
                                  LNN_OPT_ADAM};
    for (size_t i = 0; i < sizeof opts / sizeof *opts; i++) {
        lnn_net *net = make_net(dims, 2, LNN_ACT_RELU, opts[i], 32, 5);
        lnn_train_opts o = lnn_train_opts_default();
        o.num_iterations = 1;
        o.batch_size = 32;
        if (opts[i] != LNN_OPT_ADAM) {
            o.beta1 = 2.0f;
            o.beta2 = NAN;
            o.eps = 0.0f;
        }
        if (opts[i] == LNN_OPT_SGD || opts[i] == LNN_OPT_ADAM)
            o.momentum = 5.0f;
        o.lr_step_epochs = 0;
        o.lr_gamma = 0.0f;
        o.lr_min_frac = NAN;
        CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_OK);
        lnn_net_destroy(net);
    }
    lnn_net *net = make_net(dims, 2, LNN_ACT_RELU, LNN_OPT_SGD, 32, 5);
    lnn_train_opts zero = {.learning_rate = 0.1f, .batch_size = 32,
                           .epochs = 1};
    CHECK_STATUS(lnn_L_layer_model(net, &d, &zero), LNN_OK);
    lnn_net_destroy(net);
}

static void other_errors(const problem *p)
{
    const size_t dims[] = {2, 16, 4};
    lnn_data d = as_data(p);
    lnn_net *net = make_net(dims, 2, LNN_ACT_RELU, LNN_OPT_MOMENTUM, 32, 5);
    if (!net)
        return;
    lnn_train_opts o = lnn_train_opts_default();
    o.batch_size = 32;

    o.lr_schedule = (lnn_lr_schedule)7;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(net), "schedule 7") != NULL);
    o.lr_schedule = LNN_LR_STEP;
    o.lr_step_epochs = 0;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(net), "lr_step_epochs") != NULL);
    CHECK(lnn_net_train_state(net).iteration == 0);

    /* lnn_optim_step checks its rate and the optimizer's options */
    lnn_train_opts good = lnn_train_opts_default();
    CHECK_STATUS(lnn_optim_step(NULL, &good, 0.1f), LNN_ERR_ARG);
    CHECK_STATUS(lnn_optim_step(net, NULL, 0.1f), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(net), "NULL") != NULL);
    CHECK_STATUS(lnn_optim_step(net, &good, 0.0f), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(net), "learning rate") != NULL);
    CHECK_STATUS(lnn_optim_step(net, &good, NAN), LNN_ERR_ARG);
    good.momentum = 1.5f;
    CHECK_STATUS(lnn_optim_step(net, &good, 0.1f), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(net), "momentum 1.5") != NULL);
    CHECK(net->opt_t == 0); /* no step was taken */
    lnn_net_destroy(net);

    /* lnn_lr_at */
    lnn_train_opts s = lnn_train_opts_default();
    float lr = 0.0f;
    CHECK_STATUS(lnn_lr_at(NULL, 0, 1, 1, &lr), LNN_ERR_ARG);
    CHECK_STATUS(lnn_lr_at(&s, 0, 1, 1, NULL), LNN_ERR_ARG);
    CHECK_STATUS(lnn_lr_at(&s, 0, 0, 1, &lr), LNN_ERR_ARG);
    CHECK_STATUS(lnn_lr_at(&s, 0, 1, 0, &lr), LNN_ERR_ARG);
    s.learning_rate = 0.0f;
    CHECK_STATUS(lnn_lr_at(&s, 0, 1, 1, &lr), LNN_ERR_ARG);
    s.learning_rate = 0.1f;
    s.lr_schedule = (lnn_lr_schedule)7;
    CHECK_STATUS(lnn_lr_at(&s, 0, 1, 1, &lr), LNN_ERR_ARG);
    s.lr_schedule = LNN_LR_STEP;
    s.lr_gamma = 0.0f;
    CHECK_STATUS(lnn_lr_at(&s, 0, 1, 1, &lr), LNN_ERR_ARG);
    CHECK(lr == 0.0f); /* untouched on failure */
}

/* lnn_L_layer_model's loop and the exercise's separate calls, forward,
 * backward, then lnn_optim_step over the whole block, end bit for bit
 * alike, for every optimizer, with and without weight decay. The
 * 48-40-96-10 layers at m = 256 make a team of two where there are two
 * cores, and cut dW both ways (by rows for 40 -> 96, by columns else). */
static void loop_update(void)
{
    enum { M = 256, STEPS = 3 };
    const size_t dims[] = {48, 40, 96, 10};
    float *X = malloc(dims[0] * M * sizeof *X), *Y = calloc(dims[3] * M,
                                                           sizeof *Y);
    for (size_t k = 0; X && k < dims[0] * M; k++)
        X[k] = (float)((k * 2654435761u) % 1000) / 1000.0f - 0.5f;
    for (size_t j = 0; Y && j < M; j++)
        Y[j * dims[3] + (j * 7) % dims[3]] = 1.0f;
    const lnn_data d = {.n_x = dims[0], .n_y = dims[3], .m = M, .X = X,
                        .Y = Y};
    const lnn_optimizer opts[] = {LNN_OPT_SGD, LNN_OPT_MOMENTUM,
                                  LNN_OPT_NESTEROV, LNN_OPT_ADAM};
    for (size_t i = 0; X && Y && i < 2 * sizeof opts / sizeof *opts; i++) {
        const lnn_optimizer opt = opts[i / 2];
        lnn_net *loop = make_net(dims, 3, LNN_ACT_RELU, opt, M, 4);
        lnn_net *apart = make_net(dims, 3, LNN_ACT_RELU, opt, M, 4);
        if (!loop || !apart)
            break;
        lnn_train_opts o = lnn_train_opts_default();
        o.batch_size = 0;
        o.epochs = STEPS;
        o.learning_rate = opt == LNN_OPT_ADAM ? 0.003f : 0.05f;
        o.weight_decay = i % 2 ? 0.01f : 0.0f;
        CHECK_STATUS(lnn_L_layer_model(loop, &d, &o), LNN_OK);
        for (int t = 0; t < STEPS; t++) {
            CHECK_STATUS(lnn_L_layer_forward(apart, X, M, NULL), LNN_OK);
            CHECK_STATUS(lnn_L_layer_backward(apart, X, Y, M), LNN_OK);
            CHECK_STATUS(lnn_optim_step(apart, &o, o.learning_rate), LNN_OK);
        }
        const size_t n = lnn_net_n_params(loop);
        printf("the loop's update, %s, weight decay %g\n", lnn_optimizer_name(opt),
               (double)o.weight_decay);
        CHECK(memcmp(lnn_net_params(loop), lnn_net_params(apart),
                     n * sizeof(float)) == 0);
        /* sgd keeps no state (NULL): memcmp may not be given NULL */
        CHECK(lnn__opt_slots(opt) == 0 ||
              memcmp(loop->opt_state, apart->opt_state,
                     lnn__opt_slots(opt) * n * sizeof(float)) == 0);
        CHECK(loop->opt_t == apart->opt_t);
        lnn_net_destroy(loop);
        lnn_net_destroy(apart);
    }
    free(X);
    free(Y);
}

/* The update's cut (each member the parameters whose gradients it
 * computed: dW_l's columns, or its rows in every column, and db_l's rows)
 * covers every parameter once: on teams of 1, 2 and 3 every optimizer,
 * with and without weight decay, gives the same bits from the same
 * parameters, gradients and state. 60 -> 160 cuts dW by rows, the other
 * layers by columns; 17430 parameters make a team (LNN_PAR_MIN). */
static void update_any_cut(void)
{
    const size_t dims[] = {100, 60, 160, 10};
    const lnn_optimizer opts[] = {LNN_OPT_SGD, LNN_OPT_MOMENTUM,
                                  LNN_OPT_NESTEROV, LNN_OPT_ADAM};
    for (size_t i = 0; i < 2 * sizeof opts / sizeof *opts; i++) {
        const lnn_optimizer opt = opts[i / 2];
        lnn_train_opts o = lnn_train_opts_default();
        o.weight_decay = i % 2 ? 0.01f : 0.0f;
        float *one = NULL;
        for (int T = 1; T <= 3; T++) {
            CHECK_STATUS(lnn_set_threads(T), LNN_OK);
            lnn_net *net = make_net(dims, 3, LNN_ACT_RELU, opt, 8, 6);
            if (!net)
                break;
            const size_t n = lnn_net_n_params(net);
            CHECK(n >= LNN_PAR_MIN);
            float *G = lnn_net_grads(net);
            for (size_t k = 0; k < n; k++)
                G[k] = (float)((k * 2654435761u) % 2001) / 1000.0f - 1.0f;
            for (int t = 0; t < 2; t++)
                CHECK_STATUS(lnn_optim_step(net, &o, 0.01f), LNN_OK);
            if (T == 1) {
                one = malloc(n * sizeof *one);
                if (one)
                    memcpy(one, lnn_net_params(net), n * sizeof *one);
            } else if (one) {
                CHECK(memcmp(one, lnn_net_params(net), n * sizeof *one) == 0);
            }
            lnn_net_destroy(net);
        }
        free(one);
    }
    lnn_set_threads(2);
}

int main(void)
{
    problem b = blobs(1), s = spirals(2);
    rules();
    decay_layout();
    exercise_update();
    loop_update();
    update_any_cut();
    schedules();
    reported_lr(&b);
    resumption(&b);
    learning(&b, &s);
    option_errors(&b);
    unused_options(&b);
    other_errors(&b);
    problem_free(&b);
    problem_free(&s);
    return check_result("optim");
}
