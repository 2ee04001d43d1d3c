/* prep.c: what a model keeps of its data: feature scaling (fitted on the
 * training part, applied to every table given to the model), the label
 * vocabulary, the feature column names and the split; and their records in
 * the model file. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "enums.h"
#include "net.h"
#include "prepcols.h"
#include "table.h"
#include "util.h"

#define LNN_BYTE_MAX 255.0f

/* Records of the prep section (docs/model-format.md): u32 tag, u32 zero,
 * u64 length, then length bytes. */
enum { PREP_SCALE = 1, PREP_LABELS = 2, PREP_SPLIT = 3, PREP_COLUMNS = 4,
       PREP_TARGETS = 6, PREP_IMAGE = 11 };
#define LNN_PREP_IMAGE_SIDE_MAX 4096 /* lnn_image_opts' limit */
enum { PREP_DATA = 7 }; /* the training data's id (issue 24) */
enum { PREP_IMPUTE = 12, PREP_RAW = 14, PREP_LABEL = 15, PREP_SKIPPED = 16,
       PREP_ID = 17 }; /* the training file's columns */
#define PREP_DATA_BYTES 24 /* its size, rows and digest, u64 each */
#define LNN_PREP_RECORD_HEAD 16

void lnn_prep_free(lnn_prep *p)
{
    if (!p)
        return;
    free(p->shift);
    free(p->mul);
    lnn__names_free(p->names, p->n_classes);
    lnn__names_free(p->columns, p->n_x);
    lnn__names_free(p->target_names, p->n_targets);
    free(p->target_shift);
    free(p->target_mul);
    lnn__raw_free(p->raw, p->n_raw);
    free(p->label);
    lnn__names_free(p->skipped, p->n_skipped);
    free(p->id_name);
    free(p->weight_column);
    *p = (lnn_prep){0};
}

/* A copy of n floats, or NULL (for none, or out of memory: *ok false). */
static float *floats_copy(const float *x, size_t n, bool *ok)
{
    if (!x)
        return NULL;
    float *y = malloc(n ? n * sizeof *y : 1);
    if (y)
        memcpy(y, x, n * sizeof *y);
    else
        *ok = false;
    return y;
}

lnn_status lnn__prep_copy(lnn_prep *dst, const lnn_prep *src)
{
    *dst = (lnn_prep){0};
    lnn_prep c = *src;
    bool ok = true;
    c.shift = floats_copy(src->shift, src->n_x, &ok);
    c.mul = floats_copy(src->mul, src->n_x, &ok);
    c.target_shift = floats_copy(src->target_shift, src->n_targets, &ok);
    c.target_mul = floats_copy(src->target_mul, src->n_targets, &ok);
    c.names = src->names ? lnn__names_copy(src->names, src->n_classes)
                         : NULL;
    c.columns = src->columns ? lnn__names_copy(src->columns, src->n_x) : NULL;
    c.target_names = src->target_names
                         ? lnn__names_copy(src->target_names, src->n_targets)
                         : NULL;
    if (lnn__raw_copy(&c.raw, src->raw, src->n_raw) != LNN_OK)
        ok = false;
    c.label = NULL;
    c.id_name = NULL;
    if ((src->label && !(c.label = strdup(src->label))) ||
        (src->id_name && !(c.id_name = strdup(src->id_name))))
        ok = false;
    c.skipped = src->skipped ? lnn__names_copy(src->skipped, src->n_skipped)
                             : NULL;
    if (!c.skipped != !src->skipped)
        ok = false;
    c.weight_column = src->weight_column ? strdup(src->weight_column) : NULL;
    if (!ok || !c.names != !src->names || !c.columns != !src->columns ||
        !c.weight_column != !src->weight_column ||
        !c.target_names != !src->target_names) {
        lnn_prep_free(&c);
        return LNN_ERR_NOMEM;
    }
    *dst = c;
    return LNN_OK;
}

/* x of sample j, feature i, as a double. */
static double at(const lnn_table *t, size_t j, size_t i)
{
    return t->X ? (double)t->X[j * t->n_x + i]
                : (double)t->X_u8[j * t->n_x + i];
}

lnn_status lnn_prep_fit(lnn_prep *out, const lnn_table *t, size_t m_train,
                        lnn_scale scale, char *err, size_t errlen)
{
    const lnn_prep_opts o = lnn_prep_opts_default(scale);
    return lnn_prep_fit_table(out, t, m_train, &o, err, errlen);
}

lnn_status lnn_prep_fit_table(lnn_prep *out, const lnn_table *t,
                              size_t m_train, const lnn_prep_opts *o,
                              char *err, size_t errlen)
{
    if (!out || !t || !o || m_train == 0 || m_train > t->m ||
        !lnn__is_scale(o->scale) ||
        (o->impute >= 0 && !lnn__is_impute((lnn_impute)o->impute)))
        return lnn__err(err, errlen, LNN_ERR_ARG,
                        "prep_fit: no table, no training samples, an "
                        "unknown scaling or imputation");
    const lnn_scale scale = o->scale;
    *out = (lnn_prep){.scale = scale, .n_x = t->n_x,
                      .n_classes = t->n_classes, .data = t->id,
                      .n_skipped = t->skipped ? t->n_skipped : 0};
    const bool raw = lnn__raw_needed(t);
    if ((raw && t->label && !(out->label = strdup(t->label))) ||
        (t->skipped && !(out->skipped = lnn__names_copy(t->skipped,
                                                        t->n_skipped))) ||
        (t->id_name && !(out->id_name = strdup(t->id_name))) ||
        (t->names && !(out->names = lnn__names_copy(t->names,
                                                    t->n_classes))) ||
        (!raw && t->columns &&
         !(out->columns = lnn__names_copy(t->columns, t->n_x)))) {
        lnn_prep_free(out);
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    }
    if (raw) {
        const lnn_status s = lnn__raw_fit(out, t, m_train, o, err, errlen);
        if (s != LNN_OK)
            lnn_prep_free(out);
        return s;
    }
    if (scale != LNN_SCALE_STANDARD && scale != LNN_SCALE_MINMAX)
        return LNN_OK;
    const size_t n = t->n_x;
    double *a = calloc(n ? n : 1, sizeof *a), *b = calloc(n ? n : 1, sizeof *b);
    out->shift = malloc(n ? n * sizeof(float) : 1);
    out->mul = malloc(n ? n * sizeof(float) : 1);
    if (!a || !b || !out->shift || !out->mul) {
        free(a);
        free(b);
        lnn_prep_free(out);
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    }
    if (scale == LNN_SCALE_STANDARD) {
        /* a = mean, b = sum of squared deviations (two passes: exact
         * enough in double and no cancellation). */
        for (size_t j = 0; j < m_train; j++)
            for (size_t i = 0; i < n; i++)
                a[i] += at(t, j, i);
        for (size_t i = 0; i < n; i++)
            a[i] /= (double)m_train;
        for (size_t j = 0; j < m_train; j++)
            for (size_t i = 0; i < n; i++) {
                const double d = at(t, j, i) - a[i];
                b[i] += d * d;
            }
        for (size_t i = 0; i < n; i++) {
            const double sd = sqrt(b[i] / (double)m_train);
            out->shift[i] = (float)a[i];
            out->mul[i] = sd > 0.0 ? (float)(1.0 / sd) : 1.0f;
        }
    } else {
        /* a = min, b = max */
        for (size_t i = 0; i < n; i++)
            a[i] = b[i] = at(t, 0, i);
        for (size_t j = 1; j < m_train; j++)
            for (size_t i = 0; i < n; i++) {
                const double x = at(t, j, i);
                a[i] = x < a[i] ? x : a[i];
                b[i] = x > b[i] ? x : b[i];
            }
        for (size_t i = 0; i < n; i++) {
            out->shift[i] = (float)a[i];
            out->mul[i] = b[i] > a[i] ? (float)(1.0 / (b[i] - a[i])) : 1.0f;
        }
    }
    free(a);
    free(b);
    return LNN_OK;
}

lnn_status lnn_table_prepare(lnn_table *t, lnn_prep *p, size_t n_val,
                             size_t n_test, uint64_t seed,
                             const lnn_prep_opts *o, int standardise_targets,
                             char *err, size_t errlen)
{
    if (!t || !p || !o)
        return lnn__err(err, errlen, LNN_ERR_ARG, "table_prepare: NULL");
    *p = (lnn_prep){0};
    lnn_status s = lnn_table_split(t, n_val, n_test, seed, err, errlen);
    if (s != LNN_OK)
        return s;
    const size_t m_part = t->m - n_val - n_test;
    if (o->m_fit > m_part)
        return lnn__err(err, errlen, LNN_ERR_ARG, "table_prepare: fit on "
                        "%zu rows, the training part has %zu", o->m_fit,
                        m_part);
    const size_t m_train = o->m_fit ? o->m_fit : m_part;
    if ((s = lnn_prep_fit_table(p, t, m_train, o, err, errlen)) != LNN_OK)
        return s;
    if (t->T && t->targets)
        s = lnn_prep_fit_targets(p, t, m_train, standardise_targets, err,
                                 errlen);
    if (n_val || n_test) { /* eval redoes it on this file */
        p->split_seed = seed;
        p->split_m = t->m;
        p->split_val = n_val;
        p->split_test = n_test;
    }
    if (s == LNN_OK && o->fitted)
        s = o->fitted(p, t, o->ctx);
    if (s == LNN_OK)
        s = lnn_prep_apply(p, t, err, errlen);
    if (s != LNN_OK)
        lnn_prep_free(p);
    return s;
}

lnn_status lnn_prep_fit_targets(lnn_prep *p, const lnn_table *t,
                                size_t m_train, int standardise, char *err,
                                size_t errlen)
{
    if (!p || !t || !t->T || !t->targets || m_train == 0 || m_train > t->m)
        return lnn__err(err, errlen, LNN_ERR_ARG, "no targets to fit");
    const size_t n = t->n_t;
    if (!(p->target_names = lnn__names_copy(t->targets, n)))
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    p->n_targets = n;
    if (!standardise)
        return LNN_OK;
    p->target_shift = malloc(n * sizeof(float));
    p->target_mul = malloc(n * sizeof(float));
    if (!p->target_shift || !p->target_mul)
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        double mean = 0.0, ss = 0.0;
        for (size_t j = 0; j < m_train; j++)
            mean += t->T[i + j * n];
        mean /= (double)m_train;
        for (size_t j = 0; j < m_train; j++) {
            const double d = t->T[i + j * n] - mean;
            ss += d * d;
        }
        const double sd = sqrt(ss / (double)m_train);
        p->target_shift[i] = (float)mean;
        p->target_mul[i] = sd > 0.0 && isfinite(1.0 / sd) ? (float)(1.0 / sd)
                                                          : 1.0f;
    }
    return LNN_OK;
}

/* T' = (T - target_shift) target_mul, for a table with the model's
 * targets. */
static lnn_status apply_targets(const lnn_prep *p, lnn_table *t, char *err,
                                size_t errlen)
{
    if (!t->T || !p->n_targets)
        return LNN_OK;
    if (t->n_t != p->n_targets)
        return lnn__err(err, errlen, LNN_ERR_SHAPE,
                        "the data has %zu targets, the model predicts %zu",
                        t->n_t, p->n_targets);
    for (size_t j = 0; p->target_shift && j < t->m; j++)
        for (size_t i = 0; i < t->n_t; i++)
            t->T[i + j * t->n_t] = (t->T[i + j * t->n_t] -
                                    p->target_shift[i]) * p->target_mul[i];
    return LNN_OK;
}

void lnn_prep_unscale_targets(const lnn_prep *p, float *Y, size_t n,
                              size_t m)
{
    if (!p || !p->target_shift || p->n_targets != n)
        return;
    for (size_t j = 0; j < m; j++)
        for (size_t i = 0; i < n; i++)
            Y[i + j * n] = Y[i + j * n] / p->target_mul[i] +
                           p->target_shift[i];
}

/* A table for a model that prepares no columns has neither text nor
 * gaps. */
static lnn_status check_plain(const lnn_table *t, char *err, size_t errlen)
{
    for (size_t i = 0; t->n_levels && i < t->n_x; i++)
        if (t->n_levels[i])
            return lnn__err(err, errlen, LNN_ERR_FORMAT, "feature column %zu "
                            "holds text; the model was trained on numbers",
                            i + 1);
    for (size_t k = 0; t->X && k < t->n_x * t->m; k++)
        if (isnan(t->X[k]))
            return lnn__err(err, errlen, LNN_ERR_FORMAT, "row %zu, feature "
                            "column %zu%s%s%s: a missing cell, and the model "
                            "fills none (its training data had no gaps)",
                            k / t->n_x + 1, k % t->n_x + 1,
                            t->columns ? " \"" : "",
                            t->columns ? t->columns[k % t->n_x] : "",
                            t->columns ? "\"" : "");
    return LNN_OK;
}

lnn_status lnn_prep_apply(const lnn_prep *p, lnn_table *t, char *err,
                          size_t errlen)
{
    if (!p || !t)
        return lnn__err(err, errlen, LNN_ERR_ARG, "prep_apply: NULL");
    lnn_status s = p->raw ? lnn__raw_apply(p, t, err, errlen)
                          : check_plain(t, err, errlen);
    if (s != LNN_OK)
        return s;
    if (p->n_x != t->n_x)
        return lnn__err(err, errlen, LNN_ERR_SHAPE,
                        "the data has %zu features, the model takes %zu",
                        t->n_x, p->n_x);
    s = lnn_table_check_columns(t, p->columns, p->n_x, err, errlen);
    if (s == LNN_OK)
        s = apply_targets(p, t, err, errlen);
    if (s != LNN_OK)
        return s;
    const bool affine = p->shift != NULL; /* standard, minmax, or a model
                                              of prepared columns */
    if (t->X_u8 && (p->scale == LNN_SCALE_BYTE))
        return LNN_OK; /* divided by 255 as batches are gathered */
    const size_t n = t->n_x * t->m;
    if (t->X_u8) { /* the scaled values are no longer bytes */
        float *X = malloc(n ? n * sizeof *X : 1);
        if (!X)
            return lnn__err(err, errlen, LNN_ERR_NOMEM,
                            "out of memory for %zu x %zu floats", t->n_x,
                            t->m);
        for (size_t k = 0; k < n; k++)
            X[k] = (float)t->X_u8[k];
        free(t->X_u8);
        t->X_u8 = NULL;
        t->X = X;
    }
    if (affine) {
        float *restrict X = t->X;
        bool finite = true;
        for (size_t j = 0; j < t->m; j++)
            for (size_t i = 0; i < t->n_x; i++) {
                const float x = (X[j * t->n_x + i] - p->shift[i]) * p->mul[i];
                finite = finite && isfinite(x);
                X[j * t->n_x + i] = x;
            }
        for (size_t k = 0; !finite && k < n; k++)
            if (!isfinite(X[k]))
                return lnn__err(err, errlen, LNN_ERR_FORMAT,
                                "sample %zu, feature %zu: the value scales "
                                "beyond float32's range (3.4e38)",
                                k / t->n_x + 1, k % t->n_x + 1);
    } else if (p->scale == LNN_SCALE_BYTE) {
        for (size_t k = 0; k < n; k++)
            t->X[k] /= LNN_BYTE_MAX;
    }
    return LNN_OK;
}

lnn_status lnn_net_set_prep(lnn_net *net, const lnn_prep *p)
{
    if (!net)
        return LNN_ERR_ARG;
    lnn_prep copy = {0};
    if (p && lnn__prep_copy(&copy, p) != LNN_OK)
        return lnn__fail(net, LNN_ERR_NOMEM, "out of memory");
    if (net->prep) {
        lnn_prep_free(net->prep);
    } else if (p && !(net->prep = malloc(sizeof *net->prep))) {
        lnn_prep_free(&copy);
        return lnn__fail(net, LNN_ERR_NOMEM, "out of memory");
    }
    if (p) {
        *net->prep = copy;
    } else {
        free(net->prep);
        net->prep = NULL;
    }
    return LNN_OK;
}

const lnn_prep *lnn_net_prep(const lnn_net *net)
{
    return net ? net->prep : NULL;
}

lnn_status lnn_net_set_data_id(lnn_net *net, const lnn_data_id *id)
{
    if (!net || !id)
        return LNN_ERR_ARG;
    if (net->prep)
        net->prep->data = *id;
    else
        net->data = *id;
    return LNN_OK;
}

lnn_data_id lnn_net_data_id(const lnn_net *net)
{
    return !net ? (lnn_data_id){0} : net->prep ? net->prep->data : net->data;
}

/* ------------------------------------------------------------------------ */
/* Model-file records                                                       */
/* ------------------------------------------------------------------------ */

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

/* The columns record (14): u64 n_raw, then per column u32 1 if named,
 * u32 length and the name, u32 other, then its categories as names; and
 * the imputation record (12): u64 n_raw, then per column u32 impute, u32
 * indicator, float32 fill. */
static void put_raw(bytes *b, const lnn_prep *p)
{
    size_t r = begin_record(b, PREP_RAW);
    put(b, p->n_raw, 8);
    for (size_t c = 0; c < p->n_raw; c++) {
        const lnn_prep_column *pc = &p->raw[c];
        const size_t n = pc->name ? strlen(pc->name) : 0;
        put(b, pc->name ? 1 : 0, 4);
        put(b, n > LNN_NAME_MAX ? LNN_NAME_MAX : n, 4);
        unsigned char *q = room(b, n > LNN_NAME_MAX ? LNN_NAME_MAX : n);
        if (q)
            memcpy(q, pc->name, n > LNN_NAME_MAX ? LNN_NAME_MAX : n);
        put(b, (uint64_t)pc->other, 4);
        put_names(b, pc->levels, pc->n_levels);
    }
    end_record(b, r);
    r = begin_record(b, PREP_IMPUTE);
    put(b, p->n_raw, 8);
    for (size_t c = 0; c < p->n_raw; c++) {
        put(b, (uint64_t)p->raw[c].impute, 4);
        put(b, (uint64_t)p->raw[c].indicator, 4);
        put_floats(b, &p->raw[c].fill, 1);
    }
    end_record(b, r);
}

lnn_status lnn__prep_encode(const lnn_prep *p, unsigned char **buf,
                            size_t *len)
{
    bytes b = {.ok = true};
    size_t r;
    if (p->n_x) { /* none: an IDX model's, which has only its data id */
        r = begin_record(&b, PREP_SCALE);
        put(&b, (uint32_t)p->scale, 4);
        put(&b, p->shift ? 1 : 0, 4); /* shift and mul follow */
        put(&b, p->n_x, 8);
        if (p->shift) {
            put_floats(&b, p->shift, p->n_x);
            put_floats(&b, p->mul, p->n_x);
        }
        end_record(&b, r);
    }
    if (p->names) {
        r = begin_record(&b, PREP_LABELS);
        put_names(&b, p->names, p->n_classes);
        end_record(&b, r);
    }
    if (p->split_m) {
        r = begin_record(&b, PREP_SPLIT);
        put(&b, p->split_seed, 8);
        put(&b, p->split_m, 8);
        put(&b, p->split_val, 8);
        put(&b, p->split_test, 8);
        end_record(&b, r);
    }
    if (p->columns) {
        r = begin_record(&b, PREP_COLUMNS);
        put_names(&b, p->columns, p->n_x);
        end_record(&b, r);
    }
    if (p->n_targets) {
        r = begin_record(&b, PREP_TARGETS);
        put(&b, p->n_targets, 8);
        put(&b, p->target_shift ? 1 : 0, 8); /* shift and mul follow */
        if (p->target_shift) {
            put_floats(&b, p->target_shift, p->n_targets);
            put_floats(&b, p->target_mul, p->n_targets);
        }
        put_names(&b, p->target_names, p->n_targets);
        end_record(&b, r);
    }
    if (p->image_width) {
        r = begin_record(&b, PREP_IMAGE);
        put(&b, p->image_width, 4);
        put(&b, p->image_height, 4);
        end_record(&b, r);
    }
    if (p->raw)
        put_raw(&b, p);
    if (p->label) {
        r = begin_record(&b, PREP_LABEL);
        put_names(&b, &p->label, 1);
        end_record(&b, r);
    }
    if (p->skipped && p->n_skipped) {
        r = begin_record(&b, PREP_SKIPPED);
        put_names(&b, p->skipped, p->n_skipped);
        end_record(&b, r);
    }
    if (p->id_name) {
        r = begin_record(&b, PREP_ID);
        put_names(&b, &p->id_name, 1);
        end_record(&b, r);
    }
    if (p->data.rows) {
        r = begin_record(&b, PREP_DATA);
        put(&b, p->data.bytes, 8);
        put(&b, p->data.rows, 8);
        put(&b, p->data.digest, 8);
        const size_t name = strnlen(p->data.name, LNN_DATA_NAME_MAX - 1);
        if (name) { /* an IDX dataset's name */
            put(&b, name, 4);
            unsigned char *q = room(&b, name);
            if (q)
                memcpy(q, p->data.name, name);
        }
        end_record(&b, r);
    }
    if (!b.ok) {
        free(b.p);
        return LNN_ERR_NOMEM;
    }
    *buf = b.p;
    *len = b.n;
    return LNN_OK;
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

/* Records 14 to 17, of the training file's columns; others (newer) are
 * skipped. */
static lnn_status decode_columns(lnn_prep *p, uint32_t tag,
                                 const unsigned char *q, size_t n)
{
    switch (tag) {
    case PREP_RAW: return decode_raw(p, q, n);
    case PREP_LABEL: return decode_one(&p->label, q, n);
    case PREP_ID: return decode_one(&p->id_name, q, n);
    case PREP_SKIPPED:
        return p->skipped ? LNN_ERR_FORMAT
                          : decode_names(&p->skipped, &p->n_skipped, q, n);
    default: return LNN_OK;
    }
}

/* The inputs of the columns are the network's (n_x). */
static bool raw_fits(const lnn_prep *p)
{
    size_t w = 0;
    for (size_t c = 0; c < p->n_raw; c++)
        w += lnn__raw_width(&p->raw[c]);
    return w == p->n_x;
}

lnn_status lnn__prep_decode(lnn_prep *p, const unsigned char *buf,
                            size_t len)
{
    *p = (lnn_prep){0};
    size_t off = 0;
    bool scaled = false, imputed = false;
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
        const unsigned char *q = buf + off;
        switch (tag) {
        case PREP_SCALE: /* once, before the columns it counts */
            s = scaled ? LNN_ERR_FORMAT : decode_scale(p, q, (size_t)n);
            scaled = true;
            break;
        case PREP_LABELS:
            s = p->names ? LNN_ERR_FORMAT
                         : decode_names(&p->names, &p->n_classes, q,
                                        (size_t)n);
            break;
        case PREP_COLUMNS: {
            size_t count = 0;
            s = p->columns || !scaled
                    ? LNN_ERR_FORMAT
                    : decode_names(&p->columns, &count, q, (size_t)n);
            if (s == LNN_OK && count != p->n_x) {
                lnn__names_free(p->columns, count);
                p->columns = NULL;
                s = LNN_ERR_FORMAT;
            }
            break;
        }
        case PREP_TARGETS:
            s = decode_targets(p, q, (size_t)n);
            break;
        case PREP_DATA:
            s = p->data.rows ? LNN_ERR_FORMAT
                             : decode_data(&p->data, q, (size_t)n);
            break;
        case PREP_SPLIT:
            if (n != 32) {
                s = LNN_ERR_FORMAT;
                break;
            }
            p->split_seed = get_le(q, 8);
            p->split_m = (size_t)get_le(q + 8, 8);
            p->split_val = (size_t)get_le(q + 16, 8);
            p->split_test = (size_t)get_le(q + 24, 8);
            break;
        case PREP_IMAGE:
            s = decode_image(p, q, (size_t)n);
            break;
        case PREP_IMPUTE:
            s = decode_impute(p, q, (size_t)n);
            imputed = s == LNN_OK;
            break;
        default: /* the training file's columns, or a newer record */
            s = decode_columns(p, tag, q, (size_t)n);
        }
        off += (size_t)n;
    }
    /* the image's pixels are the features */
    if (s == LNN_OK && p->image_width &&
        (!scaled || p->image_width * p->image_height != p->n_x))
        s = LNN_ERR_FORMAT;
    if (s == LNN_OK && p->raw && (!imputed || !p->shift || !raw_fits(p)))
        s = LNN_ERR_FORMAT;
    if (s != LNN_OK)
        lnn_prep_free(p);
    return s;
}
