/* labelsets.c: LIBSVM's multi-label rows ("1,3 idx:value ..."): a table's
 * labels, each a comma-separated set, as one 0/1 target per label
 * (lnn_table_label_sets). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"
#include "table.h"
#include "util.h"

/* More labels than this, and more than one per two rows, are refused (the
 * class limit of lnn train): the targets are dense, labels x rows. */
#define LNN_LABELS_FREE 64
#define LNN_QUOTE_SET 60

/* The next label of set s from *at: its text [*tok, *tok + *n); false at
 * the end of the set. An empty set ("") has none. */
static bool next_label(const char *s, size_t *at, const char **tok,
                       size_t *n)
{
    if (!s[*at] && (*at == 0 || s[*at - 1] != ','))
        return false;
    *tok = s + *at;
    const char *comma = strchr(*tok, ',');
    *n = comma ? (size_t)(comma - *tok) : strlen(*tok);
    *at += *n + (comma ? 1 : 0);
    return true;
}

/* A label and its number, for sorting as classes are sorted. */
typedef struct label {
    size_t index; /* in the vocabulary */
    const char *name;
    double value;
} label;

static int by_value(const void *a, const void *b)
{
    const double x = ((const label *)a)->value, y = ((const label *)b)->value;
    return (x > y) - (x < y);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const label *)a)->name, ((const label *)b)->name);
}

/* rank[k]: the place of vocabulary name k among them all, sorted (all
 * numbers: by value, else bytewise). */
static lnn_status sort_labels(const lnn__vocab *L, size_t *rank)
{
    label *s = malloc(L->n * sizeof *s);
    if (!s)
        return LNN_ERR_NOMEM;
    bool numeric = true;
    for (size_t k = 0; k < L->n; k++) {
        s[k] = (label){.index = k, .name = L->names[k]};
        numeric = numeric && lnn__parse_number(L->names[k],
                                               strlen(L->names[k]),
                                               &s[k].value) == LNN_NUM_OK;
    }
    qsort(s, L->n, sizeof *s, numeric ? by_value : by_name);
    for (size_t k = 0; k < L->n; k++)
        rank[s[k].index] = k;
    free(s);
    return LNN_OK;
}

/* Every label of every set into L (given: only check they are in it). */
static lnn_status collect(const lnn_table *t, lnn__vocab *L, bool given,
                          char *err, size_t errlen)
{
    char where[160];
    for (size_t c = 0; c < t->n_classes; c++) {
        const char *set = t->names[c], *tok;
        size_t at = 0, n;
        while (next_label(set, &at, &tok, &n)) {
            if (n && lnn__vocab_find(L, tok, n) >= 0)
                continue;
            if (n == 0 || given)
                lnn__label_where(t, c, where, sizeof where);
            if (n == 0)
                return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: an empty "
                                "label in the set \"%.*s\"", where,
                                LNN_QUOTE_SET, set);
            if (given)
                return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: the label "
                                "\"%.*s\" is not one of the model's %zu",
                                where,
                                (int)(n < LNN_QUOTE_SET ? n : LNN_QUOTE_SET),
                                tok, L->n);
            if (lnn__vocab_add(L, tok, n) != LNN_OK)
                return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory "
                                "for %zu labels", L->n + 1);
        }
    }
    if (L->n == 0)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "no row has a label");
    if (L->n > LNN_LABELS_FREE && L->n > t->m / 2)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%zu labels in %zu rows: "
                        "more than one label per two rows (an id, not a "
                        "label?)", L->n, t->m);
    return LNN_OK;
}

/* T (n_t x m, zeroed): T[rank of label, j] = 1 for each label of row j. */
static void fill(float *T, const lnn_table *t, const lnn__vocab *L,
                 const size_t *rank)
{
    for (size_t j = 0; j < t->m; j++) {
        const char *set = t->names[t->y[j]], *tok;
        size_t at = 0, n;
        while (next_label(set, &at, &tok, &n))
            T[rank[lnn__vocab_find(L, tok, n)] + j * L->n] = 1.0f;
    }
}

lnn_status lnn_table_label_sets(lnn_table *t, char *const *names, size_t n,
                                char *err, size_t errlen)
{
    if (!t || !t->y || !t->names || t->T || (n && !names))
        return lnn__err(err, errlen, LNN_ERR_ARG, "no label sets");
    lnn__vocab L = {0};
    lnn_status s = LNN_OK;
    for (size_t k = 0; k < n && s == LNN_OK; k++)
        s = lnn__vocab_find(&L, names[k], strlen(names[k])) >= 0
                ? LNN_ERR_ARG
                : lnn__vocab_add(&L, names[k], strlen(names[k]));
    if (s != LNN_OK) {
        lnn__vocab_free(&L);
        return lnn__err(err, errlen, s, "the model's labels: %s",
                        s == LNN_ERR_ARG ? "one is given twice"
                                         : "out of memory");
    }
    if ((s = collect(t, &L, n > 0, err, errlen)) != LNN_OK) {
        lnn__vocab_free(&L);
        return s;
    }
    size_t *rank = malloc(L.n * sizeof *rank), cells;
    float *T = NULL;
    char **targets = calloc(L.n, sizeof *targets);
    if (rank && targets && lnn__mul(L.n, t->m, &cells) &&
        cells <= SIZE_MAX / sizeof *T)
        T = calloc(cells ? cells : 1, sizeof *T);
    if (!T || (!n && sort_labels(&L, rank) != LNN_OK))
        s = lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory for %zu x "
                     "%zu targets", L.n, t->m);
    for (size_t k = 0; s == LNN_OK && k < L.n; k++) {
        if (n)
            rank[k] = k; /* the model's order */
        if (!(targets[rank[k]] = strdup(L.names[k])))
            s = lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    }
    if (s == LNN_OK) {
        fill(T, t, &L, rank);
        free(t->y);
        lnn__names_free(t->names, t->n_classes);
        free(t->label_lines);
        t->y = NULL;
        t->names = NULL;
        t->label_lines = NULL;
        t->n_classes = 0;
        t->n_t = L.n;
        t->T = T;
        t->targets = targets;
        T = NULL;
        targets = NULL;
    }
    lnn__names_free(targets, L.n);
    free(T);
    free(rank);
    lnn__vocab_free(&L);
    return s;
}
