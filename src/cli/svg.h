/* svg.h: the SVG 1.1 that lnn's charts are drawn with (lnn train --plot,
 * lnn plot, lnn eval --plot, lnn-bench --svg): the document, text,
 * lines, marks, and a panel's axes, frame, grid and ticks. One look for
 * every chart; each chart file says only what it plots. */
#ifndef LNN_CLI_SVG_H
#define LNN_CLI_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define SVG_FONT "font-family=\"sans-serif\" font-size=\"12\""
#define SVG_TITLE_FONT "font-family=\"sans-serif\" font-size=\"16\""
#define SVG_GRID "#e0e0e0"
#define SVG_FRAME "#404040"
#define SVG_N_COLOURS 8

/* Line colours, in the order series take them. */
extern const char *const svg_colours[SVG_N_COLOURS];

/* The document: an XML declaration, <svg> of w x h, a white background. */
void svg_begin(FILE *f, double w, double h);
void svg_end(FILE *f);

/* s as XML text: &, <, > and " escaped. */
void svg_xml_text(FILE *f, const char *s);

/* <text> at (x, y): anchor "start", "middle" or "end"; attrs more
 * attributes (e.g. SVG_FONT " font-weight=\"bold\""); s escaped. */
void svg_text(FILE *f, double x, double y, const char *anchor,
              const char *attrs, const char *s);

/* A line; dash is a stroke-dasharray ("5 4") or NULL for solid. */
void svg_line(FILE *f, double x1, double y1, double x2, double y2,
              const char *colour, double width, const char *dash);

/* A polyline through n points (nothing for n = 0). */
void svg_polyline(FILE *f, const double *x, const double *y, size_t n,
                  const char *colour, double width, const char *dash);

void svg_circle(FILE *f, double x, double y, double r, const char *fill);

/* A rectangle; fill and stroke may be "none". */
void svg_rect(FILE *f, double x, double y, double w, double h,
              const char *fill, const char *stroke);

/* A legend entry at (x, y): a short line of the series' style, then s. */
void svg_legend(FILE *f, double x, double y, const char *colour,
                const char *dash, const char *s);

/* A round step (1, 2, 2.5 or 5 times a power of ten) cutting span into
 * about `ticks` parts. */
double svg_tick_step(double span, int ticks);

/* A panel: its plot area and the ranges its axes show. x is linear from
 * xlo to xhi, or, with xlog2, log2(x) from xlo to xhi. */
typedef struct svg_axes {
    double x0, y0, w, h;
    double xlo, xhi;
    double ylo, yhi;
    bool xlog2;
} svg_axes;

double svg_px(const svg_axes *a, double x);
double svg_py(const svg_axes *a, double y);

/* [*lo, *hi] widened to whole steps of svg_tick_step (about `ticks`). */
void svg_nice_range(double *lo, double *hi, int ticks);

/* [*lo, *hi] widened to exactly `parts` round steps: a second y axis
 * whose ticks fall on the first one's grid lines. */
void svg_aligned_range(double *lo, double *hi, int parts);

/* The y grid, with tick labels (printf format fmt, e.g. "%g") at whole
 * steps of about `ticks` from ylo to yhi, on the left (right: false) or
 * on the right edge. */
void svg_y_ticks(FILE *f, const svg_axes *a, int ticks, const char *fmt,
                 bool right);

/* One x tick (a grid line and its label) at x. */
void svg_x_tick(FILE *f, const svg_axes *a, double x, const char *label);

/* x ticks at whole steps of about `ticks` (linear x axes). */
void svg_x_ticks(FILE *f, const svg_axes *a, int ticks);

/* The frame, the panel's title above it, and the axis titles (ytitle2 on
 * the right edge, or NULL). */
void svg_frame(FILE *f, const svg_axes *a, const char *title,
               const char *xtitle, const char *ytitle, const char *ytitle2);

#endif /* LNN_CLI_SVG_H */
