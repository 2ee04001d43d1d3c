/* ab_judge.c: what the samples of lnn-bench --ab say. Per row, each round
 * gives a pair (base, candidate) measured seconds apart, so the statistic
 * is the median over rounds of the pair's time ratio: a load that slows
 * one round slows both of its children and cancels. Its interval is a
 * percentile bootstrap over the rounds, at a level corrected for the
 * number of rows (Bonferroni: with 22 rows at 95 % each, one false alarm
 * in three runs would be the rule), and the overall statistic, the median
 * over rows of the log ratios per full round (robust to a row that a
 * passing load hit), is one more comparison of the same family.
 *
 * The overall statistic has its own, smaller threshold: a single row of
 * two builds of the same library code can differ by a few per cent for
 * good (code and data placement: up to 3 % measured, bench/README.md), but
 * those shifts go both ways and cancel in the median over rows, while a
 * slowdown of the GEMMs or of every kernel moves all rows together. Ratios are taken in logs, so 1/r and r are as far from 1. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ab.h"

#define AB_OWN_MIN_SHARE 0.02 /* (lnn - GEMM) below this share of lnn's
                                time is too small for a ratio */

/* An interval of exp(median(logs)) and what it says against t. */
static void judge_logs(ab_judgement *j, const double *logs, size_t n,
                       double level, double t, const ab_options *o,
                       uint64_t seed, double *scratch)
{
    const stats_interval ci = stats_bootstrap_median(
        logs, n, level, o->resamples, seed, scratch);
    j->ratio = (stats_interval){exp(ci.estimate), exp(ci.lo), exp(ci.hi)};
    j->level = level;
    j->verdict = n >= AB_MIN_ROUNDS
                     ? stats_judge(j->ratio.lo, j->ratio.hi, t)
                     : STATS_INCONCLUSIVE;
    j->noise = 0.5 * (ci.hi - ci.lo);
    j->detectable = (1.0 + t) * exp(ci.estimate - ci.lo) - 1.0;
}

/* log(num[k] / den[k]) for k < n into out. */
static void log_ratios(double *out, const double *num, const double *den,
                       size_t n)
{
    for (size_t k = 0; k < n; k++)
        out[k] = log(num[k] / den[k]);
}

/* Where a row's change in time went: the bare GEMMs (BLAS, the machine)
 * or lnn's own code around them (elementwise kernels and the waits at
 * barriers, which these times cannot tell apart). */
static void blame(ab_row *row, double *x, double *scratch)
{
    ab_judgement *j = &row->j;
    const size_t n = row->n;
    double lib[2], gemm[2], own[2];
    log_ratios(x, row->gemm[AB_CAND], row->gemm[AB_BASE], n);
    j->gemm_ratio = exp(stats_median(x, n, scratch));
    for (int e = 0; e < 2; e++) {
        lib[e] = stats_median(row->lib[e], n, scratch);
        gemm[e] = stats_median(row->gemm[e], n, scratch);
        for (size_t k = 0; k < n; k++)
            x[k] = row->lib[e][k] - row->gemm[e][k];
        own[e] = stats_median(x, n, scratch);
        j->eff[e] = stats_median(row->eff[e], n, scratch);
    }
    j->own_ratio = own[AB_BASE] > AB_OWN_MIN_SHARE * lib[AB_BASE]
                       ? own[AB_CAND] / own[AB_BASE]
                       : 0.0;
    const double change = lib[AB_CAND] - lib[AB_BASE];
    j->gemm_share = change != 0.0 ? (gemm[AB_CAND] - gemm[AB_BASE]) / change
                                  : 0.0;
}

int ab_judge(ab_run *run)
{
    const ab_options *o = run->o;
    size_t cap = run->n_overall;
    for (size_t i = 0; i < run->n_rows; i++)
        cap = run->rows[i].n > cap ? run->rows[i].n : cap;
    double *x = malloc((cap ? cap : 1) * sizeof *x);
    double *scratch = malloc((cap + o->resamples) * sizeof *scratch);
    if (!x || !scratch) {
        free(x);
        free(scratch);
        fprintf(stderr, "lnn-bench: out of memory\n");
        return -1;
    }
    /* the rows and the overall statistic: one family of comparisons */
    const double level = stats_bonferroni(o->level, run->n_rows + 1);
    stats_rng seeds = {run->seed};
    memset(run->count, 0, sizeof run->count);
    bool any_slower = false;
    for (size_t i = 0; i < run->n_rows; i++) {
        ab_row *row = &run->rows[i];
        log_ratios(x, row->lib[AB_CAND], row->lib[AB_BASE], row->n);
        judge_logs(&row->j, x, row->n, level, o->threshold, o,
                   stats_rng_next(&seeds), scratch);
        blame(row, x, scratch);
        run->count[row->j.verdict]++;
        any_slower |= row->j.verdict == STATS_SLOWER;
    }
    run->total = (ab_judgement){.verdict = STATS_INCONCLUSIVE};
    if (run->n_overall > 0)
        judge_logs(&run->total, run->overall, run->n_overall, level,
                   o->overall_threshold, o, stats_rng_next(&seeds), scratch);
    run->verdict = any_slower ? STATS_SLOWER : run->total.verdict;
    free(x);
    free(scratch);
    return 0;
}

void ab_row_label(const ab_row *row, char *buf, size_t size)
{
    const bool act = row->kind == BENCH_TRAIN ||
                     (row->kind == BENCH_STEP && strcmp(row->act, "relu"));
    snprintf(buf, size, "%s %s m=%zu%s%s", bench_kind_name(row->kind),
             row->dims, row->m, act ? " " : "", act ? row->act : "");
}
