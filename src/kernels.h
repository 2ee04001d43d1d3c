/* kernels.h: the elementwise kernels (OpenMP loops) under the public API. */
#ifndef LNN_KERNELS_H
#define LNN_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enums.h"
#include "lnn_exercise.h"

/* H (n x m) = f(Z + b), b (n, or NULL for none) broadcast over the columns;
 * softmax normalises each column. H may be Z (in place). */
void lnn__act_forward(float *H, const float *Z, const float *b,
                      lnn_activation f, size_t n, size_t m);

/* dZ (n x m) = dH (.) f'(Z), from the forward output H; for softmax dZ = dH
 * (dH is already P - Y). dZ may be dH (in place). */
void lnn__act_backward(float *dZ, const float *dH, const float *H,
                       lnn_activation f, size_t n, size_t m);

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

/* What a pass computes: everything, or its GEMMs alone, the same products
 * in the same team and shares without the elementwise work (lnn-bench's
 * reference, the "GEMM bound": it cannot drift from the library's path). */
typedef enum lnn__part {
    LNN_PART_ALL = 0,
    LNN_PART_GEMMS = 1
} lnn__part;

/* One layer without argument checks (sizes already validated). Each works
 * on the columns it is given, so a team calls them on its shares. */

/* H (n x m) = f(W (n x n_prev) . H_prev (n_prev x m) + b); GEMMS: H = W .
 * H_prev alone. */
void lnn__layer_forward(float *H, const float *H_prev, const float *W,
                        const float *b, lnn_activation f,
                        size_t n, size_t n_prev, size_t m, lnn__part part);

/* The backward's column-wise part: dZ (n x m) = dH (.) f'(Z) (not for
 * GEMMS), then, if dH_prev is not NULL, dH_prev (n_prev x m) = W^T . dZ. */
void lnn__layer_delta(float *dH_prev, float *dZ, const float *dH,
                      const float *H, const float *W, lnn_activation f,
                      size_t n, size_t n_prev, size_t m, lnn__part part);

/* The backward's sum over the batch, for all m columns at once: share
 * `rank` of a team of `count` (threads.h) of dW (n x n_prev) = inv_m dZ
 * (n x m) . H_prev^T and (not for GEMMS) of db (n) = inv_m row sums of dZ;
 * rank 0 of 1 does all of them. inv_m is 1/m, or, when these m columns are
 * one process's share of a data-parallel batch, 1 / the batch's columns in
 * all processes. Each element is summed over all m columns
 * by one thread: no partial sums across threads, and no second copy of the
 * gradients to reduce. */
void lnn__layer_grads(float *dW, float *db, const float *dZ,
                      const float *H_prev, size_t n, size_t n_prev, size_t m,
                      float inv_m, size_t rank, size_t count, lnn__part part);

/* Threads for a pass over one layer that makes `products` GEMMs of
 * n x n_prev x m (1 forward; 2 backward, 1 without dH_prev): the
 * lnn__team_size of its multiply-adds. */
int lnn__layer_team(size_t n, size_t n_prev, size_t m, int products);

/* lnn_layer_forward and lnn_layer_backward without argument checks: one
 * layer's pass in one team (lnn__team_pass), each member on its share. */
void lnn__layer_forward_pass(float *H, const float *H_prev, const float *W,
                             const float *b, lnn_activation f, size_t n,
                             size_t n_prev, size_t m, lnn__part part);
void lnn__layer_backward_pass(float *dH_prev, float *dW, float *db, float *dZ,
                              const float *dH, const float *H,
                              const float *H_prev, const float *W,
                              lnn_activation f, size_t n, size_t n_prev,
                              size_t m, lnn__part part);

#endif /* LNN_KERNELS_H */
