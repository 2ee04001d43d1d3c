/* stats.h: the statistics of lnn-bench --ab, apart from any I/O so that
 * tests can check them: a seeded RNG, medians, a bootstrap confidence
 * interval of a median, and the verdict a confidence interval gives against
 * a practical threshold. */
#ifndef LNN_BENCH_STATS_H
#define LNN_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/* splitmix64: a small seeded generator, state owned by the caller. */
typedef struct stats_rng {
    uint64_t state;
} stats_rng;

uint64_t stats_rng_next(stats_rng *rng);
/* A uniform integer in [0, n) (n >= 1). */
size_t stats_rng_below(stats_rng *rng, size_t n);

/* Median of x[0..n) (n >= 1); scratch holds n doubles; x is not changed. */
double stats_median(const double *x, size_t n, double *scratch);

/* A percentile-bootstrap confidence interval of the median of x[0..n)
 * (n >= 1): `resamples` medians of n draws with replacement, and their
 * (1-level)/2 and (1+level)/2 quantiles. Seeded: the same input gives the
 * same interval. scratch holds n + resamples doubles. */
typedef struct stats_interval {
    double estimate; /* the median of x itself */
    double lo, hi;
} stats_interval;

stats_interval stats_bootstrap_median(const double *x, size_t n, double level,
                                      size_t resamples, uint64_t seed,
                                      double *scratch);

/* The confidence level for each of k comparisons so that the chance of any
 * false alarm among them stays under 1 - level (Bonferroni). */
double stats_bonferroni(double level, size_t k);

/* What an interval of a ratio candidate/base says, against a threshold t:
 * SLOWER  the whole interval lies above 1 + t;
 * FASTER  the whole interval lies below 1 - t;
 * SAME    the whole interval lies within [1 - t, 1 + t];
 * INCONCLUSIVE otherwise: the run could not tell. */
typedef enum stats_verdict {
    STATS_SAME, STATS_FASTER, STATS_SLOWER, STATS_INCONCLUSIVE
} stats_verdict;

stats_verdict stats_judge(double lo, double hi, double t);
/* "same", "faster", "slower", "inconclusive". */
const char *stats_verdict_name(stats_verdict v);

#endif /* LNN_BENCH_STATS_H */
