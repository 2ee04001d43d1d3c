/* plot.c: the learning curves and the confusion matrix, drawn with svg.h
 * (the look of lnn-bench's chart). Every mark carries a <title> with its
 * values: a tooltip in a browser, and what the tests read back. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"
#include "plot.h"
#include "svg.h"

#define CURVE_W 960.0
#define CURVE_H 640.0
#define CURVE_L 72.0   /* room for the left axis */
#define CURVE_R 80.0   /* and the right one */
#define CURVE_TOP 92.0 /* title and legend */
#define CURVE_MAIN_H 330.0
#define CURVE_GAP 78.0 /* x labels of the top panel, title of the bottom */
#define CURVE_LR_H 100.0
#define TICKS 6
#define MARK_R 2.5
#define BEST_COLOUR "#606060"

#define CM_CELL_MAX 48.0
#define CM_CELL_MIN 6.0
#define CM_AREA 520.0   /* the matrix's side, at most */
#define CM_TEXT_MIN 22.0 /* cells smaller than this carry no count */
#define CM_LABEL_CHARS 12
#define CM_CHAR_W 7.0

enum { C_LOSS, C_VAL_LOSS, C_METRIC, C_LR };

bool plot_path_ok(const char *option, const char *path, char *err,
                  size_t errlen)
{
    const size_t n = strlen(path);
    if (n < 5 || strcmp(path + n - 4, ".svg") != 0) {
        snprintf(err, errlen, "%s: '%s' must end in .svg", option, path);
        return false;
    }
    char *dir = strdup(path);
    if (!dir) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    char *slash = strrchr(dir, '/');
    if (slash)
        slash[slash == dir ? 1 : 0] = '\0';
    const char *d = slash ? dir : ".";
    struct stat st;
    bool ok = true;
    if (stat(d, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: %s: no directory %s", option, path, d);
        ok = false;
    } else if (access(d, W_OK) != 0) {
        snprintf(err, errlen, "%s: %s: cannot write in %s: %s", option, path,
                 d, strerror(errno));
        ok = false;
    } else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: %s is a directory", option, path);
        ok = false;
    }
    free(dir);
    return ok;
}

/* The range of the finite values of x[0..n) into [*lo, *hi] (kept if
 * none); whether there was one. */
static bool range(const double *x, size_t n, double *lo, double *hi)
{
    bool any = false;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            *lo = any ? fmin(*lo, x[i]) : x[i];
            *hi = any ? fmax(*hi, x[i]) : x[i];
            any = true;
        }
    return any;
}

/* A curve through the finite points of y, each point a mark titled
 * "epoch E: name V". */
static void curve(FILE *f, const svg_axes *a, const plot_history *h,
                  const double *y, const char *name, const char *colour,
                  const char *dash)
{
    double *px = calloc(h->n + 1, sizeof *px);
    double *py = calloc(h->n + 1, sizeof *py);
    size_t k = 0;
    for (size_t i = 0; px && py && i < h->n; i++)
        if (isfinite(y[i])) {
            px[k] = svg_px(a, h->epoch[i]);
            py[k++] = svg_py(a, y[i]);
        }
    svg_polyline(f, px, py, k, colour, 2.0, dash);
    k = 0;
    for (size_t i = 0; px && py && i < h->n; i++) {
        if (!isfinite(y[i]))
            continue;
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%g\" fill=\"%s\">"
                "<title>epoch %g: %s %.6g</title></circle>\n", px[k], py[k],
                MARK_R, colour, h->epoch[i], name, y[i]);
        k++;
    }
    free(px);
    free(py);
}

/* Higher is better for the metric (accuracy), unless it is a loss or
 * an error. */
static bool higher_better(const char *name)
{
    return !(strstr(name, "loss") || strstr(name, "err") ||
             strstr(name, "mse") || strstr(name, "mae"));
}

/* The report with the best validation metric (else validation loss), or
 * n: none. */
static size_t best_report(const plot_history *h, const double **by,
                          bool *higher)
{
    size_t best = h->n;
    double lo, hi;
    *by = range(h->metric, h->n, &lo, &hi) ? h->metric
          : range(h->val_loss, h->n, &lo, &hi) ? h->val_loss : NULL;
    *higher = *by == h->metric && higher_better(h->metric_name);
    for (size_t i = 0; *by && i < h->n; i++)
        if (isfinite((*by)[i]) &&
            (best == h->n ||
             (*higher ? (*by)[i] > (*by)[best] : (*by)[i] < (*by)[best])))
            best = i;
    return best;
}

/* Top: losses (left axis), the metric (right axis), the best epoch. */
static void main_panel(FILE *f, const plot_history *h, double xlo, double xhi)
{
    double lo = 0.0, hi = 0.0, mlo = 0.0, mhi = 1.0, vlo, vhi;
    range(h->loss, h->n, &lo, &hi);
    if (range(h->val_loss, h->n, &vlo, &vhi))
        hi = fmax(hi, vhi);
    lo = 0.0;
    svg_nice_range(&lo, &hi, TICKS);
    const bool has_metric = range(h->metric, h->n, &mlo, &mhi);
    const int parts = (int)lround((hi - lo) / svg_tick_step(hi - lo, TICKS));
    svg_aligned_range(&mlo, &mhi, parts);
    const svg_axes a = {CURVE_L, CURVE_TOP, CURVE_W - CURVE_L - CURVE_R,
                        CURVE_MAIN_H, xlo, xhi, lo, hi, false};
    const svg_axes m = {CURVE_L, CURVE_TOP, a.w, a.h, xlo, xhi, mlo, mhi,
                        false};
    svg_y_ticks(f, &a, TICKS, "%g", false);
    svg_x_ticks(f, &a, TICKS);
    if (has_metric)
        svg_y_ticks(f, &m, parts, "%g", true);
    svg_frame(f, &a, "loss and validation metric per epoch", "epoch",
              "loss (mean cross-entropy)",
              has_metric ? h->metric_name : NULL);
    const double *by;
    bool higher;
    const size_t best = best_report(h, &by, &higher);
    if (best < h->n) {
        const double x = svg_px(&a, h->epoch[best]);
        svg_line(f, x, a.y0, x, a.y0 + a.h, BEST_COLOUR, 1.5, "2 3");
        char label[96];
        snprintf(label, sizeof label, "best: epoch %g, %s %.4g",
                 h->epoch[best], by == h->metric ? h->metric_name
                                                 : "val_loss", by[best]);
        const bool left = x > a.x0 + a.w * 0.7;
        svg_text(f, left ? x - 6.0 : x + 6.0, a.y0 + 16.0,
                 left ? "end" : "start", SVG_FONT, label);
    }
    curve(f, &a, h, h->loss, "loss", svg_colours[C_LOSS], NULL);
    curve(f, &a, h, h->val_loss, "val_loss", svg_colours[C_VAL_LOSS], "6 3");
    if (has_metric)
        curve(f, &m, h, h->metric, h->metric_name, svg_colours[C_METRIC],
              NULL);
    if (best < h->n) /* a ring around the best point */
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"none\" "
                "stroke=\"" BEST_COLOUR "\" stroke-width=\"2\"/>\n",
                svg_px(&a, h->epoch[best]),
                svg_py(by == h->metric ? &m : &a, by[best]));
}

/* Bottom: the learning rate. */
static void lr_panel(FILE *f, const plot_history *h, double xlo, double xhi)
{
    double lo = 0.0, hi = 1.0;
    const bool any = range(h->lr, h->n, &lo, &hi);
    lo = 0.0;
    svg_nice_range(&lo, &hi, 3);
    const svg_axes a = {CURVE_L, CURVE_TOP + CURVE_MAIN_H + CURVE_GAP,
                        CURVE_W - CURVE_L - CURVE_R, CURVE_LR_H, xlo, xhi,
                        lo, hi, false};
    svg_y_ticks(f, &a, 3, "%g", false);
    svg_x_ticks(f, &a, TICKS);
    svg_frame(f, &a, "learning rate (at each report)", "epoch", "lr", NULL);
    if (any)
        curve(f, &a, h, h->lr, "lr", svg_colours[C_LR], NULL);
    else
        svg_text(f, a.x0 + a.w / 2.0, a.y0 + a.h / 2.0, "middle", SVG_FONT,
                 "no learning rate in this log");
}

static void draw_training(FILE *f, const plot_history *h, const char *title)
{
    svg_begin(f, CURVE_W, CURVE_H);
    svg_text(f, CURVE_L, 26.0, "start", SVG_TITLE_FONT " font-weight=\"bold\"",
             title);
    double xlo = 0.0, xhi = 1.0;
    range(h->epoch, h->n, &xlo, &xhi);
    xlo = fmin(xlo, 0.0);
    svg_nice_range(&xlo, &xhi, TICKS);
    double lo, hi;
    double x = CURVE_L;
    svg_legend(f, x, 58.0, svg_colours[C_LOSS], NULL, "training loss");
    if (range(h->val_loss, h->n, &lo, &hi))
        svg_legend(f, x += 150.0, 58.0, svg_colours[C_VAL_LOSS], "6 3",
                   "validation loss");
    if (range(h->metric, h->n, &lo, &hi))
        svg_legend(f, x += 150.0, 58.0, svg_colours[C_METRIC], NULL,
                   h->metric_name);
    svg_legend(f, x + 150.0, 58.0, BEST_COLOUR, "2 3", "best epoch");
    main_panel(f, h, xlo, xhi);
    lr_panel(f, h, xlo, xhi);
    svg_end(f);
}

bool plot_training(const plot_history *h, const char *title,
                   const char *path, char *err, size_t errlen)
{
    outfile o;
    if (!outfile_open(&o, path, err, errlen))
        return false;
    draw_training(o.fp, h, title);
    return outfile_close(&o, !ferror(o.fp), err, errlen);
}

/* White to svg_colours[0] (#1f77b4) as share goes from 0 to 1, on a
 * square-root scale, so that a 1 % confusion still shows (a tenth of the
 * way). */
static void heat(char *buf, size_t len, double share)
{
    share = sqrt(share);
    const int r = (int)lround(255.0 - (255.0 - 31.0) * share);
    const int g = (int)lround(255.0 - (255.0 - 119.0) * share);
    const int b = (int)lround(255.0 - (255.0 - 180.0) * share);
    snprintf(buf, len, "#%02x%02x%02x", r, g, b);
}

/* Class i's label: its name (cut to CM_LABEL_CHARS) or its index. */
static void class_label(char *buf, size_t len, char *const *names, size_t i)
{
    if (names)
        snprintf(buf, len, "%.*s", CM_LABEL_CHARS, names[i]);
    else
        snprintf(buf, len, "%zu", i);
}

static void draw_cells(FILE *f, const size_t *cm, size_t n,
                       char *const *names, double x0, double y0, double c)
{
    for (size_t t = 0; t < n; t++) {
        size_t total = 0;
        for (size_t p = 0; p < n; p++)
            total += cm[t * n + p];
        for (size_t p = 0; p < n; p++) {
            const size_t v = cm[t * n + p];
            const double share = total ? (double)v / (double)total : 0.0;
            char fill[8], tn[64], pn[64];
            heat(fill, sizeof fill, share);
            class_label(tn, sizeof tn, names, t);
            class_label(pn, sizeof pn, names, p);
            const double x = x0 + (double)p * c, y = y0 + (double)t * c;
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                    "height=\"%.1f\" fill=\"%s\" stroke=\"white\"><title>"
                    "true ", x, y, c, c, fill);
            svg_xml_text(f, tn);
            fputs(", predicted ", f);
            svg_xml_text(f, pn);
            fprintf(f, ": %zu</title></rect>\n", v);
            if (c >= CM_TEXT_MIN && v) {
                char count[32];
                snprintf(count, sizeof count, "%zu", v);
                svg_text(f, x + c / 2.0, y + c / 2.0 + 4.0, "middle",
                         share > 0.5 ? SVG_FONT " fill=\"white\"" : SVG_FONT,
                         count);
            }
        }
    }
}

static void draw_confusion(FILE *f, const size_t *cm, size_t n,
                           char *const *names, const char *title)
{
    double c = fmin(CM_CELL_MAX, CM_AREA / (double)n);
    c = fmax(c, CM_CELL_MIN);
    size_t chars = 2;
    for (size_t i = 0; names && i < n; i++) {
        const size_t len = strlen(names[i]);
        const size_t shown = len < CM_LABEL_CHARS ? len : CM_LABEL_CHARS;
        chars = shown > chars ? shown : chars;
    }
    const double label_w = (double)chars * CM_CHAR_W + 10.0;
    const double x0 = 40.0 + label_w, y0 = 70.0 + label_w;
    const double side = c * (double)n;
    const double W = fmax(x0 + side + 140.0, 480.0), H = y0 + side + 40.0;
    svg_begin(f, W, H);
    svg_text(f, 20.0, 26.0, "start", SVG_TITLE_FONT " font-weight=\"bold\"",
             title);
    svg_text(f, x0 + side / 2.0, 50.0, "middle",
             SVG_FONT " font-weight=\"bold\"", "predicted class");
    fprintf(f, "<text transform=\"translate(16 %.1f) rotate(-90)\" "
            SVG_FONT " font-weight=\"bold\" text-anchor=\"middle\">true "
            "class</text>\n", y0 + side / 2.0);
    for (size_t i = 0; i < n && c >= 10.0; i++) {
        char label[64];
        class_label(label, sizeof label, names, i);
        svg_text(f, x0 - 6.0, y0 + ((double)i + 0.5) * c + 4.0, "end",
                 SVG_FONT, label);
        fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(-90)\" "
                SVG_FONT ">", x0 + ((double)i + 0.5) * c + 4.0, y0 - 6.0);
        svg_xml_text(f, label);
        fputs("</text>\n", f);
    }
    draw_cells(f, cm, n, names, x0, y0, c);
    svg_rect(f, x0, y0, side, side, "none", SVG_FRAME);
    /* the scale: share of the true class */
    const double bx = x0 + side + 30.0, bh = fmin(side, 200.0);
    for (int k = 0; k < 20; k++) { /* the bar is linear in the colour */
        char fill[8];
        const double v = (19.5 - k) / 20.0;
        heat(fill, sizeof fill, v * v);
        svg_rect(f, bx, y0 + bh * k / 20.0, 16.0, bh / 20.0, fill, fill);
    }
    svg_rect(f, bx, y0, 16.0, bh, "none", SVG_FRAME);
    static const double marks[] = {1.0, 0.25, 0.01};
    static const char *const labels[] = {"100 %", "25 %", "1 %"};
    for (size_t k = 0; k < 3; k++)
        svg_text(f, bx + 22.0, y0 + bh * (1.0 - sqrt(marks[k])) + 4.0,
                 "start", SVG_FONT, labels[k]);
    svg_text(f, bx, y0 + bh + 18.0, "start", SVG_FONT, "of the true");
    svg_text(f, bx, y0 + bh + 32.0, "start", SVG_FONT, "class (square");
    svg_text(f, bx, y0 + bh + 46.0, "start", SVG_FONT, "root scale)");
    svg_end(f);
}

bool plot_confusion(const size_t *confusion, size_t n, char *const *names,
                    const char *title, const char *path, char *err,
                    size_t errlen)
{
    outfile o;
    if (!outfile_open(&o, path, err, errlen))
        return false;
    draw_confusion(o.fp, confusion, n, names, title);
    return outfile_close(&o, !ferror(o.fp), err, errlen);
}

#define XY_SIDE 520.0  /* the scatter panel's side */
#define XY_DOT 2.0

/* Predicted against true values: one dot per row and target (a colour per
 * target), the diagonal where they agree. */
static void draw_scatter(FILE *f, const float *P, const float *T, size_t n,
                         size_t m, char *const *names, const char *title)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < n * m; k++) {
        lo = fmin(lo, fmin((double)P[k], (double)T[k]));
        hi = fmax(hi, fmax((double)P[k], (double)T[k]));
    }
    if (!(hi > lo)) {
        lo -= 1.0;
        hi += 1.0;
    }
    svg_nice_range(&lo, &hi, TICKS);
    const svg_axes a = {.x0 = CURVE_L, .y0 = CURVE_TOP, .w = XY_SIDE,
                        .h = XY_SIDE, .xlo = lo, .xhi = hi, .ylo = lo,
                        .yhi = hi};
    svg_begin(f, CURVE_L + XY_SIDE + 200.0, CURVE_TOP + XY_SIDE + 60.0);
    svg_text(f, CURVE_L, 26.0, "start", SVG_TITLE_FONT " font-weight=\"bold\"",
             title);
    svg_y_ticks(f, &a, TICKS, "%g", false);
    svg_x_ticks(f, &a, TICKS);
    svg_line(f, svg_px(&a, lo), svg_py(&a, lo), svg_px(&a, hi),
             svg_py(&a, hi), BEST_COLOUR, 1.0, "4 3");
    for (size_t i = 0; i < n; i++) {
        const char *colour = svg_colours[i % SVG_N_COLOURS];
        for (size_t j = 0; j < m; j++)
            svg_circle(f, svg_px(&a, T[i + j * n]), svg_py(&a, P[i + j * n]),
                       XY_DOT, colour);
        if (names)
            svg_legend(f, CURVE_L + XY_SIDE + 20.0, CURVE_TOP + 20.0 * i,
                       colour, NULL, names[i]);
    }
    svg_frame(f, &a, "predicted against true (the dashed line: equal)",
              "true value", "predicted value", NULL);
    svg_end(f);
}

bool plot_scatter(const float *P, const float *T, size_t n, size_t m,
                  char *const *names, const char *title, const char *path,
                  char *err, size_t errlen)
{
    outfile o;
    if (!outfile_open(&o, path, err, errlen))
        return false;
    draw_scatter(o.fp, P, T, n, m, names, title);
    return outfile_close(&o, !ferror(o.fp), err, errlen);
}
