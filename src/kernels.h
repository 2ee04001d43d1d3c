/* kernels.h: the elementwise kernels (OpenMP loops) under the public API. */
#ifndef LNN_KERNELS_H
#define LNN_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enums.h"
#include "lnn_exercise.h"

/* An activation as a layer applies it: its row and its parameter a
 * (leaky_relu's slope; the others ignore it). */
typedef struct lnn__act {
    lnn_activation f;
    float a;
} lnn__act;

/* f with the leaky slope `slope` (0: LNN_LEAKY_SLOPE_DEFAULT). */
static inline lnn__act lnn__act_of(lnn_activation f, float slope)
{
    return (lnn__act){f, slope > 0.0f ? slope : LNN_LEAKY_SLOPE_DEFAULT};
}

/* H (n x m) = f(Z + b), b (n, or NULL for none) broadcast over the columns;
 * softmax normalises each column. Zb (n x m, or NULL) gets Z + b, the
 * pre-activation a training pass keeps for f' (never for softmax). H may be
 * Z, and Zb may be Z. */
void lnn__act_forward(float *H, float *Zb, const float *Z, const float *b,
                      lnn__act act, size_t n, size_t m);

/* dZ (n x m) = dH (.) f'(Z), from the forward output H and, for the
 * activations that need it (LNN_ACTIVATION_LIST's needs Z), the kept Z + b
 * (NULL for the others); for softmax and identity dZ = dH (the output
 * layer: the head's delta is already dZ_L). dZ may be dH (in place). */
void lnn__act_backward(float *dZ, const float *dH, const float *H,
                       const float *Z, lnn__act act, size_t n, size_t m);

/* dZ = P - Y over `count` elements: the gradient of cross-entropy through
 * softmax with respect to Z_L. */
void lnn__output_delta(float *dZ, const float *P, const float *Y,
                       size_t count);

/* -sum Y log max(P, FLT_MIN) over an n x m block, in double (not divided
 * by m). */
double lnn__loss_sum(const float *P, const float *Y, size_t n, size_t m);

/* out[j] = argmax of column j of A (n x m); the first index wins ties. */
void lnn__argmax_cols(int32_t *out, const float *A, size_t n, size_t m);

/* Number of columns j with pred[j] == argmax of column j of Y (n x m). */
size_t lnn__count_correct(const int32_t *pred, const float *Y, size_t n,
                          size_t m);

/* The targets of a block of columns, as the head needs them: class
 * indices (labels) or n x m values (Y, one-hot for classes). */
typedef struct lnn__targets {
    const float *Y;        /* n x m, or NULL */
    const int32_t *labels; /* m class indices, or NULL */
    /* training only (an evaluation's targets have neither): */
    const float *w;        /* m weights of the columns' losses, or NULL */
    float smooth;          /* ce's label smoothing e: the target is
                              (1 - e) one-hot + e / n */
} lnn__targets;

/* The targets of columns j0 .. of T (n values per column). */
static inline lnn__targets lnn__targets_at(lnn__targets T, size_t n,
                                           size_t j0)
{
    return (lnn__targets){T.Y ? T.Y + j0 * n : NULL,
                          T.labels ? T.labels + j0 : NULL,
                          T.w ? T.w + j0 : NULL, T.smooth};
}

/* The output head (LNN_LOSS_LIST): everything that depends on the loss
 * (its forward is the list's output activation, lnn_loss_output). */
typedef struct lnn__head {
    lnn_loss loss;
    float delta; /* huber's */
} lnn__head;

/* dZ (n x m) = d(loss of each column)/dZ_L from the outputs P and the
 * targets T (each column's times its weight T.w[j]); dZ may be P. Not
 * divided by m (the gradients' 1/m is). */
void lnn__head_delta(const lnn__head *h, float *dZ, const float *P,
                     lnn__targets T, size_t n, size_t m);

/* The loss summed over the m columns (each times its weight T.w[j]; not
 * divided by m), in double. */
double lnn__head_loss_sum(const lnn__head *h, const float *P, lnn__targets T,
                          size_t n, size_t m);

/* An evaluation's sums, in LNN_HEAD_SUMS(n) doubles: [0] loss, [1] columns
 * right (class, or every binary label), [2] binary labels wrong, then 4
 * per output (values): squared error, absolute error, y, y^2. */
#define LNN_HEAD_SUMS(n) ((size_t)3 + 4 * (size_t)(n))

/* Add m columns to sums; pred (m int32) is scratch, and for classes gets
 * the predictions. */
void lnn__head_sums(const lnn__head *h, double *sums, const float *P,
                    lnn__targets T, size_t n, size_t m, int32_t *pred);

/* The metrics of `rows` columns from their sums; target_mul (n, or NULL:
 * none) is the targets' scaling (y' = (y - shift) mul), undone. */
void lnn__head_metrics(const lnn__head *h, lnn_metrics *out,
                       const double *sums, size_t n, size_t rows,
                       const float *target_mul);

/* What a pass does, as flags: evaluation (0) computes H alone; TRAIN is a
 * training pass (a backward follows: layers whose f' needs Z keep it);
 * GEMMS runs the products alone, the same calls in the same team and
 * shares without the elementwise work (lnn-bench's reference, the "GEMM
 * bound": it cannot drift from the library's path). CLIP_SUMS: a backward
 * also sums the pieces of the gradient's squared norm (clip.c), each
 * member those of its share of dW_l, db_l, just computed. */
typedef unsigned lnn__mode;
enum {
    LNN_MODE_EVAL = 0,
    LNN_MODE_TRAIN = 1u << 0,
    LNN_MODE_GEMMS = 1u << 1,
    LNN_MODE_CLIP_SUMS = 1u << 2
};

/* One layer without argument checks (sizes already validated). Each works
 * on the columns it is given, so a team calls them on its shares. */

/* H (n x m) = f(W (n x n_prev) . H_prev (n_prev x m) + b); with TRAIN and
 * Z (n x m) not NULL, the product and bias W . H_prev + b land in Z first
 * and stay there for the backward. GEMMS: the product alone (in Z where a
 * training pass keeps it, else in H). */
void lnn__layer_forward(float *H, float *Z, const float *H_prev,
                        const float *W, const float *b, lnn__act act,
                        size_t n, size_t n_prev, size_t m, lnn__mode mode);

/* The backward's column-wise part: dZ (n x m) = dH (.) f'(Z) from H and the
 * kept Z (NULL where f' needs H alone; not for GEMMS), then, if dH_prev is
 * not NULL, dH_prev (n_prev x m) = W^T . dZ. */
void lnn__layer_delta(float *dH_prev, float *dZ, const float *dH,
                      const float *H, const float *Z, const float *W,
                      lnn__act act, size_t n, size_t n_prev, size_t m,
                      lnn__mode mode);

/* The backward's sum over the batch, for all m columns at once: share
 * `rank` of a team of `count` (threads.h) of dW (n x n_prev) = inv_m dZ
 * (n x m) . H_prev^T and (not for GEMMS) of db (n) = inv_m row sums of dZ;
 * rank 0 of 1 does all of them. inv_m is 1/m, or, when these m columns are
 * one process's share of a data-parallel batch, 1 / the batch's columns in
 * all processes. Each element is summed over all m columns
 * by one thread: no partial sums across threads, and no second copy of the
 * gradients to reduce. */
/* How a net's backward cuts dW (n x n_prev) of its layer 1 (first) or of
 * another layer among a team: by columns (a contiguous share of the n_prev
 * columns) when n <= n_prev, else by rows (a share of the n rows, in every
 * column), so each member reads all of the smaller operand and its share
 * of the larger; layer 1 always by columns, as its split forward cuts W_1
 * (net.c). db is cut by rows. */
static inline bool lnn__dW_by_columns(size_t n, size_t n_prev, bool first)
{
    return first || n <= n_prev;
}

/* by_columns: lnn__dW_by_columns of the layer */
void lnn__layer_grads(float *dW, float *db, const float *dZ,
                      const float *H_prev, size_t n, size_t n_prev, size_t m,
                      float inv_m, bool by_columns, size_t rank, size_t count,
                      lnn__mode mode);

/* Threads for a pass over one layer that makes `products` GEMMs of
 * n x n_prev x m (1 forward; 2 backward, 1 without dH_prev): the
 * lnn__team_size of its multiply-adds. */
int lnn__layer_team(size_t n, size_t n_prev, size_t m, int products);

/* lnn_layer_forward and lnn_layer_backward without argument checks: one
 * layer's pass in one team (lnn__team_pass), each member on its share; Z as
 * lnn__layer_forward and lnn__layer_delta take it. */
void lnn__layer_forward_pass(float *H, float *Z, const float *H_prev,
                             const float *W, const float *b, lnn__act act,
                             size_t n, size_t n_prev, size_t m,
                             lnn__mode mode);
void lnn__layer_backward_pass(float *dH_prev, float *dW, float *db, float *dZ,
                              const float *dH, const float *H, const float *Z,
                              const float *H_prev, const float *W,
                              lnn__act act, size_t n, size_t n_prev,
                              size_t m, lnn__mode mode);

#endif /* LNN_KERNELS_H */
