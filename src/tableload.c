/* tableload.c: lnn_table_load, the one place that calls the readers: the
 * format from the file's name and the reader from LNN_FORMAT_LIST's rows
 * (table.c keeps what the readers share and calls none of them). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dataid.h"
#include "enums.h"
#include "table.h"
#include "util.h"

lnn_table_opts lnn_table_opts_default(void)
{
    return (lnn_table_opts){.format = LNN_FORMAT_AUTO, .header = -1};
}

/* Does path end in suffix[0 .. k), before an optional ".gz"? */
static bool has_suffix(const char *path, const char *suffix, size_t k)
{
    size_t n = strlen(path);
    if (n > 3 && strcmp(path + n - 3, ".gz") == 0)
        n -= 3;
    if (n < k)
        return false;
    for (size_t i = 0; i < k; i++)
        if ((path[n - k + i] | 0x20) != suffix[i])
            return false;
    return true;
}

/* Does path end in one of the space-separated endings? */
static bool has_ending(const char *path, const char *endings)
{
    for (const char *e = endings; *e;) {
        const size_t k = strcspn(e, " ");
        if (k && has_suffix(path, e, k))
            return true;
        e += k + (e[k] == ' ');
    }
    return false;
}

lnn_format lnn_table_format(const char *path)
{
#define FORMAT_OF(E, value, name, endings, ...)                               \
    if (has_ending(path, endings))                                            \
        return E;
    if (path) {
        LNN_FORMAT_LIST(FORMAT_OF)
    }
#undef FORMAT_OF
    return LNN_FORMAT_AUTO;
}

/* The message for a name of no format: every row's endings. */
static lnn_status unknown_format(const char *path, char *err, size_t errlen)
{
#define ENDINGS(E, value, name, endings, ...) endings " "
    char list[128];
    const char *all = LNN_FORMAT_LIST(ENDINGS);
#undef ENDINGS
    size_t n = 0;
    for (const char *e = all; *e && n + 8 < sizeof list;) {
        const size_t k = strcspn(e, " ");
        if (k)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%.*s",
                                  n ? ", " : "", (int)k, e);
        e += k + (e[k] == ' ');
    }
    return lnn__err(err, errlen, LNN_ERR_ARG,
                    "%s: unknown format (name it %s; each also .gz)", path,
                    list);
}

lnn_status lnn_table_load(lnn_table *out, const char *path,
                          const lnn_table_opts *opts, char *err,
                          size_t errlen)
{
    if (!out || !path)
        return lnn__err(err, errlen, LNN_ERR_ARG,
                        "table_load: out or path is NULL");
    *out = (lnn_table){0};
    const lnn_table_opts o = opts ? *opts : lnn_table_opts_default();
    const lnn_format f = o.format ? o.format : lnn_table_format(path);
    if (o.format && !lnn__is_format(o.format))
        return lnn__err(err, errlen, LNN_ERR_ARG, "table_load: format %d is "
                        "no row of LNN_FORMAT_LIST", (int)o.format);
    lnn_status s;
    switch (f) {
#define READ_CASE(E, value, name, ...)                                        \
    case E: s = lnn__##name##_load(out, path, &o, err, errlen); break;
        LNN_FORMAT_LIST(READ_CASE)
#undef READ_CASE
    default: return unknown_format(path, err, errlen);
    }
    if (s == LNN_OK)
        out->id = lnn__table_id(out, path);
    return s;
}
