/* No subnormal floats where they would build up: the optimizers' state and
 * weights, and the outputs of e^x (softmax, sigmoid), are flushed to 0
 * below FLT_MIN (docs/threading.md, "Subnormal floats"). Checked three ways:
 * state seeded with subnormals, a run long enough for a velocity or Adam's
 * first moment to decay below FLT_MIN, and activations whose exact values
 * are subnormal. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lnn_exercise.h"
#include "net.h" /* opt_state: the optimizer's slots */
#include "problems.h"

static const lnn_optimizer all_opts[] = {LNN_OPT_SGD, LNN_OPT_MOMENTUM,
                                         LNN_OPT_NESTEROV, LNN_OPT_ADAM};
#define N_OPTS (sizeof all_opts / sizeof *all_opts)

/* How many of x[0 .. n) are subnormal. */
static size_t subnormals(const float *x, size_t n)
{
    size_t count = 0;
    for (size_t k = 0; k < n; k++)
        count += fpclassify(x[k]) == FP_SUBNORMAL;
    return count;
}

/* The parameters' and the optimizer state's subnormals: [0] and [1]. */
static void net_subnormals(lnn_net *net, size_t count[2])
{
    const size_t n = lnn_net_n_params(net);
    count[0] = subnormals(lnn_net_params(net), n);
    count[1] = subnormals(net->opt_state, lnn__opt_slots(net->optimizer) * n);
}

/* Weights and state seeded with subnormals, one update with zero
 * gradients: each rule decays or keeps them, and must store 0 instead. */
static void seeded(void)
{
    const size_t dims[] = {2, 1};
    for (size_t i = 0; i < N_OPTS; i++) {
        lnn_net *net = make_net(dims, 1, LNN_ACT_RELU, all_opts[i], 1, 1);
        if (!net)
            continue;
        const size_t n = lnn_net_n_params(net);
        float *W = lnn_net_params(net);
        W[0] = FLT_MIN / 4.0f;
        W[1] = -FLT_MIN / 64.0f;
        for (size_t k = 0; k < lnn__opt_slots(net->optimizer) * n; k++)
            net->opt_state[k] = (k % 2 ? -FLT_MIN : FLT_MIN) / 8.0f;
        memset(lnn_net_grads(net), 0, n * sizeof(float));
        lnn_train_opts o = lnn_train_opts_default();
        CHECK_STATUS(lnn_optim_step(net, &o, 0.01f), LNN_OK);
        size_t count[2];
        net_subnormals(net, count);
        printf("seeded, %s: %zu subnormal parameters, %zu in the state\n",
               lnn_optimizer_name(all_opts[i]), count[0], count[1]);
        CHECK(count[0] == 0 && count[1] == 0);
        lnn_net_destroy(net);
    }
}

/* Input feature 0 is on for the first few updates, then always 0 (as
 * MNIST's border pixels are in almost every image): its weights' gradients
 * become exactly 0, and a velocity or first moment decays as 0.9^t, below
 * FLT_MIN after about 830 updates, and is subnormal for about 150 updates
 * before it reaches 0. 1000 updates of a 3-4-2 network, each one checked. */
static void long_run(void)
{
    enum { M = 16, ON = 5, STEPS = 1000 };
    const size_t dims[] = {3, 4, 2};
    float X[3 * M], Y[2 * M] = {0};
    for (size_t j = 0; j < M; j++) {
        X[3 * j + 1] = (float)(j % 4) - 1.5f;
        X[3 * j + 2] = (float)(j % 3) - 1.0f;
        Y[2 * j + (j % 4 < 2)] = 1.0f;
    }
    for (size_t i = 0; i < N_OPTS; i++) {
        lnn_net *net = make_net(dims, 2, LNN_ACT_RELU, all_opts[i], M, 3);
        if (!net)
            continue;
        lnn_train_opts o = lnn_train_opts_default();
        const float lr = all_opts[i] == LNN_OPT_ADAM ? 0.001f : 0.01f;
        size_t total[2] = {0, 0};
        for (int t = 0; t < STEPS; t++) {
            for (size_t j = 0; j < M; j++)
                X[3 * j] = t < ON ? 1.0f : 0.0f;
            CHECK_STATUS(lnn_L_layer_forward(net, X, M, NULL), LNN_OK);
            CHECK_STATUS(lnn_L_layer_backward(net, X, Y, M), LNN_OK);
            CHECK_STATUS(lnn_optim_step(net, &o, lr), LNN_OK);
            size_t count[2];
            net_subnormals(net, count);
            total[0] += count[0];
            total[1] += count[1];
        }
        printf("%d updates, %s: %zu subnormal parameters, %zu in the state "
               "(summed over the updates)\n", STEPS,
               lnn_optimizer_name(all_opts[i]), total[0], total[1]);
        CHECK(total[0] == 0 && total[1] == 0);
        lnn_net_destroy(net);
    }
}

/* Softmax and sigmoid where the exact result is subnormal: e^-95 / (1 +
 * ...) ~ 5.5e-42 and 1 / (1 + e^88) ~ 6.1e-39 are 0; normal results stay. */
static void activations(void)
{
    const float Z[3] = {0.0f, -95.0f, -60.0f};
    float H[3];
    CHECK_STATUS(lnn_softmax(H, Z, 3, 1), LNN_OK);
    printf("softmax(0, -95, -60) = %g %g %g\n", (double)H[0], (double)H[1],
           (double)H[2]);
    CHECK(subnormals(H, 3) == 0);
    CHECK(H[1] == 0.0f && H[2] > 0.0f && H[0] == 1.0f);
    const float Zs[3] = {-88.0f, -86.0f, 0.0f};
    CHECK_STATUS(lnn_sigmoid(H, Zs, 3, 1), LNN_OK);
    printf("sigmoid(-88, -86, 0) = %g %g %g\n", (double)H[0], (double)H[1],
           (double)H[2]);
    CHECK(subnormals(H, 3) == 0);
    CHECK(H[0] == 0.0f && H[1] >= FLT_MIN && H[2] == 0.5f);
}

int main(void)
{
    seeded();
    long_run();
    activations();
    return check_result("subnormal");
}
