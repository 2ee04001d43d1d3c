/* slow_sgemm.c: an LD_PRELOAD shim for the gate's detection experiments
 * (bench/README.md): it wraps cblas_sgemm and, after each call, spins for
 * LNN_SLOW_SGEMM per cent of the time the call took, so every GEMM of the
 * process (lnn's and the bench's bare ones) is that much slower.
 *
 *     LD_PRELOAD=build/bench/slowdown/libslow-sgemm.so LNN_SLOW_SGEMM=5 \
 *         build/bench/lnn-bench --quick
 *
 * Not part of lnn: a test tool. The real function and the fraction are
 * looked up once, when the library is loaded. */
#define _GNU_SOURCE

#include <cblas.h>
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

typedef void sgemm_fn(OPENBLAS_CONST enum CBLAS_ORDER,
                      OPENBLAS_CONST enum CBLAS_TRANSPOSE,
                      OPENBLAS_CONST enum CBLAS_TRANSPOSE,
                      OPENBLAS_CONST blasint, OPENBLAS_CONST blasint,
                      OPENBLAS_CONST blasint, OPENBLAS_CONST float,
                      OPENBLAS_CONST float *, OPENBLAS_CONST blasint,
                      OPENBLAS_CONST float *, OPENBLAS_CONST blasint,
                      OPENBLAS_CONST float, float *, OPENBLAS_CONST blasint);

/* Set once by the constructor, before main, and only read after. */
static sgemm_fn *real_sgemm;
static double slow_fraction;

__attribute__((constructor)) static void slow_sgemm_init(void)
{
    void *f = dlsym(RTLD_NEXT, "cblas_sgemm");
    real_sgemm = (sgemm_fn *)(uintptr_t)f;
    const char *pct = getenv("LNN_SLOW_SGEMM");
    slow_fraction = pct ? atof(pct) / 100.0 : 0.0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cblas_sgemm(OPENBLAS_CONST enum CBLAS_ORDER order,
                 OPENBLAS_CONST enum CBLAS_TRANSPOSE ta,
                 OPENBLAS_CONST enum CBLAS_TRANSPOSE tb,
                 OPENBLAS_CONST blasint M, OPENBLAS_CONST blasint N,
                 OPENBLAS_CONST blasint K, OPENBLAS_CONST float alpha,
                 OPENBLAS_CONST float *A, OPENBLAS_CONST blasint lda,
                 OPENBLAS_CONST float *B, OPENBLAS_CONST blasint ldb,
                 OPENBLAS_CONST float beta, float *C,
                 OPENBLAS_CONST blasint ldc)
{
    const double t0 = now_s();
    real_sgemm(order, ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    const double t1 = now_s();
    const double until = t1 + slow_fraction * (t1 - t0);
    while (now_s() < until)
        ;
}
