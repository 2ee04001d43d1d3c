/* ab_report.c: the results of lnn-bench --ab for people (a text table on
 * stdout, Markdown for a CI summary) and for CI systems (JUnit XML, one
 * test case per row; JSON). Text and Markdown come from one table
 * writer. */
#include <math.h>
#include <string.h>

#include "ab.h"

static double pct(double ratio)
{
    return 100.0 * (ratio - 1.0);
}

/* Where a slower row's time went, as a sentence. */
static void blame_text(char *buf, size_t size, const ab_judgement *j)
{
    char own[64] = "too small to compare";
    if (j->own_ratio > 0.0)
        snprintf(own, sizeof own, "x%.3f", j->own_ratio);
    if (j->gemm_share >= 0.5)
        snprintf(buf, size, "the bare GEMMs, timed in the same runs, moved "
                 "too (x%.3f; %.0f %% of the added time): BLAS or the "
                 "machine, not lnn's code (lnn - GEMM: %s)", j->gemm_ratio,
                 100.0 * j->gemm_share, own);
    else
        snprintf(buf, size, "lnn's own code: the time beside the GEMMs "
                 "(elementwise kernels and barrier waits, which these times "
                 "do not separate) went %s, the bare GEMMs x%.3f (%.0f %% of "
                 "the added time)", own, j->gemm_ratio,
                 100.0 * j->gemm_share);
}

static void print_header(FILE *f, const ab_run *run, bool md)
{
    const ab_options *o = run->o;
    const char *li = md ? "- " : "  ";
    fprintf(f, md ? "### lnn-bench --ab: %s\n\n" : "\nlnn-bench --ab: %s\n",
            stats_verdict_name(run->verdict));
    fprintf(f, "%scandidate %s, base %s\n", li, o->exe[AB_CAND],
            o->exe[AB_BASE]);
    fprintf(f, "%s%zu rounds after a warm-up (candidate first in %zu), "
            "%.0f s; seed %llu\n", li, run->rounds, run->order_cand_first,
            run->seconds, (unsigned long long)run->seed);
    fprintf(f, "%sratio = candidate / base time, median over rounds; "
            "threshold ±%.1f %% per row, ±%.1f %% overall; intervals at "
            "%.2f %% each (%.0f %% over %zu comparisons, Bonferroni), %zu "
            "bootstrap resamples\n",
            li, 100.0 * o->threshold, 100.0 * o->overall_threshold,
            100.0 * run->total.level,
            100.0 * o->level, run->n_rows + 1, o->resamples);
    fprintf(f, "%snoise = half-width of the interval; detects = the "
            "slowdown that would just be called slower at this noise\n",
            li);
    fprintf(f, "%sGEMM = ratio of the bare GEMMs (BLAS, machine); own = "
            "ratio of lnn's time beside them (elementwise, barriers); eff = "
            "GEMM / lnn time, base -> candidate\n\n", li);
}

enum { N_COLS = 10 };

static void print_cells(FILE *f, const char *const cell[N_COLS], bool md)
{
    static const int width[N_COLS] = {-40, 4, 7, 17, 7, 8, 6, 6, 11, -12};
    for (int c = 0; c < N_COLS; c++) {
        if (md)
            fprintf(f, "| %s ", cell[c]);
        else
            fprintf(f, "%s%*s", c ? " " : "", width[c], cell[c]);
    }
    fputs(md ? "|\n" : "\n", f);
}

static void print_judgement(FILE *f, const char *label, size_t n,
                            const ab_judgement *j, bool md)
{
    char c[N_COLS][BENCH_TEXT_MAX];
    snprintf(c[0], sizeof c[0], "%s", label);
    snprintf(c[1], sizeof c[1], "%zu", n);
    snprintf(c[2], sizeof c[2], "%.4f", j->ratio.estimate);
    snprintf(c[3], sizeof c[3], "[%.4f, %.4f]", j->ratio.lo, j->ratio.hi);
    snprintf(c[4], sizeof c[4], "±%.1f%%", 100.0 * j->noise);
    snprintf(c[5], sizeof c[5], "%+.1f%%", 100.0 * j->detectable);
    if (j->gemm_ratio > 0.0)
        snprintf(c[6], sizeof c[6], "%.3f", j->gemm_ratio);
    else
        snprintf(c[6], sizeof c[6], "-");
    if (j->own_ratio > 0.0)
        snprintf(c[7], sizeof c[7], "%.3f", j->own_ratio);
    else
        snprintf(c[7], sizeof c[7], "-");
    if (j->eff[AB_BASE] > 0.0)
        snprintf(c[8], sizeof c[8], "%.2f->%.2f", j->eff[AB_BASE],
                 j->eff[AB_CAND]);
    else
        snprintf(c[8], sizeof c[8], "-");
    snprintf(c[9], sizeof c[9], "%s", stats_verdict_name(j->verdict));
    const char *cell[N_COLS];
    for (int k = 0; k < N_COLS; k++)
        cell[k] = c[k];
    print_cells(f, cell, md);
}

static void print_table(FILE *f, const ab_run *run, bool md)
{
    static const char *const title[N_COLS] = {
        "row", "n", "ratio", "interval", "noise", "detects", "GEMM", "own",
        "eff", "verdict"};
    char label[BENCH_TEXT_MAX], why[2 * BENCH_TEXT_MAX];
    print_cells(f, title, md);
    if (md)
        fputs("|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n", f);
    for (size_t i = 0; i < run->n_rows; i++) {
        ab_row_label(&run->rows[i], label, sizeof label);
        print_judgement(f, label, run->rows[i].n, &run->rows[i].j, md);
    }
    print_judgement(f, "overall (median of rows)", run->n_overall,
                    &run->total, md);
    fprintf(f, "\n%s%zu slower, %zu faster, %zu same, %zu inconclusive "
            "rows; overall %s: %s\n", md ? "" : "  ",
            run->count[STATS_SLOWER], run->count[STATS_FASTER],
            run->count[STATS_SAME], run->count[STATS_INCONCLUSIVE],
            stats_verdict_name(run->total.verdict),
            stats_verdict_name(run->verdict));
    for (size_t i = 0; i < run->n_rows; i++) {
        const ab_row *row = &run->rows[i];
        if (row->j.verdict != STATS_SLOWER)
            continue;
        ab_row_label(row, label, sizeof label);
        blame_text(why, sizeof why, &row->j);
        fprintf(f, "%s%s is slower by %.1f %%: %s\n", md ? "- " : "  ",
                label, pct(row->j.ratio.estimate), why);
    }
}

void ab_emit_text(FILE *f, const ab_run *run)
{
    print_header(f, run, false);
    print_table(f, run, false);
}

void ab_emit_markdown(FILE *f, const ab_run *run)
{
    print_header(f, run, true);
    print_table(f, run, true);
}

/* ------------------------------------------------------------------------ */
/* JUnit XML                                                                */
/* ------------------------------------------------------------------------ */

/* One test case: a failure when slower, skipped when inconclusive. */
static void junit_case(FILE *f, const char *label, size_t n,
                       const ab_judgement *j, double threshold)
{
    char msg[BENCH_TEXT_MAX], why[2 * BENCH_TEXT_MAX];
    snprintf(msg, sizeof msg, "ratio %.4f, interval [%.4f, %.4f] at "
             "%.2f %%, %zu rounds, threshold ±%.1f %%: %s", j->ratio.estimate,
             j->ratio.lo, j->ratio.hi, 100.0 * j->level, n,
             100.0 * threshold, stats_verdict_name(j->verdict));
    fputs("    <testcase classname=\"lnn-bench.ab\" name=\"", f);
    bench_xml_text(f, label);
    fputs("\">\n", f);
    if (j->verdict == STATS_SLOWER) {
        blame_text(why, sizeof why, j);
        fputs("      <failure type=\"slower\" message=\"", f);
        bench_xml_text(f, msg);
        fputs("\">", f);
        bench_xml_text(f, why);
        fputs("</failure>\n", f);
    } else if (j->verdict == STATS_INCONCLUSIVE) {
        fputs("      <skipped message=\"too noisy to tell: ", f);
        bench_xml_text(f, msg);
        fputs("\"/>\n", f);
    }
    fputs("      <system-out>", f);
    bench_xml_text(f, msg);
    fputs("</system-out>\n    </testcase>\n", f);
}

void ab_emit_junit(FILE *f, const ab_run *run)
{
    const size_t tests = run->n_rows + 1;
    const size_t failures = run->count[STATS_SLOWER] +
                            (run->total.verdict == STATS_SLOWER);
    const size_t skipped = run->count[STATS_INCONCLUSIVE] +
                           (run->total.verdict == STATS_INCONCLUSIVE);
    char label[BENCH_TEXT_MAX];
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f, "<testsuites name=\"lnn-bench --ab\" tests=\"%zu\" "
            "failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.1f\">\n",
            tests, failures, skipped, run->seconds);
    fprintf(f, "  <testsuite name=\"lnn-bench.ab\" tests=\"%zu\" "
            "failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.1f\">\n",
            tests, failures, skipped, run->seconds);
    for (size_t i = 0; i < run->n_rows; i++) {
        ab_row_label(&run->rows[i], label, sizeof label);
        junit_case(f, label, run->rows[i].n, &run->rows[i].j,
                   run->o->threshold);
    }
    junit_case(f, "overall", run->n_overall, &run->total,
               run->o->overall_threshold);
    fputs("  </testsuite>\n</testsuites>\n", f);
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                     */
/* ------------------------------------------------------------------------ */

static void json_judgement(FILE *f, size_t n, const ab_judgement *j)
{
    fprintf(f, "\"n\": %zu, \"ratio\": %.6g, \"lo\": %.6g, \"hi\": %.6g, "
            "\"level\": %.6g, \"verdict\": \"%s\",\n     \"noise\": %.6g, "
            "\"detectable\": %.6g, \"gemm_ratio\": %.6g, \"own_ratio\": "
            "%.6g, \"gemm_share\": %.6g, \"eff_base\": %.4f, "
            "\"eff_candidate\": %.4f",
            n, j->ratio.estimate, j->ratio.lo, j->ratio.hi, j->level,
            stats_verdict_name(j->verdict), j->noise, j->detectable,
            isfinite(j->gemm_ratio) ? j->gemm_ratio : 0.0, j->own_ratio,
            isfinite(j->gemm_share) ? j->gemm_share : 0.0, j->eff[AB_BASE],
            j->eff[AB_CAND]);
}

void ab_emit_json(FILE *f, const ab_run *run)
{
    const ab_options *o = run->o;
    fputs("{\n  \"schema\": \"lnn-bench-ab/1\",\n  \"base\": ", f);
    bench_json_string(f, o->exe[AB_BASE]);
    fputs(",\n  \"candidate\": ", f);
    bench_json_string(f, o->exe[AB_CAND]);
    fprintf(f, ",\n  \"seed\": %llu, \"rounds\": %zu, "
            "\"candidate_first\": %zu, \"seconds\": %.1f,\n"
            "  \"threshold\": %g, \"overall_threshold\": %g, \"level\": %g, "
            "\"resamples\": %zu,\n"
            "  \"verdict\": \"%s\",\n  \"counts\": {\"slower\": %zu, "
            "\"faster\": %zu, \"same\": %zu, \"inconclusive\": %zu},\n"
            "  \"overall\": {",
            (unsigned long long)run->seed, run->rounds,
            run->order_cand_first, run->seconds, o->threshold,
            o->overall_threshold, o->level,
            o->resamples, stats_verdict_name(run->verdict),
            run->count[STATS_SLOWER], run->count[STATS_FASTER],
            run->count[STATS_SAME], run->count[STATS_INCONCLUSIVE]);
    json_judgement(f, run->n_overall, &run->total);
    fputs("},\n  \"rows\": [", f);
    for (size_t i = 0; i < run->n_rows; i++) {
        const ab_row *row = &run->rows[i];
        fprintf(f, "%s\n    {\"kind\": \"%s\", \"dims\": \"%s\", \"m\": %zu, "
                "\"act\": \"%s\",\n     ", i ? "," : "",
                bench_kind_name(row->kind), row->dims, row->m, row->act);
        json_judgement(f, row->n, &row->j);
        fputc('}', f);
    }
    fputs("\n  ]\n}\n", f);
}
