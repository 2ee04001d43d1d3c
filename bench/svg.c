/* svg.c: the chart, written by hand as SVG 1.1. Four panels: GFLOP/s
 * (top) and efficiency (bottom) against the layer size n of the square
 * layers n -> n, for forward (left) and backward (right); one line per
 * batch size m. In the GFLOP/s panels a dashed line of the same colour is
 * the bare GEMMs' rate, and a grey one the machine's peak. */
#include <math.h>
#include <string.h>

#include "bench.h"

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
#define SVG_MAX_SERIES 8 /* batch sizes drawn (colours) */
#define SVG_MAX_POINTS 64 /* sizes per line */
#define SVG_FONT "font-family=\"sans-serif\" font-size=\"12\""
#define SVG_TITLE_FONT "font-family=\"sans-serif\" font-size=\"16\""

static const char *const colours[SVG_MAX_SERIES] = {
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd",
    "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
};

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
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default:  fputc(*s, f);
        }
    }
}

/* A round step (1, 2, 2.5 or 5 times a power of ten) giving about
 * SVG_TICKS ticks from 0 to hi. */
static double tick_step(double hi)
{
    static const double steps[] = {1.0, 2.0, 2.5, 5.0, 10.0};
    const double raw = hi / SVG_TICKS;
    const double p = pow(10.0, floor(log10(raw)));
    size_t i = 0;
    while (steps[i] * p < raw)
        i++;
    return steps[i] * p;
}

typedef struct axes {
    double x0, y0, w, h; /* the plot area */
    double lo2, hi2;     /* log2 of the x range */
    double ymax;
} axes;

static double px(const axes *a, size_t n)
{
    return a->x0 + a->w * (log2((double)n) - a->lo2) / (a->hi2 - a->lo2);
}

static double py(const axes *a, double v)
{
    return a->y0 + a->h * (1.0 - v / a->ymax);
}

/* Frame, grid, ticks and titles of one panel. */
static void draw_axes(FILE *f, const axes *a, const bench_report *r,
                      const char *title, const char *ytitle)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" " SVG_FONT
            " font-weight=\"bold\">%s</text>\n", a->x0, a->y0 - 10.0, title);
    const double step = tick_step(a->ymax);
    for (double v = 0.0; v <= a->ymax * (1.0 + 1e-9); v += step) {
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#e0e0e0\"/>\n", a->x0, py(a, v), a->x0 + a->w,
                py(a, v));
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" " SVG_FONT
                " text-anchor=\"end\">%g</text>\n", a->x0 - 6.0,
                py(a, v) + 4.0, v);
    }
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
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#e0e0e0\"/>\n", px(a, n), a->y0, px(a, n),
                a->y0 + a->h);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" " SVG_FONT
                " text-anchor=\"middle\">%zu</text>\n", px(a, n),
                a->y0 + a->h + 16.0, n);
    }
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
            "fill=\"none\" stroke=\"#404040\"/>\n", a->x0, a->y0, a->w, a->h);
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" " SVG_FONT
            " text-anchor=\"middle\">layer size n (an n &#8594; n layer; "
            "log scale)</text>\n", a->x0 + a->w / 2.0, a->y0 + a->h + 36.0);
    fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(-90)\" "
            SVG_FONT " text-anchor=\"middle\">%s</text>\n", a->x0 - 44.0,
            a->y0 + a->h / 2.0, ytitle);
}

/* One line: the square rows of this kind and batch, by increasing n. */
static void draw_series(FILE *f, const axes *a, const bench_report *r,
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
        xs[k] = px(a, n_next);
        ys[k] = py(a, value(next, what));
        last = n_next;
        k++;
    }
    fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"%s "
            "points=\"", colour, dashed ? "1.2" : "2",
            dashed ? " stroke-dasharray=\"5 4\"" : "");
    for (size_t i = 0; i < k; i++)
        fprintf(f, "%s%.1f,%.1f", i ? " " : "", xs[i], ys[i]);
    fputs("\"/>\n", f);
    for (size_t i = 0; i < k && !dashed; i++)
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%g\" fill=\"%s\"/>\n",
                xs[i], ys[i], SVG_MARK_R, colour);
}

void bench_emit_svg(FILE *f, const bench_report *r)
{
    /* The batch sizes (series) and the ranges of the axes. */
    size_t batches[SVG_MAX_SERIES], n_batches = 0;
    double lo2 = INFINITY, hi2 = -INFINITY, gmax = r->machine.peak_gflops;
    double emax = 1.0;
    for (size_t i = 0; i < r->n_rows; i++) {
        const bench_row *row = &r->rows[i];
        size_t n, b = 0;
        if (!square(row, &n))
            continue;
        while (b < n_batches && batches[b] != row->m)
            b++;
        if (b == n_batches && n_batches < SVG_MAX_SERIES)
            batches[n_batches++] = row->m;
        lo2 = fmin(lo2, log2((double)n));
        hi2 = fmax(hi2, log2((double)n));
        gmax = fmax(gmax, fmax(value(row, GFLOPS), value(row, GEMM_GFLOPS)));
        emax = fmax(emax, row->efficiency);
    }
    if (!isfinite(lo2)) /* no square layer: an empty frame */
        lo2 = hi2 = 8.0;
    lo2 -= SVG_X_MARGIN; /* keep the end points off the frame */
    hi2 += SVG_X_MARGIN;

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
            "width=\"%g\" height=\"%g\" viewBox=\"0 0 %g %g\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            SVG_W, SVG_H, SVG_W, SVG_H);
    fprintf(f, "<text x=\"%g\" y=\"24\" " SVG_TITLE_FONT " "
            "font-weight=\"bold\">lnn-bench %s: one layer, ", SVG_PAD_L,
            lnn_version());
    bench_xml_text(f, r->machine.cpu);
    fprintf(f, ", OpenMP %d / BLAS %d threads", r->machine.omp_threads,
            r->machine.blas_threads);
    if (r->machine.env[0]) {
        fputs(", ", f);
        bench_xml_text(f, r->machine.env);
    }
    fputs("</text>\n", f);

    /* Legend: one entry per batch size, then the line styles. */
    double x = SVG_PAD_L;
    for (size_t b = 0; b < n_batches; b++, x += 90.0)
        fprintf(f, "<line x1=\"%.1f\" y1=\"48\" x2=\"%.1f\" y2=\"48\" "
                "stroke=\"%s\" stroke-width=\"3\"/><text x=\"%.1f\" y=\"52\" "
                SVG_FONT ">m = %zu</text>\n", x, x + 24.0, colours[b],
                x + 30.0, batches[b]);
    fprintf(f, "<text x=\"%g\" y=\"72\" " SVG_FONT ">solid: lnn; dashed: "
            "the bare sgemm calls of the same shapes (the GEMM bound); dotted "
            "grey: peak sgemm (%.0f GFLOP/s) and efficiency 1</text>\n",
            SVG_PAD_L, r->machine.peak_gflops);

    static const char *const kind_title[2] = {"feedforward", "backprop"};
    const double pw = SVG_W / 2.0, ph = (SVG_H - SVG_TOP) / 2.0;
    for (int k = 0; k < 2; k++) {
        for (int p = 0; p < 2; p++) {
            const measure what = p == 0 ? GFLOPS : EFFICIENCY;
            const axes a = {
                .x0 = k * pw + SVG_PAD_L,
                .y0 = SVG_TOP + p * ph + SVG_PAD_T,
                .w = pw - SVG_PAD_L - SVG_PAD_R,
                .h = ph - SVG_PAD_T - SVG_PAD_B,
                .lo2 = lo2,
                .hi2 = hi2,
                .ymax = p == 0 ? tick_step(gmax) * ceil(gmax / tick_step(gmax))
                               : ceil(emax * 5.0) / 5.0 + SVG_EFF_ROOM,
            };
            char title[BENCH_TEXT_MAX];
            snprintf(title, sizeof title, "%s: %s", kind_title[k],
                     p == 0 ? "GFLOP/s" : "efficiency");
            draw_axes(f, &a, r, title,
                      p == 0 ? "GFLOP/s" : "GEMM time / lnn time");
            const double ref = p == 0 ? r->machine.peak_gflops : 1.0;
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                    "y2=\"%.1f\" stroke=\"#909090\" stroke-width=\"1.5\" "
                    "stroke-dasharray=\"2 3\"/>\n", a.x0, py(&a, ref),
                    a.x0 + a.w, py(&a, ref));
            for (size_t b = 0; b < n_batches; b++) {
                const bench_kind kind = k == 0 ? BENCH_FORWARD
                                               : BENCH_BACKWARD;
                if (p == 0)
                    draw_series(f, &a, r, kind, batches[b], GEMM_GFLOPS,
                                colours[b], true);
                draw_series(f, &a, r, kind, batches[b], what, colours[b],
                            false);
            }
        }
    }
    fputs("</svg>\n", f);
}
