/* test_stats.c: the statistics of lnn-bench --ab (bench/stats.c): the
 * seeded generator, medians, the bootstrap interval, Bonferroni and the
 * verdicts; then simulated A/A and A/B runs: many A/A runs never say
 * slower, and a clear slowdown is caught. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "stats.h"

#define N_ROUNDS 40
#define RESAMPLES 2000

static void test_rng(void)
{
    stats_rng a = {42}, b = {42}, c = {43};
    const uint64_t x = stats_rng_next(&a);
    CHECK(x == stats_rng_next(&b));
    CHECK(x != stats_rng_next(&c));
    size_t hits[5] = {0};
    for (int i = 0; i < 5000; i++) {
        const size_t k = stats_rng_below(&a, 5);
        CHECK(k < 5);
        hits[k < 5 ? k : 0]++;
    }
    for (int k = 0; k < 5; k++) /* 1000 each, give or take 4 sigma */
        CHECK(hits[k] > 880 && hits[k] < 1120);
}

static void test_median(void)
{
    double s[4];
    const double odd[] = {3.0, 1.0, 2.0}, even[] = {4.0, 1.0, 3.0, 2.0};
    CHECK_NEAR(stats_median(odd, 3, s), 2.0, 0.0);
    CHECK_NEAR(stats_median(even, 4, s), 2.5, 0.0);
    CHECK_NEAR(odd[0], 3.0, 0.0); /* unchanged */
}

static void test_bootstrap(void)
{
    double x[101], scratch[101 + RESAMPLES];
    for (int i = 0; i < 101; i++)
        x[i] = (double)((i * 37) % 101); /* 0..100, shuffled */
    const stats_interval a = stats_bootstrap_median(x, 101, 0.95, RESAMPLES,
                                                    7, scratch);
    const stats_interval b = stats_bootstrap_median(x, 101, 0.95, RESAMPLES,
                                                    7, scratch);
    const stats_interval wide = stats_bootstrap_median(
        x, 101, 0.999, RESAMPLES, 7, scratch);
    CHECK_NEAR(a.estimate, 50.0, 0.0);
    CHECK(a.lo < 50.0 && a.hi > 50.0);
    /* the median of 101 values spread evenly over 0..100: standard error
     * about 1.25 sigma / sqrt(n) = 3.6 */
    CHECK(a.hi - a.lo > 7.0 && a.hi - a.lo < 30.0);
    CHECK(a.lo == b.lo && a.hi == b.hi); /* seeded */
    CHECK(wide.lo <= a.lo && wide.hi >= a.hi);
    const double same[5] = {1.5, 1.5, 1.5, 1.5, 1.5};
    const stats_interval c = stats_bootstrap_median(same, 5, 0.95, RESAMPLES,
                                                    1, scratch);
    CHECK(c.lo == 1.5 && c.hi == 1.5 && c.estimate == 1.5);
}

static void test_judge(void)
{
    CHECK_NEAR(stats_bonferroni(0.95, 23), 1.0 - 0.05 / 23, 1e-15);
    CHECK_NEAR(stats_bonferroni(0.95, 1), 0.95, 0.0);
    CHECK(stats_judge(1.06, 1.10, 0.05) == STATS_SLOWER);
    CHECK(stats_judge(1.04, 1.10, 0.05) == STATS_INCONCLUSIVE);
    CHECK(stats_judge(0.98, 1.03, 0.05) == STATS_SAME);
    CHECK(stats_judge(0.95, 1.05, 0.05) == STATS_SAME); /* edges: within */
    CHECK(stats_judge(0.80, 0.94, 0.05) == STATS_FASTER);
    CHECK(stats_judge(0.90, 0.97, 0.05) == STATS_INCONCLUSIVE);
    CHECK(stats_judge(0.90, 1.10, 0.05) == STATS_INCONCLUSIVE);
    CHECK(stats_judge(1.001, 1.002, 0.0) == STATS_SLOWER);
}

/* A standard normal draw (Box-Muller). */
static double normal(stats_rng *rng)
{
    const double u = ((double)(stats_rng_next(rng) >> 11) + 0.5) * 0x1.0p-53;
    const double v = (double)(stats_rng_next(rng) >> 11) * 0x1.0p-53;
    return sqrt(-2.0 * log(u)) * cos(2.0 * 3.14159265358979323846 * v);
}

/* How one simulated row comes out: N_ROUNDS log ratios of true effect
 * log(1 + effect), 3 % noise per round and, one round in ten, a passing
 * load that slows one side by 30 %. */
static stats_verdict simulate(stats_rng *rng, double effect, double level)
{
    double logs[N_ROUNDS], scratch[N_ROUNDS + RESAMPLES];
    for (int r = 0; r < N_ROUNDS; r++) {
        logs[r] = log1p(effect) + 0.03 * normal(rng);
        if (stats_rng_below(rng, 10) == 0)
            logs[r] += stats_rng_below(rng, 2) ? log(1.3) : -log(1.3);
    }
    const stats_interval ci = stats_bootstrap_median(
        logs, N_ROUNDS, level, RESAMPLES, stats_rng_next(rng), scratch);
    return stats_judge(exp(ci.lo), exp(ci.hi), 0.05);
}

static void test_simulated_runs(void)
{
    stats_rng rng = {2024};
    const double level = stats_bonferroni(0.95, 23);
    int slower = 0, caught = 0, faster = 0;
    for (int run = 0; run < 200; run++)
        slower += simulate(&rng, 0.0, level) == STATS_SLOWER;
    for (int run = 0; run < 50; run++) {
        const stats_verdict v = simulate(&rng, 0.10, level);
        caught += v == STATS_SLOWER;
        faster += v == STATS_FASTER;
    }
    CHECK(slower == 0);  /* A/A: never slower */
    CHECK(caught >= 45); /* a 10 % slowdown at 3 % noise: caught */
    CHECK(faster == 0);
}

int main(void)
{
    test_rng();
    test_median();
    test_bootstrap();
    test_judge();
    test_simulated_runs();
    return check_result("stats");
}
