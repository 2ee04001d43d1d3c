/* Activations and their derivatives against closed forms; softmax columns
 * sum to 1 and stay finite for inputs of +-1000. */
#include <float.h>

#include "check.h"
#include "lnn_exercise.h"

#define N 6
#define M 2

/* Z is 6 x 2, column-major */
static const float Z[N * M] = {-3.0f, -0.5f, 0.0f, 0.25f, 2.0f, 10.0f,
                               1.0f,  -1.0f, 4.0f, -4.0f, 0.5f, -20.0f};

/* relu, sigmoid, softmax and their derivatives against closed forms. */
static void closed_forms(void)
{
    float H[N * M], dZ[N * M], dH[N * M];
    for (int k = 0; k < N * M; k++)
        dH[k] = 0.5f + 0.1f * (float)k;

    CHECK_STATUS(lnn_relu(H, Z, N, M), LNN_OK);
    for (int k = 0; k < N * M; k++)
        CHECK_NEAR(H[k], Z[k] > 0 ? Z[k] : 0.0f, 0.0);
    CHECK_STATUS(lnn_relu_backward(dZ, dH, H, N, M), LNN_OK);
    for (int k = 0; k < N * M; k++)
        CHECK_NEAR(dZ[k], Z[k] > 0 ? dH[k] : 0.0f, 0.0);

    CHECK_STATUS(lnn_sigmoid(H, Z, N, M), LNN_OK);
    for (int k = 0; k < N * M; k++)
        CHECK_NEAR(H[k], 1.0 / (1.0 + exp(-(double)Z[k])), 1e-7);
    CHECK_NEAR(H[2], 0.5, 0.0); /* sigmoid(0) = 1/2 exactly */
    CHECK_STATUS(lnn_sigmoid_backward(dZ, dH, H, N, M), LNN_OK);
    for (int k = 0; k < N * M; k++) {
        double s = 1.0 / (1.0 + exp(-(double)Z[k]));
        CHECK_NEAR(dZ[k], dH[k] * s * (1.0 - s), 1e-7);
    }

    /* in place: H may be Z */
    float Zc[N * M];
    for (int k = 0; k < N * M; k++)
        Zc[k] = Z[k];
    CHECK_STATUS(lnn_relu(Zc, Zc, N, M), LNN_OK);
    CHECK_NEAR(Zc[0], 0.0, 0.0);
    CHECK_NEAR(Zc[5], 10.0, 0.0);

    CHECK_STATUS(lnn_softmax(H, Z, N, M), LNN_OK);
    for (int j = 0; j < M; j++) {
        double sum = 0.0, denom = 0.0;
        for (int i = 0; i < N; i++)
            denom += exp((double)Z[i + j * N]);
        for (int i = 0; i < N; i++) {
            CHECK_NEAR(H[i + j * N], exp((double)Z[i + j * N]) / denom, 1e-7);
            sum += H[i + j * N];
        }
        CHECK_NEAR(sum, 1.0, 1e-6);
    }
}

/* Extreme inputs: no overflow, no NaN, still a distribution. */
static void extremes(void)
{
    const float big[3 * 2] = {1000.0f, -1000.0f, 999.0f,
                              -1000.0f, -1000.0f, -1000.0f};
    float P[3 * 2];
    CHECK_STATUS(lnn_softmax(P, big, 3, 2), LNN_OK);
    for (int k = 0; k < 6; k++)
        CHECK(isfinite(P[k]));
    CHECK_NEAR(P[0], 1.0 / (1.0 + exp(-1.0)), 1e-6);
    CHECK_NEAR(P[1], 0.0, 0.0);
    CHECK_NEAR(P[3], 1.0 / 3.0, 1e-7);
    float S[2];
    const float sig_big[2] = {1000.0f, -1000.0f};
    CHECK_STATUS(lnn_sigmoid(S, sig_big, 2, 1), LNN_OK);
    CHECK_NEAR(S[0], 1.0, 0.0);
    CHECK_NEAR(S[1], 0.0, 0.0);
}

/* lnn's own e^x (activation.c), through softmax over columns {x, 0}:
 * p = e^x / (e^x + 1), within a few float roundings of the exact value
 * from 1e-30 up, on 20001 points over [-69, 69]; and NaN propagates. */
static void exp_sweep(void)
{
    enum { SWEEP = 20001 };
    static float Zs[2 * SWEEP], Ps[2 * SWEEP];
    for (int k = 0; k < SWEEP; k++) {
        Zs[2 * k] = -69.0f + 138.0f * (float)k / (float)(SWEEP - 1);
        Zs[2 * k + 1] = 0.0f;
    }
    CHECK_STATUS(lnn_softmax(Ps, Zs, 2, SWEEP), LNN_OK);
    double worst = 0.0;
    for (int k = 0; k < SWEEP; k++) {
        const double x = (double)Zs[2 * k], p = 1.0 / (1.0 + exp(-x));
        const double err = fabs((double)Ps[2 * k] - p) / p;
        worst = err > worst ? err : worst;
    }
    CHECK(worst < 4.0 * FLT_EPSILON);
    const float nan_in[4] = {NAN, 0.0f, 1.0f, 2.0f};
    float nan_out[4];
    CHECK_STATUS(lnn_softmax(nan_out, nan_in, 2, 2), LNN_OK);
    CHECK(isnan(nan_out[0]) && isnan(nan_out[1]));
    CHECK(isfinite(nan_out[2]) && isfinite(nan_out[3]));
    CHECK_STATUS(lnn_sigmoid(nan_out, nan_in, 4, 1), LNN_OK);
    CHECK(isnan(nan_out[0]));
}

int main(void)
{
    closed_forms();
    extremes();
    exp_sweep();
    /* bad arguments */
    float H[N * M], dZ[N * M], dH[N * M] = {0};
    CHECK_STATUS(lnn_relu(NULL, Z, N, M), LNN_ERR_ARG);
    CHECK_STATUS(lnn_softmax(H, Z, 0, M), LNN_ERR_ARG);
    CHECK_STATUS(lnn_sigmoid_backward(dZ, dH, NULL, N, M), LNN_ERR_ARG);
    CHECK_STATUS(lnn_sigmoid(H, Z, SIZE_MAX / 2, 4), LNN_ERR_OVERFLOW);
    return check_result("activation");
}
