/* npy.c: NumPy .npy arrays, format versions 1.0 to 3.0.
 *
 * "\x93NUMPY", major, minor, the header length (u16 in 1.0, u32 in 2.0
 * and 3.0), then a Python dict literal {'descr': '<f4', 'fortran_order':
 * False, 'shape': (m, n), } padded with spaces to a multiple of 64. The
 * dict is parsed as text here, never evaluated; object arrays ('|O', a
 * pickle) are refused, as are big-endian, other dtypes and more than two
 * dimensions. The payload must be exactly what the shape says: its size
 * is checked against the file (or, gzipped, against deflate's largest
 * ratio) before anything is allocated from it. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "table.h"
#include "util.h"

#define LNN_NPY_MAGIC "\x93NUMPY"
#define LNN_NPY_MAGIC_LEN 6
#define LNN_NPY_PREAMBLE_V1 10 /* magic, version, u16 length */
#define LNN_NPY_PREAMBLE_V2 12 /* magic, version, u32 length */
#define LNN_NPY_HEADER_MAX ((size_t)1 << 20)
#define LNN_DEFLATE_MAX_RATIO 1032
#define LNN_NPY_CHUNK ((size_t)1 << 20)

size_t lnn__npy_preamble(const unsigned char *p, size_t n, char *why,
                         size_t whylen)
{
    if (n < LNN_NPY_PREAMBLE_V1 ||
        memcmp(p, LNN_NPY_MAGIC, LNN_NPY_MAGIC_LEN) != 0) {
        snprintf(why, whylen, "not a .npy file (bad magic)");
        return 0;
    }
    const unsigned major = p[6];
    if (major < 1 || major > 3) {
        snprintf(why, whylen, ".npy format version %u.%u (lnn reads 1.0 "
                 "to 3.0)", major, p[7]);
        return 0;
    }
    size_t len, pre;
    if (major == 1) {
        pre = LNN_NPY_PREAMBLE_V1;
        len = (size_t)p[8] | (size_t)p[9] << 8;
    } else {
        pre = LNN_NPY_PREAMBLE_V2;
        if (n < pre) {
            snprintf(why, whylen, "truncated header");
            return 0;
        }
        len = (size_t)p[8] | (size_t)p[9] << 8 | (size_t)p[10] << 16 |
              (size_t)p[11] << 24;
    }
    if (len == 0 || len > LNN_NPY_HEADER_MAX) {
        snprintf(why, whylen, "header length %zu", len);
        return 0;
    }
    return pre + len;
}

/* The value after 'key': in p[0 .. n), or NULL. */
static const char *value_of(const char *p, size_t n, const char *key)
{
    const size_t k = strlen(key);
    for (size_t i = 0; i + k + 2 <= n; i++)
        if ((p[i] == '\'' || p[i] == '"') && memcmp(p + i + 1, key, k) == 0 &&
            p[i + 1 + k] == p[i]) {
            const char *q = p + i + k + 2, *end = p + n;
            while (q < end && (*q == ' ' || *q == ':'))
                q++;
            return q < end ? q : NULL;
        }
    return NULL;
}

/* The dtype of 'descr': h->kind and h->item. */
static bool dict_descr(const char *p, size_t n, lnn__npy_header *h,
                       char *why, size_t whylen)
{
    const char *end = p + n;
    const char *d = value_of(p, n, "descr");
    if (!d || (*d != '\'' && *d != '"')) {
        snprintf(why, whylen, "header has no 'descr'");
        return false;
    }
    const char quote = *d++;
    const char *de = memchr(d, quote, (size_t)(end - d));
    if (!de) {
        snprintf(why, whylen, "header's 'descr' is not closed");
        return false;
    }
    const size_t dl = (size_t)(de - d);
    static const struct {
        const char *descr;
        char kind;
        size_t item;
    } types[] = {{"<f4", 'f', 4}, {"<f8", 'f', 8}, {"|u1", 'u', 1},
                 {"<i4", 'i', 4}, {"<i8", 'i', 8}, {"|i1", 'i', 1},
                 {"<u1", 'u', 1}, {"|b1", 'u', 1}};
    for (size_t k = 0; k < sizeof types / sizeof *types; k++)
        if (dl == strlen(types[k].descr) &&
            memcmp(d, types[k].descr, dl) == 0) {
            h->kind = types[k].kind;
            h->item = types[k].item;
        }
    if (h->kind)
        return true;
    const bool object = dl >= 2 && d[1] == 'O';
    snprintf(why, whylen, "%s dtype '%.*s'%s",
             object ? "object" : "unsupported", (int)(dl < 16 ? dl : 16),
             d, object ? " (a pickle: lnn never runs one)"
                : dl && d[0] == '>'
                    ? " (big-endian)"
                    : " (lnn reads <f4 <f8 |u1 <i4 <i8)");
    return false;
}

/* The sizes of 'shape', a tuple of one or two: h->shape and h->ndim. */
static bool dict_shape(const char *p, size_t n, lnn__npy_header *h,
                       char *why, size_t whylen)
{
    const char *end = p + n;
    const char *s = value_of(p, n, "shape");
    if (!s || *s != '(') {
        snprintf(why, whylen, "header has no 'shape' tuple");
        return false;
    }
    s++;
    for (;;) {
        while (s < end && *s == ' ')
            s++;
        if (s < end && *s == ')')
            break;
        if (s == end || (unsigned)(*s - '0') >= 10) {
            snprintf(why, whylen, "header's 'shape' is not a tuple of "
                     "sizes");
            return false;
        }
        uint64_t v = 0;
        while (s < end && (unsigned)(*s - '0') < 10) {
            if (v > (UINT64_MAX - 9) / 10) {
                snprintf(why, whylen, "header's shape overflows");
                return false;
            }
            v = v * 10 + (uint64_t)(*s++ - '0');
        }
        if (h->ndim == 2) {
            snprintf(why, whylen, "more than 2 dimensions");
            return false;
        }
        h->shape[h->ndim++] = v;
        while (s < end && *s == ' ')
            s++;
        if (s < end && *s == ',')
            s++;
    }
    if (h->ndim == 0) {
        snprintf(why, whylen, "a 0-dimensional array");
        return false;
    }
    return true;
}

bool lnn__npy_dict(const char *p, size_t n, lnn__npy_header *h, char *why,
                   size_t whylen)
{
    *h = (lnn__npy_header){0};
    if (!dict_descr(p, n, h, why, whylen))
        return false;
    const char *end = p + n;
    const char *f = value_of(p, n, "fortran_order");
    if (f && (size_t)(end - f) >= 4 && memcmp(f, "True", 4) == 0)
        h->fortran = true;
    else if (!f || (size_t)(end - f) < 5 || memcmp(f, "False", 5) != 0) {
        snprintf(why, whylen, "header has no 'fortran_order' True/False");
        return false;
    }
    return dict_shape(p, n, h, why, whylen);
}

/* An opened .npy: its header and its payload's size. */
typedef struct npy_file {
    gzFile gz;
    lnn__npy_header h;
    size_t rows, cols, bytes;
} npy_file;

static lnn_status npy_open(npy_file *F, const char *path, char *err,
                           size_t errlen)
{
    *F = (npy_file){0};
    struct stat st;
    if (stat(path, &st) != 0)
        return lnn__err(err, errlen, LNN_ERR_IO, "%s: cannot open: %s", path,
                        strerror(errno));
    if (!(F->gz = gzopen(path, "rb")))
        return lnn__err(err, errlen, LNN_ERR_IO, "%s: cannot open: %s", path,
                        strerror(errno));
    unsigned char pre[LNN_NPY_PREAMBLE_V2];
    char why[160];
    const int got = gzread(F->gz, pre, sizeof pre);
    const size_t hlen = lnn__npy_preamble(pre, got > 0 ? (size_t)got : 0,
                                          why, sizeof why);
    if (!hlen)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: %s", path, why);
    const size_t pre_len = pre[6] == 1 ? LNN_NPY_PREAMBLE_V1
                                       : LNN_NPY_PREAMBLE_V2;
    char *dict = malloc(hlen);
    if (!dict)
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    const size_t rest = (size_t)got - pre_len; /* dict bytes already read */
    memcpy(dict, pre + pre_len, rest);
    const int more = gzread(F->gz, dict + rest, (unsigned)(hlen - pre_len - rest));
    bool ok = more >= 0 && (size_t)more == hlen - pre_len - rest &&
              lnn__npy_dict(dict, hlen - pre_len, &F->h, why, sizeof why);
    free(dict);
    if (!ok)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: %s", path,
                        more >= 0 && (size_t)more == hlen - pre_len - rest
                            ? why : "truncated header");
    F->rows = (size_t)F->h.shape[0];
    F->cols = F->h.ndim == 2 ? (size_t)F->h.shape[1] : 1;
    size_t cells;
    if (F->h.shape[0] > SIZE_MAX || F->h.shape[1] > SIZE_MAX ||
        !lnn__mul(F->rows, F->cols, &cells) ||
        !lnn__mul(cells, F->h.item, &F->bytes))
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: shape overflows",
                        path);
    /* what the file can hold, before anything is sized from the shape */
    const uint64_t disk = (uint64_t)st.st_size;
    const bool raw = gzdirect(F->gz);
    if (raw && disk != hlen + (uint64_t)F->bytes)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                        "%s: shape (%zu, %zu) needs %zu bytes of data, the "
                        "file has %llu (%s)", path, F->rows, F->cols,
                        F->bytes, (unsigned long long)(disk - hlen),
                        disk < hlen + F->bytes ? "truncated"
                                               : "trailing bytes");
    if (!raw && F->bytes / LNN_DEFLATE_MAX_RATIO > disk)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                        "%s: shape (%zu, %zu) is more than the compressed "
                        "file can hold", path, F->rows, F->cols);
    if (F->rows == 0 || F->cols == 0)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: an empty array",
                        path);
    return LNN_OK;
}

static double element(const npy_file *F, const unsigned char *p)
{
    uint64_t u = 0;
    for (size_t b = 0; b < F->h.item; b++)
        u |= (uint64_t)p[b] << (8 * b);
    if (F->h.kind == 'u')
        return (double)u;
    if (F->h.kind == 'i')
        return F->h.item == 4 ? (double)(int32_t)(uint32_t)u
               : F->h.item == 8 ? (double)(int64_t)u
                                : (double)(int8_t)(uint8_t)u;
    if (F->h.item == 4) {
        float f;
        uint32_t w = (uint32_t)u;
        memcpy(&f, &w, 4);
        return (double)f;
    }
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* The next chunk of elements k .. k + *c - 1 of n into buf (*c at most
 * LNN_NPY_CHUNK bytes' worth); a short read is a truncated file. */
static lnn_status read_chunk(npy_file *F, unsigned char *buf, size_t k,
                             size_t n, size_t *c, const char *path,
                             char *err, size_t errlen)
{
    const size_t per = LNN_NPY_CHUNK / F->h.item;
    *c = n - k < per ? n - k : per;
    const int got = gzread(F->gz, buf, (unsigned)(*c * F->h.item));
    if (got < 0 || (size_t)got != *c * F->h.item)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: truncated data "
                        "(element %zu of %zu)", path,
                        k + (got > 0 ? (size_t)got / F->h.item : 0), n);
    return LNN_OK;
}

/* After the n elements the shape says: the end of the file. */
static lnn_status check_end(npy_file *F, unsigned char *buf, size_t n,
                            const char *path, char *err, size_t errlen)
{
    if (gzread(F->gz, buf, 1) != 0)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: trailing bytes "
                        "after the %zu elements its shape says", path, n);
    return LNN_OK;
}

/* Every element k (file order) to fn(ctx, k, value) (the labels). */
typedef lnn_status (*npy_sink)(void *ctx, size_t k, double v);

static lnn_status npy_stream(npy_file *F, const char *path, npy_sink fn,
                             void *ctx, char *err, size_t errlen)
{
    unsigned char *buf = malloc(LNN_NPY_CHUNK);
    if (!buf)
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    const size_t n = F->rows * F->cols;
    lnn_status s = LNN_OK;
    for (size_t k = 0, c; s == LNN_OK && k < n; k += c) {
        if ((s = read_chunk(F, buf, k, n, &c, path, err, errlen)) != LNN_OK)
            break;
        for (size_t i = 0; i < c && s == LNN_OK; i++)
            s = fn(ctx, k + i, element(F, buf + i * F->h.item));
    }
    if (s == LNN_OK)
        s = check_end(F, buf, n, path, err, errlen);
    free(buf);
    return s;
}

/* X's elements into M (n_x = cols, m = rows, room for all of them). In C
 * order element k of the (m, n) array is sample k / n, feature k % n: the
 * matrix's own offset k (one sample is one row of the array); in Fortran
 * order it is sample k % m, feature k / m. Bytes while every value is an
 * integer 0..255, as the text readers. */
static lnn_status read_x(npy_file *F, lnn__matrix *M, const char *path,
                         char *err, size_t errlen)
{
    unsigned char *buf = malloc(LNN_NPY_CHUNK);
    if (!buf)
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    const size_t n = F->rows * F->cols;
    const bool raw_bytes = !F->h.fortran && F->h.kind == 'u' &&
                           F->h.item == 1;
    M->m = F->rows - 1; /* a promotion converts every column */
    lnn_status s = LNN_OK;
    for (size_t k = 0, c; s == LNN_OK && k < n;) {
        if ((s = read_chunk(F, buf, k, n, &c, path, err, errlen)) != LNN_OK)
            break;
        if (raw_bytes && M->U) { /* |u1 in C order: the matrix itself */
            memcpy(M->U + k, buf, c);
            k += c;
            continue;
        }
        for (size_t i = 0; i < c && s == LNN_OK; i++, k++) {
            const double v = element(F, buf + i * F->h.item);
            const size_t at = F->h.fortran
                                  ? (k % F->rows) * F->cols + k / F->rows
                                  : k;
            if (v != v || v - v != 0.0 || fabs(v) > FLT_MAX) {
                s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: row %zu, "
                             "column %zu: %s", path, at / F->cols,
                             at % F->cols, v != v || v - v != 0.0
                                               ? "not finite"
                                               : "beyond float32's range "
                                                 "(3.4e38)");
            } else if (M->U && v >= 0.0 && v <= 255.0 &&
                       v == (double)(int)v) {
                M->U[at] = (uint8_t)v;
            } else {
                if (M->U && (s = lnn__matrix_promote(M)) != LNN_OK) {
                    s = lnn__err(err, errlen, s, "out of memory");
                    break;
                }
                M->F[at] = (float)v;
            }
        }
    }
    if (s == LNN_OK)
        s = check_end(F, buf, n, path, err, errlen);
    free(buf);
    M->m = F->rows;
    return s;
}

typedef struct y_sink {
    lnn__vocab *v;
    char *err;
    size_t errlen;
    const char *path;
} y_sink;

static lnn_status put_y(void *ctx, size_t k, double v)
{
    y_sink *y = ctx;
    if (v != v || v - v != 0.0)
        return lnn__err(y->err, y->errlen, LNN_ERR_FORMAT,
                        "%s: label %zu is not finite", y->path, k);
    char name[32];
    const int n = snprintf(name, sizeof name, "%.17g", v);
    return lnn__vocab_add(y->v, name, (size_t)n) == LNN_OK
               ? LNN_OK
               : lnn__err(y->err, y->errlen, LNN_ERR_NOMEM, "out of memory");
}

lnn_status lnn__npy_load(lnn_table *out, const char *path,
                         const lnn_table_opts *o, char *err, size_t errlen)
{
    npy_file X = {0}, Y = {0};
    lnn__matrix M = {0};
    lnn__vocab v = {0};
    lnn_status s;
    if ((s = npy_open(&X, path, err, errlen)) != LNN_OK)
        goto done;
    M.n_x = X.cols;
    if (!(M.U = malloc(1))) {
        s = lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((s = lnn__matrix_reserve(&M, X.rows)) != LNN_OK) {
        s = lnn__err(err, errlen, s, "%s: out of memory for (%zu, %zu)",
                     path, X.rows, X.cols);
        goto done;
    }
    if ((s = read_x(&X, &M, path, err, errlen)) != LNN_OK)
        goto done;
    if (o->labels_path) {
        if ((s = npy_open(&Y, o->labels_path, err, errlen)) != LNN_OK)
            goto done;
        if (Y.cols != 1) {
            s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: labels of shape "
                         "(%zu, %zu); one label per row is (m,) or (m, 1)",
                         o->labels_path, Y.rows, Y.cols);
            goto done;
        }
        if (Y.rows != X.rows) {
            s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s has %zu rows, %s "
                         "has %zu labels", path, X.rows, o->labels_path,
                         Y.rows);
            goto done;
        }
        y_sink ys = {&v, err, errlen, o->labels_path};
        if ((s = npy_stream(&Y, o->labels_path, put_y, &ys, err, errlen)) !=
            LNN_OK)
            goto done;
    }
    s = lnn__table_finish(out, &M, &v, err, errlen);
done:
    if (X.gz)
        gzclose(X.gz);
    if (Y.gz)
        gzclose(Y.gz);
    lnn__matrix_free(&M);
    lnn__vocab_free(&v);
    return s;
}
