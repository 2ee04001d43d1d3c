/* Gradient check: every dW and db element of backpropagation against a
 * central finite difference of the loss, for small random networks with
 * each hidden activation of LNN_ACTIVATION_LIST (and mixes, one per layer,
 * the leaky slope not the default), and for every output head of
 * LNN_LOSS_LIST, also with per-sample weights and label smoothing; the
 * class-index targets of cross-entropy against its one-hot ones. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lnn_exercise.h"
#include "net.h"
#include "rng.h"
#include "threads.h"

#define LNN_GRADCHECK_EPS 1e-2f
#define LNN_GRADCHECK_TOL 1e-2
/* ReLU has a kink at 0; a finite difference across it is meaningless, so
 * networks are drawn until every hidden pre-activation is this far from 0
 * (a step of EPS in one weight moves Z by far less). */
#define LNN_KINK_MARGIN 0.2

/* The training extras a check runs with: per-sample weights (NULL: none),
 * ce's label smoothing, and one activation per hidden layer (NULL: all the
 * check's own). */
typedef struct extras {
    const float *w;
    float smooth;
    const lnn_activation *each;
    float drop; /* dropout in every hidden layer, its mask fixed (the same
                   update's) through the finite differences */
} extras;

/* The mean loss of the net's head over the m columns (for cross-entropy
 * without extras, the exercise's compute_loss, which must agree with the
 * head's). */
static double loss_of(lnn_net *net, const float *X, const float *Y, size_t m,
                      extras e)
{
    const float *P;
    double loss = NAN;
    CHECK_STATUS(lnn_L_layer_forward(net, X, m, &P), LNN_OK);
    const size_t n_L = lnn_net_dims(net)[lnn_net_L(net)];
    const lnn__targets T = {.Y = Y, .w = e.w, .smooth = e.smooth};
    const double head = lnn__head_loss_sum(&net->head, P, T, n_L, m) /
                        (double)m;
    if (net->head.loss != LNN_LOSS_CE || e.w || e.smooth != 0.0f ||
        e.drop != 0.0f)
        return head;
    CHECK_STATUS(lnn_compute_loss(P, Y, n_L, m, &loss), LNN_OK);
    CHECK_NEAR(head, loss, 1e-12 + 1e-12 * loss);
    return loss;
}

/* The backward of the last forward: the exercise's, or with the extras
 * the library's own on targets that carry them. */
static void backward_of(lnn_net *net, const float *X, const float *Y,
                        size_t m, extras e)
{
    if (!e.w && e.smooth == 0.0f) {
        CHECK_STATUS(lnn_L_layer_backward(net, X, Y, m), LNN_OK);
        return;
    }
    const int scope = lnn__blas_scope_begin();
    lnn__net_backward(net, X,
                      (lnn__targets){.Y = Y, .w = e.w, .smooth = e.smooth},
                      m, LNN_MODE_TRAIN);
    lnn__blas_scope_end(scope);
}

/* Targets for the loss's kind: one-hot classes, 0/1 labels or values. */
static void draw_targets(float *Y, lnn_loss loss, size_t nL, size_t m,
                         lnn_rng *rng)
{
    for (size_t j = 0; j < m; j++)
        switch (lnn_loss_target(loss)) {
        case LNN_TARGET_CLASSES:
            Y[lnn__rng_below(rng, nL) + j * nL] = 1.0f;
            break;
        case LNN_TARGET_BINARY:
            for (size_t i = 0; i < nL; i++)
                Y[i + j * nL] = (float)lnn__rng_below(rng, 2);
            break;
        case LNN_TARGET_VALUES:
            for (size_t i = 0; i < nL; i++)
                Y[i + j * nL] = (float)(2.0 * lnn__rng_normal(rng));
            break;
        }
}

/* Smallest |Z| over all hidden layers, recomputed in double. */
static double min_abs_hidden_z(lnn_net *net, const float *X, size_t m)
{
    double worst = HUGE_VAL;
    const float *H_prev = X;
    for (size_t l = 1; l < lnn_net_L(net); l++) {
        lnn_layer ly;
        lnn_net_layer(net, l, &ly);
        for (size_t j = 0; j < m; j++)
            for (size_t i = 0; i < ly.n; i++) {
                double z = ly.b[i];
                for (size_t k = 0; k < ly.n_prev; k++)
                    z += (double)ly.W[i + k * ly.n] * H_prev[k + j * ly.n_prev];
                worst = fabs(z) < worst ? fabs(z) : worst;
            }
        H_prev = ly.H;
    }
    return worst;
}

/* A hidden layer's f' jumps at 0: relu's or leaky_relu's. */
static bool has_kink(const lnn_net *net)
{
    bool kink = false;
    for (size_t l = 1; l < lnn_net_L(net); l++)
        kink = kink || lnn_net_activation(net, l) == LNN_ACT_RELU ||
               lnn_net_activation(net, l) == LNN_ACT_LEAKY_RELU;
    return kink;
}

/* Weights scaled by w_scale, random biases too, so db is exercised;
 * redrawn until no hidden Z is near a kink. */
static void draw_params(lnn_net *net, const float *X, const float *Y,
                        size_t m, float w_scale, extras e, lnn_rng *rng)
{
    const size_t L = lnn_net_L(net);
    for (uint64_t seed = 1;; seed++) {
        CHECK_STATUS(lnn_initialize_parameters(net, LNN_INIT_XAVIER, seed),
                     LNN_OK);
        for (size_t l = 1; l <= L; l++) {
            lnn_layer ly;
            lnn_net_layer(net, l, &ly);
            for (size_t k = 0; k < ly.n * ly.n_prev; k++)
                ly.W[k] *= w_scale;
            for (size_t i = 0; i < ly.n; i++)
                ly.b[i] = (float)(0.5 * lnn__rng_normal(rng));
        }
        loss_of(net, X, Y, m, e);
        if (!has_kink(net) || min_abs_hidden_z(net, X, m) > LNN_KINK_MARGIN)
            return;
    }
}

/* w_scale multiplies the initial weights. A central difference in float has
 * a noise floor near 1e-6 (float rounding of a loss near 1, over 2 EPS), so
 * the network must have every gradient element well above it for a 1 %
 * check to mean anything: sigmoid layers shrink gradients by up to 4x each,
 * and larger weights undo that. */
static void gradcheck(lnn_activation hidden, lnn_loss loss, const size_t *dims,
                      size_t L, size_t m, float w_scale, double floor,
                      extras e)
{
    lnn_net_config cfg = {.L = L, .dims = dims, .hidden = hidden,
                          .hidden_each = e.each, .leaky_slope = 0.2f,
                          .max_batch = m, .loss = loss, .huber_delta = 0.5f};
    lnn_net *net;
    CHECK_STATUS(lnn_net_create(&net, &cfg, NULL, 0), LNN_OK);
    if (!net)
        return;
    float rates[8];
    for (size_t l = 0; l + 1 < L; l++)
        rates[l] = e.drop;
    if (e.drop != 0.0f) {
        CHECK_STATUS(lnn_net_set_dropout(net, rates), LNN_OK);
        net->drop_at = (lnn__drop_at){.seed = 5, .t = 3, .g0 = 0};
    }
    const size_t n0 = dims[0], nL = dims[L];
    float *X = malloc(n0 * m * sizeof *X), *Y = calloc(nL * m, sizeof *Y);
    lnn_rng rng;
    lnn__rng_seed(&rng, 2024, 0);
    for (size_t k = 0; k < n0 * m; k++)
        X[k] = (float)lnn__rng_normal(&rng);
    draw_targets(Y, loss, nL, m, &rng);

    draw_params(net, X, Y, m, w_scale, e, &rng);
    loss_of(net, X, Y, m, e);
    backward_of(net, X, Y, m, e);
    const size_t n_params = lnn_net_n_params(net);
    float *analytic = malloc(n_params * sizeof *analytic);
    memcpy(analytic, lnn_net_grads(net), n_params * sizeof *analytic);

    float *theta = lnn_net_params(net);
    double worst = 0.0, smallest = HUGE_VAL;
    size_t worst_k = 0;
    for (size_t k = 0; k < n_params; k++) {
        const float saved = theta[k];
        theta[k] = saved + LNN_GRADCHECK_EPS;
        double up = loss_of(net, X, Y, m, e);
        theta[k] = saved - LNN_GRADCHECK_EPS;
        double down = loss_of(net, X, Y, m, e);
        theta[k] = saved;
        /* the step actually taken, after float rounding */
        double step = (double)(saved + LNN_GRADCHECK_EPS) -
                      (double)(saved - LNN_GRADCHECK_EPS);
        double numeric = (up - down) / step;
        double a = analytic[k];
        smallest = fabs(a) < smallest ? fabs(a) : smallest;
        double rel = fabs(a - numeric) / fmax(fabs(a) + fabs(numeric), floor);
        if (rel > worst) {
            worst = rel;
            worst_k = k;
        }
    }
    printf("gradcheck %s%s %s L=%zu%s%s%s, %zu params: max relative error "
           "%.3g (param %zu), smallest |gradient| %.3g\n",
           lnn_activation_name(hidden), e.each ? " (mixed)" : "",
           lnn_loss_name(loss), L,
           e.w ? ", weighted" : "", e.smooth != 0.0f ? ", smoothed" : "",
           e.drop != 0.0f ? ", dropout" : "",
           n_params, worst, worst_k, smallest);
    CHECK(worst < LNN_GRADCHECK_TOL);
    free(analytic);
    free(X);
    free(Y);
    lnn_net_destroy(net);
}

/* The checks above run on one thread (too small for a team). A network
 * large enough for a team of two or three must give the same gradients,
 * to float rounding, as the one-thread pass that those checks verify:
 * each thread's columns through every layer, then its shares of dW (cut
 * by rows where n > n_prev past layer 1, 32 -> 48, else by columns) and
 * of db. A finite
 * difference cannot check this size: averaged over 400 columns, many
 * gradients fall below float's noise floor. */
static void team_matches_one_thread(void)
{
    const size_t dims[] = {40, 32, 48, 10};
    const size_t m = 400;
    lnn_net_config cfg = {.L = 3, .dims = dims, .hidden = LNN_ACT_RELU,
                          .max_batch = m};
    lnn_net *net;
    CHECK_STATUS(lnn_net_create(&net, &cfg, NULL, 0), LNN_OK);
    if (!net)
        return;
    CHECK_STATUS(lnn_initialize_parameters(net, LNN_INIT_HE, 5), LNN_OK);
    float *X = malloc(dims[0] * m * sizeof *X);
    float *Y = calloc(dims[3] * m, sizeof *Y);
    lnn_rng rng;
    lnn__rng_seed(&rng, 2025, 0);
    for (size_t k = 0; k < dims[0] * m; k++)
        X[k] = (float)lnn__rng_normal(&rng);
    for (size_t j = 0; j < m; j++)
        Y[lnn__rng_below(&rng, dims[3]) + j * dims[3]] = 1.0f;
    const size_t n_params = lnn_net_n_params(net);
    float *one = malloc(n_params * sizeof *one);
    for (int T = 1; T <= 3; T++) {
        CHECK_STATUS(lnn_set_threads(T), LNN_OK);
        /* a team of T, or none without OpenMP */
        CHECK(lnn__net_team(net, m, false) ==
              (lnn_omp_threads() == T ? T : 1));
        loss_of(net, X, Y, m, (extras){0});
        CHECK_STATUS(lnn_L_layer_backward(net, X, Y, m), LNN_OK);
        const float *g = lnn_net_grads(net);
        if (T == 1)
            memcpy(one, g, n_params * sizeof *one);
        for (size_t k = 0; T > 1 && k < n_params; k++)
            CHECK_NEAR(g[k], one[k], 1e-6 + 1e-5 * fabs(one[k]));
    }
    lnn_set_threads(2);
    free(one);
    free(X);
    free(Y);
    lnn_net_destroy(net);
}

/* A training batch narrower than the input (m < n_0) splits layer 1's
 * forward by the columns of W_1 in a team (each member a partial product
 * over the whole batch, summed in rank order): the net keeps one partial
 * per member past the first, the forward's output, the gradients and the
 * updated parameters are those of one thread to float rounding. gelu
 * keeps Z_1 (the partials are summed there, not in H_1), and layer 1's
 * dropout masks its summed output; a layer 1 wider than its input
 * (dims[1] > dims[0]) is split as well. */
static void split_matches_one_thread(const size_t *dims, size_t L, size_t m)
{
    const size_t n_L = dims[L];
    const lnn_net_config cfg = {.L = L, .dims = dims, .hidden = LNN_ACT_GELU,
                                .max_batch = m, .optimizer = LNN_OPT_SGD};
    float *X = malloc(dims[0] * m * sizeof *X);
    float *Y = calloc(n_L * m, sizeof *Y);
    lnn_rng rng;
    lnn__rng_seed(&rng, 2026, 0);
    for (size_t k = 0; X && k < dims[0] * m; k++)
        X[k] = (float)lnn__rng_uniform(&rng);
    for (size_t j = 0; Y && j < m; j++)
        Y[lnn__rng_below(&rng, n_L) + j * n_L] = 1.0f;
    const float rates[] = {0.25f, 0.0f};
    float *one[3] = {NULL, NULL, NULL}; /* P, gradients, parameters */
    for (int T = 1; X && Y && T <= 3; T++) {
        CHECK_STATUS(lnn_set_threads(T), LNN_OK);
        lnn_net *net;
        CHECK_STATUS(lnn_net_create(&net, &cfg, NULL, 0), LNN_OK);
        if (!net)
            break;
        const bool team = lnn_omp_threads() == T;
        CHECK(net->P_parts == (team ? (size_t)T - 1 : 0));
        CHECK(lnn__net_team(net, m, false) == (team ? T : 1));
        CHECK_STATUS(lnn_initialize_parameters(net, LNN_INIT_HE, 9), LNN_OK);
        CHECK_STATUS(lnn_net_set_dropout(net, rates), LNN_OK);
        const float *P;
        CHECK_STATUS(lnn_L_layer_forward(net, X, m, &P), LNN_OK);
        CHECK_STATUS(lnn_L_layer_backward(net, X, Y, m), LNN_OK);
        const size_t n = lnn_net_n_params(net);
        float *grads = lnn_net_grads(net);
        const float *got[3] = {P, grads, lnn_net_params(net)};
        const size_t len[3] = {n_L * m, n, n};
        for (int k = 0; k < 3; k++) {
            if (k == 2) {
                lnn_train_opts o = lnn_train_opts_default();
                CHECK_STATUS(lnn_optim_step(net, &o, 0.1f), LNN_OK);
            }
            if (T == 1) {
                one[k] = malloc(len[k] * sizeof *one[k]);
                if (one[k])
                    memcpy(one[k], got[k], len[k] * sizeof *one[k]);
            }
            for (size_t i = 0; T > 1 && one[k] && i < len[k]; i++)
                CHECK_NEAR(got[k][i], one[k][i], 1e-6 + 1e-5 * fabs(one[k][i]));
        }
        lnn_net_destroy(net);
    }
    lnn_set_threads(2);
    for (int k = 0; k < 3; k++)
        free(one[k]);
    free(X);
    free(Y);
}

/* Cross-entropy from class indices (lnn_data.labels, no one-hot block)
 * trains exactly as from one-hot Y: P - Y is the same subtraction. */
static void labels_match_one_hot(void)
{
    const size_t dims[] = {5, 6, 4};
    const size_t m = 37;
    lnn_net_config cfg = {.L = 2, .dims = dims, .hidden = LNN_ACT_RELU,
                          .max_batch = 8, .optimizer = LNN_OPT_ADAM};
    lnn_net *a, *b;
    CHECK_STATUS(lnn_net_create(&a, &cfg, NULL, 0), LNN_OK);
    CHECK_STATUS(lnn_net_create(&b, &cfg, NULL, 0), LNN_OK);
    float X[5 * 37], Y[4 * 37] = {0};
    int32_t labels[37];
    lnn_rng rng;
    lnn__rng_seed(&rng, 77, 0);
    for (size_t k = 0; k < 5 * m; k++)
        X[k] = (float)lnn__rng_normal(&rng);
    for (size_t j = 0; j < m; j++) {
        labels[j] = (int32_t)lnn__rng_below(&rng, 4);
        Y[(size_t)labels[j] + 4 * j] = 1.0f;
    }
    lnn_train_opts o = lnn_train_opts_default();
    o.batch_size = 8;
    o.epochs = 3;
    o.learning_rate = 0.01f;
    const lnn_data dy = {.n_x = 5, .n_y = 4, .m = m, .X = X, .Y = Y};
    const lnn_data dl = {.n_x = 5, .n_y = 4, .m = m, .X = X,
                         .labels = labels};
    CHECK_STATUS(lnn_initialize_parameters(a, LNN_INIT_HE, 3), LNN_OK);
    CHECK_STATUS(lnn_initialize_parameters(b, LNN_INIT_HE, 3), LNN_OK);
    CHECK_STATUS(lnn_L_layer_model(a, &dy, &o), LNN_OK);
    CHECK_STATUS(lnn_L_layer_model(b, &dl, &o), LNN_OK);
    CHECK(memcmp(lnn_net_params(a), lnn_net_params(b),
                 lnn_net_n_params(a) * sizeof(float)) == 0);
    lnn_metrics ma, mb;
    CHECK_STATUS(lnn_evaluate(a, &dy, &ma, NULL), LNN_OK);
    CHECK_STATUS(lnn_evaluate(b, &dl, &mb, NULL), LNN_OK);
    CHECK(ma.loss == mb.loss && ma.accuracy == mb.accuracy);
    /* a label outside the classes is refused, not read out of bounds */
    labels[5] = 4;
    CHECK_STATUS(lnn_L_layer_model(b, &dl, &o), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(b), "class 4") != NULL);
    lnn_net_destroy(a);
    lnn_net_destroy(b);
}

int main(void)
{
    const extras none = {0};
    const size_t dims[] = {6, 5, 4, 3};
    gradcheck(LNN_ACT_RELU, LNN_LOSS_CE, dims, 3, 7, 1.0f, 1e-6, none);
    gradcheck(LNN_ACT_SIGMOID, LNN_LOSS_CE, dims, 3, 7, 3.0f, 1e-6, none);
    const size_t deep[] = {8, 7, 6, 5, 4};
    gradcheck(LNN_ACT_RELU, LNN_LOSS_CE, deep, 4, 3, 1.0f, 1e-6, none);
    /* every hidden activation; one per layer; Z kept for gelu and silu */
#define ACT_CHECK(E, value, name, hidden, ...)                                \
    if (hidden)                                                               \
        gradcheck(E, LNN_LOSS_CE, dims, 3, 7, E == LNN_ACT_SIGMOID ? 3.0f      \
                                                                   : 1.0f,    \
                  1e-5, none);
    LNN_ACTIVATION_LIST(ACT_CHECK)
#undef ACT_CHECK
    const lnn_activation mixed[] = {LNN_ACT_GELU, LNN_ACT_LEAKY_RELU,
                                    LNN_ACT_SILU};
    gradcheck(LNN_ACT_GELU, LNN_LOSS_CE, deep, 4, 3, 1.0f, 1e-3,
              (extras){.each = mixed});
    const lnn_activation mixed2[] = {LNN_ACT_TANH, LNN_ACT_ELU,
                                     LNN_ACT_IDENTITY};
    gradcheck(LNN_ACT_TANH, LNN_LOSS_MSE, deep, 4, 3, 1.0f, 1e-3,
              (extras){.each = mixed2});
    const size_t one[] = {4, 3};
    gradcheck(LNN_ACT_RELU, LNN_LOSS_CE, one, 1, 5, 1.0f, 1e-6, none);
    /* every head, through sigmoid layers (no kinks); one output too. A
     * float loss differenced over 2 EPS has an absolute noise of a few
     * 1e-6, so gradients below 1e-3 are held to 1e-5, not to 1 %. Then
     * each again with sample weights (one of them 0), and ce smoothed. */
    const size_t single[] = {6, 5, 1};
    static const float w9[] = {0.5f, 2.0f, 0.0f, 1.0f, 3.0f,
                               0.25f, 1.5f, 1.0f, 0.75f};
    const extras weighted = {.w = w9};
#define HEAD_CHECK(E, ...)                                                    \
    gradcheck(LNN_ACT_SIGMOID, E, dims, 3, 7, 2.0f, 1e-3, none);              \
    gradcheck(LNN_ACT_SIGMOID, E, dims, 3, 7, 2.0f, 1e-3, weighted);          \
    if (E != LNN_LOSS_CE)                                                     \
        gradcheck(LNN_ACT_SIGMOID, E, single, 2, 9, 2.0f, 1e-3, weighted);
    LNN_LOSS_LIST(HEAD_CHECK)
#undef HEAD_CHECK
    gradcheck(LNN_ACT_SIGMOID, LNN_LOSS_CE, dims, 3, 7, 2.0f, 1e-3,
              (extras){.smooth = 0.2f});
    gradcheck(LNN_ACT_RELU, LNN_LOSS_CE, dims, 3, 7, 1.0f, 1e-6,
              (extras){.w = w9, .smooth = 0.1f});
    /* dropout with a fixed mask: relu, sigmoid (whose f' is from H, which
     * dropout leaves alone), gelu (from the kept Z) */
    gradcheck(LNN_ACT_RELU, LNN_LOSS_CE, deep, 4, 3, 1.0f, 1e-6,
              (extras){.drop = 0.3f});
    gradcheck(LNN_ACT_SIGMOID, LNN_LOSS_CE, dims, 3, 7, 3.0f, 1e-3,
              (extras){.drop = 0.3f});
    gradcheck(LNN_ACT_GELU, LNN_LOSS_MSE, deep, 4, 3, 1.0f, 1e-3,
              (extras){.drop = 0.25f, .w = w9});
    labels_match_one_hot();
    team_matches_one_thread();
    static const size_t narrow[] = {400, 64, 32, 10}, wide[] = {200, 256, 10};
    split_matches_one_thread(narrow, 3, 128);
    split_matches_one_thread(wide, 2, 96);
    return check_result("gradcheck");
}
