/* json.h: a small, strict JSON reader, enough for the files lnn-bench
 * writes. The text is parsed once into a flat array of tokens in document
 * order; a token knows where the next sibling starts, so looking a member up
 * skips whole subtrees. */
#ifndef LNN_BENCH_JSON_H
#define LNN_BENCH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_NONE SIZE_MAX /* "no such token" */

typedef enum json_type {
    JSON_NULL, JSON_FALSE, JSON_TRUE, JSON_NUMBER, JSON_STRING, JSON_ARRAY,
    JSON_OBJECT
} json_type;

typedef struct json_token {
    json_type type;
    size_t start, len; /* the raw text: a string's bytes between its quotes
                          (escapes not undone), a number's characters */
    double number;     /* NUMBER: its value */
    size_t count;      /* ARRAY: elements; OBJECT: members, each a key
                          (a STRING token) followed by its value */
    size_t next;       /* the token after this one and all it contains */
} json_token;

typedef struct json_doc {
    const char *text; /* borrowed: must outlive the document */
    size_t len;
    json_token *tok;  /* tok[0] is the top-level value */
    size_t n_tok, cap;
} json_doc;

/* Parse len bytes of text (which may contain NULs: they are errors).
 * Returns 0, or -1 with "line L, column C: what" in err (and an empty
 * document). Free with json_free in either case. */
int json_parse(json_doc *doc, const char *text, size_t len, char *err,
               size_t errlen);
void json_free(json_doc *doc);

/* The value of member `key` of object token obj (the first, if repeated),
 * or JSON_NONE when obj is not an object or has no such member. Keys are
 * compared as written, without undoing escapes. */
size_t json_get(const json_doc *doc, size_t obj, const char *key);

/* The first element of array token arr, or JSON_NONE if arr is not an
 * array or is empty; an element's .next is the element after it. */
size_t json_first(const json_doc *doc, size_t arr);

/* The number of token t; false if t is not a number. */
bool json_number(const json_doc *doc, size_t t, double *out);

/* The string of token t with escapes undone (\uXXXX as UTF-8), NUL-
 * terminated in buf; false if t is not a string, it does not fit, or it
 * contains \u0000. */
bool json_string(const json_doc *doc, size_t t, char *buf, size_t size);

#endif /* LNN_BENCH_JSON_H */
