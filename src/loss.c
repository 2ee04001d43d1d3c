/* loss.c: the output head (LNN_LOSS_LIST): its forward, its delta dZ_L,
 * its loss and its metrics, the one place that knows what each loss
 * means; and the exercise's cross-entropy, argmax and accuracy. */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "enums.h"
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

/* ------------------------------------------------------------------------ */
/* The head                                                                 */
/* ------------------------------------------------------------------------ */

/* The class of column j of T: its label, or the argmax of its one-hot Y. */
static int32_t class_of(lnn__targets T, size_t n, size_t j)
{
    return T.labels ? T.labels[j] : argmax(T.Y + j * n, n);
}

/* -log max(p, FLT_MIN): a probability that underflowed costs ~87.3, not
 * inf; NaN stays NaN. */
static double neg_log(float p)
{
    return -log((double)(p < FLT_MIN ? FLT_MIN : p));
}

/* ce: dZ = P - q, q = one-hot(class), or with label smoothing e
 * (1 - e) one-hot(class) + e / n. */
static void ce_delta(float *dZ, const float *P, lnn__targets T, size_t n,
                     size_t m)
{
    const float on = 1.0f - T.smooth, off = T.smooth / (float)n;
    if (!T.labels && T.smooth == 0.0f) {
        lnn__output_delta(dZ, P, T.Y, n * m);
        return;
    }
    if (!T.labels) {
        for (size_t k = 0; k < n * m; k++)
            dZ[k] = P[k] - (on * T.Y[k] + off);
        return;
    }
    if (dZ != P)
        memcpy(dZ, P, n * m * sizeof *dZ);
    for (size_t j = 0; j < m; j++) {
        float *dz = dZ + j * n;
        for (size_t i = 0; off != 0.0f && i < n; i++)
            dz[i] -= off;
        dz[(size_t)T.labels[j]] -= on;
    }
}

/* Column j of dZ times its weight w[j]. */
static void weigh_columns(float *dZ, const float *w, size_t n, size_t m)
{
    for (size_t j = 0; j < m; j++)
        for (size_t i = 0; i < n; i++)
            dZ[j * n + i] *= w[j];
}

LNN_VECTOR_CLONES
void lnn__head_delta(const lnn__head *h, float *dZ, const float *P,
                     lnn__targets T, size_t n, size_t m)
{
    const size_t count = n * m;
    const float inv_n = 1.0f / (float)n, delta = h->delta;
    const float *Y = T.Y;
    const bool par = lnn__par(count);
    switch (h->loss) {
    case LNN_LOSS_CE:
        ce_delta(dZ, P, T, n, m);
        break;
    case LNN_LOSS_BCE: /* sigmoid's Jacobian folded in: (P - Y) / n */
        LNN_ELEMENTS(par, k, count, dZ[k] = (P[k] - Y[k]) * inv_n;);
        break;
    case LNN_LOSS_MSE:
        LNN_ELEMENTS(par, k, count, dZ[k] = 2.0f * (P[k] - Y[k]) * inv_n;);
        break;
    case LNN_LOSS_MAE: /* sign(P - Y) / n, 0 where they are equal */
        LNN_ELEMENTS(par, k, count, const float d = P[k] - Y[k];
                     dZ[k] = ((float)(d > 0.0f) - (float)(d < 0.0f)) * inv_n;);
        break;
    case LNN_LOSS_HUBER: /* clamp(P - Y, -delta, delta) / n */
        LNN_ELEMENTS(par, k, count, const float d = P[k] - Y[k];
                     dZ[k] = (d > delta ? delta : d < -delta ? -delta : d) *
                             inv_n;);
        break;
    }
    if (T.w)
        weigh_columns(dZ, T.w, n, m);
}

/* ce's loss of column j: -sum q log p (q: ce_delta's). */
static double ce_loss(const float *p, const float *y, lnn__targets T,
                      size_t n, size_t j)
{
    double s = 0.0, all = 0.0;
    if (T.labels)
        s = neg_log(p[T.labels[j]]);
    for (size_t i = 0; !T.labels && i < n; i++)
        if (y[i] != 0.0f) /* 0 log 0 is 0 */
            s += (double)y[i] * neg_log(p[i]);
    if (T.smooth == 0.0f)
        return s;
    for (size_t i = 0; i < n; i++)
        all += neg_log(p[i]);
    return (1.0 - (double)T.smooth) * s +
           (double)T.smooth / (double)n * all;
}

/* The loss of one sample (column j of P and T). */
static double sample_loss(const lnn__head *h, const float *P, lnn__targets T,
                          size_t n, size_t j)
{
    const float *p = P + j * n, *y = T.Y ? T.Y + j * n : NULL;
    double s = 0.0;
    switch (h->loss) {
    case LNN_LOSS_CE:
        return ce_loss(p, y, T, n, j);
    case LNN_LOSS_BCE:
        for (size_t i = 0; i < n; i++) {
            if (y[i] != 0.0f)
                s += (double)y[i] * neg_log(p[i]);
            if (y[i] != 1.0f)
                s += (1.0 - (double)y[i]) * neg_log(1.0f - p[i]);
        }
        break;
    case LNN_LOSS_MSE:
        for (size_t i = 0; i < n; i++) {
            const double d = (double)p[i] - (double)y[i];
            s += d * d;
        }
        break;
    case LNN_LOSS_MAE:
        for (size_t i = 0; i < n; i++)
            s += fabs((double)p[i] - (double)y[i]);
        break;
    case LNN_LOSS_HUBER:
        for (size_t i = 0; i < n; i++) {
            const double d = fabs((double)p[i] - (double)y[i]);
            const double delta = (double)h->delta;
            s += d <= delta ? 0.5 * d * d : delta * (d - 0.5 * delta);
        }
        break;
    }
    return s / (double)n;
}

double lnn__head_loss_sum(const lnn__head *h, const float *P, lnn__targets T,
                          size_t n, size_t m)
{
    double sum = 0.0;
    LNN_OMP(omp parallel for reduction(+:sum) schedule(static)
            if(parallel: lnn__par(n * m)))
    for (size_t j = 0; j < m; j++)
        sum += T.w ? (double)T.w[j] * sample_loss(h, P, T, n, j)
                   : sample_loss(h, P, T, n, j);
    return sum;
}

/* binary: sums[1] += columns with every label right, sums[2] += labels
 * wrong (p >= 0.5 is 1). */
static void binary_sums(double *sums, const float *P, const float *Y,
                        size_t n, size_t m)
{
    size_t right = 0, wrong = 0;
    for (size_t j = 0; j < m; j++) {
        size_t w = 0;
        for (size_t i = 0; i < n; i++)
            w += (P[j * n + i] >= 0.5f) != (Y[j * n + i] >= 0.5f);
        right += w == 0;
        wrong += w;
    }
    sums[1] += (double)right;
    sums[2] += (double)wrong;
}

/* values: per output i, sums[3 + 4 i ..] += squared error, absolute error,
 * y, y^2. */
static void value_sums(double *sums, const float *P, const float *Y, size_t n,
                       size_t m)
{
    for (size_t i = 0; i < n; i++) {
        double sse = 0.0, sae = 0.0, sy = 0.0, syy = 0.0;
        for (size_t j = 0; j < m; j++) {
            const double y = Y[j * n + i], d = (double)P[j * n + i] - y;
            sse += d * d;
            sae += fabs(d);
            sy += y;
            syy += y * y;
        }
        double *s = sums + LNN_HEAD_SUMS(i);
        s[0] += sse;
        s[1] += sae;
        s[2] += sy;
        s[3] += syy;
    }
}

void lnn__head_sums(const lnn__head *h, double *sums, const float *P,
                    lnn__targets T, size_t n, size_t m, int32_t *pred)
{
    sums[0] += lnn__head_loss_sum(h, P, T, n, m);
    switch (lnn_loss_target(h->loss)) {
    case LNN_TARGET_CLASSES: {
        size_t correct = 0;
        lnn__argmax_cols(pred, P, n, m);
        for (size_t j = 0; j < m; j++)
            correct += pred[j] == class_of(T, n, j);
        sums[1] += (double)correct; /* exact below 2^53 samples */
        break;
    }
    case LNN_TARGET_BINARY:
        binary_sums(sums, P, T.Y, n, m);
        break;
    case LNN_TARGET_VALUES:
        value_sums(sums, P, T.Y, n, m);
        break;
    }
}

/* R^2 of one output from its sums: 1 - SSE / SST; a constant target gives
 * 1 if every prediction is exact, else 0 (scikit-learn's convention). */
static double r2_of(const double *s, double rows)
{
    const double sst = s[3] - s[2] * s[2] / rows;
    if (!(sst > 0.0))
        return s[0] == 0.0 ? 1.0 : 0.0;
    return 1.0 - s[0] / sst;
}

void lnn__head_metrics(const lnn__head *h, lnn_metrics *out,
                       const double *sums, size_t n, size_t rows,
                       const float *target_mul)
{
    const double r = (double)rows;
    *out = (lnn_metrics){.rows = rows, .loss = sums[0] / r,
                         .accuracy = NAN, .hamming_loss = NAN,
                         .rmse = NAN, .mae = NAN, .r2 = NAN};
    switch (lnn_loss_target(h->loss)) {
    case LNN_TARGET_BINARY:
        out->hamming_loss = sums[2] / (r * (double)n);
        out->accuracy = sums[1] / r;
        break;
    case LNN_TARGET_CLASSES:
        out->accuracy = sums[1] / r;
        break;
    case LNN_TARGET_VALUES: {
        double rmse = 0.0, mae = 0.0, r2 = 0.0;
        for (size_t i = 0; i < n; i++) {
            const double *s = sums + LNN_HEAD_SUMS(i);
            /* errors in the target's units: the scaled error / mul */
            const double unit = target_mul ? 1.0 / (double)target_mul[i]
                                           : 1.0;
            rmse += sqrt(s[0] / r) * unit;
            mae += s[1] / r * unit;
            r2 += r2_of(s, r);
        }
        out->rmse = rmse / (double)n;
        out->mae = mae / (double)n;
        out->r2 = r2 / (double)n;
        break;
    }
    }
}

double lnn_metrics_get(const lnn_metrics *m, lnn_metric metric)
{
    if (!m)
        return NAN;
    switch (metric) {
    case LNN_METRIC_LOSS:
        return m->loss;
    case LNN_METRIC_ACCURACY:
        return m->accuracy;
    case LNN_METRIC_RMSE:
        return m->rmse;
    case LNN_METRIC_MAE:
        return m->mae;
    case LNN_METRIC_R2:
        return m->r2;
    }
    return NAN;
}
