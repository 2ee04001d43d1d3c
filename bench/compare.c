/* compare.c: --compare. Read a baseline written by --json, then hold each
 * row of this run against the baseline's row of the same kind, shape and
 * batch. Efficiency (bare GEMM time / measured time) is compared always: a
 * ratio of two times measured side by side travels between machines and
 * loads far better than either time. Median times are compared only when
 * the setup is the same: CPU model, BLAS, threads and threading variables. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "json.h"

#define BASELINE_MAX_BYTES ((size_t)16 << 20) /* ours are a few kB */
#define READ_CHUNK ((size_t)1 << 16)

struct bench_baseline {
    const char *path; /* borrowed */
    char cpu[BENCH_TEXT_MAX], blas[BENCH_TEXT_MAX];
    char blas_threading[BENCH_TEXT_MAX], env[BENCH_TEXT_MAX];
    int omp_threads, blas_threads;
    bench_result *rows;
    size_t n_rows;
};

BENCH_PRINTF(2, 3)
static int bad(const char *path, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "lnn-bench: %s: ", path);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

/* The whole file in a fresh buffer; NULL (after a message) on failure. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        bad(path, "%s", strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0;
    for (;;) {
        if (n + READ_CHUNK > BASELINE_MAX_BYTES) {
            bad(path, "larger than %zu bytes: not a baseline",
                BASELINE_MAX_BYTES);
            goto fail;
        }
        char *more = realloc(buf, n + READ_CHUNK);
        if (!more) {
            bad(path, "out of memory");
            goto fail;
        }
        buf = more;
        const size_t got = fread(buf + n, 1, READ_CHUNK, f);
        n += got;
        if (got < READ_CHUNK)
            break;
    }
    if (ferror(f)) {
        bad(path, "%s", strerror(errno));
        goto fail;
    }
    fclose(f); /* read-only: nothing to lose if this fails */
    *len = n;
    return buf;
fail:
    fclose(f);
    free(buf);
    return NULL;
}

static bool get_string(const json_doc *d, size_t obj, const char *key,
                       char *buf, size_t size)
{
    return json_string(d, json_get(d, obj, key), buf, size);
}

/* A whole number in [1, INT32_MAX]. */
static bool get_count(const json_doc *d, size_t obj, const char *key,
                      size_t *out)
{
    double v;
    if (!json_number(d, json_get(d, obj, key), &v) || v < 1.0 ||
        v > INT32_MAX || v != floor(v))
        return false;
    *out = (size_t)v;
    return true;
}

/* A finite number > 0. */
static bool get_positive(const json_doc *d, size_t obj, const char *key,
                         double *out)
{
    return json_number(d, json_get(d, obj, key), out) && isfinite(*out) &&
           *out > 0.0;
}

static bool parse_kind(const char *name, bench_kind *kind)
{
    static const bench_kind all[] = {BENCH_FORWARD, BENCH_BACKWARD,
                                     BENCH_STEP, BENCH_TRAIN};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(name, bench_kind_name(all[i])) == 0) {
            *kind = all[i];
            return true;
        }
    return false;
}

/* Check the document against our schema and copy what compare needs. */
static int read_baseline(bench_baseline *b, const json_doc *d)
{
    const char *path = b->path;
    char schema[BENCH_TEXT_MAX];
    size_t threads;
    if (d->tok[0].type != JSON_OBJECT)
        return bad(path, "not a JSON object");
    if (!get_string(d, 0, "schema", schema, sizeof schema) ||
        strcmp(schema, BENCH_SCHEMA) != 0)
        return bad(path, "\"schema\" is not \"%s\"", BENCH_SCHEMA);

    const size_t mach = json_get(d, 0, "machine");
    if (!get_string(d, mach, "cpu", b->cpu, sizeof b->cpu) ||
        !get_string(d, mach, "blas", b->blas, sizeof b->blas) ||
        !get_string(d, mach, "blas_threading", b->blas_threading,
                    sizeof b->blas_threading) ||
        !get_string(d, mach, "env", b->env, sizeof b->env))
        return bad(path, "\"machine\" needs strings \"cpu\", \"blas\", "
                   "\"blas_threading\" and \"env\"");
    if (!get_count(d, mach, "omp_threads", &threads))
        return bad(path, "\"machine\".\"omp_threads\" is not a count");
    b->omp_threads = (int)threads;
    if (!get_count(d, mach, "blas_threads", &threads))
        return bad(path, "\"machine\".\"blas_threads\" is not a count");
    b->blas_threads = (int)threads;

    const size_t rows = json_get(d, 0, "rows");
    if (rows == JSON_NONE || d->tok[rows].type != JSON_ARRAY)
        return bad(path, "\"rows\" is not an array");
    b->n_rows = d->tok[rows].count;
    b->rows = calloc(b->n_rows ? b->n_rows : 1, sizeof *b->rows);
    if (!b->rows)
        return bad(path, "out of memory");
    size_t t = json_first(d, rows);
    for (size_t i = 0; i < b->n_rows; i++, t = d->tok[t].next) {
        bench_result *row = &b->rows[i];
        char kind[BENCH_TEXT_MAX];
        double median_ms, gemm_median_ms;
        if (!get_string(d, t, "kind", kind, sizeof kind) ||
            !parse_kind(kind, &row->kind))
            return bad(path, "rows[%zu]: \"kind\" is not forward, backward "
                       "or step", i);
        if (!get_string(d, t, "dims", row->dims, sizeof row->dims))
            return bad(path, "rows[%zu]: \"dims\" is not a string of at "
                       "most %d bytes", i, BENCH_DIMS_MAX - 1);
        if (!get_string(d, t, "act", row->act, sizeof row->act))
            return bad(path, "rows[%zu]: \"act\" is not a string of at "
                       "most %d bytes", i, BENCH_DIMS_MAX - 1);
        if (!get_count(d, t, "m", &row->m))
            return bad(path, "rows[%zu]: \"m\" is not a count", i);
        if (!get_positive(d, t, "efficiency", &row->efficiency))
            return bad(path, "rows[%zu]: \"efficiency\" is not a number "
                       "> 0", i);
        if (!get_positive(d, t, "median_ms", &median_ms))
            return bad(path, "rows[%zu]: \"median_ms\" is not a number "
                       "> 0", i);
        if (!get_positive(d, t, "gemm_median_ms", &gemm_median_ms))
            return bad(path, "rows[%zu]: \"gemm_median_ms\" is not a "
                       "number > 0", i);
        row->median_s = median_ms / 1e3; /* the file has ms */
        row->gemm_median_s = gemm_median_ms / 1e3;
    }
    return 0;
}

int bench_baseline_load(bench_baseline **out, const char *path)
{
    *out = NULL;
    size_t len;
    char *text = read_file(path, &len);
    if (!text)
        return -1;
    char err[BENCH_TEXT_MAX];
    json_doc doc;
    int rc = -1;
    bench_baseline *b = NULL;
    if (json_parse(&doc, text, len, err, sizeof err) != 0) {
        bad(path, "not valid JSON: %s", err);
    } else if (!(b = calloc(1, sizeof *b))) {
        bad(path, "out of memory");
    } else {
        b->path = path;
        rc = read_baseline(b, &doc);
    }
    json_free(&doc);
    free(text);
    if (rc != 0) {
        bench_baseline_free(b);
        return -1;
    }
    *out = b;
    return 0;
}

const bench_result *bench_baseline_rows(const bench_baseline *b, size_t *n)
{
    *n = b->n_rows;
    return b->rows;
}

void bench_baseline_free(bench_baseline *b)
{
    if (!b)
        return;
    free(b->rows);
    free(b);
}

/* A row of b with the kind, sizes, batch and activation (a train row's
 * optimizer) of row. */
static const bench_result *find_row(const bench_baseline *b,
                                    const bench_row *row)
{
    for (size_t i = 0; i < b->n_rows; i++)
        if (b->rows[i].kind == row->kind && b->rows[i].m == row->m &&
            strcmp(b->rows[i].dims, row->dims) == 0 &&
            strcmp(b->rows[i].act, row->act) == 0)
            return &b->rows[i];
    return NULL;
}

static bool in_report(const bench_report *r, const bench_result *row)
{
    for (size_t i = 0; i < r->n_rows; i++)
        if (r->rows[i].kind == row->kind && r->rows[i].m == row->m &&
            strcmp(r->rows[i].dims, row->dims) == 0 &&
            strcmp(r->rows[i].act, row->act) == 0)
            return true;
    return false;
}

/* Why absolute times cannot be compared, or NULL if they can. */
static const char *setup_differs(const bench_baseline *b,
                                 const bench_machine *mc)
{
    if (strcmp(b->cpu, mc->cpu) != 0)
        return "another CPU model";
    if (strcmp(b->blas, mc->blas) != 0 ||
        strcmp(b->blas_threading, mc->blas_threading) != 0)
        return "another BLAS";
    if (b->omp_threads != mc->omp_threads ||
        b->blas_threads != mc->blas_threads)
        return "other thread counts";
    if (strcmp(b->env, mc->env) != 0)
        return "other threading variables";
    return NULL;
}

/* The changes of a row against its baseline row, and whether each is
 * worse than allowed. */
typedef struct change {
    double eff, time; /* relative: now / then - 1 */
    bool eff_worse, time_worse;
} change;

static change row_change(const bench_result *base, const bench_row *row,
                         bool same_setup, double tolerance,
                         double time_tolerance)
{
    change c = {
        .eff = row->efficiency / base->efficiency - 1.0,
        .time = row->median_s / base->median_s - 1.0,
    };
    c.eff_worse = c.eff < -tolerance;
    c.time_worse = same_setup && c.time > time_tolerance;
    return c;
}

bool bench_row_slower(const bench_baseline *b, const bench_row *row,
                      const bench_machine *mc, double tolerance,
                      double time_tolerance)
{
    const bench_result *base = find_row(b, row);
    if (!base)
        return false;
    const change c = row_change(base, row, !setup_differs(b, mc), tolerance,
                                time_tolerance);
    return c.eff_worse || c.time_worse;
}

int bench_compare(FILE *f, const bench_baseline *b, const bench_report *r,
                  double tolerance, double time_tolerance)
{
    const char *differs = setup_differs(b, &r->machine);
    char label[BENCH_TEXT_MAX], verdict[BENCH_TEXT_MAX];
    size_t compared = 0, slower = 0;

    fprintf(f, "\nCompared with %s (%s; OpenMP %d, BLAS %d; %s)\n", b->path,
            b->cpu, b->omp_threads, b->blas_threads,
            b->env[0] ? b->env : "no threading variables");
    if (differs)
        fprintf(f, "median times not compared: %s\n", differs);
    fprintf(f, "%-30s %8s %8s %7s  %9s %9s %7s  %s\n", "row", "eff was",
            "eff now", "change", "ms was", "ms now", "change", "verdict");
    for (size_t i = 0; i < r->n_rows; i++) {
        const bench_row *row = &r->rows[i];
        snprintf(label, sizeof label, "%s %s m=%zu",
                 bench_kind_name(row->kind), row->dims, row->m);
        const bench_result *base = find_row(b, row);
        if (!base) {
            fprintf(f, "%-30s %8s %8.3f %7s  %9s %9.4g %7s  new\n", label,
                    "-", row->efficiency, "", "-", bench_ms(row->median_s),
                    "");
            continue;
        }
        compared++;
        const change c = row_change(base, row, !differs, tolerance,
                                    time_tolerance);
        slower += c.eff_worse || c.time_worse;
        const char *what = c.eff_worse && c.time_worse
                               ? "SLOWER (efficiency, time)"
                           : c.eff_worse  ? "SLOWER (efficiency)"
                           : c.time_worse ? "SLOWER (time)"
                                          : "ok";
        if (row->attempts > 1)
            snprintf(verdict, sizeof verdict, "%s, best of %u", what,
                     row->attempts);
        else
            snprintf(verdict, sizeof verdict, "%s", what);
        fprintf(f, "%-30s %8.3f %8.3f %+6.1f%%  %9.4g %9.4g %+6.1f%%  %s\n",
                label, base->efficiency, row->efficiency, 100.0 * c.eff,
                bench_ms(base->median_s), bench_ms(row->median_s),
                100.0 * c.time, verdict);
    }
    for (size_t i = 0; i < b->n_rows; i++) {
        if (in_report(r, &b->rows[i]))
            continue;
        snprintf(label, sizeof label, "%s %s m=%zu",
                 bench_kind_name(b->rows[i].kind), b->rows[i].dims,
                 b->rows[i].m);
        fprintf(f, "%-30s %8.3f %8s %7s  %9.4g %9s %7s  not measured\n",
                label, b->rows[i].efficiency, "-", "",
                bench_ms(b->rows[i].median_s), "-", "");
    }
    if (compared == 0) {
        fprintf(stderr, "lnn-bench: %s: no row in common with this run\n",
                b->path);
        return BENCH_EXIT_ERROR;
    }
    fprintf(f, "compare: %zu rows, %zu slower than allowed (efficiency "
            "-%.0f%%", compared, slower, 100.0 * tolerance);
    if (!differs)
        fprintf(f, ", median time +%.0f%%", 100.0 * time_tolerance);
    fprintf(f, "): %s\n", slower ? "FAIL" : "PASS");
    return slower ? BENCH_EXIT_SLOWER : BENCH_EXIT_OK;
}
