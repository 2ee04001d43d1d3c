/* activation.c: relu, sigmoid, softmax and their backwards, on n x m
 * column-major blocks. Each function switches on the activation once,
 * outside the loops; every case is one OpenMP loop. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "kernels.h"
#include "threads.h"
#include "util.h"

/* h = softmax(z + b) for one column of n; h may be z. */
static void softmax_column(float *h, const float *z, const float *b, size_t n)
{
    /* Subtract the column max before exp: e^(z - max) <= 1 never overflows,
     * and the ratio is unchanged. */
    float max = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        float v = z[i] + (b ? b[i] : 0.0f);
        h[i] = v;
        max = v > max ? v : max;
    }
    float sum = 0.0f;
    for (size_t i = 0; i < n; i++) {
        float e = expf(h[i] - max);
        h[i] = e;
        sum += e;
    }
    const float inv = 1.0f / sum;
    for (size_t i = 0; i < n; i++)
        h[i] *= inv;
}

void lnn__act_forward(float *H, const float *Z, const float *b,
                      lnn_activation f, size_t n, size_t m)
{
    const bool par = lnn__par(n * m);
    (void)par;
    switch (f) {
    case LNN_ACT_RELU:
        LNN_OMP(omp parallel for schedule(static) if(parallel: par))
        for (size_t j = 0; j < m; j++) {
            const float *z = Z + j * n;
            float *h = H + j * n;
            for (size_t i = 0; i < n; i++) {
                float v = z[i] + (b ? b[i] : 0.0f);
                h[i] = v < 0.0f ? 0.0f : v; /* keeps NaN visible */
            }
        }
        break;
    case LNN_ACT_SIGMOID:
        LNN_OMP(omp parallel for schedule(static) if(parallel: par))
        for (size_t j = 0; j < m; j++) {
            const float *z = Z + j * n;
            float *h = H + j * n;
            for (size_t i = 0; i < n; i++) {
                float v = z[i] + (b ? b[i] : 0.0f);
                h[i] = 1.0f / (1.0f + expf(-v)); /* expf(-v) = inf -> 0 */
            }
        }
        break;
    case LNN_ACT_SOFTMAX:
        LNN_OMP(omp parallel for schedule(static) if(parallel: par))
        for (size_t j = 0; j < m; j++)
            softmax_column(H + j * n, Z + j * n, b, n);
        break;
    }
}

void lnn__act_backward(float *dZ, const float *dH, const float *H,
                       lnn_activation f, size_t n, size_t m)
{
    /* Elementwise over the whole block: its columns are contiguous. */
    const size_t count = n * m;
    const bool par = lnn__par(count);
    (void)par;
    switch (f) {
    case LNN_ACT_RELU: /* relu'(Z) = [Z > 0] = [H > 0] */
        LNN_OMP(omp parallel for simd schedule(static) if(parallel: par))
        for (size_t k = 0; k < count; k++) {
            /* dH read whatever H is: a conditional load would keep the
             * loop scalar. dZ may be dH (in place). */
            const float g = dH[k];
            dZ[k] = H[k] > 0.0f ? g : 0.0f;
        }
        break;
    case LNN_ACT_SIGMOID: /* sigmoid'(Z) = H (1 - H) */
        LNN_OMP(omp parallel for simd schedule(static) if(parallel: par))
        for (size_t k = 0; k < count; k++)
            dZ[k] = dH[k] * H[k] * (1.0f - H[k]);
        break;
    case LNN_ACT_SOFTMAX:
        /* The output layer: dH is already dZ_L = P - Y (softmax's Jacobian
         * folded into the cross-entropy), so dZ = dH. */
        if (dZ != dH)
            memmove(dZ, dH, count * sizeof *dZ);
        break;
    }
}

/* Checks shared by the public activation functions. */
static lnn_status check_elementwise(const void *out, const void *in1,
                                    const void *in2, size_t n, size_t m)
{
    size_t count;
    if (!out || !in1 || !in2 || n == 0 || m == 0)
        return LNN_ERR_ARG;
    if (!lnn__mul(n, m, &count))
        return LNN_ERR_OVERFLOW;
    return LNN_OK;
}

static lnn_status forward_checked(float *H, const float *Z, lnn_activation f,
                                  size_t n, size_t m)
{
    lnn_status s = check_elementwise(H, Z, Z, n, m);
    if (s == LNN_OK)
        lnn__act_forward(H, Z, NULL, f, n, m);
    return s;
}

static lnn_status backward_checked(float *dZ, const float *dH, const float *H,
                                   lnn_activation f, size_t n, size_t m)
{
    lnn_status s = check_elementwise(dZ, dH, H, n, m);
    if (s == LNN_OK)
        lnn__act_backward(dZ, dH, H, f, n, m);
    return s;
}

lnn_status lnn_sigmoid(float *H, const float *Z, size_t n, size_t m)
{
    return forward_checked(H, Z, LNN_ACT_SIGMOID, n, m);
}

lnn_status lnn_relu(float *H, const float *Z, size_t n, size_t m)
{
    return forward_checked(H, Z, LNN_ACT_RELU, n, m);
}

lnn_status lnn_softmax(float *H, const float *Z, size_t n, size_t m)
{
    return forward_checked(H, Z, LNN_ACT_SOFTMAX, n, m);
}

lnn_status lnn_sigmoid_backward(float *dZ, const float *dH, const float *H,
                                size_t n, size_t m)
{
    return backward_checked(dZ, dH, H, LNN_ACT_SIGMOID, n, m);
}

lnn_status lnn_relu_backward(float *dZ, const float *dH, const float *H,
                             size_t n, size_t m)
{
    return backward_checked(dZ, dH, H, LNN_ACT_RELU, n, m);
}

