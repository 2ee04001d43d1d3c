/* stats.c: see stats.h. */
#include "stats.h"

#include <stdlib.h>
#include <string.h>

uint64_t stats_rng_next(stats_rng *rng)
{
    uint64_t z = (rng->state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

size_t stats_rng_below(stats_rng *rng, size_t n)
{
    /* 53 random bits as a fraction of n; the bias for the n here (a few
     * hundred) is below 2^-40. */
    const double u = (double)(stats_rng_next(rng) >> 11) * 0x1.0p-53;
    const size_t i = (size_t)(u * (double)n);
    return i < n ? i : n - 1;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double sorted_median(const double *s, size_t n)
{
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

double stats_median(const double *x, size_t n, double *scratch)
{
    memcpy(scratch, x, n * sizeof *x);
    qsort(scratch, n, sizeof *scratch, cmp_double);
    return sorted_median(scratch, n);
}

/* The q-quantile of sorted s[0..n), interpolated between neighbours. */
static double sorted_quantile(const double *s, size_t n, double q)
{
    const double pos = q * (double)(n - 1);
    const size_t i = (size_t)pos;
    if (i + 1 >= n)
        return s[n - 1];
    return s[i] + (pos - (double)i) * (s[i + 1] - s[i]);
}

stats_interval stats_bootstrap_median(const double *x, size_t n, double level,
                                      size_t resamples, uint64_t seed,
                                      double *scratch)
{
    double *draw = scratch, *medians = scratch + n;
    stats_rng rng = {seed};
    stats_interval ci = {.estimate = stats_median(x, n, draw)};
    for (size_t b = 0; b < resamples; b++) {
        for (size_t i = 0; i < n; i++)
            draw[i] = x[stats_rng_below(&rng, n)];
        qsort(draw, n, sizeof *draw, cmp_double);
        medians[b] = sorted_median(draw, n);
    }
    qsort(medians, resamples, sizeof *medians, cmp_double);
    ci.lo = sorted_quantile(medians, resamples, 0.5 * (1.0 - level));
    ci.hi = sorted_quantile(medians, resamples, 0.5 * (1.0 + level));
    return ci;
}

double stats_bonferroni(double level, size_t k)
{
    return k > 1 ? 1.0 - (1.0 - level) / (double)k : level;
}

stats_verdict stats_judge(double lo, double hi, double t)
{
    if (lo > 1.0 + t)
        return STATS_SLOWER;
    if (hi < 1.0 - t)
        return STATS_FASTER;
    if (lo >= 1.0 - t && hi <= 1.0 + t)
        return STATS_SAME;
    return STATS_INCONCLUSIVE;
}

const char *stats_verdict_name(stats_verdict v)
{
    switch (v) {
    case STATS_SAME:         return "same";
    case STATS_FASTER:       return "faster";
    case STATS_SLOWER:       return "slower";
    case STATS_INCONCLUSIVE: return "inconclusive";
    }
    return "unknown";
}
