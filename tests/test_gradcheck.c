/* Gradient check: every dW and db element of backpropagation against a
 * central finite difference of compute_loss, for small random networks with
 * relu and with sigmoid hidden layers. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lnn_exercise.h"
#include "net.h"
#include "rng.h"

#define LNN_GRADCHECK_EPS 1e-2f
#define LNN_GRADCHECK_TOL 1e-2
/* ReLU has a kink at 0; a finite difference across it is meaningless, so
 * networks are drawn until every hidden pre-activation is this far from 0
 * (a step of EPS in one weight moves Z by far less). */
#define LNN_KINK_MARGIN 0.2

static double loss_of(lnn_net *net, const float *X, const float *Y, size_t m)
{
    const float *P;
    double loss = NAN;
    CHECK_STATUS(lnn_L_layer_forward(net, X, m, &P), LNN_OK);
    const size_t *dims = lnn_net_dims(net);
    CHECK_STATUS(lnn_compute_loss(P, Y, dims[lnn_net_L(net)], m, &loss),
                 LNN_OK);
    return loss;
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

/* w_scale multiplies the initial weights. A central difference in float has
 * a noise floor near 1e-6 (float rounding of a loss near 1, over 2 EPS), so
 * the network must have every gradient element well above it for a 1 %
 * check to mean anything: sigmoid layers shrink gradients by up to 4x each,
 * and larger weights undo that. */
static void gradcheck(lnn_activation hidden, const size_t *dims, size_t L,
                      size_t m, float w_scale)
{
    lnn_net_config cfg = {.L = L, .dims = dims, .hidden = hidden,
                          .max_batch = m};
    lnn_net *net;
    CHECK_STATUS(lnn_net_create(&net, &cfg, NULL, 0), LNN_OK);
    if (!net)
        return;
    const size_t n0 = dims[0], nL = dims[L];
    float *X = malloc(n0 * m * sizeof *X), *Y = calloc(nL * m, sizeof *Y);
    lnn_rng rng;
    lnn__rng_seed(&rng, 2024, 0);
    for (size_t k = 0; k < n0 * m; k++)
        X[k] = (float)lnn__rng_normal(&rng);
    for (size_t j = 0; j < m; j++)
        Y[lnn__rng_below(&rng, nL) + j * nL] = 1.0f;

    /* Random biases too, so db is exercised; redraw until no kink is near. */
    uint64_t seed = 1;
    for (;; seed++) {
        CHECK_STATUS(lnn_initialize_parameters(net, LNN_INIT_XAVIER, seed),
                     LNN_OK);
        for (size_t l = 1; l <= L; l++) {
            lnn_layer ly;
            lnn_net_layer(net, l, &ly);
            for (size_t k = 0; k < ly.n * ly.n_prev; k++)
                ly.W[k] *= w_scale;
            for (size_t i = 0; i < ly.n; i++)
                ly.b[i] = (float)(0.5 * lnn__rng_normal(&rng));
        }
        loss_of(net, X, Y, m);
        if (hidden != LNN_ACT_RELU ||
            min_abs_hidden_z(net, X, m) > LNN_KINK_MARGIN)
            break;
    }

    loss_of(net, X, Y, m);
    CHECK_STATUS(lnn_L_layer_backward(net, X, Y, m), LNN_OK);
    const size_t n_params = lnn_net_n_params(net);
    float *analytic = malloc(n_params * sizeof *analytic);
    memcpy(analytic, lnn_net_grads(net), n_params * sizeof *analytic);

    float *theta = lnn_net_params(net);
    double worst = 0.0, smallest = HUGE_VAL;
    size_t worst_k = 0;
    for (size_t k = 0; k < n_params; k++) {
        const float saved = theta[k];
        theta[k] = saved + LNN_GRADCHECK_EPS;
        double up = loss_of(net, X, Y, m);
        theta[k] = saved - LNN_GRADCHECK_EPS;
        double down = loss_of(net, X, Y, m);
        theta[k] = saved;
        /* the step actually taken, after float rounding */
        double step = (double)(saved + LNN_GRADCHECK_EPS) -
                      (double)(saved - LNN_GRADCHECK_EPS);
        double numeric = (up - down) / step;
        double a = analytic[k];
        smallest = fabs(a) < smallest ? fabs(a) : smallest;
        double rel = fabs(a - numeric) / fmax(fabs(a) + fabs(numeric), 1e-6);
        if (rel > worst) {
            worst = rel;
            worst_k = k;
        }
    }
    printf("gradcheck %s L=%zu, %zu params: max relative error %.3g "
           "(param %zu), smallest |gradient| %.3g\n",
           lnn_activation_name(hidden), L, n_params, worst, worst_k,
           smallest);
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
 * by rows where n > n_prev, 40 -> 48, else by columns) and of db. A finite
 * difference cannot check this size: averaged over 400 columns, many
 * gradients fall below float's noise floor. */
static void team_matches_one_thread(void)
{
    const size_t dims[] = {40, 48, 24, 10};
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
        loss_of(net, X, Y, m);
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

int main(void)
{
    const size_t dims[] = {6, 5, 4, 3};
    gradcheck(LNN_ACT_RELU, dims, 3, 7, 1.0f);
    gradcheck(LNN_ACT_SIGMOID, dims, 3, 7, 3.0f);
    const size_t deep[] = {8, 7, 6, 5, 4};
    gradcheck(LNN_ACT_RELU, deep, 4, 3, 1.0f);
    const size_t one[] = {4, 3};
    gradcheck(LNN_ACT_RELU, one, 1, 5, 1.0f);
    team_matches_one_thread();
    return check_result("gradcheck");
}
