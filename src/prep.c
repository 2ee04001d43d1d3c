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
    free(p->na_values);
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
    c.na_values = src->na_values ? strdup(src->na_values) : NULL;
    if (!ok || !c.names != !src->names || !c.columns != !src->columns ||
        !c.weight_column != !src->weight_column ||
        !c.na_values != !src->na_values ||
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

/* Standard scaling of n inputs from the first m_train rows: shift = the
 * mean, mul = 1 / the standard deviation (1 where it is 0); in double, two
 * passes (no cancellation), with a and b of n each as scratch. */
static void fit_standard(const lnn_table *t, size_t m_train, double *a,
                         double *b, float *shift, float *mul)
{
    const size_t n = t->n_x;
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
        shift[i] = (float)a[i];
        mul[i] = sd > 0.0 ? (float)(1.0 / sd) : 1.0f;
    }
}

/* Min-max scaling: shift = the minimum, mul = 1 / the range (1 where it is
 * 0); a and b (the minima and maxima) of n each as scratch. */
static void fit_minmax(const lnn_table *t, size_t m_train, double *a,
                       double *b, float *shift, float *mul)
{
    const size_t n = t->n_x;
    for (size_t i = 0; i < n; i++)
        a[i] = b[i] = at(t, 0, i);
    for (size_t j = 1; j < m_train; j++)
        for (size_t i = 0; i < n; i++) {
            const double x = at(t, j, i);
            a[i] = x < a[i] ? x : a[i];
            b[i] = x > b[i] ? x : b[i];
        }
    for (size_t i = 0; i < n; i++) {
        shift[i] = (float)a[i];
        mul[i] = b[i] > a[i] ? (float)(1.0 / (b[i] - a[i])) : 1.0f;
    }
}

/* out->shift and out->mul of a numeric table by out->scale (standard or
 * minmax), fitted on its first m_train rows. */
static lnn_status fit_affine(lnn_prep *out, const lnn_table *t,
                             size_t m_train, char *err, size_t errlen)
{
    const size_t n = t->n_x;
    double *a = calloc(n ? n : 1, sizeof *a), *b = calloc(n ? n : 1, sizeof *b);
    out->shift = malloc(n ? n * sizeof(float) : 1);
    out->mul = malloc(n ? n * sizeof(float) : 1);
    lnn_status s = LNN_OK;
    if (!a || !b || !out->shift || !out->mul)
        s = lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    else if (out->scale == LNN_SCALE_STANDARD)
        fit_standard(t, m_train, a, b, out->shift, out->mul);
    else
        fit_minmax(t, m_train, a, b, out->shift, out->mul);
    free(a);
    free(b);
    return s;
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
    const lnn_status s = fit_affine(out, t, m_train, err, errlen);
    if (s != LNN_OK)
        lnn_prep_free(out);
    return s;
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
