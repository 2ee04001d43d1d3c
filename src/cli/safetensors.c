/* safetensors.c: reading and writing safetensors files (safetensors.h).
 *
 * The header is JSON, read and written with jansson: it parses from a
 * buffer of known length (the header need not be NUL-terminated), rejects
 * duplicate keys (JSON_REJECT_DUPLICATES; a name given twice would make
 * "which tensor is 0.weight" ambiguous), holds integers as 64-bit
 * json_int_t (data_offsets may exceed 2^32) and keeps object order, so the
 * header lists tensors in the order written. */
#define _POSIX_C_SOURCE 200809L

#include "safetensors.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "errbuf.h"
#include "outfile.h"

_Static_assert(sizeof(float) == 4, "float32 tensors");

#define ST_ERRLEN 400 /* st_parse's message, before the path is added */

static const struct {
    const char *name;
    size_t size;
} dtypes[ST_N_DTYPES] = {
#define ST_DTYPE_INFO_(e, name, size) [e] = {name, size},
    ST_DTYPE_LIST(ST_DTYPE_INFO_)
#undef ST_DTYPE_INFO_
};

static uint64_t get_le(const unsigned char *p, size_t bytes)
{
    uint64_t v = 0;
    for (size_t i = bytes; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static void put_le(unsigned char *p, uint64_t v, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++, v >>= 8)
        p[i] = (unsigned char)(v & 0xff);
}

/* data_offsets [begin, end] of tensor i, for the coverage check */
typedef struct span {
    uint64_t begin, end;
    size_t i;
} span;

static int span_cmp(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* A JSON integer in [0, max], else false. */
static bool get_uint(const json_t *v, uint64_t max, uint64_t *out)
{
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        (uint64_t)json_integer_value(v) > max)
        return false;
    *out = (uint64_t)json_integer_value(v);
    return true;
}

/* Check one header entry {"dtype", "shape", "data_offsets"} against the
 * data's length; fill t and s. */
static bool parse_tensor(st_tensor *t, span *s, const char *name,
                         const json_t *v, uint64_t data_len, char *err,
                         size_t errlen)
{
    if (!json_is_object(v))
        return errbuf_set(err, errlen, "tensor '%.64s': not a JSON object",
                          name);
    t->name = name;
    const char *dtype = json_string_value(json_object_get(v, "dtype"));
    if (!dtype)
        return errbuf_set(err, errlen, "tensor '%.64s': no \"dtype\" string",
                          name);
    t->dtype = ST_N_DTYPES;
    for (int d = 0; d < ST_N_DTYPES; d++)
        if (strcmp(dtype, dtypes[d].name) == 0)
            t->dtype = (st_dtype)d;
    if (t->dtype == ST_N_DTYPES)
        return errbuf_set(err, errlen,
                          "tensor '%.64s': dtype '%.16s' is not one of "
                          "F32, F64, F16, BF16",
                          name, dtype);

    const json_t *shape = json_object_get(v, "shape");
    if (!json_is_array(shape) || json_array_size(shape) > ST_MAX_RANK)
        return errbuf_set(err, errlen,
                          "tensor '%.64s': \"shape\" is not a list of "
                          "at most %d sizes",
                          name, ST_MAX_RANK);
    t->rank = json_array_size(shape);
    /* the byte size, checked at each step: a huge shape must not wrap
     * around to the size of the bytes present */
    uint64_t bytes = dtypes[t->dtype].size;
    bool too_big = false;
    for (size_t k = 0; k < t->rank; k++) {
        if (!get_uint(json_array_get(shape, k), UINT64_MAX >> 1, &t->shape[k]))
            return errbuf_set(err, errlen,
                              "tensor '%.64s': shape[%zu] is not a "
                              "non-negative integer",
                              name, k);
        if (t->shape[k] != 0 && bytes > UINT64_MAX / t->shape[k])
            too_big = true;
        else
            bytes *= t->shape[k];
    }
    const json_t *offsets = json_object_get(v, "data_offsets");
    if (!json_is_array(offsets) || json_array_size(offsets) != 2 ||
        !get_uint(json_array_get(offsets, 0), UINT64_MAX >> 1, &s->begin) ||
        !get_uint(json_array_get(offsets, 1), UINT64_MAX >> 1, &s->end))
        return errbuf_set(err, errlen,
                          "tensor '%.64s': \"data_offsets\" is not "
                          "[begin, end] with non-negative integers",
                          name);
    if (s->begin > s->end)
        return errbuf_set(err, errlen,
                          "tensor '%.64s': data_offsets [%llu, %llu] "
                          "end before they begin",
                          name, (unsigned long long)s->begin,
                          (unsigned long long)s->end);
    if (s->end > data_len)
        return errbuf_set(
            err, errlen,
            "tensor '%.64s': data_offsets [%llu, %llu] "
            "reach beyond the %llu bytes of data (file truncated?)",
            name, (unsigned long long)s->begin, (unsigned long long)s->end,
            (unsigned long long)data_len);
    if (too_big)
        return errbuf_set(err, errlen, "tensor '%.64s': shape too large",
                          name);
    if (bytes != s->end - s->begin)
        return errbuf_set(err, errlen, "tensor '%.64s': data_offsets [%llu, "
                          "%llu] hold %llu bytes, its %s shape needs %llu",
                          name, (unsigned long long)s->begin,
                          (unsigned long long)s->end,
                          (unsigned long long)(s->end - s->begin), dtype,
                          (unsigned long long)bytes);
    t->count = (size_t)(bytes / dtypes[t->dtype].size);
    return true;
}

/* The tensors must tile the data: sorted by offset, each begins where the
 * one before ended, the first at 0 and the last at the end. */
static bool check_coverage(span *spans, size_t n, const st_tensor *t,
                           uint64_t data_len, char *err, size_t errlen)
{
    qsort(spans, n, sizeof *spans, span_cmp);
    uint64_t at = 0;
    for (size_t k = 0; k < n; k++) {
        if (spans[k].begin < at)
            return errbuf_set(err, errlen,
                              "tensor '%.64s' overlaps tensor '%.64s' "
                              "(data_offsets [%llu, %llu])",
                              t[spans[k].i].name, t[spans[k - 1].i].name,
                              (unsigned long long)spans[k].begin,
                              (unsigned long long)spans[k].end);
        if (spans[k].begin > at)
            return errbuf_set(err, errlen,
                              "bytes %llu to %llu of the data belong "
                              "to no tensor",
                              (unsigned long long)at,
                              (unsigned long long)spans[k].begin);
        at = spans[k].end;
    }
    if (at != data_len)
        return errbuf_set(err, errlen,
                          "%llu bytes of data after the last tensor",
                          (unsigned long long)(data_len - at));
    return true;
}

static bool check_metadata(json_t *meta, char *err, size_t errlen)
{
    const char *key;
    const json_t *v;
    if (!json_is_object(meta))
        return errbuf_set(err, errlen, "\"%s\" is not a JSON object",
                    ST_METADATA_KEY);
    json_object_foreach(meta, key, v) if (!json_is_string(v)) return errbuf_set(
        err, errlen, "metadata '%.64s' is not a string", key);
    return true;
}

/* An upper bound on the JSON values of text p[0 .. n): one more than the
 * commas and colons and openings of objects and arrays outside strings. A
 * streaming pre-check, so that the tree is built only for a header a model
 * can have. */
static size_t json_values_bound(const unsigned char *p, size_t n)
{
    size_t count = 1;
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        const unsigned char c = p[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else {
            count += c == ',' || c == ':' || c == '[' || c == '{';
        }
    }
    return count;
}

bool st_parse(st_file *f, const unsigned char *buf, size_t len, char *err,
              size_t errlen)
{
    memset(f, 0, sizeof *f);
    if (len < ST_LEN_BYTES)
        return errbuf_set(err, errlen, "%zu bytes, shorter than the %d-byte "
                    "header length (not a safetensors file?)", len,
                    ST_LEN_BYTES);
    const uint64_t header_len = get_le(buf, ST_LEN_BYTES);
    if (header_len > len - ST_LEN_BYTES)
        return errbuf_set(err, errlen,
                          "header length %llu is beyond the file's "
                          "%zu bytes (truncated, or not a safetensors file)",
                          (unsigned long long)header_len, len);
    if (header_len > ST_MAX_HEADER)
        return errbuf_set(err, errlen,
                          "header length %llu is over the limit of "
                          "%u bytes",
                          (unsigned long long)header_len, ST_MAX_HEADER);
    const unsigned char *data = buf + ST_LEN_BYTES + header_len;
    const uint64_t data_len = len - ST_LEN_BYTES - header_len;
    const size_t values = json_values_bound(buf + ST_LEN_BYTES,
                                            (size_t)header_len);
    if (values > ST_MAX_VALUES)
        return errbuf_set(err, errlen, "the header holds about %zu JSON "
                          "values, more than the %u a model's header can "
                          "need", values, ST_MAX_VALUES);

    json_error_t jerr;
    json_t *root = json_loadb((const char *)buf + ST_LEN_BYTES,
                              (size_t)header_len, JSON_REJECT_DUPLICATES,
                              &jerr);
    if (!root)
        return errbuf_set(err, errlen, "header is not valid JSON: %s (byte %d)",
                    jerr.text, jerr.position);
    if (!json_is_object(root)) {
        json_decref(root);
        return errbuf_set(err, errlen, "header is not a JSON object");
    }
    /* at most one tensor per key: bounded by the header's length */
    json_t *meta = json_object_get(root, ST_METADATA_KEY);
    const size_t n = json_object_size(root) - (meta != NULL);
    span *spans = malloc((n ? n : 1) * sizeof *spans);
    st_tensor *t = calloc(n ? n : 1, sizeof *t);
    bool ok = spans && t;
    if (!ok)
        errbuf_set(err, errlen, "out of memory for %zu tensors", n);
    ok = ok && (!meta || check_metadata(meta, err, errlen));
    const char *key;
    json_t *v;
    size_t i = 0;
    json_object_foreach(root, key, v) {
        if (!ok)
            break;
        if (strcmp(key, ST_METADATA_KEY) == 0)
            continue;
        spans[i].i = i;
        ok = parse_tensor(&t[i], &spans[i], key, v, data_len, err, errlen);
        if (ok)
            t[i].data = data + spans[i].begin;
        i++;
    }
    ok = ok && check_coverage(spans, n, t, data_len, err, errlen);
    free(spans);
    if (!ok) {
        free(t);
        json_decref(root);
        return false;
    }
    f->json = root;
    f->n_tensors = n;
    f->tensors = t;
    return true;
}

void st_free(st_file *f)
{
    if (!f)
        return;
    json_decref(f->json);
    free(f->tensors);
    free(f->buf);
    memset(f, 0, sizeof *f);
}

/* The whole of the regular file at path, in a malloc'd buffer. */
static unsigned char *read_file(const char *path, size_t *len, char *err,
                                size_t errlen)
{
    FILE *fp = fopen(path, "rb");
    struct stat st;
    if (!fp) {
        errbuf_set(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        errbuf_set(err, errlen, "%s: not a regular file", path);
        return NULL;
    }
    const size_t size = (size_t)st.st_size;
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf) {
        fclose(fp);
        errbuf_set(err, errlen, "%s: out of memory for its %zu bytes", path,
                   size);
        return NULL;
    }
    const size_t got = fread(buf, 1, size, fp);
    const bool ok = got == size && !ferror(fp);
    fclose(fp);
    if (!ok) {
        free(buf);
        errbuf_set(err, errlen, "%s: read failed", path);
        return NULL;
    }
    *len = size;
    return buf;
}

bool st_load(st_file *f, const char *path, char *err, size_t errlen)
{
    size_t len;
    unsigned char *buf = read_file(path, &len, err, errlen);
    char why[ST_ERRLEN];
    memset(f, 0, sizeof *f);
    if (!buf)
        return false;
    if (!st_parse(f, buf, len, why, sizeof why)) {
        free(buf);
        return errbuf_set(err, errlen, "%s: %s", path, why);
    }
    f->buf = buf;
    return true;
}

const char *st_metadata(const st_file *f, const char *key)
{
    return json_string_value(
        json_object_get(json_object_get(f->json, ST_METADATA_KEY), key));
}

static float f32_from_bits(uint32_t bits)
{
    float x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* IEEE half: 1 sign, 5 exponent (bias 15), 10 mantissa bits. */
static float f16_to_f32(uint16_t h)
{
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
    if (exponent == 0) { /* zero or subnormal: mantissa 2^-24, exact */
        const float v = (float)mantissa * 0x1p-24f;
        return sign ? -v : v;
    }
    if (exponent == 0x1f) /* inf or NaN */
        return f32_from_bits(sign | 0x7f800000u | mantissa << 13);
    /* rebias 15 -> 127 */
    return f32_from_bits(sign | (exponent + 112) << 23 | mantissa << 13);
}

void st_to_f32(const st_tensor *t, float *out)
{
    const size_t size = dtypes[t->dtype].size;
    for (size_t i = 0; i < t->count; i++) {
        const uint64_t bits = get_le(t->data + i * size, size);
        switch (t->dtype) {
        case ST_F32: out[i] = f32_from_bits((uint32_t)bits); break;
        case ST_F64: {
            double d;
            memcpy(&d, &bits, sizeof d);
            out[i] = (float)d;
            break;
        }
        case ST_F16: out[i] = f16_to_f32((uint16_t)bits); break;
        case ST_BF16: /* the top half of a float32 */
            out[i] = f32_from_bits((uint32_t)bits << 16);
            break;
        default: out[i] = 0.0f; break; /* st_parse admits no other */
        }
    }
}

/* The header: {"__metadata__": {...}, name: {"dtype": "F32", "shape":
 * [...], "data_offsets": [b, e]}, ...}, as compact JSON padded with spaces
 * to a multiple of ST_ALIGN bytes (the format allows trailing spaces). */
static char *make_header(const st_out_tensor *tensors, size_t n,
                         const st_kv *metadata, size_t n_metadata,
                         size_t *padded_len)
{
    json_t *root = json_object(), *meta = json_object();
    bool ok = root && meta && json_object_set(root, ST_METADATA_KEY, meta) == 0;
    for (size_t k = 0; ok && k < n_metadata; k++)
        ok = json_object_set_new(meta, metadata[k].key,
                                 json_string(metadata[k].value)) == 0;
    uint64_t at = 0;
    for (size_t i = 0; ok && i < n; i++) {
        json_t *shape = json_array(), *offsets = json_array(),
               *entry = json_object();
        uint64_t count = 1;
        for (size_t k = 0; shape && k < tensors[i].rank; k++) {
            count *= tensors[i].shape[k];
            ok = ok &&
                 json_array_append_new(
                     shape, json_integer((json_int_t)tensors[i].shape[k])) == 0;
        }
        const uint64_t end = at + count * sizeof(float);
        ok =
            ok && offsets && entry &&
            json_array_append_new(offsets, json_integer((json_int_t)at)) == 0 &&
            json_array_append_new(offsets, json_integer((json_int_t)end)) ==
                0 &&
            json_object_set_new(entry, "dtype", json_string("F32")) == 0 &&
            json_object_set(entry, "shape", shape) == 0 &&
            json_object_set(entry, "data_offsets", offsets) == 0 &&
            json_object_set(root, tensors[i].name, entry) == 0;
        json_decref(shape);
        json_decref(offsets);
        json_decref(entry);
        at = end;
    }
    char *text = ok ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(meta);
    json_decref(root);
    if (!text)
        return NULL;
    const size_t len = strlen(text);
    const size_t padded = (len + ST_ALIGN - 1) / ST_ALIGN * ST_ALIGN;
    char *out = realloc(text, padded);
    if (!out) {
        free(text);
        return NULL;
    }
    memset(out + len, ' ', padded - len);
    *padded_len = padded;
    return out;
}

#define ST_WRITE_CHUNK 4096 /* floats converted to little-endian at a time */

static bool write_f32_le(FILE *fp, const float *x, size_t count)
{
    unsigned char buf[ST_WRITE_CHUNK * sizeof(float)];
    for (size_t i0 = 0; i0 < count; i0 += ST_WRITE_CHUNK) {
        const size_t m =
            count - i0 < ST_WRITE_CHUNK ? count - i0 : ST_WRITE_CHUNK;
        for (size_t i = 0; i < m; i++) {
            uint32_t bits;
            memcpy(&bits, &x[i0 + i], sizeof bits);
            put_le(buf + i * sizeof bits, bits, sizeof bits);
        }
        if (fwrite(buf, sizeof(float), m, fp) != m)
            return false;
    }
    return true;
}

bool st_write(const char *path, const st_out_tensor *tensors, size_t n,
              const st_kv *metadata, size_t n_metadata, char *err,
              size_t errlen)
{
    size_t header_len;
    char *header = make_header(tensors, n, metadata, n_metadata, &header_len);
    if (!header)
        return errbuf_set(err, errlen, "%s: out of memory for the header",
                          path);
    outfile out;
    if (!outfile_open(&out, path, err, errlen)) {
        free(header);
        return false;
    }
    FILE *fp = out.fp;
    unsigned char len_le[ST_LEN_BYTES];
    put_le(len_le, header_len, sizeof len_le);
    bool ok = fwrite(len_le, 1, sizeof len_le, fp) == sizeof len_le &&
              fwrite(header, 1, header_len, fp) == header_len;
    free(header);
    for (size_t i = 0; ok && i < n; i++) {
        const size_t count = tensors[i].shape[0] *
                             (tensors[i].rank == 2 ? tensors[i].shape[1] : 1);
        ok = write_f32_le(fp, tensors[i].data, count);
    }
    return outfile_close(&out, ok, err, errlen);
}
