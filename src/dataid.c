/* dataid.c: what identifies a data set (lnn.h's lnn_data_id): a digest of
 * its rows in order, with its size and row count.
 *
 * The digest is 64-bit FNV-1a taken over 8-byte little-endian words rather
 * than bytes (a multiply per word: MNIST's 47 MB of pixels in about 10 ms),
 * then MurmurHash3's finaliser fmix64 so that every input bit reaches
 * every output bit. It tells data apart, it is no defence against someone
 * crafting a collision: a model and its data are the user's own. */
#define _POSIX_C_SOURCE 200809L

#include <string.h>
#include <sys/stat.h>

#include "dataid.h"
#include "util.h"

#define FNV_OFFSET 0xcbf29ce484222325u
#define FNV_PRIME 0x100000001b3u

/* Bytes p[0 .. n) into h: whole words, then the tail zero-padded, then the
 * length (so that "a" and "a\0" differ). */
static uint64_t digest_add(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w = 0;
        for (int k = 7; k >= 0; k--)
            w = w << 8 | b[i + (size_t)k];
        h = (h ^ w) * FNV_PRIME;
    }
    uint64_t w = 0;
    for (size_t k = n; k > i; k--)
        w = w << 8 | b[k - 1];
    h = (h ^ w) * FNV_PRIME;
    return (h ^ (uint64_t)n) * FNV_PRIME;
}

static uint64_t fmix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return h;
}

lnn_data_id lnn__table_id(const lnn_table *t, const char *path)
{
    struct stat st;
    lnn_data_id id = {.rows = t->m};
    if (path && stat(path, &st) == 0)
        id.bytes = (uint64_t)st.st_size;
    const size_t width = t->n_x * (t->X ? sizeof(float) : 1);
    const unsigned char *X = t->X ? (const unsigned char *)t->X : t->X_u8;
    uint64_t h = FNV_OFFSET;
    for (size_t j = 0; j < t->m; j++) {
        h = digest_add(h, X + j * width, width);
        if (t->y) {
            const char *name = t->names[t->y[j]];
            h = digest_add(h, name, strlen(name));
        }
    }
    id.digest = fmix64(h);
    return id;
}

lnn_data_id lnn_dataset_id(const lnn_dataset *d)
{
    lnn_data_id id = {0};
    size_t pixels;
    if (!d)
        return id;
    id.rows = d->m;
    const uint64_t header[3] = {d->m, d->rows, d->cols};
    uint64_t h = FNV_OFFSET;
    for (int k = 0; k < 3; k++)
        h = (h ^ header[k]) * FNV_PRIME;
    if (d->X && lnn__mul(d->n_x, d->m, &pixels))
        h = digest_add(h, d->X, pixels);
    if (d->labels)
        h = digest_add(h, d->labels, d->m);
    id.digest = fmix64(h);
    return id;
}
