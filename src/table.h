/* table.h: what the table readers (csv.c, libsvm.c, npy.c) share: the
 * streaming text reader, the growing feature matrix that stays bytes while
 * it can, and the label vocabulary. */
#ifndef LNN_TABLE_H
#define LNN_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "lnn.h"
#include "status.h"

#define LNN_TEXT_CHUNK ((size_t)1 << 20)  /* bytes read at a time */
#define LNN_TEXT_CHUNK_MIN ((size_t)1 << 12) /* ... from a small file */
#define LNN_LINE_MAX ((size_t)1 << 26)    /* longest record: 64 MiB */
/* A gzip file's text: at most LNN_GZ_RATIO times the file's size, or
 * LNN_GZ_FREE, whichever is more (a bomb is refused, not expanded). */
#define LNN_GZ_RATIO 256
#define LNN_GZ_FREE ((uint64_t)64 << 20)
/* A matrix's first allocation, before it is known how many rows come. */
#define LNN_MATRIX_FIRST_BYTES ((size_t)16 << 20)
#define LNN_MATRIX_FIRST_COLS 256
#define LNN_NAME_MAX 4096 /* bytes of a label or column name a model keeps;
                             a longer one is refused */
#define LNN_COLUMNS_MAX ((size_t)1 << 24) /* columns of a table */

/* A text file, raw or gzip, read in chunks into buf: bytes buf[pos .. len)
 * are not yet consumed; line is the line number of buf[pos]. */
typedef struct lnn__text {
    const char *path;
    gzFile gz;
    char *buf;
    size_t cap, len, pos;
    bool eof;
    uint64_t line;
    uint64_t total;  /* bytes of text read so far */
    uint64_t limit;  /* at most (a gzip file: by its size; else no limit) */
} lnn__text;

lnn_status lnn__text_open(lnn__text *t, const char *path, char *err,
                          size_t errlen);
/* Keep buf[pos .. len), read more after it (growing buf up to
 * LNN_LINE_MAX). *more: whether any byte came. */
lnn_status lnn__text_more(lnn__text *t, bool *more, char *err, size_t errlen);
void lnn__text_close(lnn__text *t);

/* Features arriving one sample (column) at a time: bytes while every value
 * is an integer in 0..255, float32 from the first that is not. */
typedef struct lnn__matrix {
    size_t n_x;
    size_t m;     /* complete columns */
    size_t cap;   /* columns allocated */
    uint8_t *U;   /* n_x x cap, or NULL */
    float *F;     /* n_x x cap, or NULL */
} lnn__matrix;

/* Room for columns 0 .. cols - 1; LNN_ERR_NOMEM/OVERFLOW. The first
 * allocation takes LNN_MATRIX_FIRST_COLS columns, fewer for a row so wide
 * that they would pass LNN_MATRIX_FIRST_BYTES; then capacity doubles. */
lnn_status lnn__matrix_reserve(lnn__matrix *M, size_t cols);
/* The bytes the matrix would take with room for cols columns (for a
 * message; SIZE_MAX on overflow). */
size_t lnn__matrix_bytes(const lnn__matrix *M, size_t cols);
/* From bytes to floats: columns 0 .. m (m included, the one being set). */
lnn_status lnn__matrix_promote(lnn__matrix *M);
void lnn__matrix_free(lnn__matrix *M);

/* Grow an array *p of *cap elements of size sz to hold n + 1 (doubling,
 * from 64). false: out of memory or overflow. */
bool lnn__grow(void **p, size_t *cap, size_t n, size_t sz);
/* Free n names and the array; a copy of n names (NULL: out of memory). */
void lnn__names_free(char **names, size_t n);
char **lnn__names_copy(char *const *names, size_t n);

/* Label names in order of first appearance, with a hash index. */
typedef struct lnn__vocab {
    char **names;
    size_t n, cap;
    uint32_t *slot;  /* open addressing: name index + 1, 0 empty */
    size_t n_slots;  /* a power of two, > 2 n */
    int32_t *y;      /* samples' label indices */
    size_t m, y_cap;
    uint64_t *line;  /* each name's first line in the file
                        (lnn__vocab_add_line), or NULL */
    size_t line_cap;
} lnn__vocab;

/* Append sample label s[0 .. n). */
lnn_status lnn__vocab_add(lnn__vocab *v, const char *s, size_t n);
/* Append sample label s[0 .. n), read on line `line` of its file: every
 * sample of a vocabulary is added with its line, or none is. */
lnn_status lnn__vocab_add_line(lnn__vocab *v, const char *s, size_t n,
                               uint64_t line);
/* Where label c of t first is, for a message: "line 57, column 5
 * (\"y\")" (its line if known, else "row 7"; the label column if
 * known). */
void lnn__label_where(const lnn_table *t, size_t c, char *buf, size_t len);
/* The index of name s[0 .. n), or -1. */
int64_t lnn__vocab_find(const lnn__vocab *v, const char *s, size_t n);
void lnn__vocab_free(lnn__vocab *v);
/* Sort v's names as labels are (all numbers: by value, else bytewise):
 * rank[old index] = new index (v->n of them). v's index (find) is stale
 * after it: the names are to be taken. */
lnn_status lnn__vocab_sort(lnn__vocab *v, size_t *rank);

/* Move M and v into a table: names sorted (all numbers: by value, else
 * bytewise), y renumbered; M and v are emptied. */
lnn_status lnn__table_finish(lnn_table *out, lnn__matrix *M, lnn__vocab *v,
                             char *err, size_t errlen);

/* CSV tokenizing (csv.c; the fuzz target drives these directly). */
typedef struct lnn__field {
    const char *s; /* the text, unquoted */
    size_t n;
} lnn__field;
typedef struct lnn__fields {
    lnn__field *f;
    size_t n, cap;
} lnn__fields;

typedef enum lnn__rec {
    LNN_REC_OK = 0,     /* a whole record */
    LNN_REC_MORE,       /* no record end yet: read more (or, at the end
                           of the file, the record is the rest) */
    LNN_REC_NUL,        /* a NUL byte at *len */
    LNN_REC_UNQUOTED    /* at the end of the file, a quote left open */
} lnn__rec;

/* The record at p[0 .. n): *len its bytes before the line end (a CR
 * before the LF excluded), *next the bytes it takes with the line end,
 * *lines the line ends inside it plus one. eof: p[n] is the end of the
 * file. */
lnn__rec lnn__csv_record(const char *p, size_t n, bool eof, size_t *len,
                         size_t *next, size_t *lines);
/* Split a record p[0 .. n) into fields at delim, unquoting in place
 * (RFC 4180: "" inside quotes is one quote). false: text after a closing
 * quote (field *bad, from 0) or out of memory (*bad = SIZE_MAX). */
bool lnn__csv_split(char *p, size_t n, char delim, lnn__fields *out,
                    size_t *bad);

/* One LIBSVM line p[0 .. n) (no line end, comment allowed): *label the
 * label's text (s NULL: a blank line; n 0: a row without a label, for
 * predict), then each idx:value into idx[], val[] (capacity cap;
 * *count set). false with a message (no path) in why. */
typedef struct lnn__svm_entry {
    uint64_t idx; /* 1-based */
    double val;
} lnn__svm_entry;
bool lnn__libsvm_line(const char *p, size_t n, lnn__field *label,
                      lnn__svm_entry **e, size_t *count, size_t *cap,
                      char *why, size_t whylen);

/* A .npy header: the 10..12 bytes of preamble and the dict that follows.
 * *hlen: the whole header's length once the preamble is known. */
typedef struct lnn__npy_header {
    char kind;         /* 'f' float, 'i' signed, 'u' unsigned */
    size_t item;       /* bytes per element: 1, 4 or 8 */
    bool fortran;
    size_t ndim;       /* 1 or 2 */
    uint64_t shape[2];
} lnn__npy_header;
/* The preamble p[0 .. n): the total header length, or 0 with why. */
size_t lnn__npy_preamble(const unsigned char *p, size_t n, char *why,
                         size_t whylen);
/* The dict p[0 .. n) (after the preamble). */
bool lnn__npy_dict(const char *p, size_t n, lnn__npy_header *h, char *why,
                   size_t whylen);

/* lnn_table_pick_columns; soft: entries that name no column are passed
 * over. */
lnn_status lnn__pick_columns(const char *cols, const char *opt,
                             char *const *names, size_t n, bool soft,
                             int *pick, char *err, size_t errlen);

/* The readers, for lnn_table_load (tableload.c): one per row of
 * LNN_FORMAT_LIST, lnn__NAME_load. */
#define LNN_READER_DECL(E, value, name, ...)                                  \
    lnn_status lnn__##name##_load(lnn_table *out, const char *path,           \
                                  const lnn_table_opts *o, char *err,         \
                                  size_t errlen);
LNN_FORMAT_LIST(LNN_READER_DECL)
#undef LNN_READER_DECL

/* The model file's prep section (io.c): encode into a new buffer, decode
 * from one (every length checked). */
lnn_status lnn__prep_encode(const lnn_prep *p, unsigned char **buf,
                            size_t *len);
lnn_status lnn__prep_decode(lnn_prep *p, const unsigned char *buf,
                            size_t len);
/* Deep copy (dst zeroed on failure). */
lnn_status lnn__prep_copy(lnn_prep *dst, const lnn_prep *src);

#endif /* LNN_TABLE_H */
