/* blas.h: the one door to BLAS: every product goes through lnn__gemm, the
 * only caller of cblas_sgemm (or of the library -Dgemm names). */
#ifndef LNN_BLAS_H
#define LNN_BLAS_H

#include <stdbool.h>
#include <stddef.h>

#include "lnn.h"

/* The largest size BLAS takes (its int arguments). */
#define LNN_BLAS_MAX ((size_t)2147483647)

/* C (M x N) = alpha op(A) (M x K) . op(B) (K x N) + beta C, column-major;
 * op(A) = A^T when trans_a. Sizes must be <= LNN_BLAS_MAX (checked by the
 * callers at their public boundary: lnn_net_create, lnn_layer_*). */
void lnn__gemm(bool trans_a, bool trans_b, size_t M, size_t N, size_t K,
               float alpha, const float *A, size_t lda,
               const float *B, size_t ldb,
               float beta, float *C, size_t ldc);

/* The library behind lnn__gemm where it is not the BLAS's cblas_sgemm
 * (-Dgemm=blis or libxsmm: its name, entry and version), else NULL. */
const char *lnn__gemm_library(void);

#endif /* LNN_BLAS_H */
