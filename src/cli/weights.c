/* weights.c: lnn train --class-weight: each class's weight in training,
 * balanced from the training part's class counts or read from a file of
 * "CLASS WEIGHT" lines. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The class of sample j of d: its label, or the argmax of its one-hot Y. */
static size_t class_of(const lnn_data *d, size_t j)
{
    if (d->labels)
        return (size_t)d->labels[j];
    size_t c = 0;
    for (size_t i = 1; i < d->n_y; i++)
        if (d->Y[j * d->n_y + i] > d->Y[j * d->n_y + c])
            c = i;
    return c;
}

/* balanced: w_c = m / (n_classes count_c) (scikit-learn's), so that every
 * class weighs as much in all and the mean weight is 1. */
static bool balanced(const lnn_data *d, float *w)
{
    const size_t n = d->n_y;
    size_t *count = calloc(n, sizeof *count);
    if (!count) {
        cli_error("out of memory");
        return false;
    }
    for (size_t j = 0; j < d->m; j++)
        count[class_of(d, j)]++;
    bool ok = true;
    for (size_t c = 0; c < n && ok; c++) {
        if (count[c] == 0) {
            cli_error("--class-weight balanced: class %zu has no training "
                      "samples", c);
            ok = false;
        }
        w[c] = ok ? (float)((double)d->m / ((double)n * (double)count[c]))
                  : 0.0f;
    }
    free(count);
    return ok;
}

/* The class named name[0 .. len): its index among names (n of them, NULL:
 * classes are indices), or n if none. */
static size_t find_class(char *const *names, size_t n, const char *name,
                         size_t len)
{
    for (size_t c = 0; c < n; c++) {
        char idx[24];
        snprintf(idx, sizeof idx, "%zu", c);
        const char *s = names ? names[c] : idx;
        if (strlen(s) == len && memcmp(s, name, len) == 0)
            return c;
    }
    return n;
}

/* One line of a weights file: "CLASS WEIGHT" (separated by blanks, a
 * comma or a tab; the weight is the last field). */
static bool take_line(const char *path, size_t at, char *line,
                      char *const *names, size_t n, float *w, bool *seen)
{
    size_t len = strlen(line);
    while (len && strchr(" \t\r\n", line[len - 1]))
        line[--len] = '\0';
    char *p = line + strspn(line, " \t");
    if (!*p || *p == '#')
        return true;
    char *sep = p + strlen(p);
    while (sep > p && !strchr(" \t,", sep[-1]))
        sep--;
    char *end = sep;
    while (end > p && strchr(" \t,", end[-1]))
        end--;
    if (sep == p || end == p) {
        cli_error("--class-weight %s: line %zu: expected CLASS WEIGHT", path,
                  at);
        return false;
    }
    const size_t c = find_class(names, n, p, (size_t)(end - p));
    errno = 0;
    char *stop;
    const double v = strtod(sep, &stop);
    if (c == n) {
        cli_error("--class-weight %s: line %zu: no class \"%.*s\" in the "
                  "data", path, at, (int)(end - p), p);
        return false;
    }
    if (*stop || errno || !(v > 0.0) || v > 1e30) {
        cli_error("--class-weight %s: line %zu: weight \"%s\" of class %.*s: "
                  "must be a number > 0", path, at, sep, (int)(end - p), p);
        return false;
    }
    if (seen[c]) {
        cli_error("--class-weight %s: line %zu: class %.*s given twice", path,
                  at, (int)(end - p), p);
        return false;
    }
    seen[c] = true;
    w[c] = (float)v;
    return true;
}

/* A file of CLASS WEIGHT lines; classes it does not name weigh 1. */
static bool from_file(const char *path, char *const *names, size_t n,
                      float *w)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        cli_error("--class-weight %s: %s", path, strerror(errno));
        return false;
    }
    bool *seen = calloc(n, sizeof *seen);
    char *line = NULL;
    size_t cap = 0, at = 0;
    bool ok = seen != NULL;
    for (size_t c = 0; c < n; c++)
        w[c] = 1.0f;
    while (ok && getline(&line, &cap, f) >= 0)
        ok = take_line(path, ++at, line, names, n, w, seen);
    if (ok && ferror(f)) {
        cli_error("--class-weight %s: read error", path);
        ok = false;
    }
    free(line);
    free(seen);
    fclose(f);
    return ok;
}

bool cli_class_weights(const char *spec, const lnn_data *train,
                       char *const *names, float *w)
{
    if (strcmp(spec, "balanced") == 0)
        return balanced(train, w);
    return from_file(spec, names, train->n_y, w);
}
