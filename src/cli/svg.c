/* svg.c: SVG 1.1 written by hand, the pieces every lnn chart is made of. */
#include "svg.h"

#include <math.h>

const char *const svg_colours[SVG_N_COLOURS] = {
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd",
    "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
};

void svg_begin(FILE *f, double w, double h)
{
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
            "width=\"%g\" height=\"%g\" viewBox=\"0 0 %g %g\">\n"
            "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
            w, h, w, h);
}

void svg_end(FILE *f)
{
    fputs("</svg>\n", f);
}

void svg_xml_text(FILE *f, const char *s)
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

void svg_text(FILE *f, double x, double y, const char *anchor,
              const char *attrs, const char *s)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" %s", x, y, attrs);
    if (anchor && anchor[0] && anchor[0] != 's')
        fprintf(f, " text-anchor=\"%s\"", anchor);
    fputc('>', f);
    svg_xml_text(f, s);
    fputs("</text>\n", f);
}

static void stroke(FILE *f, const char *colour, double width,
                   const char *dash)
{
    fprintf(f, " stroke=\"%s\"", colour);
    if (width != 1.0)
        fprintf(f, " stroke-width=\"%g\"", width);
    if (dash)
        fprintf(f, " stroke-dasharray=\"%s\"", dash);
}

void svg_line(FILE *f, double x1, double y1, double x2, double y2,
              const char *colour, double width, const char *dash)
{
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"", x1,
            y1, x2, y2);
    stroke(f, colour, width, dash);
    fputs("/>\n", f);
}

void svg_polyline(FILE *f, const double *x, const double *y, size_t n,
                  const char *colour, double width, const char *dash)
{
    if (n == 0)
        return;
    fputs("<polyline fill=\"none\"", f);
    stroke(f, colour, width, dash);
    fputs(" points=\"", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%.1f,%.1f", i ? " " : "", x[i], y[i]);
    fputs("\"/>\n", f);
}

void svg_circle(FILE *f, double x, double y, double r, const char *fill)
{
    fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%g\" fill=\"%s\"/>\n", x,
            y, r, fill);
}

void svg_rect(FILE *f, double x, double y, double w, double h,
              const char *fill, const char *stroke_colour)
{
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
            "fill=\"%s\" stroke=\"%s\"/>\n", x, y, w, h, fill, stroke_colour);
}

void svg_legend(FILE *f, double x, double y, const char *colour,
                const char *dash, const char *s)
{
    svg_line(f, x, y - 4.0, x + 24.0, y - 4.0, colour, 3.0, dash);
    svg_text(f, x + 30.0, y, "start", SVG_FONT, s);
}

double svg_tick_step(double span, int ticks)
{
    static const double steps[] = {1.0, 2.0, 2.5, 5.0, 10.0};
    const double raw = span / ticks;
    if (!(raw > 0.0) || !isfinite(raw))
        return 1.0;
    const double p = pow(10.0, floor(log10(raw)));
    size_t i = 0;
    while (i + 1 < sizeof steps / sizeof *steps && steps[i] * p < raw * (1.0 - 1e-9))
        i++;
    return steps[i] * p;
}

double svg_px(const svg_axes *a, double x)
{
    const double v = a->xlog2 ? log2(x) : x;
    return a->x0 + a->w * (v - a->xlo) / (a->xhi - a->xlo);
}

double svg_py(const svg_axes *a, double y)
{
    return a->y0 + a->h * (1.0 - (y - a->ylo) / (a->yhi - a->ylo));
}

void svg_nice_range(double *lo, double *hi, int ticks)
{
    if (!(*hi > *lo)) { /* one value: a unit around it */
        *lo -= 0.5;
        *hi += 0.5;
    }
    const double step = svg_tick_step(*hi - *lo, ticks);
    *lo = step * floor(*lo / step + 1e-9);
    *hi = step * ceil(*hi / step - 1e-9);
}

void svg_aligned_range(double *lo, double *hi, int parts)
{
    if (!(*hi > *lo)) {
        *lo -= 0.5;
        *hi += 0.5;
    }
    double step = svg_tick_step(*hi - *lo, parts);
    double start = step * floor(*lo / step + 1e-9);
    while (start + parts * step < *hi * (1.0 - 1e-12)) {
        step = svg_tick_step(step * parts * 1.01, parts);
        start = step * floor(*lo / step + 1e-9);
    }
    *lo = start;
    *hi = start + parts * step;
}

void svg_y_ticks(FILE *f, const svg_axes *a, int ticks, const char *fmt,
                 bool right)
{
    const double step = svg_tick_step(a->yhi - a->ylo, ticks);
    const double first = step * ceil(a->ylo / step - 1e-9);
    for (double v = first; v <= a->yhi + step * 1e-9; v += step) {
        const double y = svg_py(a, v);
        char label[64];
        snprintf(label, sizeof label, fmt, fabs(v) < step * 1e-9 ? 0.0 : v);
        if (!right)
            svg_line(f, a->x0, y, a->x0 + a->w, y, SVG_GRID, 1.0, NULL);
        svg_text(f, right ? a->x0 + a->w + 6.0 : a->x0 - 6.0, y + 4.0,
                 right ? "start" : "end", SVG_FONT, label);
    }
}

void svg_x_tick(FILE *f, const svg_axes *a, double x, const char *label)
{
    const double px = svg_px(a, x);
    svg_line(f, px, a->y0, px, a->y0 + a->h, SVG_GRID, 1.0, NULL);
    svg_text(f, px, a->y0 + a->h + 16.0, "middle", SVG_FONT, label);
}

void svg_x_ticks(FILE *f, const svg_axes *a, int ticks)
{
    const double step = svg_tick_step(a->xhi - a->xlo, ticks);
    for (double v = step * ceil(a->xlo / step - 1e-9);
         v <= a->xhi + step * 1e-9; v += step) {
        char label[64];
        snprintf(label, sizeof label, "%g", fabs(v) < step * 1e-9 ? 0.0 : v);
        svg_x_tick(f, a, v, label);
    }
}

void svg_frame(FILE *f, const svg_axes *a, const char *title,
               const char *xtitle, const char *ytitle, const char *ytitle2)
{
    svg_text(f, a->x0, a->y0 - 10.0, "start",
             SVG_FONT " font-weight=\"bold\"", title);
    svg_rect(f, a->x0, a->y0, a->w, a->h, "none", SVG_FRAME);
    svg_text(f, a->x0 + a->w / 2.0, a->y0 + a->h + 36.0, "middle", SVG_FONT,
             xtitle);
    const double side[2] = {a->x0 - 44.0, a->x0 + a->w + 50.0};
    const char *const titles[2] = {ytitle, ytitle2};
    for (int k = 0; k < 2; k++) {
        if (!titles[k])
            continue;
        fprintf(f, "<text transform=\"translate(%.1f %.1f) rotate(-90)\" "
                SVG_FONT " text-anchor=\"middle\">", side[k],
                a->y0 + a->h / 2.0);
        svg_xml_text(f, titles[k]);
        fputs("</text>\n", f);
    }
}
