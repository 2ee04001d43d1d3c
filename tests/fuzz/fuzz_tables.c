/* Fuzz target: the table tokenizers, from bytes in memory (fuzz_table_file
 * covers whole files through lnn_table_load). The first byte
 * picks the reader: CSV records (lnn__csv_record then lnn__csv_split, at
 * ',' ';' or tab), LIBSVM lines (lnn__libsvm_line), or a .npy header
 * (lnn__npy_preamble then lnn__npy_dict); the rest is the input. The
 * harness checks the tokenizers' promises: every field lies inside the
 * record, every record inside the input, LIBSVM indices increase from 1,
 * and a parsed .npy shape has 1 or 2 sizes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void csv(char *p, size_t n, char delim)
{
    lnn__fields row = {0};
    size_t at = 0;
    while (at <= n) {
        size_t len = 0, next = 0, lines = 0, bad;
        const lnn__rec k = lnn__csv_record(p + at, n - at, true, &len,
                                           &next, &lines);
        if (k != LNN_REC_OK || next == 0)
            break;
        if (len > n - at || next > n - at || len > next)
            abort();
        if (lnn__csv_split(p + at, len, delim, &row, &bad))
            for (size_t j = 0; j < row.n; j++)
                if (row.f[j].s < p + at || row.f[j].s + row.f[j].n > p + at + len)
                    abort();
        at += next;
    }
    free(row.f);
}

static void libsvm(const char *p, size_t n)
{
    lnn__svm_entry *e = NULL;
    size_t cap = 0, at = 0;
    while (at < n) {
        const char *nl = memchr(p + at, '\n', n - at);
        const size_t len = nl ? (size_t)(nl - (p + at)) : n - at;
        lnn__field label;
        size_t count;
        char why[160];
        if (lnn__libsvm_line(p + at, len, &label, &e, &count, &cap, why,
                             sizeof why))
            for (size_t k = 0; k < count; k++)
                if (e[k].idx == 0 || (k && e[k].idx <= e[k - 1].idx))
                    abort();
        at += len + 1;
    }
    free(e);
}

static void npy(const uint8_t *p, size_t n)
{
    char why[160];
    const size_t hlen = lnn__npy_preamble(p, n, why, sizeof why);
    if (!hlen)
        return;
    const size_t pre = p[6] == 1 ? 10 : 12;
    if (hlen > n || pre > hlen)
        return;
    lnn__npy_header h;
    if (lnn__npy_dict((const char *)p + pre, hlen - pre, &h, why,
                      sizeof why) &&
        (h.ndim < 1 || h.ndim > 2 || !h.item))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *p = malloc(size); /* the tokenizers unquote in place */
    if (!p)
        return 0;
    memcpy(p, data + 1, size - 1);
    switch (data[0] % 5) {
    case 0: csv(p, size - 1, ','); break;
    case 1: csv(p, size - 1, ';'); break;
    case 2: csv(p, size - 1, '\t'); break;
    case 3: libsvm(p, size - 1); break;
    default: npy((const uint8_t *)p, size - 1); break;
    }
    free(p);
    return 0;
}
