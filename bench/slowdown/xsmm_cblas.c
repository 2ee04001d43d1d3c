/* LD_PRELOAD shim: cblas_sgemm (column-major, as lnn calls it) served by
 * libxsmm_sgemm: LIBXSMM's JIT kernels for small products, its BLAS
 * (sgemm_) for the rest. For measuring only (bench/README.md, "BLIS and
 * LIBXSMM"), not built by Meson:
 *   gcc -O2 -shared -fPIC bench/slowdown/xsmm_cblas.c -o xsmm_cblas.so \
 *       $(pkg-config --cflags --libs libxsmm)
 *   LD_PRELOAD=./xsmm_cblas.so build/bench/lnn-bench ... */
#include <libxsmm.h>
enum { ColMajor = 102, NoTrans = 111 };
void cblas_sgemm(int order, int ta, int tb, int M, int N, int K, float alpha,
                 const float *A, int lda, const float *B, int ldb, float beta,
                 float *C, int ldc)
{
    (void)order;
    const char a = ta == NoTrans ? 'N' : 'T', b = tb == NoTrans ? 'N' : 'T';
    const libxsmm_blasint m = M, n = N, k = K, la = lda, lb = ldb, lc = ldc;
    libxsmm_sgemm(&a, &b, &m, &n, &k, &alpha, A, &la, B, &lb, &beta, C, &lc);
}
