/* target.c: what a table's labels become for the output head: which kind
 * of target a label column looks like, the rows whose label is missing,
 * numeric targets parsed from the labels, and targets taken from feature
 * columns (several outputs). */
#define _POSIX_C_SOURCE 200809L

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "numparse.h"
#include "table.h"
#include "util.h"

/* Integer labels with more distinct values than this are values. */
#define LNN_CLASSES_MAX_GUESSED 50
/* ... and so are those with more distinct values than rows / this. */
#define LNN_ROWS_PER_CLASS_MIN 5

int lnn_is_missing(const char *s)
{
    static const char *const words[] = {"", "NA", "N/A", "NaN", "nan", "?",
                                        "null", "NULL", "None"};
    for (size_t k = 0; s && k < sizeof words / sizeof *words; k++)
        if (strcmp(s, words[k]) == 0)
            return 1;
    return 0;
}

/* A label's value as a finite float32, or false. */
static bool label_number(const char *s, double *v)
{
    return lnn__parse_number(s, strlen(s), v) == LNN_NUM_OK &&
           isfinite(*v) && fabs(*v) <= FLT_MAX;
}

lnn_status lnn_table_guess_target(const lnn_table *t, lnn_target *out,
                                  char *why, size_t whylen)
{
    if (!t || !out || !t->y)
        return lnn__err(why, whylen, LNN_ERR_ARG, "no labels");
    size_t distinct = 0, fractions = 0;
    const char *text = NULL;
    for (size_t c = 0; c < t->n_classes && !text; c++) {
        double v;
        if (lnn_is_missing(t->names[c]))
            continue;
        distinct++;
        if (!label_number(t->names[c], &v))
            text = t->names[c];
        else if (v != floor(v))
            fractions++;
    }
    if (text) {
        *out = LNN_TARGET_CLASSES;
        snprintf(why, whylen, "labels are text (\"%.40s\")", text);
    } else if (fractions) {
        *out = LNN_TARGET_VALUES;
        snprintf(why, whylen, "labels are numbers with fractions");
    } else if (distinct > LNN_CLASSES_MAX_GUESSED ||
               distinct * LNN_ROWS_PER_CLASS_MIN > t->m) {
        *out = LNN_TARGET_VALUES;
        snprintf(why, whylen, "%zu distinct integers in %zu rows", distinct,
                 t->m);
    } else {
        *out = LNN_TARGET_CLASSES;
        snprintf(why, whylen, "%zu distinct integers in %zu rows", distinct,
                 t->m);
    }
    return LNN_OK;
}

void lnn__label_where(const lnn_table *t, size_t c, char *buf, size_t len)
{
    size_t j = 0;
    while (!t->label_lines && j < t->m && (size_t)t->y[j] != c)
        j++;
    int n = t->label_lines ? snprintf(buf, len, "line %llu",
                                      (unsigned long long)t->label_lines[c])
                           : snprintf(buf, len, "row %zu", j + 1);
    if (n >= 0 && (size_t)n < len && t->label_field)
        snprintf(buf + n, len - (size_t)n, t->label ? ", column %zu (\"%.60s\")"
                                                    : ", column %zu",
                 t->label_field, t->label);
}

/* Keep the samples j with keep[j], in order: X (or X_u8), y, T and w. */
static void keep_samples(lnn_table *t, const bool *keep)
{
    const size_t w = t->n_x * (t->X ? sizeof(float) : 1);
    unsigned char *X = t->X ? (unsigned char *)t->X : t->X_u8;
    size_t k = 0;
    for (size_t j = 0; j < t->m; j++) {
        if (!keep[j])
            continue;
        if (k != j) {
            memmove(X + k * w, X + j * w, w);
            if (t->y)
                t->y[k] = t->y[j];
            if (t->T)
                memmove(t->T + k * t->n_t, t->T + j * t->n_t,
                        t->n_t * sizeof *t->T);
            if (t->w)
                t->w[k] = t->w[j];
        }
        k++;
    }
    t->m = k;
}

/* Drop the rows whose label is missing and the missing names from the
 * vocabulary (classes re-indexed, still sorted). */
static lnn_status drop_missing(lnn_table *t, size_t *dropped, char *err,
                               size_t errlen)
{
    int32_t *to = malloc(t->n_classes * sizeof *to);
    bool *keep = malloc(t->m ? t->m : 1);
    if (!to || !keep) {
        free(to);
        free(keep);
        return lnn__err(err, errlen, LNN_ERR_NOMEM,
                        "out of memory for %zu labels", t->m);
    }
    size_t C = 0;
    for (size_t c = 0; c < t->n_classes; c++) {
        if (lnn_is_missing(t->names[c])) {
            to[c] = -1;
            free(t->names[c]);
        } else {
            to[c] = (int32_t)C;
            if (t->label_lines)
                t->label_lines[C] = t->label_lines[c];
            t->names[C++] = t->names[c];
        }
    }
    *dropped = 0;
    for (size_t j = 0; j < t->m; j++) {
        keep[j] = to[t->y[j]] >= 0;
        *dropped += !keep[j];
        t->y[j] = keep[j] ? to[t->y[j]] : 0;
    }
    t->n_classes = C;
    if (*dropped)
        keep_samples(t, keep);
    free(to);
    free(keep);
    if (t->m == 0)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                        "every row's label is missing");
    return LNN_OK;
}

/* T (1 x m) from the labels: the class's number (values) or 1 for the
 * second class (labels). */
static lnn_status labels_to_T(lnn_table *t, lnn_target target, char *err,
                              size_t errlen)
{
    double *value = malloc(t->n_classes * sizeof *value);
    if (!value || !(t->T = malloc(t->m * sizeof *t->T))) {
        free(value);
        return lnn__err(err, errlen, LNN_ERR_NOMEM,
                        "out of memory for %zu targets", t->m);
    }
    for (size_t c = 0; c < t->n_classes; c++) {
        if (target == LNN_TARGET_BINARY) {
            value[c] = (double)c;
        } else if (!label_number(t->names[c], &value[c])) {
            char where[160];
            lnn__label_where(t, c, where, sizeof where);
            lnn_status s = lnn__err(err, errlen, LNN_ERR_FORMAT,
                                    "%s: the target \"%.60s\" is not a "
                                    "number (or beyond float32's range)",
                                    where, t->names[c]);
            free(value);
            return s;
        }
    }
    for (size_t j = 0; j < t->m; j++)
        t->T[j] = (float)value[t->y[j]];
    free(value);
    t->n_t = 1;
    return LNN_OK;
}

lnn_status lnn_table_targets(lnn_table *t, lnn_target target,
                             size_t *dropped, char *err, size_t errlen)
{
    size_t none;
    if (!dropped)
        dropped = &none;
    *dropped = 0;
    if (!t || !t->y || t->T)
        return lnn__err(err, errlen, LNN_ERR_ARG, "no label column");
    lnn_status s = drop_missing(t, dropped, err, errlen);
    if (s != LNN_OK || target == LNN_TARGET_CLASSES)
        return s;
    if (target == LNN_TARGET_BINARY && t->n_classes != 2)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                        "a binary label needs exactly 2 values, the label "
                        "column has %zu", t->n_classes);
    if ((s = labels_to_T(t, target, err, errlen)) != LNN_OK)
        return s;
    if (!(t->targets = calloc(1, sizeof *t->targets)) ||
        !(t->targets[0] = strdup(t->label ? t->label : "y")))
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    if (target == LNN_TARGET_VALUES) {
        free(t->y);
        lnn__names_free(t->names, t->n_classes);
        free(t->label_lines);
        t->y = NULL;
        t->names = NULL;
        t->label_lines = NULL;
        t->n_classes = 0;
    }
    return LNN_OK;
}

/* The feature index a name or index names, or n_x if none. */
static size_t find_column(const lnn_table *t, const char *name)
{
    for (size_t i = 0; t->columns && i < t->n_x; i++)
        if (strcmp(t->columns[i], name) == 0)
            return i;
    char *end;
    const unsigned long long k = strtoull(name, &end, 10);
    if (name[0] >= '0' && name[0] <= '9' && *end == '\0' && k < t->n_x)
        return (size_t)k;
    return t->n_x;
}

/* Feature i of sample j. */
static float feature(const lnn_table *t, size_t i, size_t j)
{
    return t->X ? t->X[i + j * t->n_x] : (float)t->X_u8[i + j * t->n_x];
}

/* Remove the features marked in `take` from X and the column names. */
static void drop_features(lnn_table *t, const bool *take, size_t n_take)
{
    const size_t n_x = t->n_x, n_new = n_x - n_take;
    for (size_t j = 0; j < t->m; j++)
        for (size_t i = 0, k = 0; i < n_x; i++) {
            if (take[i])
                continue;
            if (t->X)
                t->X[k + j * n_new] = t->X[i + j * n_x];
            else
                t->X_u8[k + j * n_new] = t->X_u8[i + j * n_x];
            k++;
        }
    for (size_t i = 0, k = 0; t->columns && i < n_x; i++) {
        if (take[i])
            free(t->columns[i]);
        else
            t->columns[k++] = t->columns[i];
    }
    t->n_x = n_new;
}

/* The names of t's columns, for a message. */
static void list_columns(const lnn_table *t, char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; t->columns && i < t->n_x; i++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "",
                 t->columns[i]);
    if (!t->columns)
        snprintf(buf, len, "indices 0..%zu (no header)", t->n_x - 1);
}

lnn_status lnn_table_take_weights(lnn_table *t, const char *name, char *err,
                                  size_t errlen)
{
    if (!t || !name || t->w)
        return lnn__err(err, errlen, LNN_ERR_ARG, "no weight column");
    const size_t col = find_column(t, name);
    if (col == t->n_x) {
        char cols[512];
        list_columns(t, cols, sizeof cols);
        return lnn__err(err, errlen, LNN_ERR_ARG,
                        "--sample-weight %s: no such column; the columns "
                        "are %s", name, cols);
    }
    if (t->n_x == 1)
        return lnn__err(err, errlen, LNN_ERR_ARG,
                        "--sample-weight %s: the only feature column", name);
    if (!(t->w = malloc((t->m ? t->m : 1) * sizeof *t->w)))
        return lnn__err(err, errlen, LNN_ERR_NOMEM,
                        "out of memory for %zu weights", t->m);
    for (size_t j = 0; j < t->m; j++) {
        t->w[j] = feature(t, col, j);
        if (!(t->w[j] >= 0.0f) || !isfinite(t->w[j])) {
            const double v = t->w[j];
            free(t->w);
            t->w = NULL;
            return lnn__err(err, errlen, LNN_ERR_ARG,
                            "--sample-weight %s: row %zu has weight %g; "
                            "weights must be numbers >= 0", name, j + 1, v);
        }
    }
    bool *take = calloc(t->n_x, sizeof *take);
    if (!take) {
        free(t->w);
        t->w = NULL;
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    }
    take[col] = true;
    drop_features(t, take, 1);
    free(take);
    return LNN_OK;
}

lnn_status lnn_table_take_targets(lnn_table *t, lnn_target target,
                                  char *const *names, size_t n, char *err,
                                  size_t errlen)
{
    if (!t || !names || n == 0 || t->T)
        return lnn__err(err, errlen, LNN_ERR_ARG, "no target columns");
    size_t *col = malloc(n * sizeof *col);
    bool *take = calloc(t->n_x, sizeof *take);
    lnn_status s = LNN_OK;
    if (!col || !take || !(t->T = malloc(n * t->m * sizeof *t->T)) ||
        !(t->targets = calloc(n, sizeof *t->targets))) {
        s = lnn__err(err, errlen, LNN_ERR_NOMEM,
                     "out of memory for %zu x %zu targets", n, t->m);
        goto done;
    }
    for (size_t k = 0; k < n && s == LNN_OK; k++) {
        col[k] = find_column(t, names[k]);
        if (col[k] == t->n_x || take[col[k]]) {
            char cols[512];
            list_columns(t, cols, sizeof cols);
            s = lnn__err(err, errlen, LNN_ERR_ARG,
                         "--label %s: %s; the columns are %s", names[k],
                         col[k] == t->n_x ? "no such column" : "given twice",
                         cols);
        } else {
            take[col[k]] = true;
            s = (t->targets[k] = strdup(names[k])) ? LNN_OK : LNN_ERR_NOMEM;
        }
    }
    if (s == LNN_OK && n >= t->n_x)
        s = lnn__err(err, errlen, LNN_ERR_ARG,
                     "every column is a label: no features left");
    for (size_t j = 0; s == LNN_OK && j < t->m; j++)
        for (size_t k = 0; k < n && s == LNN_OK; k++) {
            const float v = feature(t, col[k], j);
            t->T[k + j * n] = v;
            if (target == LNN_TARGET_BINARY && v != 0.0f && v != 1.0f)
                s = lnn__err(err, errlen, LNN_ERR_FORMAT,
                             "row %zu: label column %s is %g, not 0 or 1",
                             j + 1, names[k], (double)v);
        }
    if (s == LNN_OK) {
        t->n_t = n;
        drop_features(t, take, n);
    }
done:
    if (s != LNN_OK) {
        free(t->T);
        lnn__names_free(t->targets, n);
        t->T = NULL;
        t->targets = NULL;
    }
    free(col);
    free(take);
    return s;
}
