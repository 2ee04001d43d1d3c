/* libsvm.c: LIBSVM / svmlight tables: "label idx:value idx:value ...",
 * indices from 1 and increasing, "# ..." a comment; rows without a label
 * (all of them, or none) are features alone, to predict; a row that starts
 * with a blank has the empty label (scikit-learn's multi-label row without
 * labels; the label is a comma-separated set there: lnn_table_label_sets). Sparse rows are kept
 * as (index, value) pairs while reading (the feature count is the
 * largest index, known at the end), then made dense. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "numparse.h"
#include "table.h"
#include "util.h"

#define LNN_QUOTE_TEXT 24
#define LNN_DENSE_PER_ENTRY 4096 /* dense cells per stored value, at most */
#define LNN_DENSE_PER_FILE_BYTE 256 /* dense bytes per byte of the file */
#define LNN_DENSE_FREE ((size_t)256 << 20) /* dense bytes any file may ask */

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool lnn__libsvm_line(const char *p, size_t n, lnn__field *label,
                      lnn__svm_entry **e, size_t *count, size_t *cap,
                      char *why, size_t whylen)
{
    const char *hash = memchr(p, '#', n);
    const char *end = hash ? hash : p + n, *q = p;
    *count = 0;
    while (q < end && blank(*q))
        q++;
    const char *t = q;
    while (q < end && !blank(*q))
        q++;
    *label = (lnn__field){q > t ? t : NULL, (size_t)(q - t)};
    if (q > t && memchr(t, ':', (size_t)(q - t))) { /* no label: idx:value */
        label->n = 0;
        q = t;
    }
    uint64_t prev = 0;
    for (;;) {
        while (q < end && blank(*q))
            q++;
        if (q == end)
            return true;
        t = q;
        while (q < end && !blank(*q))
            q++;
        const char *colon = memchr(t, ':', (size_t)(q - t));
        if (!colon) {
            snprintf(why, whylen, "\"%.*s\" is not index:value",
                     (int)((size_t)(q - t) < LNN_QUOTE_TEXT ? q - t
                                                            : LNN_QUOTE_TEXT),
                     t);
            return false;
        }
        uint64_t idx = 0;
        const char *d = t;
        for (; d < colon && (unsigned)(*d - '0') < 10 && idx < UINT32_MAX; d++)
            idx = idx * 10 + (uint64_t)(*d - '0');
        if (d != colon || d == t) {
            snprintf(why, whylen, "index \"%.*s\" is not a number",
                     (int)((size_t)(colon - t) < LNN_QUOTE_TEXT
                               ? colon - t : LNN_QUOTE_TEXT), t);
            return false;
        }
        if (idx == 0) {
            snprintf(why, whylen, "index 0 (indices count from 1)");
            return false;
        }
        if (idx <= prev) {
            snprintf(why, whylen, "index %llu after %llu (indices must "
                     "increase)", (unsigned long long)idx,
                     (unsigned long long)prev);
            return false;
        }
        prev = idx;
        double v;
        const lnn__num k = lnn__parse_value(colon + 1,
                                            (size_t)(q - colon - 1), &v);
        if (k != LNN_NUM_OK) {
            const int w = (int)((size_t)(q - colon - 1) < LNN_QUOTE_TEXT
                                    ? q - colon - 1 : LNN_QUOTE_TEXT);
            snprintf(why, whylen, "index %llu: \"%.*s\" %s",
                     (unsigned long long)idx, w, colon + 1,
                     lnn__num_why(k));
            return false;
        }
        if (!lnn__grow((void **)e, cap, *count, sizeof **e)) {
            snprintf(why, whylen, "out of memory");
            return false;
        }
        (*e)[(*count)++] = (lnn__svm_entry){idx, v};
    }
}

/* All rows, sparse. */
typedef struct sparse {
    uint32_t *idx;   /* 0-based feature of each entry */
    float *val;
    size_t n, cap;
    size_t *row;     /* entries before row j; m + 1 */
    size_t m, row_cap;
    bool bytes;      /* every value so far an integer 0..255 */
    size_t n_x;      /* largest index */
} sparse;

static bool sparse_row(sparse *S, const lnn__svm_entry *e, size_t count)
{
    if (!lnn__grow((void **)&S->row, &S->row_cap, S->m + 1, sizeof *S->row))
        return false;
    if (S->n + count > S->cap) {
        size_t c = S->cap ? S->cap : 4096;
        while (c < S->n + count)
            c *= 2;
        uint32_t *i = realloc(S->idx, c * sizeof *i);
        if (i)
            S->idx = i;
        float *v = i ? realloc(S->val, c * sizeof *v) : NULL;
        if (!v)
            return false;
        S->val = v;
        S->cap = c;
    }
    for (size_t k = 0; k < count; k++) {
        const double x = e[k].val;
        S->bytes = S->bytes && x >= 0.0 && x <= 255.0 && x == (double)(int)x;
        S->idx[S->n] = (uint32_t)(e[k].idx - 1);
        S->val[S->n++] = (float)x;
        if (e[k].idx > S->n_x)
            S->n_x = (size_t)e[k].idx;
    }
    S->row[++S->m] = S->n;
    return true;
}

/* The reader's state: the file, the rows so far and their labels, one
 * line's entries, and where a message goes. */
typedef struct svm_reader {
    lnn__text t;
    sparse S;
    lnn__vocab v;
    lnn__svm_entry *e; /* one line's entries */
    size_t e_cap;
    const char *path;
    const lnn_table_opts *o;
    char *err;
    size_t errlen;
} svm_reader;

/* One line, n bytes at p: parsed, checked against the rows before it,
 * and stored. */
static lnn_status take_line(svm_reader *r, const char *p, size_t n,
                            uint64_t line)
{
    const unsigned long long ln = (unsigned long long)line;
    char why[160];
    if (memchr(p, '\0', n))
        return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT,
                        "%s:%llu: a NUL byte", r->path, ln);
    lnn__field label;
    size_t count;
    if (!lnn__libsvm_line(p, n, &label, &r->e, &count, &r->e_cap, why,
                          sizeof why))
        return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s:%llu: %s",
                        r->path, ln, why);
    if (!label.s)
        return LNN_OK; /* blank or a comment */
    /* " idx:value ...": an empty label (a multi-label row with no label,
     * as scikit-learn writes it; a missing class otherwise) */
    const bool empty = label.n == 0 && blank(p[0]);
    const bool labelled = label.n || empty;
    if (labelled == (r->S.m > 0 && r->v.m == 0) && r->S.m > 0)
        return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s:%llu: %s",
                        r->path, ln, labelled
                            ? "a label, after rows without one"
                            : "no label (rows before it have one)");
    if (label.n > LNN_NAME_MAX)
        return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s:%llu: a "
                        "label of %zu bytes, more than the %d a model keeps",
                        r->path, ln, label.n, LNN_NAME_MAX);
    const size_t n_features = r->o->n_features;
    if (n_features && count && r->e[count - 1].idx > n_features)
        return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s:%llu: index "
                        "%llu beyond the %zu features", r->path, ln,
                        (unsigned long long)r->e[count - 1].idx, n_features);
    if (!sparse_row(&r->S, r->e, count) ||
        (labelled &&
         lnn__vocab_add_line(&r->v, label.s, label.n, line) != LNN_OK))
        return lnn__err(r->err, r->errlen, LNN_ERR_NOMEM, "%s: out of "
                        "memory for %zu stored values (%.1f MiB) after %zu "
                        "rows", r->path, r->S.n + count,
                        (double)(r->S.n + count) * 8 / (1 << 20), r->S.m);
    return LNN_OK;
}

/* Every line of the file, sparse. */
static lnn_status read_rows(svm_reader *r)
{
    lnn__text *t = &r->t;
    for (;;) {
        char *p = t->buf + t->pos;
        const size_t avail = t->len - t->pos;
        char *nl = memchr(p, '\n', avail);
        if (!nl && !t->eof) {
            bool more;
            lnn_status s = lnn__text_more(t, &more, r->err, r->errlen);
            if (s != LNN_OK)
                return s;
            continue;
        }
        if (!nl && avail == 0)
            break;
        const size_t n = nl ? (size_t)(nl - p) : avail;
        const uint64_t line = t->line++;
        t->pos += nl ? n + 1 : n;
        lnn_status s = take_line(r, p, n, line);
        if (s != LNN_OK)
            return s;
    }
    if (r->S.m == 0)
        return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s: no rows",
                        r->path);
    return LNN_OK;
}

/* The dense matrix's cells, n_x x m, if a file of this size may ask for
 * them: one large index must not make a huge dense matrix from a small
 * file (at most LNN_DENSE_PER_ENTRY cells per stored entry), nor a small
 * file, compressed, a huge one (at most LNN_DENSE_PER_FILE_BYTE bytes of
 * matrix per byte of the file, or LNN_DENSE_FREE). */
static lnn_status dense_cells(const svm_reader *r, size_t n_x, size_t *cells)
{
    const sparse *S = &r->S;
    if (!lnn__mul(n_x, S->m, cells) ||
        (!S->bytes && *cells > SIZE_MAX / sizeof(float)))
        return lnn__err(r->err, r->errlen, LNN_ERR_OVERFLOW, "%s: %zu x %zu "
                        "overflows", r->path, n_x, S->m);
    if (*cells / LNN_DENSE_PER_ENTRY > S->n + S->m)
        return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s: %zu rows of "
                        "%zu features would be %zu dense cells for %zu "
                        "stored values (more than %d per value: too sparse "
                        "to make dense)", r->path, S->m, n_x, *cells, S->n,
                        LNN_DENSE_PER_ENTRY);
    struct stat st;
    const double disk = stat(r->path, &st) == 0 ? (double)st.st_size : 0.0;
    const double dense = (double)*cells * (S->bytes ? 1.0 : sizeof(float));
    if (dense > (double)LNN_DENSE_FREE &&
        dense > disk * LNN_DENSE_PER_FILE_BYTE)
        return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s: %zu rows of "
                        "%zu features would be %.0f MiB dense, from a file "
                        "of %.0f bytes (more than %d times its size and %d "
                        "MiB)", r->path, S->m, n_x, dense / (1 << 20), disk,
                        LNN_DENSE_PER_FILE_BYTE,
                        (int)(LNN_DENSE_FREE >> 20));
    return LNN_OK;
}

/* M = the rows made dense: n_x x m, zeros where a row has no entry. */
static lnn_status densify(const svm_reader *r, lnn__matrix *M)
{
    const sparse *S = &r->S;
    M->n_x = r->o->n_features ? r->o->n_features : S->n_x;
    if (M->n_x == 0)
        return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s: no features "
                        "in any row", r->path);
    size_t cells = 0;
    lnn_status s = dense_cells(r, M->n_x, &cells);
    if (s != LNN_OK)
        return s;
    if (S->bytes)
        M->U = calloc(cells, 1);
    else
        M->F = calloc(cells, sizeof(float));
    if (!M->U && !M->F)
        return lnn__err(r->err, r->errlen, LNN_ERR_NOMEM, "%s: out of "
                        "memory for %zu x %zu", r->path, M->n_x, S->m);
    M->m = M->cap = S->m;
    for (size_t j = 0; j < S->m; j++)
        for (size_t k = S->row[j]; k < S->row[j + 1]; k++) {
            const size_t at = j * M->n_x + S->idx[k];
            if (M->U)
                M->U[at] = (uint8_t)S->val[k];
            else
                M->F[at] = S->val[k];
        }
    return LNN_OK;
}

lnn_status lnn__libsvm_load(lnn_table *out, const char *path,
                            const lnn_table_opts *o, char *err, size_t errlen)
{
    svm_reader r = {.S = {.bytes = true, .row = calloc(1, sizeof(size_t)),
                          .row_cap = 1},
                    .path = path, .o = o, .err = err, .errlen = errlen};
    lnn__matrix M = {0};
    lnn_status s = r.S.row ? lnn__text_open(&r.t, path, err, errlen)
                           : lnn__err(err, errlen, LNN_ERR_NOMEM,
                                      "out of memory");
    const bool opened = s == LNN_OK;
    if (s == LNN_OK)
        s = read_rows(&r);
    if (s == LNN_OK) {
        /* every row " idx:value": unlabelled */
        if (r.v.n == 1 && !r.v.names[0][0])
            lnn__vocab_free(&r.v);
        s = densify(&r, &M);
    }
    if (s == LNN_OK)
        s = lnn__table_finish(out, &M, &r.v, err, errlen);
    free(r.e);
    free(r.S.idx);
    free(r.S.val);
    free(r.S.row);
    lnn__matrix_free(&M);
    lnn__vocab_free(&r.v);
    if (opened)
        lnn__text_close(&r.t);
    return s;
}
