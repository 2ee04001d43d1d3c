/* layer.c: the forward and backward step of one layer: a GEMM or two, and
 * one elementwise sweep. */
#include <stdbool.h>

#include "blas.h"
#include "kernels.h"
#include "threads.h"
#include "util.h"

void lnn__layer_forward(float *H, float *Z, const float *H_prev,
                        const float *W, const float *b, lnn__act act,
                        size_t n, size_t n_prev, size_t m, lnn__mode mode)
{
    /* Z (n x m) = W (n x n_prev) . H_prev (n_prev x m), written into the
     * kept Z of a training pass, or into H */
    float *Zk = mode & LNN_MODE_TRAIN ? Z : NULL;
    float *out = Zk ? Zk : H;
    lnn__gemm(false, false, n, m, n_prev, 1.0f, W, n, H_prev, n_prev,
              0.0f, out, n);
    /* H = f(Z + b) (in place without a kept Z): the bias rides along in the
     * activation's sweep rather than costing a pass of its own (or a
     * beta = 1 GEMM). */
    if (!(mode & LNN_MODE_GEMMS))
        lnn__act_forward(H, Zk, out, b, act, n, m);
}

void lnn__layer_delta(float *dH_prev, float *dZ, const float *dH,
                      const float *H, const float *Z, const float *W,
                      lnn__act act, size_t n, size_t n_prev, size_t m,
                      lnn__mode mode)
{
    if (!(mode & LNN_MODE_GEMMS))
        lnn__act_backward(dZ, dH, H, Z, act, n, m);
    /* dH_prev (n_prev x m) = W^T (n_prev x n) . dZ (n x m) */
    if (dH_prev)
        lnn__gemm(true, false, n_prev, m, n, 1.0f, W, n, dZ, n,
                  0.0f, dH_prev, n_prev);
}

/* Share `rank` of `count` of dW (n x n_prev) = inv_m dZ . H_prev^T. */
static void layer_dW(float *dW, const float *dZ, const float *H_prev,
                     size_t n, size_t n_prev, size_t m, float inv_m,
                     bool by_columns, size_t rank, size_t count)
{
    size_t lo, hi;
    /* A share of dW's columns (H_prev's rows), or of dW's rows (dZ's
     * rows): lnn__dW_by_columns. */
    if (by_columns) {
        if (lnn__share(n_prev, rank, count, &lo, &hi))
            lnn__gemm(false, true, n, hi - lo, m, inv_m, dZ, n, H_prev + lo,
                      n_prev, 0.0f, dW + lo * n, n);
    } else {
        if (lnn__share(n, rank, count, &lo, &hi))
            lnn__gemm(false, true, hi - lo, n_prev, m, inv_m, dZ + lo, n,
                      H_prev, n_prev, 0.0f, dW + lo, n);
    }
}

void lnn__layer_grads(float *dW, float *db, const float *dZ,
                      const float *H_prev, size_t n, size_t n_prev, size_t m,
                      float inv_m, bool by_columns, size_t rank, size_t count,
                      lnn__mode mode)
{
    layer_dW(dW, dZ, H_prev, n, n_prev, m, inv_m, by_columns, rank, count);
    if (mode & LNN_MODE_GEMMS)
        return;
    /* db (n) = (1/m) sum over the columns of dZ, this member's rows */
    size_t lo, hi;
    lnn__share(n, rank, count, &lo, &hi);
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

/* One layer's passes, for lnn__team_pass: the arguments of the public
 * functions, as they take them. */
typedef struct forward_pass {
    float *H, *Z;
    const float *H_prev, *W, *b;
    lnn__act act;
    size_t n, n_prev, m;
    lnn__mode mode;
} forward_pass;

typedef struct backward_pass {
    float *dH_prev, *dW, *db, *dZ;
    const float *dH, *H, *Z, *H_prev, *W;
    lnn__act act;
    size_t n, n_prev, m;
    lnn__mode mode;
} backward_pass;

/* Columns j0 .. j0+cols of H = f(W . H_prev + b). */
static void layer_forward_columns(void *ctx, size_t j0, size_t cols)
{
    const forward_pass *p = ctx;
    lnn__layer_forward(p->H + j0 * p->n, p->Z ? p->Z + j0 * p->n : NULL,
                       p->H_prev + j0 * p->n_prev, p->W, p->b, p->act, p->n,
                       p->n_prev, cols, p->mode);
}

/* Columns j0 .. j0+cols of dZ and of dH_prev. */
static void layer_delta_columns(void *ctx, size_t j0, size_t cols)
{
    const backward_pass *p = ctx;
    const size_t n = p->n, n_prev = p->n_prev;
    lnn__layer_delta(p->dH_prev ? p->dH_prev + j0 * n_prev : NULL,
                     p->dZ + j0 * n, p->dH + j0 * n, p->H + j0 * n,
                     p->Z ? p->Z + j0 * n : NULL, p->W, p->act, n, n_prev,
                     cols, p->mode);
}

/* This member's share of dW and db. */
static void layer_grads_share(void *ctx, size_t rank, size_t count)
{
    const backward_pass *p = ctx;
    lnn__layer_grads(p->dW, p->db, p->dZ, p->H_prev, p->n, p->n_prev, p->m,
                     1.0f / (float)p->m,
                     lnn__dW_by_columns(p->n, p->n_prev, false), rank, count,
                     p->mode);
}

void lnn__layer_forward_pass(float *H, float *Z, const float *H_prev,
                             const float *W, const float *b, lnn__act act,
                             size_t n, size_t n_prev, size_t m,
                             lnn__mode mode)
{
    forward_pass p = {.H = H, .Z = Z, .H_prev = H_prev, .W = W, .b = b,
                      .act = act, .n = n, .n_prev = n_prev, .m = m,
                      .mode = mode};
    lnn__team_pass(lnn__layer_team(n, n_prev, m, 1), m, layer_forward_columns,
                   NULL, &p);
}

void lnn__layer_backward_pass(float *dH_prev, float *dW, float *db, float *dZ,
                              const float *dH, const float *H, const float *Z,
                              const float *H_prev, const float *W,
                              lnn__act act, size_t n, size_t n_prev,
                              size_t m, lnn__mode mode)
{
    backward_pass p = {.dH_prev = dH_prev, .dW = dW, .db = db, .dZ = dZ,
                       .dH = dH, .H = H, .Z = Z, .H_prev = H_prev, .W = W,
                       .act = act, .n = n, .n_prev = n_prev, .m = m,
                       .mode = mode};
    lnn__team_pass(lnn__layer_team(n, n_prev, m, dH_prev ? 2 : 1), m,
                   layer_delta_columns, layer_grads_share, &p);
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
    const int scope = lnn__blas_scope_begin();
    lnn__layer_forward_pass(H, NULL, H_prev, W, b, lnn__act_of(f, 0.0f), n,
                            n_prev, m, LNN_MODE_EVAL);
    lnn__blas_scope_end(scope);
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
    if (lnn__act_needs_Z(f))
        return LNN_ERR_ARG; /* H alone cannot give its f' */
    const int scope = lnn__blas_scope_begin();
    lnn__layer_backward_pass(dH_prev, dW, db, dZ, dH, H, NULL, H_prev, W,
                             lnn__act_of(f, 0.0f), n, n_prev, m,
                             LNN_MODE_TRAIN);
    lnn__blas_scope_end(scope);
    return LNN_OK;
}
