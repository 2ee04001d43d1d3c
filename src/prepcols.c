/* prepcols.c: a table's feature columns made into a network's inputs:
 * missing cells filled (LNN_IMPUTE_LIST), categories one-hot, 0/1
 * indicators of gaps, all fitted on the training part (lnn_prep.raw), and
 * the scaling of the inputs they make. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enums.h"
#include "prepcols.h"
#include "table.h"

#define LNN_BYTE_MAX 255.0

lnn_prep_opts lnn_prep_opts_default(lnn_scale scale)
{
    return (lnn_prep_opts){.scale = scale, .impute = -1};
}

/* ------------------------------------------------------------------------ */
/* The fill of a column: one function per row of LNN_IMPUTE_LIST, over the */
/* training part's n present values v (sorted); category: v are indices.   */
/* ------------------------------------------------------------------------ */

static float impute_error(const double *v, size_t n, bool category)
{
    (void)v;
    (void)n;
    return category ? -1.0f : 0.0f;
}

static float impute_median(const double *v, size_t n, bool category)
{
    (void)category;
    return (float)(n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
}

static float impute_mean(const double *v, size_t n, bool category)
{
    (void)category;
    double sum = 0.0;
    for (size_t k = 0; k < n; k++)
        sum += v[k];
    return (float)(sum / (double)n);
}

/* The most frequent value, the smallest of those tied. */
static float impute_most_frequent(const double *v, size_t n, bool category)
{
    (void)category;
    size_t best = 0, best_run = 0;
    for (size_t k = 0, run = 1; k < n; k++, run++)
        if (k + 1 == n || v[k + 1] != v[k]) {
            if (run > best_run) {
                best = k;
                best_run = run;
            }
            run = 0;
        }
    return (float)v[best];
}

static float impute_zero(const double *v, size_t n, bool category)
{
    (void)v;
    (void)n;
    return category ? -1.0f : 0.0f; /* a category: none, all zeros */
}

typedef float (*impute_fn)(const double *v, size_t n, bool category);
#define IMPUTE_FN_AT(E, value, token, ...) [value] = impute_##token,
static const impute_fn impute_fns[] = {LNN_IMPUTE_LIST(IMPUTE_FN_AT)};
#undef IMPUTE_FN_AT
#define IMPUTE_CAT_AT(E, value, token, name, cat, ...) [value] = cat,
static const lnn_impute impute_cat[] = {LNN_IMPUTE_LIST(IMPUTE_CAT_AT)};
#undef IMPUTE_CAT_AT

static int by_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ------------------------------------------------------------------------ */
/* Columns                                                                  */
/* ------------------------------------------------------------------------ */

void lnn__raw_free(lnn_prep_column *raw, size_t n)
{
    for (size_t c = 0; raw && c < n; c++) {
        free(raw[c].name);
        lnn__names_free(raw[c].levels, raw[c].n_levels);
    }
    free(raw);
}

lnn_status lnn__raw_copy(lnn_prep_column **dst, const lnn_prep_column *src,
                         size_t n)
{
    *dst = NULL;
    if (!src)
        return LNN_OK;
    lnn_prep_column *c = calloc(n ? n : 1, sizeof *c);
    bool ok = c != NULL;
    for (size_t k = 0; ok && k < n; k++) {
        c[k] = src[k];
        c[k].name = NULL;
        c[k].levels = NULL;
        ok = (!src[k].name || (c[k].name = strdup(src[k].name))) &&
             (!src[k].levels ||
              (c[k].levels = lnn__names_copy(src[k].levels,
                                             src[k].n_levels)));
        if (!ok && c[k].name && !c[k].levels) /* keep nothing half made */
            c[k].n_levels = 0;
    }
    if (!ok) {
        lnn__raw_free(c, n);
        return LNN_ERR_NOMEM;
    }
    *dst = c;
    return LNN_OK;
}

size_t lnn__raw_width(const lnn_prep_column *c)
{
    return (c->n_levels || c->other ? c->n_levels + (size_t)c->other : 1) +
           (size_t)c->indicator;
}

size_t lnn_prep_column_width(const lnn_prep_column *c)
{
    return c ? lnn__raw_width(c) : 0;
}

bool lnn__raw_needed(const lnn_table *t)
{
    for (size_t i = 0; t->n_levels && i < t->n_x; i++)
        if (t->n_levels[i])
            return true;
    for (size_t k = 0; t->X && k < t->n_x * t->m; k++)
        if (isnan(t->X[k]))
            return true;
    return false;
}

/* "column 3 \"bill\"" of feature i of t. */
static const char *col_name(const lnn_table *t, size_t i, char *buf,
                            size_t n)
{
    if (t->columns)
        snprintf(buf, n, "column %zu \"%.40s\"", i + 1, t->columns[i]);
    else
        snprintf(buf, n, "column %zu", i + 1);
    return buf;
}

/* A category column's kept categories: those of the training part (v:
 * their indices, sorted), the max most frequent if max > 0 (the rest
 * folded into other); v renumbered to the kept indices (n_kept: other). */
static lnn_status keep_levels(lnn_prep_column *pc, const lnn_table *t,
                              size_t i, double *v, size_t n, size_t max)
{
    const size_t L = t->n_levels[i];
    size_t *count = calloc(L, sizeof *count), *map = malloc(L * sizeof *map);
    lnn_status s = count && map ? LNN_OK : LNN_ERR_NOMEM;
    size_t kept = 0;
    for (size_t k = 0; s == LNN_OK && k < n; k++)
        count[(size_t)v[k]]++;
    for (size_t l = 0; s == LNN_OK && l < L; l++)
        kept += count[l] > 0;
    /* fold: drop the least frequent (the last in order of those tied) */
    while (s == LNN_OK && max && kept > max) {
        size_t worst = L;
        for (size_t l = 0; l < L; l++)
            if (count[l] && (worst == L || count[l] <= count[worst]))
                worst = l;
        count[worst] = 0;
        kept--;
        pc->other = 1;
    }
    if (s == LNN_OK && !(pc->levels = calloc(kept ? kept : 1,
                                             sizeof *pc->levels)))
        s = LNN_ERR_NOMEM;
    for (size_t l = 0, k = 0; s == LNN_OK && l < L; l++) {
        map[l] = count[l] ? k : kept;
        if (count[l] && !(pc->levels[k++] = strdup(t->levels[i][l])))
            s = LNN_ERR_NOMEM;
        pc->n_levels = k;
    }
    for (size_t k = 0; s == LNN_OK && k < n; k++)
        v[k] = (double)map[(size_t)v[k]];
    free(count);
    free(map);
    return s;
}

/* Column i of t: its kind, kept categories and fill, from the training
 * part (v: room for m_train values). */
static lnn_status fit_column(lnn_prep_column *pc, const lnn_table *t,
                             size_t i, size_t m_train,
                             const lnn_prep_opts *o, double *v, char *err,
                             size_t errlen)
{
    char col[96];
    const bool category = t->n_levels && t->n_levels[i];
    size_t n = 0, gaps = 0;
    for (size_t j = 0; j < m_train; j++) {
        const float x = t->X[j * t->n_x + i];
        if (!isnan(x))
            v[n++] = x;
    }
    for (size_t j = 0; j < t->m; j++)
        gaps += isnan(t->X[j * t->n_x + i]);
    if (n == 0)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: every cell of the "
                        "training part is missing (leave it out: --ignore)",
                        col_name(t, i, col, sizeof col));
    const lnn_impute way = o->impute < 0 ? (category ? LNN_IMPUTE_MOST_FREQUENT
                                                     : LNN_IMPUTE_MEDIAN)
                           : category ? impute_cat[o->impute]
                                      : (lnn_impute)o->impute;
    if (way == LNN_IMPUTE_ERROR && gaps)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: %zu missing cells "
                        "(--impute error)", col_name(t, i, col, sizeof col),
                        gaps);
    if (t->columns && !(pc->name = strdup(t->columns[i])))
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    if (category) {
        if (keep_levels(pc, t, i, v, n, o->max_categories) != LNN_OK)
            return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
        if (!o->max_categories && 2 * pc->n_levels > m_train)
            return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: %zu distinct "
                            "values in %zu training rows, more than half: "
                            "not categories? (--ignore it, or "
                            "--max-categories N)",
                            col_name(t, i, col, sizeof col), pc->n_levels,
                            m_train);
    }
    qsort(v, n, sizeof *v, by_double);
    pc->impute = way;
    pc->fill = impute_fns[way](v, n, category);
    pc->indicator = o->missing_indicators && n < m_train;
    return LNN_OK;
}

/* The names of the inputs of p->raw ("bill", "island=Biscoe",
 * "island=(other)", "bill (missing)") into p->columns, if the columns
 * have names. */
static lnn_status input_names(lnn_prep *p)
{
    if (!p->raw[0].name)
        return LNN_OK;
    if (!(p->columns = calloc(p->n_x, sizeof *p->columns)))
        return LNN_ERR_NOMEM;
    size_t k = 0;
    for (size_t c = 0; c < p->n_raw; c++) {
        const lnn_prep_column *pc = &p->raw[c];
        char name[LNN_NAME_MAX + 1];
        const size_t n_in = lnn__raw_width(pc) - (size_t)pc->indicator;
        for (size_t l = 0; l < n_in; l++) {
            if (!pc->n_levels && !pc->other)
                snprintf(name, sizeof name, "%s", pc->name);
            else
                snprintf(name, sizeof name, "%s=%s", pc->name,
                         l < pc->n_levels ? pc->levels[l] : "(other)");
            if (!(p->columns[k++] = strdup(name)))
                return LNN_ERR_NOMEM;
        }
        snprintf(name, sizeof name, "%s (missing)", pc->name);
        if (pc->indicator && !(p->columns[k++] = strdup(name)))
            return LNN_ERR_NOMEM;
    }
    return LNN_OK;
}

/* shift and mul of a number column's input from its training values v
 * (n, gaps filled), as the scaling says; 0/1 inputs keep shift 0, mul 1. */
static void fit_scale(lnn_scale scale, const double *v, size_t n,
                      float *shift, float *mul)
{
    double a = 0.0, b = 0.0;
    if (scale == LNN_SCALE_STANDARD) {
        for (size_t k = 0; k < n; k++)
            a += v[k];
        a /= (double)n;
        for (size_t k = 0; k < n; k++)
            b += (v[k] - a) * (v[k] - a);
        const double sd = sqrt(b / (double)n);
        *shift = (float)a;
        *mul = sd > 0.0 ? (float)(1.0 / sd) : 1.0f;
    } else if (scale == LNN_SCALE_MINMAX) {
        a = b = v[0];
        for (size_t k = 1; k < n; k++) {
            a = v[k] < a ? v[k] : a;
            b = v[k] > b ? v[k] : b;
        }
        *shift = (float)a;
        *mul = b > a ? (float)(1.0 / (b - a)) : 1.0f;
    } else {
        *shift = 0.0f;
        *mul = scale == LNN_SCALE_BYTE ? (float)(1.0 / LNN_BYTE_MAX) : 1.0f;
    }
}

/* The scaling of every input: number columns from their training values,
 * gaps filled (v: room for m_train). */
static lnn_status fit_inputs(lnn_prep *p, const lnn_table *t, size_t m_train,
                             double *v)
{
    if (!(p->shift = malloc(p->n_x * sizeof *p->shift)) ||
        !(p->mul = malloc(p->n_x * sizeof *p->mul)))
        return LNN_ERR_NOMEM;
    size_t k = 0;
    for (size_t c = 0; c < p->n_raw; c++) {
        const lnn_prep_column *pc = &p->raw[c];
        const size_t w = lnn__raw_width(pc);
        for (size_t l = 0; l < w; l++) {
            p->shift[k + l] = 0.0f;
            p->mul[k + l] = 1.0f;
        }
        if (!pc->n_levels && !pc->other) {
            for (size_t j = 0; j < m_train; j++) {
                const float x = t->X[j * t->n_x + c];
                v[j] = isnan(x) ? pc->fill : x;
            }
            fit_scale(p->scale, v, m_train, &p->shift[k], &p->mul[k]);
        }
        k += w;
    }
    return LNN_OK;
}

lnn_status lnn__raw_fit(lnn_prep *p, const lnn_table *t, size_t m_train,
                        const lnn_prep_opts *o, char *err, size_t errlen)
{
    double *v = malloc(m_train * sizeof *v);
    p->n_raw = t->n_x;
    p->raw = calloc(t->n_x ? t->n_x : 1, sizeof *p->raw);
    if (!v || !p->raw) {
        free(v);
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    }
    lnn_status s = LNN_OK;
    for (size_t c = 0; s == LNN_OK && c < t->n_x; c++)
        s = fit_column(&p->raw[c], t, c, m_train, o, v, err, errlen);
    p->n_x = 0;
    for (size_t c = 0; s == LNN_OK && c < t->n_x; c++)
        p->n_x += lnn__raw_width(&p->raw[c]);
    if (s == LNN_OK && (fit_inputs(p, t, m_train, v) != LNN_OK ||
                        input_names(p) != LNN_OK))
        s = lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    free(v);
    return s;
}

/* For each of t's categories of column c, the model's index (-1: not
 * one of them); false: out of memory. */
static bool level_map(const lnn_prep_column *pc, const lnn_table *t,
                      size_t c, int64_t *map)
{
    lnn__vocab known = {0};
    bool ok = true;
    for (size_t l = 0; ok && l < pc->n_levels; l++)
        ok = lnn__vocab_add(&known, pc->levels[l],
                            strlen(pc->levels[l])) == LNN_OK;
    for (size_t l = 0; ok && l < t->n_levels[c]; l++)
        map[l] = lnn__vocab_find(&known, t->levels[c][l],
                                 strlen(t->levels[c][l]));
    lnn__vocab_free(&known);
    return ok;
}

/* Row j's cell of column c into its inputs at Z (w of them). */
static void expand_cell(const lnn_prep_column *pc, float x,
                        const int64_t *map, float *Z, size_t *unseen)
{
    const bool gap = isnan(x);
    const size_t n_in = lnn__raw_width(pc) - (size_t)pc->indicator;
    if (pc->indicator)
        Z[n_in] = gap ? 1.0f : 0.0f;
    if (!pc->n_levels && !pc->other) {
        Z[0] = gap ? pc->fill : x;
        return;
    }
    for (size_t l = 0; l < n_in; l++)
        Z[l] = 0.0f;
    int64_t k = gap ? (int64_t)pc->fill : map[(size_t)x];
    if (!gap && k < 0 && pc->other) /* folded, or never seen */
        k = (int64_t)pc->n_levels;
    else if (!gap && k < 0)
        ++*unseen;
    if (k >= 0)
        Z[k] = 1.0f;
}

/* t's columns are the model's: count, names, kinds. */
static lnn_status check_raw(const lnn_prep *p, const lnn_table *t, char *err,
                            size_t errlen)
{
    if (t->n_x != p->n_raw)
        return lnn__err(err, errlen, LNN_ERR_SHAPE, "the data has %zu "
                        "feature columns, the model's training file had %zu",
                        t->n_x, p->n_raw);
    char col[96];
    for (size_t c = 0; c < p->n_raw; c++) {
        const lnn_prep_column *pc = &p->raw[c];
        const bool category = pc->n_levels || pc->other;
        if (t->columns && pc->name && strcmp(t->columns[c], pc->name) != 0)
            return lnn__err(err, errlen, LNN_ERR_SHAPE, "feature column %zu "
                            "is \"%.40s\", the training data's is "
                            "\"%.40s\"", c + 1, t->columns[c], pc->name);
        if (category != (t->n_levels && t->levels[c]))
            return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: %s, the "
                            "model's training data had %s",
                            col_name(t, c, col, sizeof col),
                            category ? "numbers" : "text",
                            category ? "categories" : "numbers");
    }
    return LNN_OK;
}

lnn_status lnn__raw_apply(const lnn_prep *p, lnn_table *t, char *err,
                          size_t errlen)
{
    lnn_status s = check_raw(p, t, err, errlen);
    if (s != LNN_OK)
        return s;
    size_t max_levels = 1;
    for (size_t c = 0; t->n_levels && c < t->n_x; c++)
        max_levels = t->n_levels[c] > max_levels ? t->n_levels[c]
                                                 : max_levels;
    float *Z = malloc((p->n_x && t->m ? p->n_x * t->m : 1) * sizeof *Z);
    int64_t *map = malloc(max_levels * sizeof *map);
    char **columns = p->columns ? lnn__names_copy(p->columns, p->n_x) : NULL;
    if (!Z || !map || (p->columns && !columns)) {
        free(Z);
        free(map);
        lnn__names_free(columns, p->n_x);
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory for %zu "
                        "x %zu inputs", p->n_x, t->m);
    }
    t->n_unseen = 0;
    for (size_t c = 0, k = 0; c < p->n_raw; c++) {
        const lnn_prep_column *pc = &p->raw[c];
        if (t->n_levels && t->levels[c] && !level_map(pc, t, c, map)) {
            s = lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
            break;
        }
        for (size_t j = 0; j < t->m; j++)
            expand_cell(pc, t->X[j * t->n_x + c], map, Z + j * p->n_x + k,
                        &t->n_unseen);
        k += lnn__raw_width(pc);
    }
    free(map);
    if (s != LNN_OK) {
        free(Z);
        lnn__names_free(columns, p->n_x);
        return s;
    }
    for (size_t i = 0; t->levels && i < t->n_x; i++)
        lnn__names_free(t->levels[i], t->n_levels[i]);
    free(t->levels);
    free(t->n_levels);
    t->levels = NULL;
    t->n_levels = NULL;
    lnn__names_free(t->columns, t->n_x);
    t->columns = columns;
    free(t->X);
    t->X = Z;
    t->n_x = p->n_x;
    return LNN_OK;
}
