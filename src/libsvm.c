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

lnn_status lnn__libsvm_load(lnn_table *out, const char *path,
                            const lnn_table_opts *o, char *err, size_t errlen)
{
    lnn__text t;
    lnn_status s = lnn__text_open(&t, path, err, errlen);
    if (s != LNN_OK)
        return s;
    sparse S = {.bytes = true, .row = calloc(1, sizeof(size_t)),
                .row_cap = 1};
    lnn__vocab v = {0};
    lnn__matrix M = {0};
    lnn__svm_entry *e = NULL;
    size_t e_cap = 0;
    char why[160];
    if (!S.row) {
        s = lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (;;) {
        char *p = t.buf + t.pos;
        const size_t avail = t.len - t.pos;
        char *nl = memchr(p, '\n', avail);
        if (!nl && !t.eof) {
            bool more;
            if ((s = lnn__text_more(&t, &more, err, errlen)) != LNN_OK)
                goto done;
            continue;
        }
        if (!nl && avail == 0)
            break;
        const size_t n = nl ? (size_t)(nl - p) : avail;
        const uint64_t line = t.line++;
        t.pos += nl ? n + 1 : n;
        if (memchr(p, '\0', n)) {
            s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s:%llu: a NUL byte",
                         path, (unsigned long long)line);
            goto done;
        }
        lnn__field label;
        size_t count;
        if (!lnn__libsvm_line(p, n, &label, &e, &count, &e_cap, why,
                              sizeof why)) {
            s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s:%llu: %s", path,
                         (unsigned long long)line, why);
            goto done;
        }
        if (!label.s)
            continue; /* blank or a comment */
        /* " idx:value ...": an empty label (a multi-label row with no
         * label, as scikit-learn writes it; a missing class otherwise) */
        const bool empty = label.n == 0 && blank(p[0]);
        const bool labelled = label.n || empty;
        if (labelled == (S.m > 0 && v.m == 0) && S.m > 0) {
            s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s:%llu: %s", path,
                         (unsigned long long)line, labelled
                             ? "a label, after rows without one"
                             : "no label (rows before it have one)");
            goto done;
        }
        if (label.n > LNN_NAME_MAX) {
            s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s:%llu: a label of "
                         "%zu bytes, more than the %d a model keeps", path,
                         (unsigned long long)line, label.n, LNN_NAME_MAX);
            goto done;
        }
        if (o->n_features && count && e[count - 1].idx > o->n_features) {
            s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s:%llu: index %llu "
                         "beyond the %zu features", path,
                         (unsigned long long)line,
                         (unsigned long long)e[count - 1].idx,
                         o->n_features);
            goto done;
        }
        if (!sparse_row(&S, e, count) ||
            (labelled &&
             lnn__vocab_add_line(&v, label.s, label.n, line) != LNN_OK)) {
            s = lnn__err(err, errlen, LNN_ERR_NOMEM, "%s: out of memory for "
                         "%zu stored values (%.1f MiB) after %zu rows", path,
                         S.n + count, (double)(S.n + count) * 8 / (1 << 20),
                         S.m);
            goto done;
        }
    }
    if (S.m == 0) {
        s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: no rows", path);
        goto done;
    }
    if (v.n == 1 && !v.names[0][0]) /* every row " idx:value": unlabelled */
        lnn__vocab_free(&v);
    /* dense: n_x x m, zeros where a row has no entry */
    M.n_x = o->n_features ? o->n_features : S.n_x;
    if (M.n_x == 0) {
        s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: no features in any "
                     "row", path);
        goto done;
    }
    size_t cells;
    if (!lnn__mul(M.n_x, S.m, &cells) ||
        (!S.bytes && cells > SIZE_MAX / sizeof(float))) {
        s = lnn__err(err, errlen, LNN_ERR_OVERFLOW, "%s: %zu x %zu "
                     "overflows", path, M.n_x, S.m);
        goto done;
    }
    /* One large index must not make a huge dense matrix from a small
     * file: at most LNN_DENSE_PER_ENTRY cells per stored entry. */
    if (cells / LNN_DENSE_PER_ENTRY > S.n + S.m) {
        s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: %zu rows of %zu "
                     "features would be %zu dense cells for %zu stored "
                     "values (more than %d per value: too sparse to make "
                     "dense)", path, S.m, M.n_x, cells, S.n,
                     LNN_DENSE_PER_ENTRY);
        goto done;
    }
    /* nor a small file, compressed, a huge one: at most
     * LNN_DENSE_PER_FILE_BYTE bytes of matrix per byte of the file, or
     * LNN_DENSE_FREE */
    struct stat st;
    const double disk = stat(path, &st) == 0 ? (double)st.st_size : 0.0;
    const double dense = (double)cells * (S.bytes ? 1.0 : sizeof(float));
    if (dense > (double)LNN_DENSE_FREE &&
        dense > disk * LNN_DENSE_PER_FILE_BYTE) {
        s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: %zu rows of %zu "
                     "features would be %.0f MiB dense, from a file of %.0f "
                     "bytes (more than %d times its size and %d MiB)", path,
                     S.m, M.n_x, dense / (1 << 20), disk,
                     LNN_DENSE_PER_FILE_BYTE, (int)(LNN_DENSE_FREE >> 20));
        goto done;
    }
    if (S.bytes)
        M.U = calloc(cells, 1);
    else
        M.F = calloc(cells, sizeof(float));
    if (!M.U && !M.F) {
        s = lnn__err(err, errlen, LNN_ERR_NOMEM, "%s: out of memory for "
                     "%zu x %zu", path, M.n_x, S.m);
        goto done;
    }
    M.m = M.cap = S.m;
    for (size_t j = 0; j < S.m; j++)
        for (size_t k = S.row[j]; k < S.row[j + 1]; k++) {
            const size_t at = j * M.n_x + S.idx[k];
            if (M.U)
                M.U[at] = (uint8_t)S.val[k];
            else
                M.F[at] = S.val[k];
        }
    s = lnn__table_finish(out, &M, &v, err, errlen);
done:
    free(e);
    free(S.idx);
    free(S.val);
    free(S.row);
    lnn__matrix_free(&M);
    lnn__vocab_free(&v);
    lnn__text_close(&t);
    return s;
}
