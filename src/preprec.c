/* preprec.c: a preparation's records in the model file's prep section
 * (docs/model-format.md): each record a row of PREP_RECORD_LIST, with its
 * writer and its reader. A record is u32 tag, u32 zero, u64 length, then
 * length bytes. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "enums.h"
#include "prepcols.h"
#include "table.h"
#include "util.h"

enum { PREP_SCALE = 1, PREP_LABELS = 2, PREP_SPLIT = 3, PREP_COLUMNS = 4,
       PREP_TARGETS = 6, PREP_DATA = 7, PREP_IMAGE = 11, PREP_IMPUTE = 12,
       PREP_RAW = 14, PREP_LABEL = 15, PREP_SKIPPED = 16, PREP_ID = 17,
       PREP_NA = 18 };
#define LNN_PREP_IMAGE_SIDE_MAX 4096 /* lnn_image_opts' limit */
#define PREP_DATA_BYTES 24 /* the data id's size, rows and digest, u64 each */
#define LNN_PREP_RECORD_HEAD 16
_Static_assert(LNN_NA_VALUES_MAX <= LNN_NAME_MAX,
               "the na_values record keeps the whole list");

static void put_le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* A growing byte buffer. */
typedef struct bytes {
    unsigned char *p;
    size_t n, cap;
    bool ok;
} bytes;

static unsigned char *room(bytes *b, size_t k)
{
    if (!b->ok)
        return NULL;
    if (b->n + k > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + k)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (!q) {
            b->ok = false;
            return NULL;
        }
        b->p = q;
        b->cap = cap;
    }
    unsigned char *at_ = b->p + b->n;
    b->n += k;
    return at_;
}

static void put(bytes *b, uint64_t v, int width)
{
    unsigned char *q = room(b, (size_t)width);
    if (q)
        put_le(q, v, width);
}

static void put_floats(bytes *b, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &x[i], sizeof u);
        put(b, u, 4);
    }
}

/* u64 count, then per name u32 length and its first LNN_NAME_MAX
 * bytes. */
static void put_names(bytes *b, char *const *names, size_t count)
{
    put(b, count, 8);
    for (size_t k = 0; k < count; k++) {
        size_t n = strlen(names[k]);
        n = n > LNN_NAME_MAX ? LNN_NAME_MAX : n;
        put(b, n, 4);
        unsigned char *q = room(b, n);
        if (q)
            memcpy(q, names[k], n);
    }
}

/* A record's head; its length is patched by end_record. */
static size_t begin_record(bytes *b, uint32_t tag)
{
    put(b, tag, 4);
    put(b, 0, 4);
    put(b, 0, 8);
    return b->n;
}

static void end_record(bytes *b, size_t body)
{
    if (b->ok)
        put_le(b->p + body - 8, b->n - body, 8);
}

/* The scaling record (1): u32 scale, u32 1 if shift and mul follow, u64
 * n_x, then n_x float32 shift and n_x mul. None for an IDX model's
 * preparation, which has only its data id. */
static void put_scale(bytes *b, const lnn_prep *p)
{
    if (!p->n_x)
        return;
    const size_t r = begin_record(b, PREP_SCALE);
    put(b, (uint32_t)p->scale, 4);
    put(b, p->shift ? 1 : 0, 4);
    put(b, p->n_x, 8);
    if (p->shift) {
        put_floats(b, p->shift, p->n_x);
        put_floats(b, p->mul, p->n_x);
    }
    end_record(b, r);
}

/* A record of names, if there are any. */
static void put_names_record(bytes *b, uint32_t tag, char *const *names,
                             size_t count)
{
    if (!names || !count)
        return;
    const size_t r = begin_record(b, tag);
    put_names(b, names, count);
    end_record(b, r);
}

static void put_labels(bytes *b, const lnn_prep *p)
{
    put_names_record(b, PREP_LABELS, p->names, p->n_classes);
}

/* The split (3): u64 seed, m, validation and test rows. */
static void put_split(bytes *b, const lnn_prep *p)
{
    if (!p->split_m)
        return;
    const size_t r = begin_record(b, PREP_SPLIT);
    put(b, p->split_seed, 8);
    put(b, p->split_m, 8);
    put(b, p->split_val, 8);
    put(b, p->split_test, 8);
    end_record(b, r);
}

static void put_columns(bytes *b, const lnn_prep *p)
{
    put_names_record(b, PREP_COLUMNS, p->columns, p->n_x);
}

/* The targets (6): u64 n, u64 1 if scaling follows, n float32 shift and n
 * mul, then n names. */
static void put_targets(bytes *b, const lnn_prep *p)
{
    if (!p->n_targets)
        return;
    const size_t r = begin_record(b, PREP_TARGETS);
    put(b, p->n_targets, 8);
    put(b, p->target_shift ? 1 : 0, 8);
    if (p->target_shift) {
        put_floats(b, p->target_shift, p->n_targets);
        put_floats(b, p->target_mul, p->n_targets);
    }
    put_names(b, p->target_names, p->n_targets);
    end_record(b, r);
}

/* The image size (11): u32 width, u32 height. */
static void put_image(bytes *b, const lnn_prep *p)
{
    if (!p->image_width)
        return;
    const size_t r = begin_record(b, PREP_IMAGE);
    put(b, p->image_width, 4);
    put(b, p->image_height, 4);
    end_record(b, r);
}

/* The columns record (14): u64 n_raw, then per column u32 1 if named,
 * u32 length and the name, u32 other, then its categories as names. */
static void put_raw(bytes *b, const lnn_prep *p)
{
    if (!p->raw)
        return;
    const size_t r = begin_record(b, PREP_RAW);
    put(b, p->n_raw, 8);
    for (size_t c = 0; c < p->n_raw; c++) {
        const lnn_prep_column *pc = &p->raw[c];
        const size_t n = pc->name ? strlen(pc->name) : 0;
        const size_t kept = n > LNN_NAME_MAX ? LNN_NAME_MAX : n;
        put(b, pc->name ? 1 : 0, 4);
        put(b, kept, 4);
        unsigned char *q = room(b, kept);
        if (q)
            memcpy(q, pc->name, kept);
        put(b, (uint64_t)pc->other, 4);
        put_names(b, pc->levels, pc->n_levels);
    }
    end_record(b, r);
}

/* The imputation record (12), after the columns: u64 n_raw, then per
 * column u32 impute, u32 indicator, float32 fill. */
static void put_impute(bytes *b, const lnn_prep *p)
{
    if (!p->raw)
        return;
    const size_t r = begin_record(b, PREP_IMPUTE);
    put(b, p->n_raw, 8);
    for (size_t c = 0; c < p->n_raw; c++) {
        put(b, (uint64_t)p->raw[c].impute, 4);
        put(b, (uint64_t)p->raw[c].indicator, 4);
        put_floats(b, &p->raw[c].fill, 1);
    }
    end_record(b, r);
}

static void put_label(bytes *b, const lnn_prep *p)
{
    put_names_record(b, PREP_LABEL, p->label ? &p->label : NULL, 1);
}

static void put_skipped(bytes *b, const lnn_prep *p)
{
    put_names_record(b, PREP_SKIPPED, p->skipped, p->n_skipped);
}

static void put_id(bytes *b, const lnn_prep *p)
{
    put_names_record(b, PREP_ID, p->id_name ? &p->id_name : NULL, 1);
}

/* The texts of a missing cell (18), as one name: the comma-separated
 * list. */
static void put_na(bytes *b, const lnn_prep *p)
{
    put_names_record(b, PREP_NA, p->na_values ? &p->na_values : NULL, 1);
}

/* The data id (7): u64 size, rows and digest; then, for an IDX dataset,
 * u32 length and its name. */
static void put_data(bytes *b, const lnn_prep *p)
{
    if (!p->data.rows)
        return;
    const size_t r = begin_record(b, PREP_DATA);
    put(b, p->data.bytes, 8);
    put(b, p->data.rows, 8);
    put(b, p->data.digest, 8);
    const size_t name = strnlen(p->data.name, LNN_DATA_NAME_MAX - 1);
    if (name) {
        put(b, name, 4);
        unsigned char *q = room(b, name);
        if (q)
            memcpy(q, p->data.name, name);
    }
    end_record(b, r);
}

static lnn_status decode_scale(lnn_prep *p, const unsigned char *q, size_t n)
{
    if (n < 16)
        return LNN_ERR_FORMAT;
    p->scale = (lnn_scale)get_le(q, 4);
    const uint64_t stats = get_le(q + 4, 4);
    const uint64_t n_x = get_le(q + 8, 8);
    if (!lnn__is_scale(p->scale) || stats > 1 || n_x > SIZE_MAX / 8 ||
        n != 16 + (stats ? 8 * n_x : 0))
        return LNN_ERR_FORMAT;
    p->n_x = (size_t)n_x;
    if (!stats)
        return LNN_OK;
    p->shift = malloc(p->n_x * sizeof(float));
    p->mul = malloc(p->n_x * sizeof(float));
    if (!p->shift || !p->mul)
        return LNN_ERR_NOMEM;
    for (size_t i = 0; i < p->n_x; i++) {
        const uint32_t a = (uint32_t)get_le(q + 16 + 4 * i, 4);
        const uint32_t m = (uint32_t)get_le(q + 16 + 4 * (p->n_x + i), 4);
        memcpy(&p->shift[i], &a, 4);
        memcpy(&p->mul[i], &m, 4);
        if (!isfinite(p->shift[i]) || !isfinite(p->mul[i]))
            return LNN_ERR_FORMAT;
    }
    return LNN_OK;
}

/* n little-endian float32 at q into a new block (finite values only). */
static lnn_status decode_floats(float **out, const unsigned char *q, size_t n)
{
    float *x = malloc(n ? n * sizeof *x : 1);
    if (!x)
        return LNN_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        const uint32_t u = (uint32_t)get_le(q + 4 * i, 4);
        memcpy(&x[i], &u, 4);
        if (!isfinite(x[i])) {
            free(x);
            return LNN_ERR_FORMAT;
        }
    }
    *out = x;
    return LNN_OK;
}

static lnn_status decode_names(char ***names, size_t *count,
                               const unsigned char *q, size_t n);

/* The targets record: u64 n, u64 1 if scaling follows, n float32 shift and
 * n mul, then n names. */
static lnn_status decode_targets(lnn_prep *p, const unsigned char *q,
                                 size_t n)
{
    if (p->n_targets || n < 16)
        return LNN_ERR_FORMAT;
    const uint64_t T = get_le(q, 8), scaled = get_le(q + 8, 8);
    if (T == 0 || scaled > 1 || T > (n - 16) / 4)
        return LNN_ERR_FORMAT;
    size_t off = 16;
    lnn_status s = LNN_OK;
    if (scaled) {
        if (T > (n - off) / 8)
            return LNN_ERR_FORMAT;
        s = decode_floats(&p->target_shift, q + off, (size_t)T);
        if (s == LNN_OK)
            s = decode_floats(&p->target_mul, q + off + 4 * T, (size_t)T);
        off += 8 * (size_t)T;
    }
    size_t count = 0;
    if (s == LNN_OK)
        s = decode_names(&p->target_names, &count, q + off, n - off);
    if (s == LNN_OK && count != T) {
        lnn__names_free(p->target_names, count);
        p->target_names = NULL;
        s = LNN_ERR_FORMAT;
    }
    for (size_t i = 0; s == LNN_OK && scaled && i < T; i++)
        if (p->target_mul[i] == 0.0f)
            s = LNN_ERR_FORMAT;
    p->n_targets = (size_t)T; /* freed by lnn_prep_free either way */
    return s;
}

/* The body of put_names into *names (*count of them); on failure nothing
 * is kept. */
static lnn_status decode_names(char ***names, size_t *count,
                               const unsigned char *q, size_t n)
{
    if (n < 8)
        return LNN_ERR_FORMAT;
    const uint64_t C = get_le(q, 8);
    if (C == 0 || C > (n - 8) / 4)
        return LNN_ERR_FORMAT;
    char **a = calloc((size_t)C, sizeof *a);
    if (!a)
        return LNN_ERR_NOMEM;
    lnn_status s = LNN_OK;
    size_t off = 8;
    for (size_t k = 0; s == LNN_OK && k < C; k++) {
        if (n - off < 4) {
            s = LNN_ERR_FORMAT;
            break;
        }
        const size_t len = (size_t)get_le(q + off, 4);
        off += 4;
        if (len > n - off || len > LNN_NAME_MAX)
            s = LNN_ERR_FORMAT;
        else if (!(a[k] = malloc(len + 1)))
            s = LNN_ERR_NOMEM;
        else {
            memcpy(a[k], q + off, len);
            a[k][len] = '\0';
            off += len;
        }
    }
    if (s == LNN_OK && off != n)
        s = LNN_ERR_FORMAT;
    if (s != LNN_OK) {
        lnn__names_free(a, (size_t)C);
        return s;
    }
    *names = a;
    *count = (size_t)C;
    return LNN_OK;
}

/* A u32 length and that many bytes at q[*off ..) (within n) into a new
 * string. */
static lnn_status get_name(const unsigned char *q, size_t n, size_t *off,
                           char **out)
{
    if (n - *off < 4)
        return LNN_ERR_FORMAT;
    const size_t len = (size_t)get_le(q + *off, 4);
    *off += 4;
    if (len > n - *off || len > LNN_NAME_MAX)
        return LNN_ERR_FORMAT;
    if (!(*out = malloc(len + 1)))
        return LNN_ERR_NOMEM;
    memcpy(*out, q + *off, len);
    (*out)[len] = '\0';
    *off += len;
    return LNN_OK;
}

/* One column of the columns record at q[*off ..). */
static lnn_status decode_column(lnn_prep_column *pc, const unsigned char *q,
                                size_t n, size_t *off)
{
    if (n - *off < 8)
        return LNN_ERR_FORMAT;
    const uint64_t named = get_le(q + *off, 4);
    *off += 4;
    lnn_status s = named > 1 ? LNN_ERR_FORMAT : LNN_OK;
    char *name = NULL;
    if (s == LNN_OK)
        s = get_name(q, n, off, &name);
    if (named)
        pc->name = name;
    else
        free(name);
    if (s != LNN_OK || n - *off < 12)
        return LNN_ERR_FORMAT;
    pc->other = (int)get_le(q + *off, 4);
    const uint64_t L = get_le(q + *off + 4, 8);
    *off += 12;
    if (pc->other > 1 || L > (n - *off) / 4)
        return LNN_ERR_FORMAT;
    if (L && !(pc->levels = calloc((size_t)L, sizeof *pc->levels)))
        return LNN_ERR_NOMEM;
    pc->n_levels = (size_t)L;
    for (size_t l = 0; s == LNN_OK && l < L; l++)
        s = get_name(q, n, off, &pc->levels[l]);
    return s;
}

/* The columns record (14), before the imputation record (12). */
static lnn_status decode_raw(lnn_prep *p, const unsigned char *q, size_t n)
{
    if (p->raw || n < 8)
        return LNN_ERR_FORMAT;
    const uint64_t R = get_le(q, 8);
    if (R == 0 || R > (n - 8) / 20)
        return LNN_ERR_FORMAT;
    if (!(p->raw = calloc((size_t)R, sizeof *p->raw)))
        return LNN_ERR_NOMEM;
    p->n_raw = (size_t)R;
    size_t off = 8;
    lnn_status s = LNN_OK;
    for (size_t c = 0; s == LNN_OK && c < R; c++)
        s = decode_column(&p->raw[c], q, n, &off);
    return s == LNN_OK && off != n ? LNN_ERR_FORMAT : s;
}

/* The imputation record (12): each column's way, indicator and fill, in
 * range for its kind. */
static lnn_status decode_impute(lnn_prep *p, const unsigned char *q, size_t n)
{
    if (!p->raw || n != 8 + 12 * p->n_raw || get_le(q, 8) != p->n_raw)
        return LNN_ERR_FORMAT;
    for (size_t c = 0; c < p->n_raw; c++) {
        lnn_prep_column *pc = &p->raw[c];
        const unsigned char *e = q + 8 + 12 * c;
        const uint64_t way = get_le(e, 4), ind = get_le(e + 4, 4);
        const uint32_t u = (uint32_t)get_le(e + 8, 4);
        memcpy(&pc->fill, &u, 4);
        const bool category = pc->n_levels || pc->other;
        const float top = (float)(pc->n_levels + (size_t)pc->other);
        if (way > INT32_MAX || !lnn__is_impute((lnn_impute)way) || ind > 1 ||
            !isfinite(pc->fill) ||
            (category && (pc->fill < -1.0f || pc->fill >= top ||
                          pc->fill != floorf(pc->fill))))
            return LNN_ERR_FORMAT;
        pc->impute = (lnn_impute)way;
        pc->indicator = (int)ind;
    }
    return LNN_OK;
}

/* The data id: u64 size, rows and digest; then, for an IDX dataset, u32
 * length and its name (1 .. LNN_DATA_NAME_MAX - 1 printable bytes). */
static lnn_status decode_data(lnn_data_id *id, const unsigned char *q,
                              size_t n)
{
    size_t name = 0;
    if (n != PREP_DATA_BYTES) {
        if (n < PREP_DATA_BYTES + 4)
            return LNN_ERR_FORMAT;
        name = n - PREP_DATA_BYTES - 4;
        if (name == 0 || name >= LNN_DATA_NAME_MAX ||
            get_le(q + PREP_DATA_BYTES, 4) != name)
            return LNN_ERR_FORMAT;
    }
    *id = (lnn_data_id){.bytes = get_le(q, 8), .rows = get_le(q + 8, 8),
                        .digest = get_le(q + 16, 8)};
    for (size_t k = 0; k < name; k++) {
        const unsigned char c = q[PREP_DATA_BYTES + 4 + k];
        if (c < 0x20 || c == 0x7f)
            return LNN_ERR_FORMAT; /* it is printed on one line */
        id->name[k] = (char)c;
    }
    return id->rows ? LNN_OK : LNN_ERR_FORMAT;
}

/* The image size: u32 width, u32 height, each 1 .. 4096, given once. */
static lnn_status decode_image(lnn_prep *p, const unsigned char *q, size_t n)
{
    if (n != 8 || p->image_width)
        return LNN_ERR_FORMAT;
    const uint64_t w = get_le(q, 4), h = get_le(q + 4, 4);
    if (w == 0 || h == 0 || w > LNN_PREP_IMAGE_SIDE_MAX ||
        h > LNN_PREP_IMAGE_SIDE_MAX)
        return LNN_ERR_FORMAT;
    p->image_width = (size_t)w;
    p->image_height = (size_t)h;
    return LNN_OK;
}

/* A names body of exactly one name into *out (given once). */
static lnn_status decode_one(char **out, const unsigned char *q, size_t n)
{
    char **one = NULL;
    size_t count = 0;
    lnn_status s = *out ? LNN_ERR_FORMAT : decode_names(&one, &count, q, n);
    if (s == LNN_OK && count != 1)
        s = LNN_ERR_FORMAT;
    if (s == LNN_OK)
        *out = one[0];
    else
        lnn__names_free(one, count);
    if (s == LNN_OK)
        free(one);
    return s;
}

/* The decoding of one prep section: the preparation, and what the records
 * read so far say about the ones that may follow. */
typedef struct prep_reading {
    lnn_prep *p;
    bool scaled;  /* the scaling record (once, before the columns) */
    bool imputed; /* the imputation record (after the columns record) */
} prep_reading;

static lnn_status take_scale(prep_reading *r, const unsigned char *q,
                             size_t n)
{
    const lnn_status s = r->scaled ? LNN_ERR_FORMAT
                                   : decode_scale(r->p, q, n);
    r->scaled = true;
    return s;
}

static lnn_status take_labels(prep_reading *r, const unsigned char *q,
                              size_t n)
{
    lnn_prep *p = r->p;
    return p->names ? LNN_ERR_FORMAT
                    : decode_names(&p->names, &p->n_classes, q, n);
}

static lnn_status take_split(prep_reading *r, const unsigned char *q,
                             size_t n)
{
    if (n != 32)
        return LNN_ERR_FORMAT;
    lnn_prep *p = r->p;
    p->split_seed = get_le(q, 8);
    p->split_m = (size_t)get_le(q + 8, 8);
    p->split_val = (size_t)get_le(q + 16, 8);
    p->split_test = (size_t)get_le(q + 24, 8);
    return LNN_OK;
}

/* The feature names, one per input the scaling record counted. */
static lnn_status take_columns(prep_reading *r, const unsigned char *q,
                               size_t n)
{
    lnn_prep *p = r->p;
    size_t count = 0;
    lnn_status s = p->columns || !r->scaled
                       ? LNN_ERR_FORMAT
                       : decode_names(&p->columns, &count, q, n);
    if (s == LNN_OK && count != p->n_x) {
        lnn__names_free(p->columns, count);
        p->columns = NULL;
        s = LNN_ERR_FORMAT;
    }
    return s;
}

static lnn_status take_targets(prep_reading *r, const unsigned char *q,
                               size_t n)
{
    return decode_targets(r->p, q, n);
}

static lnn_status take_image(prep_reading *r, const unsigned char *q,
                             size_t n)
{
    return decode_image(r->p, q, n);
}

static lnn_status take_raw(prep_reading *r, const unsigned char *q, size_t n)
{
    return decode_raw(r->p, q, n);
}

static lnn_status take_impute(prep_reading *r, const unsigned char *q,
                              size_t n)
{
    const lnn_status s = decode_impute(r->p, q, n);
    r->imputed = s == LNN_OK;
    return s;
}

static lnn_status take_label(prep_reading *r, const unsigned char *q,
                             size_t n)
{
    return decode_one(&r->p->label, q, n);
}

static lnn_status take_skipped(prep_reading *r, const unsigned char *q,
                               size_t n)
{
    lnn_prep *p = r->p;
    return p->skipped ? LNN_ERR_FORMAT
                      : decode_names(&p->skipped, &p->n_skipped, q, n);
}

static lnn_status take_id(prep_reading *r, const unsigned char *q, size_t n)
{
    return decode_one(&r->p->id_name, q, n);
}

static lnn_status take_na(prep_reading *r, const unsigned char *q, size_t n)
{
    return decode_one(&r->p->na_values, q, n);
}

static lnn_status take_data(prep_reading *r, const unsigned char *q,
                            size_t n)
{
    lnn_prep *p = r->p;
    return p->data.rows ? LNN_ERR_FORMAT : decode_data(&p->data, q, n);
}

/* Every record of the prep section, in the order a model file has them:
 * its tag, its writer (which writes nothing where the preparation has no
 * such part) and its reader. A reader meets a tag it does not know (a newer
 * record) and skips it. */
#define PREP_RECORD_LIST(X)                                                   \
    X(PREP_SCALE, put_scale, take_scale)                                      \
    X(PREP_LABELS, put_labels, take_labels)                                   \
    X(PREP_SPLIT, put_split, take_split)                                      \
    X(PREP_COLUMNS, put_columns, take_columns)                                \
    X(PREP_TARGETS, put_targets, take_targets)                                \
    X(PREP_IMAGE, put_image, take_image)                                      \
    X(PREP_RAW, put_raw, take_raw)                                            \
    X(PREP_IMPUTE, put_impute, take_impute)                                   \
    X(PREP_LABEL, put_label, take_label)                                      \
    X(PREP_SKIPPED, put_skipped, take_skipped)                                \
    X(PREP_ID, put_id, take_id)                                               \
    X(PREP_NA, put_na, take_na)                                               \
    X(PREP_DATA, put_data, take_data)

static const struct prep_record {
    uint32_t tag;
    void (*put)(bytes *b, const lnn_prep *p);
    lnn_status (*take)(prep_reading *r, const unsigned char *q, size_t n);
} prep_records[] = {
#define PREP_RECORD_ROW(tag, put, take) {tag, put, take},
    PREP_RECORD_LIST(PREP_RECORD_ROW)
#undef PREP_RECORD_ROW
};

#define PREP_RECORDS (sizeof prep_records / sizeof *prep_records)

lnn_status lnn__prep_encode(const lnn_prep *p, unsigned char **buf,
                            size_t *len)
{
    bytes b = {.ok = true};
    for (size_t k = 0; k < PREP_RECORDS; k++)
        prep_records[k].put(&b, p);
    if (!b.ok) {
        free(b.p);
        return LNN_ERR_NOMEM;
    }
    *buf = b.p;
    *len = b.n;
    return LNN_OK;
}

/* The inputs of the columns are the network's (n_x). */
static bool raw_fits(const lnn_prep *p)
{
    size_t w = 0;
    for (size_t c = 0; c < p->n_raw; c++)
        w += lnn__raw_width(&p->raw[c]);
    return w == p->n_x;
}

/* One record, tag, of n bytes at q. */
static lnn_status take_record(prep_reading *r, uint32_t tag,
                              const unsigned char *q, size_t n)
{
    for (size_t k = 0; k < PREP_RECORDS; k++)
        if (prep_records[k].tag == tag)
            return prep_records[k].take(r, q, n);
    return LNN_OK;
}

lnn_status lnn__prep_decode(lnn_prep *p, const unsigned char *buf,
                            size_t len)
{
    *p = (lnn_prep){0};
    prep_reading r = {.p = p};
    size_t off = 0;
    lnn_status s = LNN_OK;
    while (s == LNN_OK && off < len) {
        if (len - off < LNN_PREP_RECORD_HEAD) {
            s = LNN_ERR_FORMAT;
            break;
        }
        const uint32_t tag = (uint32_t)get_le(buf + off, 4);
        const uint64_t n = get_le(buf + off + 8, 8);
        off += LNN_PREP_RECORD_HEAD;
        if (n > len - off) {
            s = LNN_ERR_FORMAT;
            break;
        }
        s = take_record(&r, tag, buf + off, (size_t)n);
        off += (size_t)n;
    }
    /* the image's pixels are the features */
    if (s == LNN_OK && p->image_width &&
        (!r.scaled || p->image_width * p->image_height != p->n_x))
        s = LNN_ERR_FORMAT;
    if (s == LNN_OK && p->raw &&
        (!r.imputed || !p->shift || !raw_fits(p)))
        s = LNN_ERR_FORMAT;
    if (s != LNN_OK)
        lnn_prep_free(p);
    return s;
}
