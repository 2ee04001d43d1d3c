/* image.c: one PNG or JPEG file to a sample: decoded to grey bytes (libpng's
 * simplified API, libjpeg), resized by area averaging, inverted. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef LNN_HAVE_PNG
#  include <png.h>
#endif
#ifdef LNN_HAVE_JPEG
#  include <jpeglib.h>
#endif

#include "enums.h"
#include "status.h"

#define LNN_IMAGE_SIDE_MAX ((size_t)1 << 15)   /* a decoded image's side */
#define LNN_IMAGE_PIXELS_MAX ((size_t)1 << 28) /* and its pixels */
#define LNN_IMAGE_OUT_MAX 4096                 /* a sample's side */
#define LNN_GREY_MID 127.5

static const unsigned char png_magic[8] = {0x89, 'P', 'N', 'G',
                                           '\r', '\n', 0x1a, '\n'};
static const unsigned char jpeg_magic[3] = {0xff, 0xd8, 0xff};

static bool is_png(const unsigned char *head, size_t n)
{
    return n >= sizeof png_magic && !memcmp(head, png_magic, sizeof png_magic);
}

static bool is_jpeg(const unsigned char *head, size_t n)
{
    return n >= sizeof jpeg_magic &&
           !memcmp(head, jpeg_magic, sizeof jpeg_magic);
}

int lnn_image_sniff(const unsigned char *head, size_t n)
{
    return head && (is_png(head, n) || is_jpeg(head, n));
}

/* A decoded image: w x h grey bytes, row-major. */
typedef struct grey {
    size_t w, h;
    unsigned char *px;
} grey;

#if defined(LNN_HAVE_PNG) || defined(LNN_HAVE_JPEG)
static lnn_status check_size(const char *path, size_t w, size_t h, char *err,
                             size_t errlen)
{
    if (w == 0 || h == 0 || w > LNN_IMAGE_SIDE_MAX || h > LNN_IMAGE_SIDE_MAX ||
        w * h > LNN_IMAGE_PIXELS_MAX)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: a %zux%zu image, "
                        "larger than lnn reads (%zu a side, %zu pixels)", path,
                        w, h, LNN_IMAGE_SIDE_MAX, LNN_IMAGE_PIXELS_MAX);
    return LNN_OK;
}
#endif

#ifdef LNN_HAVE_PNG
/* libpng's simplified API: any bit depth, palette or colour to 8-bit grey,
 * transparency composited over white; it reports through image.message
 * and never prints. */
static lnn_status read_png(FILE *fp, const char *path, grey *g, char *err,
                           size_t errlen)
{
    png_image im;
    memset(&im, 0, sizeof im);
    im.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_stdio(&im, fp))
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: cannot decode "
                        "PNG: %s", path, im.message);
    lnn_status s = check_size(path, im.width, im.height, err, errlen);
    if (s != LNN_OK) {
        png_image_free(&im);
        return s;
    }
    im.format = PNG_FORMAT_GRAY;
    g->w = im.width;
    g->h = im.height;
    if (!(g->px = malloc(PNG_IMAGE_SIZE(im)))) {
        png_image_free(&im);
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "%s: out of memory",
                        path);
    }
    const png_color white = {255, 255, 255};
    if (!png_image_finish_read(&im, &white, g->px, 0, NULL)) {
        free(g->px);
        g->px = NULL;
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: cannot decode "
                        "PNG: %s", path, im.message);
    }
    return LNN_OK;
}
#endif

#ifdef LNN_HAVE_JPEG
/* libjpeg's error manager, made to return: every error, and every warning
 * (a truncated file is only a warning to libjpeg, which would fill the rest
 * with grey), jumps back with its message. */
typedef struct jpeg_fail {
    struct jpeg_error_mgr mgr;
    jmp_buf back;
    char msg[JMSG_LENGTH_MAX];
} jpeg_fail;

static void jpeg_error(j_common_ptr c)
{
    jpeg_fail *f = (jpeg_fail *)c->err;
    f->mgr.format_message(c, f->msg);
    longjmp(f->back, 1);
}

static void jpeg_message(j_common_ptr c, int level)
{
    if (level < 0) /* a warning: corrupt data */
        jpeg_error(c);
}

/* The image is decoded at 1/2, 1/4 or 1/8 of its size (libjpeg's DCT
 * scaling, much faster for a photo) when that still leaves at least twice
 * the sample's width and height for the area averaging. */
#define JPEG_SCALE_MAX 8
#define JPEG_SCALE_ROOM 2

static lnn_status read_jpeg(FILE *fp, const char *path, size_t W, size_t H,
                            grey *g, char *err, size_t errlen)
{
    struct jpeg_decompress_struct d;
    jpeg_fail f = {0};
    d.err = jpeg_std_error(&f.mgr);
    f.mgr.error_exit = jpeg_error;
    f.mgr.emit_message = jpeg_message;
    grey *volatile out = g; /* what setjmp's return may read */
    if (setjmp(f.back)) {
        jpeg_destroy_decompress(&d);
        free(out->px);
        out->px = NULL;
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: cannot decode "
                        "JPEG: %s", path, f.msg);
    }
    jpeg_create_decompress(&d);
    jpeg_stdio_src(&d, fp);
    jpeg_read_header(&d, TRUE);
    d.out_color_space = JCS_GRAYSCALE;
    for (unsigned k = JPEG_SCALE_MAX; k > 1; k /= 2)
        if (d.image_width / k >= JPEG_SCALE_ROOM * W &&
            d.image_height / k >= JPEG_SCALE_ROOM * H) {
            d.scale_num = 1;
            d.scale_denom = k;
            break;
        }
    jpeg_start_decompress(&d);
    lnn_status s = check_size(path, d.output_width, d.output_height, err,
                              errlen);
    if (s == LNN_OK && !(out->px = malloc((size_t)d.output_width *
                                          d.output_height)))
        s = lnn__err(err, errlen, LNN_ERR_NOMEM, "%s: out of memory", path);
    if (s != LNN_OK) {
        jpeg_destroy_decompress(&d);
        return s;
    }
    out->w = d.output_width;
    out->h = d.output_height;
    while (d.output_scanline < d.output_height) {
        JSAMPROW row = out->px + (size_t)d.output_scanline * out->w;
        jpeg_read_scanlines(&d, &row, 1);
    }
    jpeg_finish_decompress(&d);
    jpeg_destroy_decompress(&d);
    return LNN_OK;
}
#endif

/* Area averaging along one axis: n source values (stride ss) to N (stride
 * ds); target k covers source [k n / N, (k + 1) n / N), each source value
 * weighted by its overlap (exact for whole-number ratios). */
static void area_line(const float *src, size_t n, size_t ss, float *dst,
                      size_t N, size_t ds)
{
    for (size_t k = 0; k < N; k++) {
        const double a = (double)k * (double)n / (double)N;
        const double b = (double)(k + 1) * (double)n / (double)N;
        double sum = 0.0;
        for (size_t i = (size_t)a; i < n && (double)i < b; i++) {
            const double lo = a > (double)i ? a : (double)i;
            const double hi = b < (double)(i + 1) ? b : (double)(i + 1);
            sum += (double)src[i * ss] * (hi - lo);
        }
        dst[k * ds] = (float)(sum / (b - a));
    }
}

/* g resized to W x H into out, rows first then columns. */
static lnn_status resize(const grey *g, size_t W, size_t H, float *out)
{
    if (g->w == W && g->h == H) { /* already the sample's size */
        for (size_t i = 0; i < W * H; i++)
            out[i] = g->px[i];
        return LNN_OK;
    }
    float *row = malloc(g->w * sizeof *row);
    float *tmp = malloc(g->h * W * sizeof *tmp);
    if (!row || !tmp) {
        free(row);
        free(tmp);
        return LNN_ERR_NOMEM;
    }
    for (size_t r = 0; r < g->h; r++) {
        for (size_t c = 0; c < g->w; c++)
            row[c] = g->px[r * g->w + c];
        area_line(row, g->w, 1, tmp + r * W, W, 1);
    }
    for (size_t c = 0; c < W; c++)
        area_line(tmp + c, g->h, W, out + c, H, W);
    free(row);
    free(tmp);
    return LNN_OK;
}

/* The mean of the outermost rows and columns of a W x H image. */
static double border_mean(const float *x, size_t W, size_t H)
{
    double sum = 0.0;
    size_t n = 0;
    for (size_t r = 0; r < H; r++)
        for (size_t c = 0; c < W; c++)
            if (r == 0 || c == 0 || r + 1 == H || c + 1 == W) {
                sum += x[r * W + c];
                n++;
            }
    return sum / (double)n;
}

/* The image in fp (rewound after its first bytes, head) into g. */
static lnn_status decode(FILE *fp, const char *path, const unsigned char *head,
                         size_t got, const lnn_image_opts *o, grey *g,
                         char *err, size_t errlen)
{
    (void)fp; /* unused when built without both decoders */
    (void)o;  /* unused when built without libjpeg */
    (void)g;
    if (is_png(head, got)) {
#ifdef LNN_HAVE_PNG
        return read_png(fp, path, g, err, errlen);
#else
        return lnn__err(err, errlen, LNN_ERR_ARG, "%s: lnn was built "
                        "without libpng (apt-get install libpng-dev, then "
                        "rebuild)", path);
#endif
    }
    if (is_jpeg(head, got)) {
#ifdef LNN_HAVE_JPEG
        return read_jpeg(fp, path, o->width, o->height, g, err, errlen);
#else
        return lnn__err(err, errlen, LNN_ERR_ARG, "%s: lnn was built "
                        "without libjpeg (apt-get install libjpeg-dev, then "
                        "rebuild)", path);
#endif
    }
    return lnn__err(err, errlen, LNN_ERR_FORMAT,
                    "%s: not a PNG or JPEG image", path);
}

/* The file at path, opened once: its first bytes say which decoder. */
static lnn_status load(const char *path, const lnn_image_opts *o, grey *g,
                       char *err, size_t errlen)
{
    unsigned char head[8] = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return lnn__err(err, errlen, LNN_ERR_IO, "%s: %s", path,
                        strerror(errno));
    const size_t got = fread(head, 1, sizeof head, f);
    lnn_status s;
    if (fseek(f, 0, SEEK_SET) != 0)
        s = lnn__err(err, errlen, LNN_ERR_IO, "%s: %s", path,
                     strerror(errno));
    else
        s = decode(f, path, head, got, o, g, err, errlen);
    fclose(f);
    return s;
}

lnn_status lnn_image_read(const char *path, const lnn_image_opts *o,
                          uint8_t *out, char *err, size_t errlen)
{
    if (!path || !o || !out || o->width == 0 || o->height == 0 ||
        o->width > LNN_IMAGE_OUT_MAX || o->height > LNN_IMAGE_OUT_MAX ||
        !lnn__is_invert(o->invert))
        return lnn__err(err, errlen, LNN_ERR_ARG, "lnn_image_read: invalid "
                        "argument");
    grey g = {0};
    lnn_status s = load(path, o, &g, err, errlen);
    if (s != LNN_OK)
        return s;
    const size_t W = o->width, H = o->height;
    float *x = malloc(W * H * sizeof *x);
    if (!x || resize(&g, W, H, x) != LNN_OK) {
        free(x);
        free(g.px);
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "%s: out of memory",
                        path);
    }
    free(g.px);
    const bool flip = o->invert == LNN_INVERT_YES ||
                      (o->invert == LNN_INVERT_AUTO &&
                       border_mean(x, W, H) > LNN_GREY_MID);
    for (size_t i = 0; i < W * H; i++) {
        const float v = x[i] + 0.5f; /* rounded; 0 .. 255.5 */
        const uint8_t b = v >= 255.0f ? 255 : (uint8_t)v;
        out[i] = flip ? (uint8_t)(255 - b) : b;
    }
    free(x);
    return LNN_OK;
}
