/* Regularisation in training (lnn_train_opts, lnn_net_set_class_weights):
 * class weights train exactly as the same per-sample weights; a clip norm
 * above every gradient's changes nothing, bit for bit, and a small one
 * bounds the step; a run through a comm clips as one without, and the
 * norm is the same bits for any cut of the work among threads; bad
 * values are refused with a message. The plateau schedule's judgement: a
 * decay after lr_patience reports without a better value (by min_delta),
 * never below lr_min_frac, nothing under other schedules. Dropout's masks
 * and their independence of the columns' cut; evaluation without them. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lnn.h"
#include "net.h"
#include "rng.h"

#define M 53
#define N0 5
#define NL 3

static float X[N0 * M];
static int32_t labels[M];

static void make_data(void)
{
    lnn_rng rng;
    lnn__rng_seed(&rng, 31, 0);
    for (size_t k = 0; k < N0 * M; k++)
        X[k] = (float)lnn__rng_normal(&rng);
    for (size_t j = 0; j < M; j++)
        labels[j] = (int32_t)lnn__rng_below(&rng, NL);
}

static lnn_net *new_net(lnn_optimizer opt)
{
    static const size_t dims[] = {N0, 7, NL};
    const lnn_net_config cfg = {.L = 2, .dims = dims, .hidden = LNN_ACT_RELU,
                                .max_batch = 8, .optimizer = opt};
    lnn_net *net = NULL;
    CHECK_STATUS(lnn_net_create(&net, &cfg, NULL, 0), LNN_OK);
    CHECK_STATUS(lnn_initialize_parameters(net, LNN_INIT_HE, 4), LNN_OK);
    return net;
}

static lnn_train_opts opts_of(void)
{
    lnn_train_opts o = lnn_train_opts_default();
    o.batch_size = 8;
    o.epochs = 3;
    o.learning_rate = 0.01f;
    return o;
}

static bool same_params(lnn_net *a, lnn_net *b)
{
    return memcmp(lnn_net_params(a), lnn_net_params(b),
                  lnn_net_n_params(a) * sizeof(float)) == 0;
}

/* Class weights are each sample's weight by its class: the same model as
 * those weights given per sample; and not the unweighted model. */
static void class_weights_are_sample_weights(void)
{
    static const float cw[NL] = {0.5f, 3.0f, 1.25f};
    float w[M];
    for (size_t j = 0; j < M; j++)
        w[j] = cw[labels[j]];
    const lnn_train_opts o = opts_of();
    lnn_net *a = new_net(LNN_OPT_ADAM), *b = new_net(LNN_OPT_ADAM),
            *c = new_net(LNN_OPT_ADAM);
    const lnn_data plain = {.n_x = N0, .n_y = NL, .m = M, .X = X,
                            .labels = labels};
    lnn_data weighted = plain;
    weighted.weights = w;
    CHECK_STATUS(lnn_net_set_class_weights(a, cw), LNN_OK);
    CHECK(lnn_net_class_weights(a) && lnn_net_class_weights(a)[1] == 3.0f);
    CHECK_STATUS(lnn_L_layer_model(a, &plain, &o), LNN_OK);
    CHECK_STATUS(lnn_L_layer_model(b, &weighted, &o), LNN_OK);
    CHECK_STATUS(lnn_L_layer_model(c, &plain, &o), LNN_OK);
    CHECK(same_params(a, b));
    CHECK(!same_params(a, c));
    /* evaluation ignores the weights: the same loss either way */
    lnn_metrics ma, mb;
    CHECK_STATUS(lnn_evaluate(b, &plain, &ma, NULL), LNN_OK);
    CHECK_STATUS(lnn_evaluate(b, &weighted, &mb, NULL), LNN_OK);
    CHECK(ma.loss == mb.loss);
    /* bad weights are refused, with the sample named */
    w[7] = -1.0f;
    CHECK_STATUS(lnn_L_layer_model(b, &weighted, &o), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(b), "sample 7") != NULL);
    const float bad[NL] = {1.0f, 0.0f, 1.0f};
    CHECK_STATUS(lnn_net_set_class_weights(a, bad), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(a), "class 1") != NULL);
    CHECK_STATUS(lnn_net_set_class_weights(a, NULL), LNN_OK);
    CHECK(lnn_net_class_weights(a) == NULL);
    lnn_net_destroy(a);
    lnn_net_destroy(b);
    lnn_net_destroy(c);
}

static int comm_nothing(void *x, size_t n, void *ctx)
{
    (void)x, (void)n, (void)ctx;
    return 0;
}

static int comm_nothing_f(float *x, size_t n, void *ctx)
{
    return comm_nothing(x, n, ctx);
}

static int comm_nothing_d(double *x, size_t n, void *ctx)
{
    return comm_nothing(x, n, ctx);
}

/* A clipped run on one process (the norm's pieces summed in the backward,
 * each member its share) and through a comm of one process (summed after
 * the comm's sum, in lnn__clip_sums_all's pieces) end bit for bit alike,
 * and clipped. */
static void clipping_comm(void)
{
    const lnn_data d = {.n_x = N0, .n_y = NL, .m = M, .X = X,
                        .labels = labels};
    const lnn_comm one = {.rank = 0, .size = 1, .sum_float = comm_nothing_f,
                          .sum_double = comm_nothing_d,
                          .broadcast = comm_nothing};
    lnn_train_opts o = opts_of();
    lnn_net *a = new_net(LNN_OPT_MOMENTUM), *b = new_net(LNN_OPT_MOMENTUM),
            *c = new_net(LNN_OPT_MOMENTUM);
    o.learning_rate = 0.1f;
    CHECK_STATUS(lnn_L_layer_model(c, &d, &o), LNN_OK);
    o.clip_norm = 0.05f;
    CHECK_STATUS(lnn_L_layer_model(a, &d, &o), LNN_OK);
    o.comm = &one;
    CHECK_STATUS(lnn_L_layer_model(b, &d, &o), LNN_OK);
    CHECK(same_params(a, b));
    CHECK(!same_params(a, c));
    lnn_net_destroy(a);
    lnn_net_destroy(b);
    lnn_net_destroy(c);
}

/* The squared norm's pieces (clip.c) summed by teams of 1, 2, 3 and 5
 * members, each its share, and by lnn__clip_sums_all: the same scale, bit
 * for bit, and the norm's. A layer cut by columns (layer 1, 70-40) and
 * one by rows (40-70). */
static void clipping_any_cut(void)
{
    static const size_t dims[] = {70, 40, 70};
    const lnn_net_config cfg = {.L = 2, .dims = dims, .hidden = LNN_ACT_RELU,
                                .max_batch = 8, .optimizer = LNN_OPT_SGD};
    lnn_net *net = NULL;
    CHECK_STATUS(lnn_net_create(&net, &cfg, NULL, 0), LNN_OK);
    const size_t n = lnn_net_n_params(net);
    float *G = lnn_net_grads(net);
    lnn_rng rng;
    lnn__rng_seed(&rng, 5, 0);
    double sq = 0.0;
    for (size_t k = 0; k < n; k++) {
        G[k] = (float)(lnn__rng_normal(&rng) * exp(lnn__rng_normal(&rng)));
        sq += (double)G[k] * (double)G[k];
    }
    const float clip = 1.0f;
    lnn__clip_sums_all(net);
    const float want = lnn__clip_scale(net, clip);
    CHECK_NEAR(want, clip / sqrt(sq), 1e-6 * want);
    static const size_t teams[] = {1, 2, 3, 5};
    for (size_t t = 0; t < sizeof teams / sizeof *teams; t++) {
        memset(net->clip_sq, 0xff, lnn__clip_units(dims, 2) * sizeof(double));
        for (size_t rank = 0; rank < teams[t]; rank++)
            for (size_t l = 1; l <= 2; l++)
                lnn__clip_sums(net, l, rank, teams[t]);
        const float got = lnn__clip_scale(net, clip);
        CHECK(memcmp(&got, &want, sizeof got) == 0);
    }
    lnn_net_destroy(net);
}

/* A clip norm no gradient reaches leaves training as it was, bit for bit
 * (its scale, 1, changes no gradient); a small one
 * bounds every sgd step to lr x clip. */
static void clipping(void)
{
    const lnn_data d = {.n_x = N0, .n_y = NL, .m = M, .X = X,
                        .labels = labels};
    lnn_train_opts o = opts_of();
    lnn_net *a = new_net(LNN_OPT_ADAM), *b = new_net(LNN_OPT_ADAM);
    CHECK_STATUS(lnn_L_layer_model(a, &d, &o), LNN_OK);
    o.clip_norm = 1e30f;
    CHECK_STATUS(lnn_L_layer_model(b, &d, &o), LNN_OK);
    CHECK(same_params(a, b));
    lnn_net_destroy(a);
    lnn_net_destroy(b);

    lnn_net *s = new_net(LNN_OPT_SGD);
    const size_t n = lnn_net_n_params(s);
    float *before = malloc(n * sizeof *before);
    o = opts_of();
    o.learning_rate = 1.0f;
    o.clip_norm = 1e-3f;
    o.num_iterations = 1;
    memcpy(before, lnn_net_params(s), n * sizeof *before);
    CHECK_STATUS(lnn_L_layer_model(s, &d, &o), LNN_OK);
    double sq = 0.0;
    for (size_t k = 0; k < n; k++) {
        const double dk = (double)lnn_net_params(s)[k] - (double)before[k];
        sq += dk * dk;
    }
    /* the gradient's norm is far above 1e-3: the step is exactly 1e-3 */
    CHECK_NEAR(sqrt(sq), 1e-3, 1e-3 * 1e-3);
    o.clip_norm = -1.0f;
    CHECK_STATUS(lnn_L_layer_model(s, &d, &o), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(s), "clip_norm") != NULL);
    o.clip_norm = 0.0f;
    o.label_smoothing = 1.0f;
    CHECK_STATUS(lnn_L_layer_model(s, &d, &o), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(s), "smoothing") != NULL);
    free(before);
    lnn_net_destroy(s);
}

static void plateau(void)
{
    lnn_net *net = new_net(LNN_OPT_SGD);
    lnn_train_opts o = opts_of();
    o.lr_schedule = LNN_LR_PLATEAU;
    o.lr_patience = 2;
    o.lr_gamma = 0.5f;
    o.lr_min_frac = 0.3f;
    o.min_delta = 0.01;
    /* lower is better: 1 best, 0.9 best, 0.895 (not by min_delta) and
     * 0.95 stale: a decay; 0.8 best; then four stale: 0.25, floored */
    static const double v[] = {1.0, 0.9, 0.895, 0.95, 0.8,
                               0.8, 0.9, 0.85, 0.81};
    static const float want[] = {1.0f, 1.0f, 1.0f, 0.5f, 0.5f,
                                 0.5f, 0.3f, 0.3f, 0.3f};
    CHECK(lnn_net_lr_scale(net) == 1.0f);
    for (size_t k = 0; k < sizeof v / sizeof *v; k++) {
        lnn__plateau_judge(net, &o, v[k], false);
        CHECK_NEAR(lnn_net_lr_scale(net), want[k], 0.0);
    }
    CHECK_NEAR(lnn__lr_now(net, &o, 0, 1, 1), 0.3f * o.learning_rate, 1e-9);
    o.lr_schedule = LNN_LR_STEP;
    lnn__plateau_judge(net, &o, 5.0, false);
    lnn__plateau_judge(net, &o, 5.0, false);
    CHECK(lnn_net_lr_scale(net) == 0.3f);
    CHECK(lnn__lr_now(net, &o, 0, 1, 1) == o.learning_rate);
    /* higher is better (accuracy) */
    lnn_net *acc = new_net(LNN_OPT_SGD);
    o.lr_schedule = LNN_LR_PLATEAU;
    o.lr_patience = 1;
    lnn__plateau_judge(acc, &o, 0.5, true);
    lnn__plateau_judge(acc, &o, 0.6, true);
    CHECK(lnn_net_lr_scale(acc) == 1.0f);
    lnn__plateau_judge(acc, &o, 0.55, true);
    CHECK(lnn_net_lr_scale(acc) == 0.5f);
    lnn_net_destroy(net);
    lnn_net_destroy(acc);
}

/* splitmix64's finalizer, as dropout.c's mix. */
static uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Is unit i of the sample of global index g kept in layer l at *at? The
 * masks' definition (docs/architecture.md, dropout.c), written out. */
static bool drawn(const lnn__drop_at *at, size_t l, uint64_t g, size_t i,
                  float p)
{
    const uint64_t key =
        mix(mix(mix(at->seed ^ 0x64726f706f7574u) + at->t) + l);
    const uint32_t u = (uint32_t)(mix(mix(key + g) + i) >> 32);
    return u >= (uint32_t)((double)p * 4294967296.0);
}

/* Dropout's masks: each unit kept with probability 1 - p (within 4 sigma),
 * kept ones scaled by 1 / (1 - p); the same masks for any cut of the
 * columns (threads, processes); another update or layer, other masks;
 * evaluation never drops. */
static void dropout(void)
{
    enum { N = 1000, COLS = 50 };
    float *x = malloc(N * COLS * sizeof *x), *a = malloc(N * COLS * sizeof *a),
          *b = malloc(N * COLS * sizeof *b);
    uint8_t *K = malloc(N * COLS);
    for (size_t k = 0; k < N * COLS; k++)
        x[k] = 1.0f;
    const lnn__drop_at at = {.seed = 7, .t = 12, .g0 = 0};
    const float p = 0.2f;
    lnn__dropout(a, K, x, p, N, COLS, &at, 1, 100);
    size_t kept = 0;
    bool scaled = true;
    for (size_t k = 0; k < N * COLS; k++) {
        kept += a[k] != 0.0f;
        scaled = scaled && (a[k] == 0.0f || a[k] == 1.0f / (1.0f - p));
    }
    const double frac = (double)kept / (N * COLS);
    const double sigma = sqrt(0.8 * 0.2 / (N * COLS));
    printf("dropout 0.2: kept %.4f of %d units (expected 0.8, 4 sigma "
           "%.4f)\n", frac, N * COLS, 4 * sigma);
    CHECK(fabs(frac - 0.8) <= 4 * sigma);
    CHECK(scaled);
    /* the masks are the hash's (dropout.c), kept in K for the backward,
     * which applies them to dD */
    bool same = true;
    for (size_t j = 0; j < COLS; j++)
        for (size_t i = 0; i < N; i++)
            same = same && (a[j * N + i] != 0.0f) == drawn(&at, 1, 100 + j, i,
                                                           p) &&
                   K[j * N + i] == (a[j * N + i] != 0.0f);
    CHECK(same);
    memcpy(b, x, N * COLS * sizeof *b);
    lnn__dropout_back(b, K, p, N, COLS);
    CHECK(memcmp(a, b, N * COLS * sizeof *a) == 0);
    /* columns 0..19 and 20..49 as two members of a team would draw them */
    lnn__dropout(b, K, x, p, N, 20, &at, 1, 100);
    lnn__dropout(b + 20 * N, K + 20 * N, x + 20 * N, p, N, COLS - 20, &at,
                 1, 120);
    CHECK(memcmp(a, b, N * COLS * sizeof *a) == 0);
    const lnn__drop_at later = {.seed = 7, .t = 13, .g0 = 0};
    lnn__dropout(b, K, x, p, N, COLS, &later, 1, 100);
    CHECK(memcmp(a, b, N * COLS * sizeof *a) != 0);
    lnn__dropout(b, K, x, p, N, COLS, &at, 2, 100);
    CHECK(memcmp(a, b, N * COLS * sizeof *a) != 0);
    free(x);
    free(a);
    free(b);
    free(K);

    /* evaluation: the same metrics with and without the net's dropout */
    const lnn_data d = {.n_x = N0, .n_y = NL, .m = M, .X = X,
                        .labels = labels};
    lnn_net *net = new_net(LNN_OPT_ADAM);
    lnn_metrics with, without;
    const float rate[1] = {0.5f};
    CHECK_STATUS(lnn_net_set_dropout(net, rate), LNN_OK);
    CHECK(lnn_net_dropout(net, 1) == 0.5f);
    CHECK_STATUS(lnn_evaluate(net, &d, &with, NULL), LNN_OK);
    CHECK_STATUS(lnn_net_set_dropout(net, NULL), LNN_OK);
    CHECK_STATUS(lnn_evaluate(net, &d, &without, NULL), LNN_OK);
    CHECK(with.loss == without.loss && with.accuracy == without.accuracy);
    /* training with it differs from training without */
    lnn_net *other = new_net(LNN_OPT_ADAM);
    CHECK_STATUS(lnn_net_set_dropout(other, rate), LNN_OK);
    const lnn_train_opts o = opts_of();
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_OK);
    CHECK_STATUS(lnn_L_layer_model(other, &d, &o), LNN_OK);
    CHECK(!same_params(net, other));
    const float bad[1] = {1.0f};
    CHECK_STATUS(lnn_net_set_dropout(net, bad), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(net), "[0, 1)") != NULL);
    lnn_net_destroy(net);
    lnn_net_destroy(other);
}

int main(void)
{
    make_data();
    class_weights_are_sample_weights();
    clipping();
    clipping_comm();
    clipping_any_cut();
    plateau();
    dropout();
    return check_result("reg");
}
