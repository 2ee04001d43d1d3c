/* lnn__gemm (the one door to cblas_sgemm) against a naive triple loop, for
 * every transpose combination and odd sizes. */
#include <stdlib.h>

#include "blas.h"
#include "check.h"
#include "rng.h"

static void fill(float *a, size_t n, lnn_rng *r)
{
    for (size_t i = 0; i < n; i++)
        a[i] = (float)(2.0 * lnn__rng_uniform(r) - 1.0);
}

/* element (i, k) of op(A), A column-major with leading dimension lda */
static float at(const float *A, size_t lda, bool trans, size_t i, size_t k)
{
    return trans ? A[k + i * lda] : A[i + k * lda];
}

int main(void)
{
    static const size_t shapes[][3] = {
        {1, 1, 1}, {3, 5, 7}, {17, 13, 31}, {64, 33, 9}, {10, 128, 784},
    };
    lnn_rng rng;
    lnn__rng_seed(&rng, 7, 0);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const size_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
        for (int ta = 0; ta < 2; ta++) {
            for (int tb = 0; tb < 2; tb++) {
                const size_t lda = ta ? K : M, ldb = tb ? N : K;
                float *A = malloc(M * K * sizeof *A);
                float *B = malloc(K * N * sizeof *B);
                float *C = malloc(M * N * sizeof *C);
                float *C0 = malloc(M * N * sizeof *C0);
                fill(A, M * K, &rng);
                fill(B, K * N, &rng);
                fill(C, M * N, &rng);
                for (size_t i = 0; i < M * N; i++)
                    C0[i] = C[i];
                const float alpha = 0.7f, beta = 0.3f;
                lnn__gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, M);
                double worst = 0.0;
                for (size_t i = 0; i < M; i++) {
                    for (size_t j = 0; j < N; j++) {
                        double acc = 0.0;
                        for (size_t k = 0; k < K; k++)
                            acc += (double)at(A, lda, ta, i, k) *
                                   (double)at(B, ldb, tb, k, j);
                        double want = alpha * acc + beta * C0[i + j * M];
                        double err = fabs(C[i + j * M] - want);
                        worst = err > worst ? err : worst;
                    }
                }
                /* float rounding grows with the length K of each sum */
                CHECK_NEAR(worst, 0.0, 1e-6 * (double)K + 1e-6);
                free(A);
                free(B);
                free(C);
                free(C0);
            }
        }
    }
    return check_result("gemm");
}
