/* blas.c: cblas_sgemm behind lnn__gemm, and thread settings for OpenMP and
 * OpenBLAS together. */
#include "blas.h"

#include <assert.h>
#include <cblas.h>

#include "parallel.h"

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

/* true if a GEMM called on several threads at once runs each call on its
 * caller's thread: OpenBLAS's serial and OpenMP builds (the latter inside a
 * parallel region), or its pthreads build set to one thread. A BLAS lnn
 * cannot ask is left to thread each call itself. */
static bool blas_serial_in_team(void)
{
#ifdef OPENBLAS_VERSION
    return openblas_get_parallel() != OPENBLAS_THREAD ||
           openblas_get_num_threads() == 1;
#else
    return false;
#endif
}

int lnn__team_size(size_t m, double madds)
{
#ifdef _OPENMP
    if (madds < LNN_TEAM_MIN_MADDS || !blas_serial_in_team())
        return 1;
    const size_t by_cols = m / LNN_SHARE_ALIGN;
    const size_t T = (size_t)omp_get_max_threads();
    return (int)(by_cols < 1 ? 1 : by_cols < T ? by_cols : T);
#else
    (void)m;
    (void)madds;
    return 1;
#endif
}

lnn_status lnn_set_threads(int n)
{
    if (n < 1)
        return LNN_ERR_ARG;
#ifdef _OPENMP
    omp_set_num_threads(n);
#endif
#ifdef OPENBLAS_VERSION
    /* The team runs the GEMMs, one per thread: OpenBLAS's pthreads pool
     * would only add a second set of threads competing for the cores. Its
     * OpenMP build follows omp_set_num_threads (and this call sets that
     * too), and runs single-threaded inside the team by itself. */
    openblas_set_num_threads(openblas_get_parallel() == OPENBLAS_THREAD ? 1
                                                                        : n);
#endif
    return LNN_OK;
}

int lnn_omp_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

int lnn_blas_threads(void)
{
#ifdef OPENBLAS_VERSION
    return openblas_get_num_threads();
#else
    return 1;
#endif
}

const char *lnn_blas_info(void)
{
#ifdef OPENBLAS_VERSION
    return openblas_get_config();
#else
    return "CBLAS";
#endif
}

const char *lnn_blas_threading(void)
{
#ifdef OPENBLAS_VERSION
    switch (openblas_get_parallel()) {
    case OPENBLAS_SEQUENTIAL: return "serial";
    case OPENBLAS_THREAD:     return "pthreads";
    case OPENBLAS_OPENMP:     return "openmp";
    default:                  return "unknown";
    }
#else
    return "unknown";
#endif
}
