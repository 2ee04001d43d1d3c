/* blas.c: the one door to BLAS: every product behind lnn__gemm. (Thread
 * settings are threads.c's.) The library is the build's (-Dgemm): the
 * BLAS's cblas_sgemm, or, only to measure them against it, BLIS's
 * bli_sgemm or LIBXSMM's libxsmm_sgemm (bench/README.md). */
#if defined(LNN_GEMM_BLIS)
#  define _POSIX_C_SOURCE 200809L /* blis.h uses pthread_barrier_t */
#endif
#include "blas.h"

#include <assert.h>
#include <stdint.h>
#if defined(LNN_GEMM_BLIS)
#  include <blis.h>
#elif defined(LNN_GEMM_LIBXSMM)
#  include <libxsmm.h>
#else
#  include <cblas.h>
#endif

#if defined(LNN_GEMM_BLIS)
/* BLIS's typed API takes strides: column-major is row stride 1, column
 * stride ld. It takes no const pointers; it writes only C (so A and B
 * lose their const through an integer). */
static void gemm(bool trans_a, bool trans_b, size_t M, size_t N, size_t K,
                 float alpha, const float *A, size_t lda, const float *B,
                 size_t ldb, float beta, float *C, size_t ldc)
{
    bli_sgemm(trans_a ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
              trans_b ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, (dim_t)M,
              (dim_t)N, (dim_t)K, &alpha, (float *)(uintptr_t)A, 1,
              (inc_t)lda,
              (float *)(uintptr_t)B, 1, (inc_t)ldb, &beta, C, 1,
              (inc_t)ldc);
}
const char *lnn__gemm_library(void)
{
    return "BLIS bli_sgemm (-Dgemm=blis)";
}
#elif defined(LNN_GEMM_LIBXSMM)
/* LIBXSMM's BLAS-like entry: its JIT kernels where the sizes are small
 * enough, the linked BLAS's sgemm_ beyond. */
static void gemm(bool trans_a, bool trans_b, size_t M, size_t N, size_t K,
                 float alpha, const float *A, size_t lda, const float *B,
                 size_t ldb, float beta, float *C, size_t ldc)
{
    const char ta = trans_a ? 'T' : 'N', tb = trans_b ? 'T' : 'N';
    const libxsmm_blasint m = (libxsmm_blasint)M, n = (libxsmm_blasint)N,
                          k = (libxsmm_blasint)K,
                          la = (libxsmm_blasint)lda,
                          lb = (libxsmm_blasint)ldb,
                          lc = (libxsmm_blasint)ldc;
    libxsmm_sgemm(&ta, &tb, &m, &n, &k, &alpha, A, &la, B, &lb, &beta, C,
                  &lc);
}
const char *lnn__gemm_library(void)
{
    return "LIBXSMM " LIBXSMM_VERSION " libxsmm_sgemm, the BLAS's beyond its "
           "sizes (-Dgemm=libxsmm)";
}
#else
static void gemm(bool trans_a, bool trans_b, size_t M, size_t N, size_t K,
                 float alpha, const float *A, size_t lda, const float *B,
                 size_t ldb, float beta, float *C, size_t ldc)
{
    cblas_sgemm(CblasColMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K,
                alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
}
const char *lnn__gemm_library(void)
{
    return NULL;
}
#endif

void lnn__gemm(bool trans_a, bool trans_b, size_t M, size_t N, size_t K,
               float alpha, const float *A, size_t lda,
               const float *B, size_t ldb,
               float beta, float *C, size_t ldc)
{
    assert(M <= LNN_BLAS_MAX && N <= LNN_BLAS_MAX && K <= LNN_BLAS_MAX);
    assert(lda <= LNN_BLAS_MAX && ldb <= LNN_BLAS_MAX && ldc <= LNN_BLAS_MAX);
    gemm(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
