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
} csv_reader;

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
    if (r->o->no_label ||
        (r->o->unlabeled_n_x && r->n_cols == r->o->unlabeled_n_x)) {
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

/* Row `line` (its fields in row) into column j of the matrix, and its
 * label's text into *label. The matrix does not move (a team parses rows
 * at once): a value that is not a byte while the matrix is bytes stops the
 * row with *wide set; the caller makes the matrix floats (widen) and
 * parses the row again. */
static lnn_status parse_row(const csv_reader *r, const lnn__fields *row,
                            size_t j, uint64_t line, lnn__field *label,
                            bool *wide, char *err, size_t errlen)
{
    const char *path = r->text.path;
    if (row->n != r->n_cols)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                        "%s:%llu: %zu fields, the %s has %zu", path,
                        (unsigned long long)line, row->n,
                        r->col_names ? "header" : "first row", r->n_cols);
    uint8_t *U = r->M.U ? r->M.U + j * r->M.n_x : NULL;
    float *F = r->M.F ? r->M.F + j * r->M.n_x : NULL;
    size_t i = 0;
    for (size_t c = 0; c < r->n_cols; c++) {
        const lnn__field *f = &row->f[c];
        if (c == r->label_col) {
            if (f->n == 0)
                return lnn__err(err, errlen, LNN_ERR_FORMAT,
                                "%s:%llu: field %zu: an empty label", path,
                                (unsigned long long)line, c + 1);
            if (f->n > LNN_NAME_MAX)
                return lnn__err(err, errlen, LNN_ERR_FORMAT,
                                "%s:%llu: field %zu: a label of %zu bytes, "
                                "more than the %d a model keeps", path,
                                (unsigned long long)line, c + 1, f->n,
                                LNN_NAME_MAX);
            *label = *f;
            continue;
        }
        /* the byte fast path: 1 to 3 digits */
        if (f->n >= 1 && f->n <= 3 && U) {
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
        const lnn__num k = lnn__parse_value(f->s, f->n, &x);
        if (k != LNN_NUM_OK) {
            const char *why = lnn__num_why(k);
            if (f->n == 0)
                return lnn__err(err, errlen, LNN_ERR_FORMAT,
                                "%s:%llu: field %zu: an empty cell", path,
                                (unsigned long long)line, c + 1);
            return lnn__err(err, errlen, LNN_ERR_FORMAT,
                            "%s:%llu: field %zu: \"%.*s%s\" %s", path,
                            (unsigned long long)line, c + 1,
                            (int)(f->n < LNN_QUOTE_TEXT ? f->n
                                                        : LNN_QUOTE_TEXT),
                            f->s, f->n > LNN_QUOTE_TEXT ? "..." : "", why);
        }
        if (U && !(x >= 0.0 && x <= 255.0 && x == (double)(int)x)) {
            *wide = true;
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

/* One data row (r->row) into column m of the matrix and the vocabulary. */
static lnn_status take_row(csv_reader *r, uint64_t line)
{
    lnn_status s = lnn__matrix_reserve(&r->M, r->M.m + 1);
    if (s != LNN_OK)
        return no_room(r, s, r->M.m + 1);
    lnn__field label = {0};
    bool wide = false;
    s = parse_row(r, &r->row, r->M.m, line, &label, &wide, r->err,
                  r->errlen);
    if (s == LNN_OK && wide && (s = widen(r)) == LNN_OK)
        s = parse_row(r, &r->row, r->M.m, line, &label, &wide, r->err,
                      r->errlen);
    if (s == LNN_OK && (s = add_label(r, &label, line)) == LNN_OK)
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
        bool wide = false;
        lnn_status s = split_row(r, r->text.buf + rec->at, rec->len,
                                 rec->line, &row, err, sizeof err);
        if (s == LNN_OK)
            s = parse_row(r, &row, team->m0 + k, rec->line, &rec->label,
                          &wide, err, sizeof err);
        if (s == LNN_OK && !wide)
            continue;
        LNN_OMP(omp critical)
        if (k < team->stop) {
            team->stop = k;
            team->wide = wide;
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
    while (n < LNN_BLOCK_RECORDS && at < t->len) {
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
    if (team.stop != SIZE_MAX)
        return lnn__err(r->err, r->errlen, team.status, "%s", team.err);
    for (size_t k = 0; k < n; k++)
        if ((s = add_label(r, &r->rec[k].label, r->rec[k].line)) != LNN_OK)
            return s;
    r->M.m = m0 + n;
    t->pos = at;
    t->line = line;
    *took = true;
    return LNN_OK;
}

/* The header's names of the feature columns, moved into the table. */
static void give_columns(csv_reader *r, lnn_table *out)
{
    size_t i = 0;
    for (size_t j = 0; j < r->n_cols; j++)
        if (j == r->label_col)
            out->label = r->col_names[j];
        else
            r->col_names[i++] = r->col_names[j];
    out->columns = r->col_names;
    r->col_names = NULL;
}

static void reader_free(csv_reader *r)
{
    for (size_t j = 0; r->col_names && j < r->n_cols; j++)
        free(r->col_names[j]);
    free(r->col_names);
    free(r->row.f);
    free(r->rec);
    lnn__matrix_free(&r->M);
    lnn__vocab_free(&r->v);
    lnn__text_close(&r->text);
}

static bool has_tsv_name(const char *path)
{
    const size_t n = strlen(path);
    return (n >= 4 && strcasecmp(path + n - 4, ".tsv") == 0) ||
           (n >= 7 && strcasecmp(path + n - 7, ".tsv.gz") == 0);
}

lnn_status lnn__csv_load(lnn_table *out, const char *path,
                         const lnn_table_opts *o, char *err, size_t errlen)
{
    csv_reader r = {.o = o, .err = err, .errlen = errlen};
    lnn_status s = lnn__text_open(&r.text, path, err, errlen);
    if (s != LNN_OK)
        return s;
    bool more = true;
    while (s == LNN_OK && r.text.len < 3 && more)
        s = lnn__text_more(&r.text, &more, err, errlen);
    if (s != LNN_OK)
        goto done;
    if (r.text.len >= 3 && memcmp(r.text.buf, LNN_BOM, 3) == 0)
        r.text.pos = 3;
    /* the first line, whole, for the delimiter */
    size_t len = 0, next, lines;
    lnn__rec k;
    while ((k = lnn__csv_record(r.text.buf + r.text.pos,
                                r.text.len - r.text.pos, r.text.eof, &len,
                                &next, &lines)) == LNN_REC_MORE &&
           (s = lnn__text_more(&r.text, &more, err, errlen)) == LNN_OK) {
    }
    if (s != LNN_OK)
        goto done;
    r.delim = o->delimiter         ? o->delimiter
              : has_tsv_name(path) ? '\t'
                                   : detect_delimiter(r.text.buf + r.text.pos,
                                                      len);
    bool got;
    uint64_t line = 1;
    if ((s = next_row(&r, &got, &line)) != LNN_OK)
        goto done;
    if (!got) {
        s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: an empty file", path);
        goto done;
    }
    r.n_cols = r.row.n;
    const bool header = o->header >= 0 ? o->header == 1
                                       : looks_like_header(&r.row, o->label);
    if (header && (s = take_header(&r, line)) != LNN_OK)
        goto done;
    if ((s = choose_label(&r)) != LNN_OK)
        goto done;
    const bool labelled = r.label_col < r.n_cols;
    if (r.n_cols - labelled == 0) {
        s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: a label column and "
                     "no features", path);
        goto done;
    }
    r.M.n_x = r.n_cols - labelled;
    r.M.U = malloc(1); /* bytes until a value is not one */
    if (!r.M.U) {
        s = lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (!header && (s = take_row(&r, line)) != LNN_OK)
        goto done;
    for (;;) {
        bool took;
        if ((s = take_block(&r, &took)) != LNN_OK)
            goto done;
        if (took)
            continue;
        if ((s = next_row(&r, &got, &line)) != LNN_OK)
            goto done;
        if (!got)
            break;
        if ((s = take_row(&r, line)) != LNN_OK)
            goto done;
    }
    if (r.M.m == 0) {
        s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: a header and no rows",
                     path);
        goto done;
    }
    if (gzclose(r.text.gz) != Z_OK) {
        r.text.gz = NULL;
        s = lnn__err(err, errlen, LNN_ERR_FORMAT,
                     "%s: damaged gzip stream", path);
        goto done;
    }
    r.text.gz = NULL;
    s = lnn__table_finish(out, &r.M, &r.v, err, errlen);
    if (s == LNN_OK && r.label_col < r.n_cols)
        out->label_field = r.label_col + 1;
    if (s == LNN_OK && r.col_names)
        give_columns(&r, out);
done:
    reader_free(&r);
    return s;
}
