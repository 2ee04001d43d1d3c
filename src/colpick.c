/* colpick.c: which columns of a table a COLS list names (--categorical,
 * --ignore, --columns, --id): names, 1-based indices, ranges. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "table.h"

#define LIST_COLUMNS 200 /* characters of column names listed */

/* "a, b, c" of the names (truncated), or "1..n" without names. */
static void list_names(char *const *names, size_t n, char *buf, size_t len)
{
    if (!names) {
        snprintf(buf, len, "1..%zu", n);
        return;
    }
    size_t used = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < n && used + 4 < len; j++) {
        const int w = snprintf(buf + used, len - used, "%s%s", j ? ", " : "",
                               names[j]);
        if (w < 0 || (size_t)w >= len - used) {
            snprintf(buf + (len > 4 ? len - 4 : 0), 4, "...");
            break;
        }
        used += (size_t)w;
    }
}

/* A 1-based index s[0 .. k) among n columns, or 0. */
static size_t index_of(const char *s, size_t k, size_t n)
{
    if (k == 0 || k > 12 || strspn(s, "0123456789") < k)
        return 0;
    char num[16];
    memcpy(num, s, k);
    num[k] = '\0';
    const unsigned long long v = strtoull(num, NULL, 10);
    return v >= 1 && v <= n ? (size_t)v : 0;
}

/* Entry s[0 .. k) into pick: a name, an index or a range a-b. */
static bool pick_one(const char *s, size_t k, char *const *names, size_t n,
                     int *pick)
{
    for (size_t j = 0; names && j < n; j++)
        if (strlen(names[j]) == k && memcmp(names[j], s, k) == 0) {
            pick[j] = 1;
            return true;
        }
    const char *dash = memchr(s, '-', k);
    const size_t a = index_of(s, dash ? (size_t)(dash - s) : k, n);
    const size_t b = dash ? index_of(dash + 1, k - (size_t)(dash - s) - 1, n)
                          : a;
    if (a == 0 || b < a)
        return false;
    for (size_t j = a; j <= b; j++)
        pick[j - 1] = 1;
    return true;
}

lnn_status lnn_table_pick_columns(const char *cols, const char *opt,
                                  char *const *names, size_t n, int *pick,
                                  char *err, size_t errlen)
{
    return lnn__pick_columns(cols, opt, names, n, false, pick, err, errlen);
}

lnn_status lnn__pick_columns(const char *cols, const char *opt,
                             char *const *names, size_t n, bool soft,
                             int *pick, char *err, size_t errlen)
{
    if (!cols || !opt || !pick)
        return lnn__err(err, errlen, LNN_ERR_ARG, "pick_columns: NULL");
    memset(pick, 0, n * sizeof *pick);
    for (const char *s = cols;;) {
        const char *comma = strchr(s, ',');
        const size_t k = comma ? (size_t)(comma - s) : strlen(s);
        if (!pick_one(s, k, names, n, pick) && !soft) {
            char list[LIST_COLUMNS];
            list_names(names, n, list, sizeof list);
            return lnn__err(err, errlen, LNN_ERR_ARG, "%s %.*s names no "
                            "column; the columns are %s%s", opt, (int)k, s,
                            list, names ? " (or 1-based indices)" : "");
        }
        if (!comma)
            return LNN_OK;
        s = comma + 1;
    }
}
