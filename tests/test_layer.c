/* layer_forward and layer_backward: on small fixed matrices against values
 * worked out by hand, and on random ones against a plain reference. */
#include <stdlib.h>

#include "check.h"
#include "lnn_exercise.h"
#include "kernels.h"
#include "rng.h"

/* Reference forward: H = f(W H_prev + b), in double, column-major. */
static void ref_forward(double *H, const float *H_prev, const float *W,
                        const float *b, lnn_activation f, size_t n,
                        size_t n_prev, size_t m)
{
    for (size_t j = 0; j < m; j++) {
        double zmax = -HUGE_VAL, sum = 0.0;
        for (size_t i = 0; i < n; i++) {
            double z = b[i];
            for (size_t k = 0; k < n_prev; k++)
                z += (double)W[i + k * n] * H_prev[k + j * n_prev];
            H[i + j * n] = z;
            zmax = z > zmax ? z : zmax;
        }
        for (size_t i = 0; i < n; i++) {
            double z = H[i + j * n];
            if (f == LNN_ACT_RELU)
                H[i + j * n] = z > 0 ? z : 0;
            else if (f == LNN_ACT_SIGMOID)
                H[i + j * n] = 1.0 / (1.0 + exp(-z));
            else
                sum += (H[i + j * n] = exp(z - zmax));
        }
        if (f == LNN_ACT_SOFTMAX)
            for (size_t i = 0; i < n; i++)
                H[i + j * n] /= sum;
    }
}

static void fixed_case(void)
{
    /* W (2 x 3) = [1 -1 2; 0.5 0 -1], b = [0.5; -0.25],
     * H_prev (3 x 2) = [1 -1; 2 0; 3 1] */
    const float W[6] = {1.0f, 0.5f, -1.0f, 0.0f, 2.0f, -1.0f};
    const float b[2] = {0.5f, -0.25f};
    const float H_prev[6] = {1.0f, 2.0f, 3.0f, -1.0f, 0.0f, 1.0f};
    float H[4];
    CHECK_STATUS(lnn_layer_forward(H, H_prev, W, b, LNN_ACT_RELU, 2, 3, 2),
                 LNN_OK);
    /* Z = [5.5 1.5; -2.75 -1.75] -> relu */
    const float H_want[4] = {5.5f, 0.0f, 1.5f, 0.0f};
    for (int k = 0; k < 4; k++)
        CHECK_NEAR(H[k], H_want[k], 1e-6);

    /* dH = [1 3; 2 4] -> dZ = [1 3; 0 0], db = (1/2)[4; 0],
     * dW = (1/2) dZ H_prev^T = [-1 1 3; 0 0 0],
     * dH_prev = W^T dZ = [1 3; -1 -3; 2 6] */
    const float dH[4] = {1.0f, 2.0f, 3.0f, 4.0f};
    float dZ[4], dW[6], db[2], dH_prev[6];
    CHECK_STATUS(lnn_layer_backward(dH_prev, dW, db, dZ, dH, H, H_prev, W,
                                    LNN_ACT_RELU, 2, 3, 2),
                 LNN_OK);
    const float dZ_want[4] = {1.0f, 0.0f, 3.0f, 0.0f};
    const float db_want[2] = {2.0f, 0.0f};
    const float dW_want[6] = {-1.0f, 0.0f, 1.0f, 0.0f, 3.0f, 0.0f};
    const float dHp_want[6] = {1.0f, -1.0f, 2.0f, 3.0f, -3.0f, 6.0f};
    for (int k = 0; k < 4; k++)
        CHECK_NEAR(dZ[k], dZ_want[k], 1e-6);
    for (int k = 0; k < 2; k++)
        CHECK_NEAR(db[k], db_want[k], 1e-6);
    for (int k = 0; k < 6; k++) {
        CHECK_NEAR(dW[k], dW_want[k], 1e-6);
        CHECK_NEAR(dH_prev[k], dHp_want[k], 1e-6);
    }
    /* dH_prev NULL: the first layer needs none */
    CHECK_STATUS(lnn_layer_backward(NULL, dW, db, dZ, dH, H, H_prev, W,
                                    LNN_ACT_RELU, 2, 3, 2),
                 LNN_OK);
    CHECK_NEAR(dW[4], 3.0, 1e-6);
}

static void random_case(lnn_activation f, size_t n, size_t n_prev, size_t m)
{
    lnn_rng rng;
    lnn__rng_seed(&rng, 11 + (uint64_t)f, 0);
    float *W = malloc(n * n_prev * sizeof *W), *b = malloc(n * sizeof *b);
    float *H_prev = malloc(n_prev * m * sizeof *H_prev);
    float *H = malloc(n * m * sizeof *H), *dH = malloc(n * m * sizeof *dH);
    float *dZ = malloc(n * m * sizeof *dZ), *dW = malloc(n * n_prev * sizeof *dW);
    float *db = malloc(n * sizeof *db), *dHp = malloc(n_prev * m * sizeof *dHp);
    double *ref = malloc(n * m * sizeof *ref);
    for (size_t k = 0; k < n * n_prev; k++)
        W[k] = (float)lnn__rng_normal(&rng);
    for (size_t k = 0; k < n; k++)
        b[k] = (float)lnn__rng_normal(&rng);
    for (size_t k = 0; k < n_prev * m; k++)
        H_prev[k] = (float)lnn__rng_normal(&rng);
    for (size_t k = 0; k < n * m; k++)
        dH[k] = (float)lnn__rng_normal(&rng);

    CHECK_STATUS(lnn_layer_forward(H, H_prev, W, b, f, n, n_prev, m), LNN_OK);
    ref_forward(ref, H_prev, W, b, f, n, n_prev, m);
    for (size_t k = 0; k < n * m; k++)
        CHECK_NEAR(H[k], ref[k], 1e-5 * (1.0 + fabs(ref[k])));

    CHECK_STATUS(lnn_layer_backward(dHp, dW, db, dZ, dH, H, H_prev, W, f, n,
                                    n_prev, m),
                 LNN_OK);
    /* reference backward from the reference forward output */
    for (size_t k = 0; k < n * m; k++) {
        double d = dH[k];
        if (f == LNN_ACT_RELU)
            d = ref[k] > 0 ? d : 0.0;
        else if (f == LNN_ACT_SIGMOID)
            d *= ref[k] * (1.0 - ref[k]);
        ref[k] = d;
        CHECK_NEAR(dZ[k], d, 1e-5 * (1.0 + fabs(d)));
    }
    for (size_t i = 0; i < n; i++) {
        double s = 0.0;
        for (size_t j = 0; j < m; j++)
            s += ref[i + j * n];
        CHECK_NEAR(db[i], s / (double)m, 1e-5);
        for (size_t k = 0; k < n_prev; k++) {
            double w = 0.0;
            for (size_t j = 0; j < m; j++)
                w += ref[i + j * n] * H_prev[k + j * n_prev];
            CHECK_NEAR(dW[i + k * n], w / (double)m, 1e-5 * (1.0 + fabs(w)));
        }
    }
    for (size_t k = 0; k < n_prev; k++) {
        for (size_t j = 0; j < m; j++) {
            double h = 0.0;
            for (size_t i = 0; i < n; i++)
                h += (double)W[i + k * n] * ref[i + j * n];
            CHECK_NEAR(dHp[k + j * n_prev], h, 1e-4 * (1.0 + fabs(h)));
        }
    }
    free(W); free(b); free(H_prev); free(H); free(dH); free(dZ); free(dW);
    free(db); free(dHp); free(ref);
}

int main(void)
{
    fixed_case();
    random_case(LNN_ACT_RELU, 5, 4, 3);
    random_case(LNN_ACT_SIGMOID, 7, 6, 5);
    random_case(LNN_ACT_SOFTMAX, 4, 9, 6);
    /* Teams of 2 and 3 threads (lnn_set_threads sets the size; no team
     * without OpenMP): uneven shares of the columns, dW cut by rows
     * (n > n_prev) and by columns (n <= n_prev), shares that are empty for
     * dW of 10 rows. */
    for (int T = 2; T <= 3; T++) {
        CHECK_STATUS(lnn_set_threads(T), LNN_OK);
        const int team = lnn_omp_threads() == T ? T : 1;
        CHECK(lnn__layer_team(70, 33, 500, 1) == team);
        random_case(LNN_ACT_RELU, 70, 33, 500);
        CHECK(lnn__layer_team(45, 97, 250, 1) == team);
        random_case(LNN_ACT_SIGMOID, 45, 97, 250);
        CHECK(lnn__layer_team(10, 300, 400, 1) == team);
        random_case(LNN_ACT_SOFTMAX, 10, 300, 400);
    }

    float x[4] = {0};
    CHECK_STATUS(lnn_layer_forward(x, x, x, NULL, LNN_ACT_RELU, 2, 2, 1),
                 LNN_ERR_ARG);
    CHECK_STATUS(lnn_layer_forward(x, x, x, x, (lnn_activation)9, 2, 2, 1),
                 LNN_ERR_ARG);
    CHECK_STATUS(lnn_layer_forward(x, x, x, x, LNN_ACT_RELU, 2, 0, 1),
                 LNN_ERR_ARG);
    CHECK_STATUS(lnn_layer_forward(x, x, x, x, LNN_ACT_RELU,
                                   (size_t)1 << 31, 1, 1),
                 LNN_ERR_OVERFLOW);
    return check_result("layer");
}
