/* blas.c: the one door to BLAS: cblas_sgemm behind lnn__gemm. (Thread
 * settings are threads.c's.) */
#include "blas.h"

#include <assert.h>
#include <cblas.h>

void lnn__gemm(bool trans_a, bool trans_b, size_t M, size_t N, size_t K,
               float alpha, const float *A, size_t lda,
               const float *B, size_t ldb,
               float beta, float *C, size_t ldc)
{
    assert(M <= LNN_BLAS_MAX && N <= LNN_BLAS_MAX && K <= LNN_BLAS_MAX);
    assert(lda <= LNN_BLAS_MAX && ldb <= LNN_BLAS_MAX && ldc <= LNN_BLAS_MAX);
    cblas_sgemm(CblasColMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans,
                (int)M, (int)N, (int)K, alpha, A, (int)lda, B, (int)ldb,
                beta, C, (int)ldc);
}
