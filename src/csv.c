/* csv.c: CSV and TSV tables (RFC 4180), streamed in chunks.
 *
 * A record ends at a line end outside quotes; its fields are split at the
 * delimiter and unquoted in place in the read buffer, then each feature
 * is parsed straight from there (numparse.c) into the growing matrix, so
 * the file's text is never held beyond one chunk. Delimiter: the one
 * given, else tab for .tsv, else the most frequent of , \t ; in the
 * first line. Header: the one given, else the first row is a header if a
 * cell names a label column (label, class, target, y, or --label's
 * name), or a cell other than the last is not a number (the last may be a
 * string label).
 *
 * Rows are parsed by a team of threads in blocks: the records already in
 * the read buffer are found on one thread (lnn__csv_record: quotes, line
 * ends and line numbers exactly as one by one), then split and parsed by
 * the team, each into its own column of the matrix, and their labels go
 * into the vocabulary in file order. Whatever the block cannot take (a
 * record not yet read whole, a NUL, a quote while the matrix is bytes)
 * is left to the one-by-one path, so messages and results are the same
 * for any number of threads. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "numparse.h"
#include "table.h"
#include "threads.h"

#define LNN_BOM "\xEF\xBB\xBF"
#define LNN_QUOTE_TEXT 24    /* characters of a bad cell quoted in a message */
#define LNN_LIST_COLUMNS 200 /* characters of column names listed */
#define LNN_BLOCK_RECORDS 4096 /* records a block takes at most */
#define LNN_BLOCK_PAR_MIN ((size_t)1 << 16) /* bytes below which a block
                                               runs on one thread */
#define LNN_BLOCK_ERRLEN (4096 + 512) /* a team member's message: a path
                                        and what was wrong */

static const char *const label_names[] = {"label", "class", "target", "y"};
/* What a feature cell may say for "missing" when na_values is not given
 * (the empty cell always does). */
static const char *const na_default = LNN_NA_DEFAULT;

lnn__rec lnn__csv_record(const char *p, size_t n, bool eof, size_t *len,
                         size_t *next, size_t *lines)
{
    *lines = 1;
    const char *nl = memchr(p, '\n', n);
    const size_t seg = nl ? (size_t)(nl - p) : n;
    const char *nul = memchr(p, '\0', seg);
    if (nul) {
        *len = (size_t)(nul - p);
        return LNN_REC_NUL;
    }
    if (!memchr(p, '"', seg)) { /* the common case: no quotes */
        if (!nl && !eof)
            return LNN_REC_MORE;
        *len = seg > 0 && p[seg - 1] == '\r' ? seg - 1 : seg;
        *next = nl ? seg + 1 : seg;
        return LNN_REC_OK;
    }
    bool quoted = false;
    for (size_t i = 0; i < n; i++) {
        const char c = p[i];
        if (c == '\0') {
            *len = i;
            return LNN_REC_NUL;
        }
        if (c == '"')
            quoted = !quoted; /* "" toggles twice */
        else if (c == '\n' && !quoted) {
            *len = i > 0 && p[i - 1] == '\r' ? i - 1 : i;
            *next = i + 1;
            return LNN_REC_OK;
        } else if (c == '\n')
            ++*lines;
    }
    if (!eof)
        return LNN_REC_MORE;
    if (quoted)
        return LNN_REC_UNQUOTED;
    *len = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
    *next = n;
    return LNN_REC_OK;
}

static bool push(lnn__fields *out, const char *s, size_t n)
{
    if (out->n == out->cap &&
        !lnn__grow((void **)&out->f, &out->cap, out->n, sizeof *out->f))
        return false;
    out->f[out->n++] = (lnn__field){s, n};
    return true;
}

bool lnn__csv_split(char *p, size_t n, char delim, lnn__fields *out,
                    size_t *bad)
{
    out->n = 0;
    size_t i = 0;
    for (;;) {
        const size_t field = out->n;
        if (i < n && p[i] == '"') {
            /* quoted: unquote into p itself, from i + 1 to w */
            size_t r = i + 1, w = i;
            for (; r < n; r++) {
                if (p[r] == '"') {
                    if (r + 1 < n && p[r + 1] == '"')
                        r++;
                    else
                        break;
                }
                p[w++] = p[r];
            }
            if (r >= n || (r + 1 < n && p[r + 1] != delim)) {
                *bad = field;
                return false;
            }
            if (!push(out, p + i, w - i)) {
                *bad = SIZE_MAX;
                return false;
            }
            i = r + 1;
        } else {
            /* fields are short: a plain loop beats memchr's call */
            size_t e = i;
            while (e < n && p[e] != delim)
                e++;
            if (!push(out, p + i, e - i)) {
                *bad = SIZE_MAX;
                return false;
            }
            i = e;
        }
        if (i >= n)
            return true;
        i++; /* the delimiter */
    }
}

/* The most frequent of , \t ; outside quotes in p[0 .. n) (',' if none). */
static char detect_delimiter(const char *p, size_t n)
{
    size_t count[3] = {0, 0, 0};
    static const char cand[3] = {',', '\t', ';'};
    bool quoted = false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            quoted = !quoted;
        for (int k = 0; k < 3 && !quoted; k++)
            count[k] += p[i] == cand[k];
    }
    int best = 0;
    for (int k = 1; k < 3; k++)
        if (count[k] > count[best])
            best = k;
    return cand[best];
}

static bool is_number(const lnn__field *f)
{
    double v;
    return lnn__parse_number(f->s, f->n, &v) == LNN_NUM_OK;
}

static bool field_is(const lnn__field *f, const char *name)
{
    return strlen(name) == f->n && strncasecmp(f->s, name, f->n) == 0;
}

/* Is a first row of these fields a header? (--label's value counts as a
 * column name unless it is an index.) */
static bool looks_like_header(const lnn__fields *row, const char *label)
{
    if (label && label[0] >= '0' && label[0] <= '9' &&
        strspn(label, "0123456789") == strlen(label))
        label = NULL;
    for (size_t j = 0; j < row->n; j++) {
        for (size_t k = 0; k < sizeof label_names / sizeof *label_names; k++)
            if (field_is(&row->f[j], label_names[k]))
                return true;
        if (label && field_is(&row->f[j], label))
            return true;
        if (j + 1 < row->n && !is_number(&row->f[j]))
            return true;
    }
    return row->n == 1 && !is_number(&row->f[0]);
}

/* A record found for a block: buf[at .. at + len) (without its line end)
 * at line `line`, and its label's text once parsed. */
typedef struct csv_record {
    size_t at, len;
    uint64_t line;
    lnn__field label;
} csv_record;

/* Everything one load needs, for the messages. */
typedef struct csv_reader {
    lnn__text text;
    const lnn_table_opts *o;
    char *err;
    size_t errlen;
    char delim;
    size_t n_cols;
    size_t label_col;  /* n_cols: none */
    char **col_names;  /* the header's, or NULL */
    lnn__fields row;
    lnn__matrix M;
    lnn__vocab v;
    csv_record *rec;   /* a block's records */
    size_t rec_cap;
    const char *na;    /* the texts meaning missing, comma-separated */
    bool na_number;    /* one of them is a number: looked for first */
    int *cat;          /* n_cols: 1 for a category column, or NULL */
    lnn__vocab *lev;   /* n_cols: a category column's names, or NULL */
    size_t text_col;   /* a column found holding text (SIZE_MAX: none) */
    int *skip;         /* n_cols: 1 for a column left out, or NULL */
    size_t n_skip;
    size_t id_col;     /* the id column (SIZE_MAX: none) */
    char **ids;        /* its texts, a row each */
    size_t ids_cap;
} csv_reader;

/* What parsing a row gives besides its values. */
typedef struct row_out {
    lnn__field label;  /* the label's text */
    bool wide;         /* a value that is not a byte: widen, parse again */
    size_t text;       /* a text cell in this column, if text is allowed
                          (SIZE_MAX: none) */
} row_out;

/* Is field f one of the texts meaning missing? */
static bool is_na(const csv_reader *r, const lnn__field *f)
{
    if (f->n == 0)
        return true;
    for (const char *s = r->na;;) {
        const char *comma = strchr(s, ',');
        const size_t k = comma ? (size_t)(comma - s) : strlen(s);
        if (k == f->n && memcmp(s, f->s, k) == 0)
            return true;
        if (!comma)
            return false;
        s = comma + 1;
    }
}

/* "column 3 \"bill\"" (or "column 3" without a header) of file column c. */
static const char *col_name(const csv_reader *r, size_t c, char *buf,
                            size_t n)
{
    if (r->col_names)
        snprintf(buf, n, "column %zu \"%.*s\"", c + 1, LNN_QUOTE_TEXT,
                 r->col_names[c]);
    else
        snprintf(buf, n, "column %zu", c + 1);
    return buf;
}

/* Split record p[0 .. len) of line `line` into row. */
static lnn_status split_row(const csv_reader *r, char *p, size_t len,
                            uint64_t line, lnn__fields *row, char *err,
                            size_t errlen)
{
    size_t bad;
    if (lnn__csv_split(p, len, r->delim, row, &bad))
        return LNN_OK;
    if (bad == SIZE_MAX)
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "%s: out of memory",
                        r->text.path);
    return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s:%llu: field %zu: text "
                    "after its closing quote", r->text.path,
                    (unsigned long long)line, bad + 1);
}

/* The next record into r->row; *got false at the end of the file. */
static lnn_status next_row(csv_reader *r, bool *got, uint64_t *line)
{
    lnn__text *t = &r->text;
    for (;;) {
        size_t len = 0, next = 0, lines = 1;
        const bool eof = t->eof;
        lnn__rec k = t->pos < t->len || eof
                         ? lnn__csv_record(t->buf + t->pos, t->len - t->pos,
                                           eof, &len, &next, &lines)
                         : LNN_REC_MORE;
        if (k == LNN_REC_NUL)
            return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT,
                            "%s:%llu: a NUL byte (a binary file, or UTF-16?)",
                            t->path, (unsigned long long)t->line);
        if (k == LNN_REC_UNQUOTED)
            return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT,
                            "%s:%llu: a quote opened here is never closed",
                            t->path, (unsigned long long)t->line);
        if (k == LNN_REC_MORE) {
            bool more;
            lnn_status s = lnn__text_more(t, &more, r->err, r->errlen);
            if (s != LNN_OK)
                return s;
            continue;
        }
        if (next == 0) { /* the end of the file */
            *got = false;
            return LNN_OK;
        }
        char *p = t->buf + t->pos;
        *line = t->line;
        t->pos += next;
        t->line += lines;
        if (len == 0)
            continue; /* a blank line */
        *got = true;
        return split_row(r, p, len, *line, &r->row, r->err, r->errlen);
    }
}

/* "a, b, c" of the header's names, truncated. */
static const char *list_columns(const csv_reader *r, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < r->n_cols && used + 4 < n; j++) {
        const int w = snprintf(buf + used, n - used, "%s%s", j ? ", " : "",
                               r->col_names[j]);
        if (w < 0 || (size_t)w >= n - used) {
            snprintf(buf + (n > 4 ? n - 4 : 0), 4, "...");
            break;
        }
        used += (size_t)w;
    }
    return buf;
}

/* The label column from --label, the header's names, or the last. */
static lnn_status choose_label(csv_reader *r)
{
    const char *label = r->o->label;
    if (r->o->no_label || (r->o->unlabeled_n_x &&
                           r->n_cols - r->n_skip == r->o->unlabeled_n_x)) {
        r->label_col = r->n_cols; /* no label column */
        return LNN_OK;
    }
    if (label) {
        for (size_t j = 0; r->col_names && j < r->n_cols; j++)
            if (strcmp(r->col_names[j], label) == 0) {
                r->label_col = j;
                return LNN_OK;
            }
        char *end;
        const unsigned long long k = strtoull(label, &end, 10);
        if (*label >= '0' && *label <= '9' && *end == '\0' && k < r->n_cols) {
            r->label_col = (size_t)k;
            return LNN_OK;
        }
        char cols[LNN_LIST_COLUMNS];
        if (r->col_names)
            return lnn__err(r->err, r->errlen, LNN_ERR_ARG,
                            "%s: --label %s names no column; the columns "
                            "are %s (or an index 0..%zu)", r->text.path,
                            label, list_columns(r, cols, sizeof cols),
                            r->n_cols - 1);
        return lnn__err(r->err, r->errlen, LNN_ERR_ARG,
                        "%s: --label %s names no column: the file has no "
                        "header, give an index 0..%zu", r->text.path, label,
                        r->n_cols - 1);
    }
    for (size_t k = 0; r->col_names && k < sizeof label_names /
                                              sizeof *label_names; k++)
        for (size_t j = 0; j < r->n_cols; j++)
            if (strcasecmp(r->col_names[j], label_names[k]) == 0) {
                r->label_col = j;
                return LNN_OK;
            }
    r->label_col = r->n_cols - 1;
    return LNN_OK;
}

/* Keep the header's names; a duplicate (found through a hash of the
 * names, not by comparing every pair), a name longer than a model keeps,
 * or more than LNN_COLUMNS_MAX columns is an error. */
static lnn_status take_header(csv_reader *r, uint64_t line)
{
    const char *path = r->text.path;
    if (r->n_cols > LNN_COLUMNS_MAX)
        return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s:%llu: %zu "
                        "columns, more than the %zu lnn takes", path,
                        (unsigned long long)line, r->n_cols,
                        LNN_COLUMNS_MAX);
    r->col_names = calloc(r->n_cols, sizeof *r->col_names);
    lnn__vocab seen = {0};
    lnn_status s = r->col_names ? LNN_OK : LNN_ERR_NOMEM;
    for (size_t j = 0; s == LNN_OK && j < r->n_cols; j++) {
        const lnn__field *f = &r->row.f[j];
        if (f->n > LNN_NAME_MAX) {
            s = lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s:%llu: column "
                         "%zu's name is %zu bytes, more than the %d a model "
                         "keeps", path, (unsigned long long)line, j + 1,
                         f->n, LNN_NAME_MAX);
            break;
        }
        if (!(r->col_names[j] = strndup(f->s, f->n)) ||
            (s = lnn__vocab_add(&seen, f->s, f->n)) != LNN_OK) {
            s = LNN_ERR_NOMEM;
            break;
        }
        if (seen.n == j) /* not new: the same as column seen.y[j] */
            s = lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s:%llu: "
                         "columns %zu and %zu are both named \"%.*s\"",
                         path, (unsigned long long)line,
                         (size_t)seen.y[j] + 1, j + 1, LNN_QUOTE_TEXT,
                         r->col_names[j]);
    }
    lnn__vocab_free(&seen);
    if (s == LNN_ERR_NOMEM)
        return lnn__err(r->err, r->errlen, s, "%s: out of memory for the "
                        "names of %zu columns", path, r->n_cols);
    return s;
}

/* Missing feature cell f of file column c, row `line`, into *x (NaN), or
 * an error where missing cells are not allowed. */
static lnn_status missing_cell(const csv_reader *r, const lnn__field *f,
                               size_t c, uint64_t line, float *x, char *err,
                               size_t errlen)
{
    char col[LNN_QUOTE_TEXT + 32];
    if (!r->o->missing)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s:%llu: %s: %s%.*s%s "
                        "(missing cells not allowed)", r->text.path,
                        (unsigned long long)line,
                        col_name(r, c, col, sizeof col),
                        f->n ? "a missing cell \"" : "an empty cell",
                        (int)(f->n < LNN_QUOTE_TEXT ? f->n : LNN_QUOTE_TEXT),
                        f->s, f->n ? "\"" : "");
    *x = NAN;
    return LNN_OK;
}

/* Feature cell f of file column c (row `line`) as a number into *x: a
 * byte while U (else *wide), NaN for a missing cell, a text cell told in
 * out->text where text is allowed. */
static lnn_status parse_cell(const csv_reader *r, const lnn__field *f,
                             size_t c, uint64_t line, bool bytes, double *x,
                             row_out *out, char *err, size_t errlen)
{
    float na;
    const lnn__num k = r->na_number && is_na(r, f)
                           ? LNN_NUM_BAD
                           : lnn__parse_value(f->s, f->n, x);
    if (k == LNN_NUM_OK)
        return LNN_OK;
    if (is_na(r, f)) {
        if (bytes && r->o->missing) {
            out->wide = true;
            return LNN_OK;
        }
        lnn_status s = missing_cell(r, f, c, line, &na, err, errlen);
        *x = na;
        return s;
    }
    char col[LNN_QUOTE_TEXT + 32];
    if (r->o->text && k == LNN_NUM_BAD)
        out->text = c;
    return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s:%llu: %s: \"%.*s%s\" "
                    "%s", r->text.path, (unsigned long long)line,
                    col_name(r, c, col, sizeof col),
                    (int)(f->n < LNN_QUOTE_TEXT ? f->n : LNN_QUOTE_TEXT),
                    f->s, f->n > LNN_QUOTE_TEXT ? "..." : "",
                    lnn__num_why(k));
}

/* The label cell f of file column c, row `line`. */
static lnn_status check_label(const csv_reader *r, const lnn__field *f,
                              size_t c, uint64_t line, char *err,
                              size_t errlen)
{
    char col[LNN_QUOTE_TEXT + 32];
    if (f->n == 0)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s:%llu: %s: an empty "
                        "label", r->text.path, (unsigned long long)line,
                        col_name(r, c, col, sizeof col));
    if (f->n > LNN_NAME_MAX)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s:%llu: %s: a label "
                        "of %zu bytes, more than the %d a model keeps",
                        r->text.path, (unsigned long long)line,
                        col_name(r, c, col, sizeof col), f->n, LNN_NAME_MAX);
    return LNN_OK;
}

/* Row `line` (its fields in row) into column j of the matrix, and its
 * label's text into out->label. The matrix does not move (a team parses
 * rows at once): a value that is not a byte while the matrix is bytes
 * stops the row with out->wide set; the caller makes the matrix floats
 * (widen) and parses the row again. A category column's cell is left NaN
 * here: take_row adds it to its names. */
static lnn_status parse_row(const csv_reader *r, const lnn__fields *row,
                            size_t j, uint64_t line, row_out *out, char *err,
                            size_t errlen)
{
    if (row->n != r->n_cols)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                        "%s:%llu: %zu fields, the %s has %zu", r->text.path,
                        (unsigned long long)line, row->n,
                        r->col_names ? "header" : "first row", r->n_cols);
    uint8_t *U = r->M.U ? r->M.U + j * r->M.n_x : NULL;
    float *F = r->M.F ? r->M.F + j * r->M.n_x : NULL;
    size_t i = 0;
    for (size_t c = 0; c < r->n_cols; c++) {
        const lnn__field *f = &row->f[c];
        if (c == r->label_col) {
            lnn_status s = check_label(r, f, c, line, err, errlen);
            if (s != LNN_OK)
                return s;
            out->label = *f;
            continue;
        }
        if (r->skip && r->skip[c])
            continue;
        if (r->cat && r->cat[c]) { /* the matrix is floats */
            F[i++] = NAN;
            continue;
        }
        /* the byte fast path: 1 to 3 digits */
        if (f->n >= 1 && f->n <= 3 && U && !r->na_number) {
            unsigned v = 0;
            size_t k = 0;
            while (k < f->n && (unsigned)(f->s[k] - '0') < 10)
                v = v * 10 + (unsigned)(f->s[k++] - '0');
            if (k == f->n && v <= 255) {
                U[i++] = (uint8_t)v;
                continue;
            }
        }
        double x;
        lnn_status s = parse_cell(r, f, c, line, U != NULL, &x, out, err,
                                  errlen);
        if (s != LNN_OK || out->wide)
            return s;
        if (U && !(x >= 0.0 && x <= 255.0 && x == (double)(int)x)) {
            out->wide = true;
            return LNN_OK;
        }
        if (U)
            U[i++] = (uint8_t)x;
        else
            F[i++] = (float)x;
    }
    return LNN_OK;
}

/* The matrix could not grow to `cols` rows (status s): the message, with
 * the size wanted. */
static lnn_status no_room(csv_reader *r, lnn_status s, size_t cols)
{
    const size_t cap = cols > r->M.cap ? cols : r->M.cap;
    return lnn__err(r->err, r->errlen, s, "%s: out of memory for %zu rows of "
                    "%zu features (%.1f MiB of %s) after %zu rows",
                    r->text.path, cap, r->M.n_x,
                    (double)lnn__matrix_bytes(&r->M, cap) / (1 << 20),
                    r->M.U ? "bytes" : "float32", r->M.m);
}

/* The matrix from bytes to floats, columns 0 .. m (m: the row being
 * parsed). */
static lnn_status widen(csv_reader *r)
{
    const lnn_status s = lnn__matrix_promote(&r->M);
    if (s == LNN_OK)
        return s;
    const lnn__matrix F = {.n_x = r->M.n_x, .F = r->M.F};
    return lnn__err(r->err, r->errlen, s, "%s: out of memory for %zu rows of "
                    "%zu features as float32 (%.1f MiB) after %zu rows",
                    r->text.path, r->M.cap, r->M.n_x,
                    (double)lnn__matrix_bytes(&F, r->M.cap) / (1 << 20),
                    r->M.m);
}

static lnn_status add_label(csv_reader *r, const lnn__field *label,
                            uint64_t line)
{
    if (r->label_col == r->n_cols)
        return LNN_OK; /* no label column */
    const lnn_status s = lnn__vocab_add_line(&r->v, label->s, label->n, line);
    return s == LNN_OK ? s : lnn__err(r->err, r->errlen, s, "%s: out of "
                                      "memory for label %zu (%zu names)",
                                      r->text.path, r->v.m + 1, r->v.n);
}

/* The category cells of r->row (row `line`) into their columns' names,
 * and their indices (in order of first appearance) into column m. */
static lnn_status add_levels(csv_reader *r, uint64_t line)
{
    float *F = r->M.F + r->M.m * r->M.n_x;
    size_t i = 0;
    for (size_t c = 0; c < r->n_cols; c++) {
        if (c == r->label_col || (r->skip && r->skip[c]))
            continue;
        const lnn__field *f = &r->row.f[c];
        char col[LNN_QUOTE_TEXT + 32];
        lnn_status s = LNN_OK;
        if (!r->cat[c]) {
        } else if (is_na(r, f)) {
            s = missing_cell(r, f, c, line, &F[i], r->err, r->errlen);
        } else if (f->n > LNN_NAME_MAX) {
            s = lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s:%llu: %s: a "
                         "category of %zu bytes, more than the %d a model "
                         "keeps", r->text.path, (unsigned long long)line,
                         col_name(r, c, col, sizeof col), f->n, LNN_NAME_MAX);
        } else if ((s = lnn__vocab_add(&r->lev[c], f->s, f->n)) == LNN_OK) {
            F[i] = (float)r->lev[c].y[r->lev[c].m - 1];
        } else {
            s = lnn__err(r->err, r->errlen, s, "%s: out of memory",
                         r->text.path);
        }
        if (s != LNN_OK)
            return s;
        i++;
    }
    return LNN_OK;
}

/* The row's id (r->row's id column) into r->ids. */
static lnn_status add_id(csv_reader *r)
{
    const lnn__field *f = &r->row.f[r->id_col];
    if (!lnn__grow((void **)&r->ids, &r->ids_cap, r->M.m, sizeof *r->ids) ||
        !(r->ids[r->M.m] = strndup(f->s, f->n)))
        return lnn__err(r->err, r->errlen, LNN_ERR_NOMEM, "%s: out of "
                        "memory", r->text.path);
    return LNN_OK;
}

/* One data row (r->row) into column m of the matrix and the vocabulary. */
static lnn_status take_row(csv_reader *r, uint64_t line)
{
    lnn_status s = lnn__matrix_reserve(&r->M, r->M.m + 1);
    if (s != LNN_OK)
        return no_room(r, s, r->M.m + 1);
    row_out out = {.text = SIZE_MAX};
    s = parse_row(r, &r->row, r->M.m, line, &out, r->err, r->errlen);
    if (s == LNN_OK && out.wide && (s = widen(r)) == LNN_OK) {
        out.wide = false;
        s = parse_row(r, &r->row, r->M.m, line, &out, r->err, r->errlen);
    }
    r->text_col = out.text;
    if (s == LNN_OK && r->cat)
        s = add_levels(r, line);
    if (s == LNN_OK && r->id_col != SIZE_MAX)
        s = add_id(r);
    if (s == LNN_OK && (s = add_label(r, &out.label, line)) == LNN_OK)
        r->M.m++;
    return s;
}

/* What a team parsing a block shares: records first .. n of the block go
 * to columns m0 + k; the earliest record that failed or stopped wide. */
typedef struct csv_team {
    csv_reader *r;
    size_t m0, first;
    size_t stop;       /* the earliest such record, or SIZE_MAX */
    bool wide;         /* it stopped wide (else it failed) */
    size_t text;       /* it failed on text in this column, or SIZE_MAX */
    lnn_status status;
    char err[LNN_BLOCK_ERRLEN];
} csv_team;

/* A member's share: records first + k0 .. first + k0 + count. */
static void parse_records(void *ctx, size_t k0, size_t count)
{
    csv_team *team = ctx;
    const csv_reader *r = team->r;
    lnn__fields row = {0};
    char err[LNN_BLOCK_ERRLEN];
    for (size_t k = team->first + k0; k < team->first + k0 + count; k++) {
        csv_record *rec = &r->rec[k];
        row_out out = {.text = SIZE_MAX};
        lnn_status s = split_row(r, r->text.buf + rec->at, rec->len,
                                 rec->line, &row, err, sizeof err);
        if (s == LNN_OK)
            s = parse_row(r, &row, team->m0 + k, rec->line, &out, err,
                          sizeof err);
        rec->label = out.label;
        if (s == LNN_OK && !out.wide)
            continue;
        LNN_OMP(omp critical)
        if (k < team->stop) {
            team->stop = k;
            team->wide = out.wide;
            team->text = out.text;
            team->status = s;
            memcpy(team->err, err, sizeof err);
        }
        break;
    }
    free(row.f);
}

/* The records already read whole at buf[pos ..], as a block: found here
 * (lnn__csv_record), parsed by the team, labelled here in file order.
 * *took false: the next record is for take_row (not read whole, a NUL, a
 * quote while the matrix is bytes, whose unquoting in place would spoil a
 * second parse after widen). */
static lnn_status take_block(csv_reader *r, bool *took)
{
    lnn__text *t = &r->text;
    size_t n = 0, at = t->pos;
    uint64_t line = t->line;
    *took = false;
    while (!r->cat && r->id_col == SIZE_MAX && n < LNN_BLOCK_RECORDS &&
           at < t->len) {
        size_t len, next, lines;
        if (lnn__csv_record(t->buf + at, t->len - at, false, &len, &next,
                            &lines) != LNN_REC_OK ||
            (r->M.U && memchr(t->buf + at, '"', len)))
            break;
        if (len > 0) { /* not a blank line */
            if (!lnn__grow((void **)&r->rec, &r->rec_cap, n, sizeof *r->rec))
                return lnn__err(r->err, r->errlen, LNN_ERR_NOMEM,
                                "%s: out of memory", t->path);
            r->rec[n++] = (csv_record){.at = at, .len = len, .line = line};
        }
        at += next;
        line += lines;
    }
    if (n == 0)
        return LNN_OK;
    const size_t m0 = r->M.m;
    lnn_status s = lnn__matrix_reserve(&r->M, m0 + n);
    if (s != LNN_OK)
        return no_room(r, s, m0 + n);
    const int T = at - t->pos >= LNN_BLOCK_PAR_MIN ? lnn_omp_threads() : 1;
    csv_team team = {.r = r, .m0 = m0, .stop = SIZE_MAX};
    lnn__team_pass(T, n, parse_records, NULL, &team);
    if (team.stop != SIZE_MAX && team.wide) {
        /* bytes up to the record that is not: floats from there on */
        r->M.m = m0 + team.stop;
        if ((s = widen(r)) != LNN_OK)
            return s;
        team.first = team.stop;
        team.stop = SIZE_MAX;
        lnn__team_pass(T, n - team.first, parse_records, NULL, &team);
    }
    if (team.stop != SIZE_MAX) {
        r->text_col = team.text;
        return lnn__err(r->err, r->errlen, team.status, "%s", team.err);
    }
    for (size_t k = 0; k < n; k++)
        if ((s = add_label(r, &r->rec[k].label, r->rec[k].line)) != LNN_OK)
            return s;
    r->M.m = m0 + n;
    t->pos = at;
    t->line = line;
    *took = true;
    return LNN_OK;
}

/* The header's names of the feature columns, moved into the table; those
 * of the columns left out into its skipped list. */
static void give_columns(csv_reader *r, lnn_table *out)
{
    size_t i = 0;
    for (size_t j = 0; j < r->n_cols; j++)
        if (j == r->label_col)
            out->label = r->col_names[j];
        else if (r->skip && r->skip[j])
            free(r->col_names[j]);
        else
            r->col_names[i++] = r->col_names[j];
    out->columns = r->col_names;
    r->col_names = NULL;
}

/* The columns left out, by name (or 1-based index), and the ids. */
static lnn_status give_skipped(csv_reader *r, lnn_table *out)
{
    if (!(out->skipped = calloc(r->n_skip, sizeof *out->skipped)))
        return lnn__err(r->err, r->errlen, LNN_ERR_NOMEM, "out of memory");
    for (size_t c = 0, k = 0; c < r->n_cols; c++) {
        char num[24];
        snprintf(num, sizeof num, "%zu", c + 1);
        const char *name = r->col_names ? r->col_names[c] : num;
        if (!r->skip[c])
            continue;
        if (!(out->skipped[k++] = strdup(name)) ||
            (c == r->id_col && !(out->id_name = strdup(name))))
            return lnn__err(r->err, r->errlen, LNN_ERR_NOMEM, "out of "
                            "memory");
        out->n_skipped = k;
    }
    out->ids = r->ids;
    r->ids = NULL;
    return LNN_OK;
}

/* The category columns' names, sorted, into the table, and their cells'
 * indices renumbered. */
static lnn_status give_levels(csv_reader *r, lnn_table *out)
{
    if (!(out->n_levels = calloc(out->n_x, sizeof *out->n_levels)) ||
        !(out->levels = calloc(out->n_x, sizeof *out->levels)))
        return lnn__err(r->err, r->errlen, LNN_ERR_NOMEM, "out of memory");
    size_t i = 0;
    for (size_t c = 0; c < r->n_cols; c++) {
        if (c == r->label_col || (r->skip && r->skip[c]))
            continue;
        lnn__vocab *v = &r->lev[c];
        size_t *rank = malloc((v->n ? v->n : 1) * sizeof *rank);
        if (!rank || lnn__vocab_sort(v, rank) != LNN_OK) {
            free(rank);
            return lnn__err(r->err, r->errlen, LNN_ERR_NOMEM, "out of "
                            "memory");
        }
        for (size_t j = 0; r->cat[c] && j < out->m; j++) {
            float *x = &out->X[j * out->n_x + i];
            if (!isnan(*x))
                *x = (float)rank[(size_t)*x];
        }
        free(rank);
        if (r->cat[c]) { /* a column with no cell but gaps has no names */
            out->levels[i] = v->names ? v->names
                                      : calloc(1, sizeof(char *));
            out->n_levels[i] = v->n;
            v->names = NULL;
            v->n = 0;
            if (!out->levels[i])
                return lnn__err(r->err, r->errlen, LNN_ERR_NOMEM, "out of "
                                "memory");
        }
        i++;
    }
    return LNN_OK;
}

static void reader_free(csv_reader *r)
{
    for (size_t j = 0; r->col_names && j < r->n_cols; j++)
        free(r->col_names[j]);
    for (size_t j = 0; r->lev && j < r->n_cols; j++)
        lnn__vocab_free(&r->lev[j]);
    free(r->lev);
    free(r->cat);
    free(r->skip);
    for (size_t j = 0; r->ids && j < r->M.m; j++)
        free(r->ids[j]);
    free(r->ids);
    free(r->col_names);
    free(r->row.f);
    free(r->rec);
    lnn__matrix_free(&r->M);
    lnn__vocab_free(&r->v);
    lnn__text_close(&r->text);
    *r = (csv_reader){.o = r->o, .err = r->err, .errlen = r->errlen};
}

static bool has_tsv_name(const char *path)
{
    const size_t n = strlen(path);
    return (n >= 4 && strcasecmp(path + n - 4, ".tsv") == 0) ||
           (n >= 7 && strcasecmp(path + n - 7, ".tsv.gz") == 0);
}

/* Does one of the texts meaning missing read as a number? */
static bool na_has_number(const char *na)
{
    for (const char *s = na;;) {
        const char *comma = strchr(s, ',');
        const size_t k = comma ? (size_t)(comma - s) : strlen(s);
        double v;
        if (lnn__parse_number(s, k, &v) == LNN_NUM_OK)
            return true;
        if (!comma)
            return false;
        s = comma + 1;
    }
}

/* --ignore and --id: the columns left out (before the label is chosen:
 * a file without it has fewer columns). */
static lnn_status leave_out(csv_reader *r)
{
    const lnn_table_opts *o = r->o;
    const bool soft = o->soft_columns;
    r->id_col = SIZE_MAX;
    if (!o->ignore && !o->columns && !o->id)
        return LNN_OK;
    int *id = calloc(r->n_cols, sizeof *id);
    lnn_status s = id && (r->skip = calloc(r->n_cols, sizeof *r->skip))
                       ? LNN_OK
                       : lnn__err(r->err, r->errlen, LNN_ERR_NOMEM, "out of "
                                  "memory");
    if (s == LNN_OK && o->ignore)
        s = lnn__pick_columns(o->ignore, "--ignore", r->col_names, r->n_cols,
                              soft, r->skip, r->err, r->errlen);
    if (s == LNN_OK && o->id)
        s = lnn__pick_columns(o->id, "--id", r->col_names, r->n_cols, soft,
                              id, r->err, r->errlen);
    for (size_t c = 0; s == LNN_OK && c < r->n_cols; c++) {
        if (id[c] && r->id_col != SIZE_MAX)
            s = lnn__err(r->err, r->errlen, LNN_ERR_ARG, "--id %s: one "
                         "column, not several", o->id);
        if (id[c])
            r->id_col = c;
        r->skip[c] |= id[c];
        r->n_skip += r->skip[c] != 0;
    }
    free(id);
    return s;
}

/* --columns: the features named, the others left out (but the label and
 * the id); the label never left out. */
static lnn_status keep_columns(csv_reader *r)
{
    const lnn_table_opts *o = r->o;
    char col[LNN_QUOTE_TEXT + 32];
    if (r->skip && r->label_col < r->n_cols && r->skip[r->label_col])
        return lnn__err(r->err, r->errlen, LNN_ERR_ARG, "%s: the label, "
                        "%s, is left out (--ignore, --id)",
                        r->text.path, col_name(r, r->label_col, col,
                                               sizeof col));
    if (!o->columns)
        return LNN_OK;
    int *keep = calloc(r->n_cols, sizeof *keep);
    lnn_status s = keep ? lnn__pick_columns(o->columns, "--columns",
                                            r->col_names, r->n_cols, false,
                                            keep, r->err, r->errlen)
                        : lnn__err(r->err, r->errlen, LNN_ERR_NOMEM, "out "
                                   "of memory");
    for (size_t c = 0; s == LNN_OK && c < r->n_cols; c++)
        if (!keep[c] && !r->skip[c] && c != r->label_col) {
            r->skip[c] = 1;
            r->n_skip++;
        }
    free(keep);
    return s;
}

/* Open the file, find its delimiter, read its first row (into r->row,
 * at *line), the header's names and the label column. */
static lnn_status start(csv_reader *r, const char *path, bool *header,
                        uint64_t *line)
{
    lnn_status s = lnn__text_open(&r->text, path, r->err, r->errlen);
    bool more = true;
    while (s == LNN_OK && r->text.len < 3 && more)
        s = lnn__text_more(&r->text, &more, r->err, r->errlen);
    if (s != LNN_OK)
        return s;
    if (r->text.len >= 3 && memcmp(r->text.buf, LNN_BOM, 3) == 0)
        r->text.pos = 3;
    /* the first line, whole, for the delimiter */
    size_t len = 0, next, lines;
    while (lnn__csv_record(r->text.buf + r->text.pos,
                           r->text.len - r->text.pos, r->text.eof, &len,
                           &next, &lines) == LNN_REC_MORE &&
           (s = lnn__text_more(&r->text, &more, r->err, r->errlen)) ==
               LNN_OK) {
    }
    if (s != LNN_OK)
        return s;
    const lnn_table_opts *o = r->o;
    r->delim = o->delimiter         ? o->delimiter
               : has_tsv_name(path) ? '\t'
                                    : detect_delimiter(r->text.buf +
                                                           r->text.pos, len);
    r->na = o->na_values ? o->na_values : na_default;
    r->na_number = na_has_number(r->na);
    r->text_col = SIZE_MAX;
    bool got;
    *line = 1;
    if ((s = next_row(r, &got, line)) != LNN_OK)
        return s;
    if (!got)
        return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s: an empty "
                        "file", path);
    r->n_cols = r->row.n;
    *header = o->header >= 0 ? o->header == 1
                             : looks_like_header(&r->row, o->label);
    if (*header && (s = take_header(r, *line)) != LNN_OK)
        return s;
    if ((s = leave_out(r)) != LNN_OK || (s = choose_label(r)) != LNN_OK ||
        (s = keep_columns(r)) != LNN_OK)
        return s;
    if (r->n_cols - (r->label_col < r->n_cols) - r->n_skip == 0)
        return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s: a label "
                        "column and no features", path);
    return LNN_OK;
}

/* The category columns: --categorical's and those in cat (from a scan),
 * each with its names; the matrix floats from the start. */
static lnn_status set_categories(csv_reader *r, const int *cat)
{
    const lnn_table_opts *o = r->o;
    if (!o->categorical && !cat)
        return LNN_OK;
    if (!(r->cat = calloc(r->n_cols, sizeof *r->cat)) ||
        !(r->lev = calloc(r->n_cols, sizeof *r->lev)))
        return lnn__err(r->err, r->errlen, LNN_ERR_NOMEM, "out of memory");
    lnn_status s = o->categorical
                       ? lnn_table_pick_columns(o->categorical,
                                                "--categorical", r->col_names,
                                                r->n_cols, r->cat, r->err,
                                                r->errlen)
                       : LNN_OK;
    for (size_t c = 0; cat && c < r->n_cols; c++)
        r->cat[c] |= cat[c];
    for (size_t c = 0; r->skip && c < r->n_cols; c++)
        r->cat[c] &= !r->skip[c];
    if (s == LNN_OK && r->label_col < r->n_cols)
        r->cat[r->label_col] = 0;
    return s;
}

/* Every data row into the matrix (the first row too, if not a header). */
static lnn_status read_rows(csv_reader *r, bool header, uint64_t line)
{
    const bool labelled = r->label_col < r->n_cols;
    r->M.n_x = r->n_cols - labelled - r->n_skip;
    /* bytes until a value is not one; floats for categories */
    void *first = malloc(1);
    if (!first)
        return lnn__err(r->err, r->errlen, LNN_ERR_NOMEM, "out of memory");
    if (r->cat)
        r->M.F = first;
    else
        r->M.U = first;
    lnn_status s = header ? LNN_OK : take_row(r, line);
    for (bool got = true; s == LNN_OK && got;) {
        bool took;
        if ((s = take_block(r, &took)) != LNN_OK || took)
            continue;
        if ((s = next_row(r, &got, &line)) == LNN_OK && got)
            s = take_row(r, line);
    }
    if (s != LNN_OK)
        return s;
    if (r->M.m == 0)
        return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s: a header "
                        "and no rows", r->text.path);
    const int z = gzclose(r->text.gz);
    r->text.gz = NULL;
    if (z != Z_OK)
        return lnn__err(r->err, r->errlen, LNN_ERR_FORMAT, "%s: damaged gzip "
                        "stream", r->text.path);
    return LNN_OK;
}

/* After a text cell: every column holding one, marked in cat (n_cols). */
static lnn_status scan_text(csv_reader *r, int *cat)
{
    uint64_t line;
    bool got = true, header;
    lnn_status s = start(r, r->text.path, &header, &line);
    if (s == LNN_OK && header)
        s = next_row(r, &got, &line);
    for (; s == LNN_OK && got; s = next_row(r, &got, &line)) {
        if (r->row.n != r->n_cols)
            continue; /* the parse says so */
        for (size_t c = 0; c < r->n_cols; c++) {
            const lnn__field *f = &r->row.f[c];
            double v;
            cat[c] |= c != r->label_col && !(r->skip && r->skip[c]) &&
                      !is_na(r, f) &&
                      lnn__parse_value(f->s, f->n, &v) == LNN_NUM_BAD;
        }
    }
    return s;
}

/* One pass over the file: the table, or the failure; cat: category
 * columns found by a scan (or NULL). */
static lnn_status load_pass(csv_reader *r, lnn_table *out, const char *path,
                            const int *cat)
{
    uint64_t line;
    bool header;
    lnn_status s = start(r, path, &header, &line);
    if (s == LNN_OK)
        s = set_categories(r, cat);
    if (s == LNN_OK)
        s = read_rows(r, header, line);
    if (s == LNN_OK)
        s = lnn__table_finish(out, &r->M, &r->v, r->err, r->errlen);
    if (s == LNN_OK && r->cat)
        s = give_levels(r, out);
    if (s == LNN_OK && r->skip)
        s = give_skipped(r, out);
    if (s == LNN_OK && r->col_names)
        give_columns(r, out);
    if (s == LNN_OK && r->label_col < r->n_cols)
        out->label_field = r->label_col + 1;
    return s;
}

lnn_status lnn__csv_load(lnn_table *out, const char *path,
                         const lnn_table_opts *o, char *err, size_t errlen)
{
    csv_reader r = {.o = o, .err = err, .errlen = errlen};
    lnn_status s = load_pass(&r, out, path, NULL);
    if (s == LNN_ERR_FORMAT && r.text_col != SIZE_MAX) {
        /* text in a feature column: find every such column, read again */
        const size_t n = r.n_cols;
        int *cat = calloc(n, sizeof *cat);
        reader_free(&r);
        lnn_table_free(out);
        s = cat ? LNN_OK : lnn__err(err, errlen, LNN_ERR_NOMEM, "out of "
                                    "memory");
        if (s == LNN_OK)
            r.text.path = path;
        if (s == LNN_OK && (s = scan_text(&r, cat)) == LNN_OK) {
            reader_free(&r);
            s = load_pass(&r, out, path, cat);
        }
        free(cat);
    }
    if (s != LNN_OK)
        lnn_table_free(out);
    reader_free(&r);
    return s;
}
