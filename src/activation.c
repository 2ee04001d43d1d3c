/* activation.c: relu, sigmoid, softmax and their backwards, on n x m
 * column-major blocks. Each function switches on the activation once,
 * outside the loops; every case is one OpenMP loop. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kernels.h"
#include "threads.h"
#include "util.h"

/* e^x in float, within 1 ulp of the exact value (checked on every 7th
 * float with a normal result), in straight-line code that vectorises
 * (glibc's expf is a call per element). Cody and Waite's reduction
 * x = k ln2 + r, |r| <= ln2 / 2, then Cephes's degree-6 polynomial for e^r,
 * scaled by 2^k in two halves so that every k the clamp allows is a normal
 * float: e^x for x >= 89 overflows to inf, as the exact value does. A
 * result below FLT_MIN (x below about -87.34) is flushed to 0 rather than
 * returned subnormal (lnn__flush): softmax outputs of a confident network
 * would otherwise feed subnormals to the backward pass's GEMMs. NaN stays
 * NaN. */
static inline float exp_f(float x)
{
    const float xc = x > 89.0f ? 89.0f : x < -104.0f ? -104.0f : x;
    const float xs = x == x ? xc : 0.0f;
    /* k = round(xs log2 e): adding 1.5 * 2^23 rounds to an integer */
    const float k = (xs * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    const float r = (xs - k * 0.693359375f) + k * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const int32_t k1 = (int32_t)k / 2, k2 = (int32_t)k - k1;
    union { int32_t i; float f; } s1 = {(k1 + 127) << 23},
                                  s2 = {(k2 + 127) << 23};
    return x == x ? lnn__flush(p * s1.f * s2.f) : x;
}

/* Columns per sweep of softmax: a block's e^x is one contiguous loop. */
#define SOFTMAX_COLS ((size_t)64)

/* H = softmax(Z + b) for `cols` columns of n; H may be Z. Each column is
 * shifted by its max first: e^(z - max) <= 1 never overflows, and the
 * ratio is unchanged. */
LNN_VECTOR_CLONES
static void softmax_block(float *H, const float *Z, const float *b, size_t n,
                          size_t cols)
{
    for (size_t j = 0; j < cols; j++) {
        const float *z = Z + j * n;
        float *h = H + j * n;
        float max = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            const float v = z[i] + (b ? b[i] : 0.0f);
            h[i] = v;
            max = v > max ? v : max;
        }
        for (size_t i = 0; i < n; i++)
            h[i] -= max;
    }
    LNN_OMP(omp simd)
    for (size_t k = 0; k < n * cols; k++)
        H[k] = exp_f(H[k]);
    for (size_t j = 0; j < cols; j++) {
        float *h = H + j * n;
        float sum = 0.0f;
        for (size_t i = 0; i < n; i++)
            sum += h[i];
        const float inv = 1.0f / sum;
        for (size_t i = 0; i < n; i++)
            h[i] *= inv;
    }
}

/* h = z + b (b may be NULL: none) for one column of n. */
static inline void add_bias(float *h, const float *z, const float *b,
                            size_t n)
{
    for (size_t i = 0; i < n; i++)
        h[i] = z[i] + (b ? b[i] : 0.0f);
}

LNN_VECTOR_CLONES
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
            float *h = H + j * n;
            /* two sweeps: the bias's test would keep one scalar */
            add_bias(h, Z + j * n, b, n);
            for (size_t i = 0; i < n; i++)
                /* e^-v = inf -> 0; flushed below FLT_MIN (v < -87.3) */
                h[i] = lnn__flush(1.0f / (1.0f + exp_f(-h[i])));
        }
        break;
    case LNN_ACT_SOFTMAX:
        LNN_OMP(omp parallel for schedule(static) if(parallel: par))
        for (size_t j0 = 0; j0 < m; j0 += SOFTMAX_COLS)
            softmax_block(H + j0 * n, Z + j0 * n, b, n,
                          m - j0 < SOFTMAX_COLS ? m - j0 : SOFTMAX_COLS);
        break;
    case LNN_ACT_IDENTITY:
        LNN_OMP(omp parallel for schedule(static) if(parallel: par))
        for (size_t j = 0; j < m; j++)
            add_bias(H + j * n, Z + j * n, b, n);
        break;
    }
}

LNN_VECTOR_CLONES
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
    case LNN_ACT_IDENTITY:
        /* identity' = 1; softmax only ever ends the network, where dH is
         * already dZ_L (the head folds its Jacobian in), so dZ = dH. */
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

