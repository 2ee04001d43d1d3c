/* svg.c: the chart, written by hand as SVG 1.1. Four panels: GFLOP/s
 * (top) and efficiency (bottom) against the layer size n of the square
 * layers n -> n, for forward (left) and backward (right); one line per
 * batch size m. In the GFLOP/s panels a dashed line of the same colour is
 * the bare GEMMs' rate, and a grey one the machine's peak. */
#include <math.h>
#include <string.h>

#include "bench.h"
#include "svg.h"

#define SVG_W 960.0
#define SVG_H 720.0
#define SVG_TOP 84.0    /* title and legend */
#define SVG_PAD_L 64.0  /* a panel's room for y tick labels and title */
#define SVG_PAD_R 18.0
#define SVG_PAD_T 30.0  /* a panel's title */
#define SVG_PAD_B 50.0  /* x tick labels and title */
#define SVG_TICKS 6     /* about this many y ticks */
#define SVG_X_MARGIN 0.3 /* octaves of room left and right of the points */
#define SVG_EFF_ROOM 0.2 /* above the highest efficiency, to see the 1 line */
#define SVG_MARK_R 3.0
#define SVG_MAX_SERIES SVG_N_COLOURS /* batch sizes drawn (colours) */
#define SVG_MAX_POINTS 64 /* sizes per line */

/* What a panel plots of a row. */
typedef enum measure { GFLOPS, GEMM_GFLOPS, EFFICIENCY } measure;

static double value(const bench_row *row, measure what)
{
    switch (what) {
    case GFLOPS:      return bench_gflops(row);
    case GEMM_GFLOPS: return bench_gemm_gflops(row);
    case EFFICIENCY:  return row->efficiency;
    }
    return 0.0;
}

/* Square layers are the x axis: "n-n". */
static bool square(const bench_row *row, size_t *n)
{
    size_t n_prev;
    char rest;
    return (row->kind == BENCH_FORWARD || row->kind == BENCH_BACKWARD) &&
           sscanf(row->dims, "%zu-%zu%c", &n_prev, n, &rest) == 2 &&
           n_prev == *n;
}

void bench_xml_text(FILE *f, const char *s)
{
    svg_xml_text(f, s);
}

/* Frame, grid, ticks and titles of one panel. */
static void draw_axes(FILE *f, const svg_axes *a, const bench_report *r,
                      const char *title, const char *ytitle)
{
    svg_y_ticks(f, a, SVG_TICKS, "%g", false);
    /* x ticks at every square size measured, once each */
    for (size_t i = 0; i < r->n_rows; i++) {
        size_t n, n2;
        bool seen = false;
        if (!square(&r->rows[i], &n))
            continue;
        for (size_t j = 0; j < i && !seen; j++)
            seen = square(&r->rows[j], &n2) && n2 == n;
        if (seen)
            continue;
        char label[32];
        snprintf(label, sizeof label, "%zu", n);
        svg_x_tick(f, a, (double)n, label);
    }
    svg_frame(f, a, title, "layer size n (an n \u2192 n layer; log scale)",
              ytitle, NULL);
}

/* One line: the square rows of this kind and batch, by increasing n. */
static void draw_series(FILE *f, const svg_axes *a, const bench_report *r,
                        bench_kind kind, size_t m, measure what,
                        const char *colour, bool dashed)
{
    double xs[SVG_MAX_POINTS], ys[SVG_MAX_POINTS];
    size_t k = 0, last = 0; /* points so far; the n of the last one */
    while (k < SVG_MAX_POINTS) {
        const bench_row *next = NULL;
        size_t n_next = 0, n;
        for (size_t i = 0; i < r->n_rows; i++) {
            const bench_row *row = &r->rows[i];
            if (row->kind == kind && row->m == m && square(row, &n) &&
                n > last && (!next || n < n_next)) {
                next = row;
                n_next = n;
            }
        }
        if (!next)
            break;
        xs[k] = svg_px(a, (double)n_next);
        ys[k] = svg_py(a, value(next, what));
        last = n_next;
        k++;
    }
    svg_polyline(f, xs, ys, k, colour, dashed ? 1.2 : 2.0,
                 dashed ? "5 4" : NULL);
    for (size_t i = 0; i < k && !dashed; i++)
        svg_circle(f, xs[i], ys[i], SVG_MARK_R, colour);
}

/* What the panels show: the batch sizes (one series each) and the ranges
 * of the axes. */
typedef struct svg_ranges {
    size_t batches[SVG_MAX_SERIES], n_batches;
    double lo2, hi2; /* log2 of the smallest and largest n, with margins */
    double gmax;     /* the largest GFLOP/s, the peak's included */
    double emax;     /* the largest efficiency, at least 1 */
} svg_ranges;

static void find_ranges(const bench_report *r, svg_ranges *g)
{
    *g = (svg_ranges){.lo2 = INFINITY, .hi2 = -INFINITY,
                      .gmax = r->machine.peak_gflops, .emax = 1.0};
    for (size_t i = 0; i < r->n_rows; i++) {
        const bench_row *row = &r->rows[i];
        size_t n, b = 0;
        if (!square(row, &n))
            continue;
        while (b < g->n_batches && g->batches[b] != row->m)
            b++;
        if (b == g->n_batches && g->n_batches < SVG_MAX_SERIES)
            g->batches[g->n_batches++] = row->m;
        g->lo2 = fmin(g->lo2, log2((double)n));
        g->hi2 = fmax(g->hi2, log2((double)n));
        g->gmax = fmax(g->gmax, fmax(value(row, GFLOPS),
                                     value(row, GEMM_GFLOPS)));
        g->emax = fmax(g->emax, row->efficiency);
    }
    if (!isfinite(g->lo2)) /* no square layer: an empty frame */
        g->lo2 = g->hi2 = 8.0;
    g->lo2 -= SVG_X_MARGIN; /* keep the end points off the frame */
    g->hi2 += SVG_X_MARGIN;
}

/* The heading, and the legend: one entry per batch size, then the line
 * styles. */
static void draw_heading(FILE *f, const bench_report *r, const svg_ranges *g)
{
    char heading[4 * BENCH_TEXT_MAX];
    snprintf(heading, sizeof heading, "lnn-bench %s: one layer, %s, OpenMP "
             "%d / BLAS %d threads%s%s", lnn_version(), r->machine.cpu,
             r->machine.omp_threads, r->machine.blas_threads,
             r->machine.env[0] ? ", " : "", r->machine.env);
    svg_text(f, SVG_PAD_L, 24.0, "start",
             SVG_TITLE_FONT " font-weight=\"bold\"", heading);
    double x = SVG_PAD_L;
    for (size_t b = 0; b < g->n_batches; b++, x += 90.0) {
        char label[32];
        snprintf(label, sizeof label, "m = %zu", g->batches[b]);
        svg_legend(f, x, 52.0, svg_colours[b], NULL, label);
    }
    char note[BENCH_TEXT_MAX];
    snprintf(note, sizeof note, "solid: lnn; dashed: the bare sgemm calls of "
             "the same shapes (the GEMM bound); dotted grey: peak sgemm "
             "(%.0f GFLOP/s) and efficiency 1", r->machine.peak_gflops);
    svg_text(f, SVG_PAD_L, 72.0, "start", SVG_FONT, note);
}

/* The panel of kind k (0 forward, 1 backward) and measure p (0 GFLOP/s,
 * 1 efficiency), in its quarter of the picture. */
static void draw_panel(FILE *f, const bench_report *r, const svg_ranges *g,
                       int k, int p)
{
    static const char *const kind_title[2] = {"feedforward", "backprop"};
    const double pw = SVG_W / 2.0, ph = (SVG_H - SVG_TOP) / 2.0;
    const measure what = p == 0 ? GFLOPS : EFFICIENCY;
    const double gstep = svg_tick_step(g->gmax, SVG_TICKS);
    const svg_axes a = {
        .x0 = k * pw + SVG_PAD_L,
        .y0 = SVG_TOP + p * ph + SVG_PAD_T,
        .w = pw - SVG_PAD_L - SVG_PAD_R,
        .h = ph - SVG_PAD_T - SVG_PAD_B,
        .xlo = g->lo2,
        .xhi = g->hi2,
        .xlog2 = true,
        .yhi = p == 0 ? gstep * ceil(g->gmax / gstep)
                      : ceil(g->emax * 5.0) / 5.0 + SVG_EFF_ROOM,
    };
    char title[BENCH_TEXT_MAX];
    snprintf(title, sizeof title, "%s: %s", kind_title[k],
             p == 0 ? "GFLOP/s" : "efficiency");
    draw_axes(f, &a, r, title, p == 0 ? "GFLOP/s" : "GEMM time / lnn time");
    const double ref = p == 0 ? r->machine.peak_gflops : 1.0;
    svg_line(f, a.x0, svg_py(&a, ref), a.x0 + a.w, svg_py(&a, ref),
             "#909090", 1.5, "2 3");
    const bench_kind kind = k == 0 ? BENCH_FORWARD : BENCH_BACKWARD;
    for (size_t b = 0; b < g->n_batches; b++) {
        if (p == 0)
            draw_series(f, &a, r, kind, g->batches[b], GEMM_GFLOPS,
                        svg_colours[b], true);
        draw_series(f, &a, r, kind, g->batches[b], what, svg_colours[b],
                    false);
    }
}

void bench_emit_svg(FILE *f, const bench_report *r)
{
    svg_ranges g;
    find_ranges(r, &g);
    svg_begin(f, SVG_W, SVG_H);
    draw_heading(f, r, &g);
    for (int k = 0; k < 2; k++)
        for (int p = 0; p < 2; p++)
            draw_panel(f, r, &g, k, p);
    svg_end(f);
}
