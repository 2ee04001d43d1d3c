/* json.c: a strict recursive-descent JSON parser (RFC 8259) into a flat
 * token array. Every byte is checked against the grammar before anything
 * is trusted; nesting is capped, so no input can exhaust the stack. */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_DEPTH_MAX 64  /* lnn-bench's files nest 3 deep */
#define JSON_NUMBER_MAX 64 /* characters in one number */
#define JSON_TOKENS_MIN 64
#define UTF8_REPLACEMENT 0xFFFDu

typedef struct parser {
    json_doc *doc;
    size_t pos;
    char *err;
    size_t errlen;
} parser;

/* Record "line L, column C: what" for byte `at`; returns -1. */
static int fail(parser *p, size_t at, const char *what)
{
    size_t line = 1, col = 1;
    for (size_t i = 0; i < at && i < p->doc->len; i++) {
        if (p->doc->text[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    if (p->err && p->errlen)
        snprintf(p->err, p->errlen, "line %zu, column %zu: %s", line, col,
                 what);
    return -1;
}

static bool at_end(const parser *p)
{
    return p->pos >= p->doc->len;
}

static char peek(const parser *p)
{
    return at_end(p) ? '\0' : p->doc->text[p->pos];
}

static void skip_space(parser *p)
{
    while (peek(p) == ' ' || peek(p) == '\t' || peek(p) == '\n' ||
           peek(p) == '\r')
        p->pos++;
}

/* Append a token; its index, or JSON_NONE when out of memory. */
static size_t new_token(parser *p, json_type type, size_t start)
{
    json_doc *d = p->doc;
    if (d->n_tok == d->cap) {
        const size_t cap = d->cap ? 2 * d->cap : JSON_TOKENS_MIN;
        if (cap > SIZE_MAX / sizeof *d->tok)
            return JSON_NONE;
        json_token *tok = realloc(d->tok, cap * sizeof *tok);
        if (!tok)
            return JSON_NONE;
        d->tok = tok;
        d->cap = cap;
    }
    d->tok[d->n_tok] = (json_token){.type = type, .start = start};
    return d->n_tok++;
}

/* A token that holds nothing (a literal, a number): it ends where it
 * starts. */
static int leaf(parser *p, json_type type, size_t start, size_t len,
                double number)
{
    const size_t t = new_token(p, type, start);
    if (t == JSON_NONE)
        return fail(p, start, "out of memory");
    p->doc->tok[t].len = len;
    p->doc->tok[t].number = number;
    p->doc->tok[t].next = t + 1;
    return 0;
}

static int parse_literal(parser *p, const char *word, json_type type)
{
    const size_t n = strlen(word);
    if (p->doc->len - p->pos < n ||
        memcmp(p->doc->text + p->pos, word, n) != 0)
        return fail(p, p->pos, "invalid literal");
    p->pos += n;
    return leaf(p, type, p->pos - n, n, 0.0);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int parse_number(parser *p)
{
    const size_t start = p->pos;
    if (peek(p) == '-')
        p->pos++;
    if (peek(p) == '0') {
        p->pos++;
    } else if (is_digit(peek(p))) {
        while (is_digit(peek(p)))
            p->pos++;
    } else {
        return fail(p, p->pos, "invalid number");
    }
    if (peek(p) == '.') {
        p->pos++;
        if (!is_digit(peek(p)))
            return fail(p, p->pos, "invalid number: no digit after '.'");
        while (is_digit(peek(p)))
            p->pos++;
    }
    if (peek(p) == 'e' || peek(p) == 'E') {
        p->pos++;
        if (peek(p) == '+' || peek(p) == '-')
            p->pos++;
        if (!is_digit(peek(p)))
            return fail(p, p->pos, "invalid number: no digit in exponent");
        while (is_digit(peek(p)))
            p->pos++;
    }
    const size_t len = p->pos - start;
    char buf[JSON_NUMBER_MAX];
    if (len >= sizeof buf)
        return fail(p, start, "number too long");
    memcpy(buf, p->doc->text + start, len);
    buf[len] = '\0';
    errno = 0;
    const double v = strtod(buf, NULL);
    if (errno == ERANGE && !isfinite(v))
        return fail(p, start, "number out of range");
    return leaf(p, JSON_NUMBER, start, len, v);
}

/* A string at '"': no raw control characters, only JSON's escapes. */
static int parse_string(parser *p)
{
    const size_t open = p->pos++;
    for (;;) {
        if (at_end(p))
            return fail(p, open, "unterminated string");
        const unsigned char c = (unsigned char)p->doc->text[p->pos];
        if (c == '"')
            break;
        if (c < 0x20)
            return fail(p, p->pos, "control character in string");
        p->pos++;
        if (c != '\\')
            continue;
        const char e = peek(p); /* '\0' at the end, which strchr matches */
        if (e != '\0' && strchr("\"\\/bfnrt", e)) {
            p->pos++;
        } else if (e == 'u') {
            p->pos++;
            for (int i = 0; i < 4; i++, p->pos++)
                if (!is_hex(peek(p)))
                    return fail(p, p->pos, "invalid \\u escape");
        } else {
            return fail(p, p->pos, "invalid escape in string");
        }
    }
    p->pos++; /* the closing quote */
    return leaf(p, JSON_STRING, open + 1, p->pos - open - 2, 0.0);
}

static int parse_value(parser *p, int depth);

/* An array or an object, at its opening bracket. */
static int parse_container(parser *p, int depth, bool object)
{
    const char close = object ? '}' : ']';
    const size_t t = new_token(p, object ? JSON_OBJECT : JSON_ARRAY, p->pos);
    if (t == JSON_NONE)
        return fail(p, p->pos, "out of memory");
    p->pos++;
    size_t count = 0;
    skip_space(p);
    if (peek(p) == close) {
        p->pos++;
    } else {
        for (;;) {
            if (object) {
                skip_space(p);
                if (peek(p) != '"')
                    return fail(p, p->pos, "expected a member name");
                if (parse_string(p) != 0)
                    return -1;
                skip_space(p);
                if (peek(p) != ':')
                    return fail(p, p->pos, "expected ':'");
                p->pos++;
            }
            if (parse_value(p, depth + 1) != 0)
                return -1;
            count++;
            skip_space(p);
            if (peek(p) == close) {
                p->pos++;
                break;
            }
            if (peek(p) != ',')
                return fail(p, p->pos, object ? "expected ',' or '}'"
                                              : "expected ',' or ']'");
            p->pos++;
        }
    }
    p->doc->tok[t].count = count;
    p->doc->tok[t].len = p->pos - p->doc->tok[t].start;
    p->doc->tok[t].next = p->doc->n_tok;
    return 0;
}

static int parse_value(parser *p, int depth)
{
    if (depth > JSON_DEPTH_MAX)
        return fail(p, p->pos, "nested too deeply");
    skip_space(p);
    if (at_end(p))
        return fail(p, p->pos, "unexpected end of input");
    switch (peek(p)) {
    case '{': return parse_container(p, depth, true);
    case '[': return parse_container(p, depth, false);
    case '"': return parse_string(p);
    case 't': return parse_literal(p, "true", JSON_TRUE);
    case 'f': return parse_literal(p, "false", JSON_FALSE);
    case 'n': return parse_literal(p, "null", JSON_NULL);
    default:
        if (peek(p) == '-' || is_digit(peek(p)))
            return parse_number(p);
        return fail(p, p->pos, "unexpected character");
    }
}

int json_parse(json_doc *doc, const char *text, size_t len, char *err,
               size_t errlen)
{
    *doc = (json_doc){.text = text, .len = len};
    parser p = {.doc = doc, .err = err, .errlen = errlen};
    if (parse_value(&p, 0) == 0) {
        skip_space(&p);
        if (at_end(&p))
            return 0;
        fail(&p, p.pos, "unexpected text after the value");
    }
    doc->n_tok = 0;
    return -1;
}

void json_free(json_doc *doc)
{
    free(doc->tok);
    *doc = (json_doc){0};
}

size_t json_get(const json_doc *doc, size_t obj, const char *key)
{
    if (obj >= doc->n_tok || doc->tok[obj].type != JSON_OBJECT)
        return JSON_NONE;
    const size_t klen = strlen(key);
    size_t k = obj + 1;
    for (size_t i = 0; i < doc->tok[obj].count; i++) {
        const json_token *kt = &doc->tok[k];
        const size_t v = kt->next;
        if (kt->len == klen && memcmp(doc->text + kt->start, key, klen) == 0)
            return v;
        k = doc->tok[v].next;
    }
    return JSON_NONE;
}

size_t json_first(const json_doc *doc, size_t arr)
{
    if (arr >= doc->n_tok || doc->tok[arr].type != JSON_ARRAY ||
        doc->tok[arr].count == 0)
        return JSON_NONE;
    return arr + 1;
}

bool json_number(const json_doc *doc, size_t t, double *out)
{
    if (t >= doc->n_tok || doc->tok[t].type != JSON_NUMBER)
        return false;
    *out = doc->tok[t].number;
    return true;
}

/* The 4 hex digits at s (already validated). */
static unsigned hex4(const char *s)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        const char c = s[i];
        v = 16 * v + (unsigned)(is_digit(c) ? c - '0'
                                : c >= 'a' ? c - 'a' + 10 : c - 'A' + 10);
    }
    return v;
}

/* Append code point cp as UTF-8; false if it does not fit. */
static bool put_utf8(char *buf, size_t size, size_t *n, unsigned cp)
{
    unsigned char u[4];
    size_t k;
    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        k = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | cp >> 6);
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | cp >> 12);
        u[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        u[0] = (unsigned char)(0xF0 | cp >> 18);
        u[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    if (size - *n <= k) /* keep room for the NUL */
        return false;
    memcpy(buf + *n, u, k);
    *n += k;
    return true;
}

bool json_string(const json_doc *doc, size_t t, char *buf, size_t size)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    if (t >= doc->n_tok || doc->tok[t].type != JSON_STRING || size == 0)
        return false;
    const char *s = doc->text + doc->tok[t].start;
    const size_t len = doc->tok[t].len;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\\') { /* a byte of UTF-8 text, as it is */
            if (size - n <= 1)
                return false;
            buf[n++] = s[i];
            continue;
        }
        const char e = s[++i]; /* the parser has checked every escape */
        unsigned cp;
        if (e != 'u') {
            cp = (unsigned char)to[strchr(from, e) - from];
        } else {
            cp = hex4(s + i + 1);
            i += 4;
            /* A UTF-16 surrogate pair is one code point; a lone surrogate
             * is not a character at all. */
            if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < len &&
                s[i + 1] == '\\' && s[i + 2] == 'u') {
                const unsigned lo = hex4(s + i + 3);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
            }
            if (cp >= 0xD800 && cp < 0xE000)
                cp = UTF8_REPLACEMENT;
        }
        if (cp == 0 || !put_utf8(buf, size, &n, cp))
            return false;
    }
    buf[n] = '\0';
    return true;
}
