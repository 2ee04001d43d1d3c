/* activation.c: relu, sigmoid, softmax and their backwards, on n x m
 * column-major blocks. Each function switches on the activation once,
 * outside the loops; every case is one OpenMP loop. */
#include <math.h>
#include <stdbool.h>

#include "kernels.h"
#include "parallel.h"
#include "util.h"

/* Rows per block in the backward sweep: each thread owns whole rows, so db
 * (a row sum) needs no reduction across threads and is the same whatever
 * the thread count. 32 floats = two cache lines. */
#define LNN_ROW_BLOCK 32

const char *lnn_activation_name(lnn_activation f)
{
    switch (f) {
    case LNN_ACT_RELU:    return "relu";
    case LNN_ACT_SIGMOID: return "sigmoid";
    case LNN_ACT_SOFTMAX: return "softmax";
    }
    return "unknown";
}

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
    const bool par = n * m >= LNN_PAR_MIN;
    (void)par;
    switch (f) {
    case LNN_ACT_RELU:
        LNN_OMP(omp parallel for schedule(static) if(par))
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
        LNN_OMP(omp parallel for schedule(static) if(par))
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
        LNN_OMP(omp parallel for schedule(static) if(par))
        for (size_t j = 0; j < m; j++)
            softmax_column(H + j * n, Z + j * n, b, n);
        break;
    }
}

void lnn__act_backward(float *dZ, float *db, const float *dH, const float *H,
                       lnn_activation f, size_t n, size_t m, float scale)
{
    const bool par = n * m >= LNN_PAR_MIN;
    const size_t n_blocks = (n + LNN_ROW_BLOCK - 1) / LNN_ROW_BLOCK;
    (void)par;
    LNN_OMP(omp parallel for schedule(static) if(par))
    for (size_t blk = 0; blk < n_blocks; blk++) {
        const size_t i0 = blk * LNN_ROW_BLOCK;
        const size_t rows = n - i0 < LNN_ROW_BLOCK ? n - i0 : LNN_ROW_BLOCK;
        float acc[LNN_ROW_BLOCK] = {0};
        for (size_t j = 0; j < m; j++) {
            const float *dh = dH + j * n + i0, *h = H + j * n + i0;
            float *dz = dZ + j * n + i0;
            switch (f) {
            case LNN_ACT_RELU: /* relu'(Z) = [Z > 0] = [H > 0] */
                for (size_t i = 0; i < rows; i++)
                    dz[i] = h[i] > 0.0f ? dh[i] : 0.0f;
                break;
            case LNN_ACT_SIGMOID: /* sigmoid'(Z) = H (1 - H) */
                for (size_t i = 0; i < rows; i++)
                    dz[i] = dh[i] * h[i] * (1.0f - h[i]);
                break;
            case LNN_ACT_SOFTMAX:
                /* The output layer: dH is already dZ_L = P - Y (softmax's
                 * Jacobian folded into the cross-entropy), so dZ = dH. */
                for (size_t i = 0; i < rows; i++)
                    dz[i] = dh[i];
                break;
            }
            for (size_t i = 0; i < rows; i++)
                acc[i] += dz[i];
        }
        if (db)
            for (size_t i = 0; i < rows; i++)
                db[i0 + i] = scale * acc[i];
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
        lnn__act_backward(dZ, NULL, dH, H, f, n, m, 0.0f);
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

bool lnn__is_activation(lnn_activation f)
{
    return f == LNN_ACT_RELU || f == LNN_ACT_SIGMOID || f == LNN_ACT_SOFTMAX;
}
