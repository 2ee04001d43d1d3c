/* layer.c: the forward and backward step of one layer: a GEMM or two, and
 * one elementwise sweep. */
#include <stdbool.h>

#include "blas.h"
#include "kernels.h"
#include "parallel.h"
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

void lnn__layer_delta(float *dH_prev, float *dZ, const float *dH,
                      const float *H, const float *W, lnn_activation f,
                      size_t n, size_t n_prev, size_t m)
{
    lnn__act_backward(dZ, dH, H, f, n, m);
    /* dH_prev (n_prev x m) = W^T (n_prev x n) . dZ (n x m) */
    if (dH_prev)
        lnn__gemm(true, false, n_prev, m, n, 1.0f, W, n, dZ, n,
                  0.0f, dH_prev, n_prev);
}

void lnn__layer_dW(float *dW, const float *dZ, const float *H_prev,
                   size_t n, size_t n_prev, size_t m)
{
    const float inv_m = 1.0f / (float)m;
    size_t lo, hi;
    /* Cut so that each thread reads all of the smaller operand and its
     * share of the larger: a share of dW's columns (H_prev's rows) when
     * n <= n_prev, else of dW's rows (dZ's rows). */
    if (n <= n_prev) {
        lnn__share(n_prev, &lo, &hi);
        if (lo < hi)
            lnn__gemm(false, true, n, hi - lo, m, inv_m, dZ, n, H_prev + lo,
                      n_prev, 0.0f, dW + lo * n, n);
    } else {
        lnn__share(n, &lo, &hi);
        if (lo < hi)
            lnn__gemm(false, true, hi - lo, n_prev, m, inv_m, dZ + lo, n,
                      H_prev, n_prev, 0.0f, dW + lo, n);
    }
}

void lnn__layer_grads(float *dW, float *db, const float *dZ,
                      const float *H_prev, size_t n, size_t n_prev, size_t m)
{
    lnn__layer_dW(dW, dZ, H_prev, n, n_prev, m);
    /* db (n) = (1/m) sum over the columns of dZ, this thread's rows */
    const float inv_m = 1.0f / (float)m;
    size_t lo, hi;
    lnn__share(n, &lo, &hi);
    for (size_t i = lo; i < hi; i++)
        db[i] = 0.0f;
    for (size_t j = 0; j < m; j++) {
        const float *dz = dZ + j * n;
        for (size_t i = lo; i < hi; i++)
            db[i] += dz[i];
    }
    for (size_t i = lo; i < hi; i++)
        db[i] *= inv_m;
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

int lnn__layer_team(size_t n, size_t n_prev, size_t m, int products)
{
    return lnn__team_size(m, (double)products * (double)n * (double)n_prev *
                                 (double)m);
}

lnn_status lnn_layer_forward(float *H, const float *H_prev, const float *W,
                             const float *b, lnn_activation f,
                             size_t n, size_t n_prev, size_t m)
{
    if (!H || !H_prev || !W || !b)
        return LNN_ERR_ARG;
    lnn_status s = check_layer(f, n, n_prev, m);
    if (s != LNN_OK)
        return s;
    const int T = lnn__layer_team(n, n_prev, m, 1);
    (void)T;
    LNN_OMP(omp parallel num_threads(T) if(T > 1))
    {
        size_t j0, j1;
        lnn__share(m, &j0, &j1);
        if (j0 < j1)
            lnn__layer_forward(H + j0 * n, H_prev + j0 * n_prev, W, b, f, n,
                               n_prev, j1 - j0);
    }
    return LNN_OK;
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
    if (s != LNN_OK)
        return s;
    const int T = lnn__layer_team(n, n_prev, m, dH_prev ? 2 : 1);
    (void)T;
    LNN_OMP(omp parallel num_threads(T) if(T > 1))
    {
        size_t j0, j1;
        lnn__share(m, &j0, &j1);
        if (j0 < j1)
            lnn__layer_delta(dH_prev ? dH_prev + j0 * n_prev : NULL,
                             dZ + j0 * n, dH + j0 * n, H + j0 * n, W, f, n,
                             n_prev, j1 - j0);
        LNN_OMP(omp barrier)
        lnn__layer_grads(dW, db, dZ, H_prev, n, n_prev, m);
    }
    return LNN_OK;
}
