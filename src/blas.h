/* blas.h: the one door to BLAS. Only blas.c includes <cblas.h>. */
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

/* Multiply-adds below which a pass runs on one thread. */
#define LNN_TEAM_MIN_MADDS ((double)(1 << 20))

/* Threads for a team splitting a pass over m columns that does `madds`
 * multiply-adds in its GEMMs (parallel.h): 1 (no team) if the work is small,
 * if a share would be under LNN_SHARE_ALIGN columns, or if the BLAS would
 * thread each call by itself (OpenBLAS's pthreads build on more than one
 * thread, as it starts before lnn_set_threads sets it to one). */
int lnn__team_size(size_t m, double madds);

#endif /* LNN_BLAS_H */
