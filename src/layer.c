/* layer.c: the forward and backward step of one layer: a GEMM or two, and
 * one elementwise sweep. */
#include <stdbool.h>

#include "blas.h"
#include "kernels.h"
#include "util.h"

void lnn__layer_forward(float *H, const float *H_prev, const float *W,
                        const float *b, lnn_activation f,
                        size_t n, size_t n_prev, size_t m)
{
    /* Z (n x m) = W (n x n_prev) . H_prev (n_prev x m), written into H */
    lnn__gemm(false, false, n, m, n_prev, 1.0f, W, n, H_prev, n_prev,
              0.0f, H, n);
    /* H = f(Z + b) in place: the bias rides along in the activation's sweep
     * rather than costing a pass of its own (or a beta = 1 GEMM). */
    lnn__act_forward(H, H, b, f, n, m);
}

void lnn__layer_backward(float *dH_prev, float *dW, float *db, float *dZ,
                         const float *dH, const float *H, const float *H_prev,
                         const float *W, lnn_activation f,
                         size_t n, size_t n_prev, size_t m)
{
    const float inv_m = 1.0f / (float)m;
    /* dZ = dH (.) f'(Z) and db = (1/m) sum over columns of dZ, one sweep */
    lnn__act_backward(dZ, db, dH, H, f, n, m, inv_m);
    /* dW (n x n_prev) = (1/m) dZ (n x m) . H_prev^T (m x n_prev) */
    lnn__gemm(false, true, n, n_prev, m, inv_m, dZ, n, H_prev, n_prev,
              0.0f, dW, n);
    /* dH_prev (n_prev x m) = W^T (n_prev x n) . dZ (n x m) */
    if (dH_prev)
        lnn__gemm(true, false, n_prev, m, n, 1.0f, W, n, dZ, n,
                  0.0f, dH_prev, n_prev);
}

/* Sizes a layer step may pass to BLAS, and that n x m blocks fit size_t. */
static lnn_status check_layer(lnn_activation f, size_t n, size_t n_prev,
                              size_t m)
{
    size_t count;
    if (!lnn__is_activation(f) || n == 0 || n_prev == 0 || m == 0)
        return LNN_ERR_ARG;
    if (n > LNN_BLAS_MAX || n_prev > LNN_BLAS_MAX || m > LNN_BLAS_MAX ||
        !lnn__mul(n, m, &count) || !lnn__mul(n_prev, m, &count) ||
        !lnn__mul(n, n_prev, &count))
        return LNN_ERR_OVERFLOW;
    return LNN_OK;
}

lnn_status lnn_layer_forward(float *H, const float *H_prev, const float *W,
                             const float *b, lnn_activation f,
                             size_t n, size_t n_prev, size_t m)
{
    if (!H || !H_prev || !W || !b)
        return LNN_ERR_ARG;
    lnn_status s = check_layer(f, n, n_prev, m);
    if (s == LNN_OK)
        lnn__layer_forward(H, H_prev, W, b, f, n, n_prev, m);
    return s;
}

lnn_status lnn_layer_backward(float *dH_prev, float *dW, float *db, float *dZ,
                              const float *dH, const float *H,
                              const float *H_prev, const float *W,
                              lnn_activation f,
                              size_t n, size_t n_prev, size_t m)
{
    if (!dW || !db || !dZ || !dH || !H || !H_prev || !W)
        return LNN_ERR_ARG;
    lnn_status s = check_layer(f, n, n_prev, m);
    if (s == LNN_OK)
        lnn__layer_backward(dH_prev, dW, db, dZ, dH, H, H_prev, W, f,
                            n, n_prev, m);
    return s;
}
