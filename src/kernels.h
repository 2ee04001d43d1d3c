/* kernels.h: the elementwise kernels (OpenMP loops) under the public API. */
#ifndef LNN_KERNELS_H
#define LNN_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lnn.h"

/* true for the three activations lnn knows. */
bool lnn__is_activation(lnn_activation f);

/* H (n x m) = f(Z + b), b (n, or NULL for none) broadcast over the columns;
 * softmax normalises each column. H may be Z (in place). */
void lnn__act_forward(float *H, const float *Z, const float *b,
                      lnn_activation f, size_t n, size_t m);

/* dZ (n x m) = dH (.) f'(Z), from the forward output H; for softmax dZ = dH
 * (dH is already P - Y). If db (n) is not NULL, db = scale * row sums of dZ,
 * in the same sweep. dZ may be dH (in place). */
void lnn__act_backward(float *dZ, float *db, const float *dH, const float *H,
                       lnn_activation f, size_t n, size_t m, float scale);

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

/* One layer without argument checks (sizes already validated). */
void lnn__layer_forward(float *H, const float *H_prev, const float *W,
                        const float *b, lnn_activation f,
                        size_t n, size_t n_prev, size_t m);
void lnn__layer_backward(float *dH_prev, float *dW, float *db, float *dZ,
                         const float *dH, const float *H, const float *H_prev,
                         const float *W, lnn_activation f,
                         size_t n, size_t n_prev, size_t m);

#endif /* LNN_KERNELS_H */
