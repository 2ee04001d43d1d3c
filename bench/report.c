/* report.c: the results for people (the stdout tables, Markdown) and for
 * programs (one line per result, JSON). The tables of both kinds come from
 * one column list, so they cannot drift apart. */
#include <errno.h>
#include <string.h>

#include "bench.h"


const char *bench_kind_name(bench_kind kind)
{
    switch (kind) {
    case BENCH_FORWARD:  return "forward";
    case BENCH_BACKWARD: return "backward";
    case BENCH_STEP:     return "step";
    case BENCH_TRAIN:    return "train";
    }
    return "unknown";
}

double bench_gflops(const bench_row *row)
{
    return 1e-9 * row->flop / row->median_s;
}

double bench_gemm_gflops(const bench_row *row)
{
    return 1e-9 * row->flop / row->gemm_median_s;
}

static double samples_per_s(const bench_row *row)
{
    return (double)row->m / row->median_s;
}

/* ------------------------------------------------------------------------ */
/* Tables                                                                   */
/* ------------------------------------------------------------------------ */

typedef enum column {
    COL_KIND, COL_DIMS, COL_NET, COL_M, COL_ACT, COL_OPT, COL_FIRST,
    COL_LAST, COL_GROWTH, COL_MEDIAN, COL_MIN, COL_GEMM, COL_SAMPLES,
    COL_GFLOPS, COL_GEMM_GFLOPS, COL_EFF
} column;

static const struct {
    const char *title;
    int width; /* negative: left-aligned (text) */
} col_info[] = {
    [COL_KIND] = {"kind", -8},
    [COL_DIMS] = {"layer", -10},
    [COL_NET] = {"network", -17},
    [COL_M] = {"m", 4},
    [COL_ACT] = {"act", -13},
    [COL_OPT] = {"optimizer", -9},
    [COL_FIRST] = {"first ms", 9},
    [COL_LAST] = {"last ms", 9},
    [COL_GROWTH] = {"last/first", 10},
    [COL_MEDIAN] = {"median ms", 10},
    [COL_MIN] = {"min ms", 10},
    [COL_GEMM] = {"GEMM ms", 10},
    [COL_SAMPLES] = {"samples/s", 10},
    [COL_GFLOPS] = {"GFLOP/s", 8},
    [COL_GEMM_GFLOPS] = {"GEMM GFLOP/s", 12},
    [COL_EFF] = {"eff", 6},
};

static const column layer_cols[] = {
    COL_KIND, COL_DIMS, COL_M, COL_ACT, COL_MEDIAN, COL_MIN, COL_GEMM,
    COL_GFLOPS, COL_GEMM_GFLOPS, COL_EFF,
};
static const column step_cols[] = {
    COL_NET, COL_M, COL_ACT, COL_MEDIAN, COL_MIN, COL_GEMM, COL_SAMPLES, COL_GFLOPS,
    COL_GEMM_GFLOPS, COL_EFF,
};
static const column train_cols[] = {
    COL_NET, COL_OPT, COL_M, COL_FIRST, COL_LAST, COL_GROWTH, COL_MEDIAN,
    COL_MIN, COL_GEMM, COL_EFF,
};
#define N_COLS(a) (sizeof(a) / sizeof(a)[0])

/* The report's tables: one layer's rows, step rows, train rows. */
typedef enum table { TABLE_LAYERS, TABLE_STEPS, TABLE_TRAIN } table;

static const struct {
    const column *cols;
    size_t n_cols;
    const char *title, *md_title;
} tables[] = {
    [TABLE_LAYERS] = {layer_cols, N_COLS(layer_cols),
                      "One layer n_prev-n at batch m: forward = sgemm + "
                      "bias + activation, backward = activation' + db + dW "
                      "+ dH_prev",
                      "One layer n_prev-n at batch m"},
    [TABLE_STEPS] = {step_cols, N_COLS(step_cols),
                     "Training step: forward + loss + backward + SGD update",
                     "Training step (forward + loss + backward + SGD "
                     "update)"},
    [TABLE_TRAIN] = {train_cols, N_COLS(train_cols),
                     "Long runs: 2000 updates in 20 epochs, each with a "
                     "validation pass; ms per update (first and last epoch, "
                     "median and fastest epoch)",
                     "Long runs (2000 updates in 20 epochs, validation "
                     "included; ms per update)"},
};

static table row_table(const bench_row *row)
{
    return row->kind == BENCH_STEP    ? TABLE_STEPS
           : row->kind == BENCH_TRAIN ? TABLE_TRAIN
                                      : TABLE_LAYERS;
}

static void format_cell(char *buf, size_t size, column c,
                        const bench_row *row)
{
    switch (c) {
    case COL_KIND:
        snprintf(buf, size, "%s", bench_kind_name(row->kind));
        break;
    case COL_DIMS:
    case COL_NET:
        snprintf(buf, size, "%s", row->dims);
        break;
    case COL_M:
        snprintf(buf, size, "%zu", row->m);
        break;
    case COL_ACT:
    case COL_OPT:
        snprintf(buf, size, "%s", row->act);
        break;
    case COL_FIRST:
        snprintf(buf, size, "%.4g", bench_ms(row->first_s));
        break;
    case COL_LAST:
        snprintf(buf, size, "%.4g", bench_ms(row->last_s));
        break;
    case COL_GROWTH:
        snprintf(buf, size, "%.3f", row->last_s / row->first_s);
        break;
    case COL_MEDIAN:
        snprintf(buf, size, "%.4g", bench_ms(row->median_s));
        break;
    case COL_MIN:
        snprintf(buf, size, "%.4g", bench_ms(row->min_s));
        break;
    case COL_GEMM:
        snprintf(buf, size, "%.4g", bench_ms(row->gemm_median_s));
        break;
    case COL_SAMPLES:
        snprintf(buf, size, "%.0f", samples_per_s(row));
        break;
    case COL_GFLOPS:
        snprintf(buf, size, "%.1f", bench_gflops(row));
        break;
    case COL_GEMM_GFLOPS:
        snprintf(buf, size, "%.1f", bench_gemm_gflops(row));
        break;
    case COL_EFF:
        snprintf(buf, size, "%.3f", row->efficiency);
        break;
    }
}

/* One table's rows: aligned text, or Markdown. */
static void print_table(FILE *f, const bench_report *r, table t,
                        bool markdown)
{
    const column *cols = tables[t].cols;
    const size_t n_cols = tables[t].n_cols;
    char cell[BENCH_TEXT_MAX];

    for (size_t c = 0; c < n_cols; c++) {
        const int w = col_info[cols[c]].width;
        if (markdown)
            fprintf(f, "| %s ", col_info[cols[c]].title);
        else
            fprintf(f, "%s%*s", c ? "  " : "", w, col_info[cols[c]].title);
    }
    fputs(markdown ? "|\n" : "\n", f);
    if (markdown) {
        for (size_t c = 0; c < n_cols; c++)
            fputs(col_info[cols[c]].width < 0 ? "|---" : "|--:", f);
        fputs("|\n", f);
    }
    for (size_t i = 0; i < r->n_rows; i++) {
        const bench_row *row = &r->rows[i];
        if (row_table(row) != t)
            continue;
        for (size_t c = 0; c < n_cols; c++) {
            format_cell(cell, sizeof cell, cols[c], row);
            if (markdown)
                fprintf(f, "| %s ", cell);
            else
                fprintf(f, "%s%*s", c ? "  " : "", col_info[cols[c]].width,
                        cell);
        }
        fputs(markdown ? "|\n" : "\n", f);
    }
}

static bool has_rows(const bench_report *r, table t)
{
    for (size_t i = 0; i < r->n_rows; i++)
        if (row_table(&r->rows[i]) == t)
            return true;
    return false;
}

/* The header: what the run was measured on and how, as text or as a
 * Markdown table. */
static void print_header(FILE *f, const bench_report *r, bool markdown)
{
    enum { N_LINES = 6 };
    static const char *const label[N_LINES] = {"CPU", "BLAS", "kernel",
                                               "threads", "peak", "timing"};
    const bench_machine *mc = &r->machine;
    char v[N_LINES][2 * BENCH_TEXT_MAX];
    snprintf(v[0], sizeof v[0], "%s, %ld cores", mc->cpu, mc->cores);
    snprintf(v[1], sizeof v[1], "%s (threading: %s)", mc->blas,
             mc->blas_threading);
    if (mc->forced_kernel)
        snprintf(v[2], sizeof v[2], "%s, forced by OPENBLAS_CORETYPE=%s",
                 mc->kernel, mc->forced_kernel);
    else
        snprintf(v[2], sizeof v[2], "%s (OpenBLAS's choice for this CPU)",
                 mc->kernel);
    snprintf(v[3], sizeof v[3], "OpenMP %d, BLAS %d; %s", mc->omp_threads,
             mc->blas_threads,
             mc->env[0] ? mc->env : "no threading variables");
    snprintf(v[4], sizeof v[4],
             "%.1f GFLOP/s sgemm on %zu x %zu x %zu (fastest sample)",
             mc->peak_gflops, mc->peak_n, mc->peak_n, mc->peak_n);
    snprintf(v[5], sizeof v[5],
             "%s: %zu samples of about %.3g ms per measurement, interleaved "
             "in blocks of %zu after %.3g ms of warm-up; times per call",
             r->quick ? "quick" : "full", r->plan.reps,
             bench_ms(r->plan.sample_s), r->plan.block,
             bench_ms(r->plan.warmup_s));
    if (markdown)
        fputs("| | |\n|---|---|\n", f);
    for (size_t i = 0; i < N_LINES; i++)
        fprintf(f, markdown ? "| %s | %s |\n" : "%-8s %s\n", label[i],
                v[i]);
}

void bench_print_report(FILE *f, const bench_report *r)
{
    fprintf(f, "\nlnn-bench %s\n", lnn_version());
    print_header(f, r, false);
    for (table t = TABLE_LAYERS; t <= TABLE_TRAIN; t++)
        if (has_rows(r, t)) {
            fprintf(f, "\n%s\n", tables[t].title);
            print_table(f, r, t, false);
        }
    fputs("\neff = bare GEMM time / measured time (median of the pairs)\n",
          f);
}

void bench_emit_markdown(FILE *f, const bench_report *r)
{
    fprintf(f, "### lnn-bench %s: %s, %d threads\n\n", lnn_version(),
            r->machine.cpu, r->machine.omp_threads);
    print_header(f, r, true);
    for (table t = TABLE_LAYERS; t <= TABLE_TRAIN; t++)
        if (has_rows(r, t)) {
            fprintf(f, "\n#### %s\n\n", tables[t].md_title);
            print_table(f, r, t, true);
        }
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                     */
/* ------------------------------------------------------------------------ */

void bench_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void bench_emit_json(FILE *f, const bench_report *r)
{
    const bench_machine *mc = &r->machine;
    fprintf(f, "{\n  \"schema\": \"%s\",\n  \"lnn_version\": ",
            BENCH_SCHEMA);
    bench_json_string(f, lnn_version());
    fprintf(f, ",\n  \"quick\": %s,\n", r->quick ? "true" : "false");
    fputs("  \"machine\": {\n    \"cpu\": ", f);
    bench_json_string(f, mc->cpu);
    fprintf(f, ",\n    \"cores\": %ld,\n    \"blas\": ", mc->cores);
    bench_json_string(f, mc->blas);
    fputs(",\n    \"blas_threading\": ", f);
    bench_json_string(f, mc->blas_threading);
    fputs(",\n    \"env\": ", f);
    bench_json_string(f, mc->env);
    fprintf(f,
            ",\n    \"omp_threads\": %d,\n    \"blas_threads\": %d,\n"
            "    \"peak_n\": %zu,\n    \"peak_gflops\": %.2f\n  },\n",
            mc->omp_threads, mc->blas_threads, mc->peak_n, mc->peak_gflops);
    fprintf(f,
            "  \"plan\": {\"reps\": %zu, \"block\": %zu, \"sample_ms\": %.6g, "
            "\"warmup_ms\": %.6g},\n  \"rows\": [",
            r->plan.reps, r->plan.block, bench_ms(r->plan.sample_s),
            bench_ms(r->plan.warmup_s));
    for (size_t i = 0; i < r->n_rows; i++) {
        const bench_row *row = &r->rows[i];
        fprintf(f,
                "%s\n    {\"kind\": \"%s\", \"dims\": \"%s\", \"m\": %zu, "
                "\"act\": \"%s\", \"flop\": %.0f,\n"
                "     \"median_ms\": %.6g, \"min_ms\": %.6g, "
                "\"gemm_median_ms\": %.6g, \"gemm_min_ms\": %.6g,\n"
                "     \"gflops\": %.2f, \"efficiency\": %.4f, "
                "\"attempts\": %u",
                i ? "," : "", bench_kind_name(row->kind), row->dims, row->m,
                row->act, row->flop, bench_ms(row->median_s),
                bench_ms(row->min_s), bench_ms(row->gemm_median_s),
                bench_ms(row->gemm_min_s), bench_gflops(row),
                row->efficiency, row->attempts);
        if (row->kind == BENCH_STEP)
            fprintf(f, ", \"samples_per_s\": %.1f", samples_per_s(row));
        if (row->kind == BENCH_TRAIN)
            fprintf(f, ", \"first_ms\": %.6g, \"last_ms\": %.6g",
                    bench_ms(row->first_s), bench_ms(row->last_s));
        fputc('}', f);
    }
    fputs("\n  ]\n}\n", f);
}

FILE *bench_open(const char *path, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (!f)
        fprintf(stderr, "lnn-bench: %s: %s\n", path, strerror(errno));
    return f;
}

int bench_close(FILE *f, const char *path)
{
    const bool write_failed = ferror(f) != 0;
    if (fclose(f) != 0 || write_failed) {
        fprintf(stderr, "lnn-bench: %s: write failed\n", path);
        return -1;
    }
    return 0;
}

int bench_write_file(const char *path,
                     void (*emit)(FILE *f, const bench_report *r),
                     const bench_report *r)
{
    FILE *f = bench_open(path, "w");
    if (!f)
        return -1;
    emit(f, r);
    return bench_close(f, path);
}
