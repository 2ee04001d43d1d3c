/* loss.c: cross-entropy, the output delta P - Y, argmax and accuracy. */
#include <float.h>
#include <math.h>
#include <stdbool.h>

#include "kernels.h"
#include "threads.h"
#include "util.h"

double lnn__loss_sum(const float *P, const float *Y, size_t n, size_t m)
{
    double sum = 0.0;
    LNN_OMP(omp parallel for reduction(+:sum) schedule(static)
            if(parallel: lnn__par(n * m)))
    for (size_t j = 0; j < m; j++) {
        const float *p = P + j * n, *y = Y + j * n;
        double s = 0.0;
        for (size_t i = 0; i < n; i++) {
            /* 0 log 0 is 0: skip the term rather than compute 0 * -inf.
             * Clamping p at FLT_MIN keeps an underflowed probability's loss
             * large (-log FLT_MIN ~ 87.3) but finite; written so that a NaN
             * p stays NaN (and training reports divergence). */
            if (y[i] != 0.0f)
                s += (double)y[i] *
                     log((double)(p[i] < FLT_MIN ? FLT_MIN : p[i]));
        }
        sum -= s;
    }
    return sum;
}

lnn_status lnn_compute_loss(const float *HL, const float *Y, size_t n,
                            size_t m, double *loss)
{
    size_t count;
    if (!HL || !Y || !loss || n == 0 || m == 0)
        return LNN_ERR_ARG;
    if (!lnn__mul(n, m, &count))
        return LNN_ERR_OVERFLOW;
    *loss = lnn__loss_sum(HL, Y, n, m) / (double)m;
    return LNN_OK;
}

void lnn__output_delta(float *dZ, const float *P, const float *Y, size_t count)
{
    LNN_OMP(omp parallel for simd schedule(static)
            if(parallel: lnn__par(count)))
    for (size_t k = 0; k < count; k++)
        dZ[k] = P[k] - Y[k];
}

static int32_t argmax(const float *a, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (a[i] > a[best])
            best = i;
    return (int32_t)best;
}

void lnn__argmax_cols(int32_t *out, const float *A, size_t n, size_t m)
{
    LNN_OMP(omp parallel for schedule(static) if(parallel: lnn__par(n * m)))
    for (size_t j = 0; j < m; j++)
        out[j] = argmax(A + j * n, n);
}

size_t lnn__count_correct(const int32_t *pred, const float *Y, size_t n,
                          size_t m)
{
    size_t correct = 0;
    LNN_OMP(omp parallel for reduction(+:correct) schedule(static)
            if(parallel: lnn__par(n * m)))
    for (size_t j = 0; j < m; j++)
        correct += pred[j] == argmax(Y + j * n, n);
    return correct;
}

lnn_status lnn_accuracy(const int32_t *pred, const float *Y, size_t n,
                        size_t m, double *acc)
{
    size_t count;
    if (!pred || !Y || !acc || n == 0 || m == 0)
        return LNN_ERR_ARG;
    if (!lnn__mul(n, m, &count))
        return LNN_ERR_OVERFLOW;
    *acc = (double)lnn__count_correct(pred, Y, n, m) / (double)m;
    return LNN_OK;
}
