/* table.c: data tables (CSV/TSV, LIBSVM, .npy): the streaming text reader
 * the text formats share, the growing feature matrix, the label
 * vocabulary, and what is done with a loaded table (relabel, split,
 * views). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dataid.h"
#include "numparse.h"
#include "rng.h"
#include "table.h"
#include "util.h"

#define LNN_SPLIT_STREAM 0x5350 /* "SP": the split's RNG stream */
#define LNN_VOCAB_SLOTS0 64

/* ------------------------------------------------------------------------ */
/* Text, raw or gzip, in chunks                                             */
/* ------------------------------------------------------------------------ */

/* Bytes read at a time from a file of `size` bytes: LNN_TEXT_CHUNK, or for
 * a smaller file the least power of two above its size (from
 * LNN_TEXT_CHUNK_MIN), so that a small file costs small buffers: zlib's
 * (this much, and twice as much for inflating) and the text's. */
static size_t text_chunk(uint64_t size)
{
    size_t chunk = LNN_TEXT_CHUNK_MIN;
    while (chunk < LNN_TEXT_CHUNK && chunk <= size)
        chunk *= 2;
    return chunk;
}

lnn_status lnn__text_open(lnn__text *t, const char *path, char *err,
                          size_t errlen)
{
    *t = (lnn__text){.path = path, .line = 1};
    struct stat st;
    const bool known = stat(path, &st) == 0;
    const size_t chunk = known && S_ISREG(st.st_mode)
                             ? text_chunk((uint64_t)st.st_size)
                             : LNN_TEXT_CHUNK;
    t->gz = gzopen(path, "rb");
    if (!t->gz)
        return lnn__err(err, errlen, LNN_ERR_IO, "%s: cannot open: %s", path,
                        errno ? strerror(errno) : "out of memory");
    gzbuffer(t->gz, (unsigned)chunk);
    t->limit = UINT64_MAX;
    t->cap = chunk; /* the whole of a small raw file, and one byte more */
    if (!gzdirect(t->gz)) { /* its text is larger: a whole chunk */
        t->cap = LNN_TEXT_CHUNK;
        const uint64_t by_size = known ? (uint64_t)st.st_size * LNN_GZ_RATIO
                                       : 0;
        if (known)
            t->limit = by_size > LNN_GZ_FREE ? by_size : LNN_GZ_FREE;
    }
    if (!(t->buf = malloc(t->cap))) {
        lnn__text_close(t);
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "%s: out of memory",
                        path);
    }
    return LNN_OK;
}

lnn_status lnn__text_more(lnn__text *t, bool *more, char *err, size_t errlen)
{
    *more = false;
    if (t->eof)
        return LNN_OK;
    if (t->pos > 0) { /* keep the unconsumed tail at the front */
        memmove(t->buf, t->buf + t->pos, t->len - t->pos);
        t->len -= t->pos;
        t->pos = 0;
    }
    if (t->len == t->cap) { /* one record fills the buffer: grow it */
        if (t->cap >= LNN_LINE_MAX)
            return lnn__err(err, errlen, LNN_ERR_FORMAT,
                            "%s:%llu: a record longer than %zu MiB", t->path,
                            (unsigned long long)t->line, LNN_LINE_MAX >> 20);
        char *b = realloc(t->buf, 2 * t->cap);
        if (!b)
            return lnn__err(err, errlen, LNN_ERR_NOMEM, "%s: out of memory",
                            t->path);
        t->buf = b;
        t->cap *= 2;
    }
    const size_t want = t->cap - t->len;
    const int got = gzread(t->gz, t->buf + t->len,
                           (unsigned)(want < INT32_MAX ? want : INT32_MAX));
    if (got < 0) {
        int zerr;
        const char *msg = gzerror(t->gz, &zerr);
        return lnn__err(err, errlen, zerr == Z_ERRNO ? LNN_ERR_IO
                                                     : LNN_ERR_FORMAT,
                        "%s: read failed: %s", t->path,
                        zerr == Z_ERRNO ? strerror(errno) : msg);
    }
    if (got == 0) {
        t->eof = true;
        return LNN_OK;
    }
    t->len += (size_t)got;
    t->total += (uint64_t)got;
    if (t->total > t->limit)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: decompresses to "
                        "more than %llu MiB, over %d times its size (a gzip "
                        "bomb? gunzip it to read it whole)", t->path,
                        (unsigned long long)(t->limit >> 20), LNN_GZ_RATIO);
    *more = true;
    return LNN_OK;
}

void lnn__text_close(lnn__text *t)
{
    if (t->gz)
        gzclose(t->gz);
    free(t->buf);
    *t = (lnn__text){0};
}

/* ------------------------------------------------------------------------ */
/* The feature matrix: bytes while it can                                   */
/* ------------------------------------------------------------------------ */

lnn_status lnn__matrix_reserve(lnn__matrix *M, size_t cols)
{
    if (cols <= M->cap)
        return LNN_OK;
    const size_t width = M->n_x * (M->U ? 1 : sizeof(float));
    size_t cap = M->cap, bytes;
    if (!cap) {
        cap = width ? LNN_MATRIX_FIRST_BYTES / width : LNN_MATRIX_FIRST_COLS;
        cap = cap < 1 ? 1
              : cap > LNN_MATRIX_FIRST_COLS ? LNN_MATRIX_FIRST_COLS : cap;
    }
    while (cap < cols)
        cap = cap > SIZE_MAX / 2 ? cols : 2 * cap;
    if (!lnn__mul(cap, M->n_x, &bytes) ||
        !lnn__mul(bytes, M->U ? 1 : sizeof(float), &bytes))
        return LNN_ERR_OVERFLOW;
    void *p = realloc(M->U ? (void *)M->U : (void *)M->F, bytes ? bytes : 1);
    if (!p)
        return LNN_ERR_NOMEM;
    if (M->U)
        M->U = p;
    else
        M->F = p;
    M->cap = cap;
    return LNN_OK;
}

size_t lnn__matrix_bytes(const lnn__matrix *M, size_t cols)
{
    size_t n;
    return lnn__mul(cols, M->n_x, &n) &&
                   lnn__mul(n, M->U ? 1 : sizeof(float), &n)
               ? n
               : SIZE_MAX;
}

lnn_status lnn__matrix_promote(lnn__matrix *M)
{
    size_t n;
    if (!lnn__mul(M->cap, M->n_x, &n) || n > SIZE_MAX / sizeof(float))
        return LNN_ERR_OVERFLOW;
    float *F = malloc(n ? n * sizeof *F : 1);
    if (!F)
        return LNN_ERR_NOMEM;
    const size_t used = (M->m + 1) * M->n_x;
    for (size_t k = 0; k < used; k++)
        F[k] = (float)M->U[k];
    free(M->U);
    M->U = NULL;
    M->F = F;
    return LNN_OK;
}

void lnn__matrix_free(lnn__matrix *M)
{
    free(M->U);
    free(M->F);
    *M = (lnn__matrix){0};
}

/* ------------------------------------------------------------------------ */
/* The label vocabulary                                                     */
/* ------------------------------------------------------------------------ */

/* FNV-1a */
static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3u;
    return h;
}

static lnn_status rehash(lnn__vocab *v, size_t n_slots)
{
    uint32_t *slot = calloc(n_slots, sizeof *slot);
    if (!slot)
        return LNN_ERR_NOMEM;
    for (size_t k = 0; k < v->n; k++) {
        size_t h = (size_t)hash(v->names[k], strlen(v->names[k]));
        while (slot[h & (n_slots - 1)])
            h++;
        slot[h & (n_slots - 1)] = (uint32_t)(k + 1);
    }
    free(v->slot);
    v->slot = slot;
    v->n_slots = n_slots;
    return LNN_OK;
}

bool lnn__grow(void **p, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return true;
    const size_t c = *cap ? 2 * *cap : 64;
    if (c > SIZE_MAX / sz)
        return false;
    void *q = realloc(*p, c * sz);
    if (!q)
        return false;
    *p = q;
    *cap = c;
    return true;
}

/* The index of name s[0 .. n) in v, or -1 with *empty the free slot's
 * hash where it would go. */
static int64_t find(const lnn__vocab *v, const char *s, size_t n,
                    size_t *empty)
{
    size_t h = (size_t)hash(s, n);
    for (; v->n_slots; h++) {
        const uint32_t k = v->slot[h & (v->n_slots - 1)];
        if (k == 0)
            break;
        const char *name = v->names[k - 1];
        if (strncmp(name, s, n) == 0 && name[n] == '\0')
            return (int64_t)k - 1;
    }
    *empty = h;
    return -1;
}

int64_t lnn__vocab_find(const lnn__vocab *v, const char *s, size_t n)
{
    size_t h;
    return find(v, s, n, &h);
}

lnn_status lnn__vocab_add(lnn__vocab *v, const char *s, size_t n)
{
    if (!lnn__grow((void **)&v->y, &v->y_cap, v->m, sizeof *v->y))
        return LNN_ERR_NOMEM;
    if (2 * (v->n + 1) >= v->n_slots) {
        lnn_status st = rehash(v, v->n_slots ? 2 * v->n_slots
                                             : LNN_VOCAB_SLOTS0);
        if (st != LNN_OK)
            return st;
    }
    size_t h;
    const int64_t found = find(v, s, n, &h);
    if (found >= 0) {
        v->y[v->m++] = (int32_t)found;
        return LNN_OK;
    }
    if (v->n >= INT32_MAX ||
        !lnn__grow((void **)&v->names, &v->cap, v->n, sizeof *v->names))
        return LNN_ERR_NOMEM;
    char *name = malloc(n + 1);
    if (!name)
        return LNN_ERR_NOMEM;
    memcpy(name, s, n);
    name[n] = '\0';
    v->names[v->n] = name;
    v->slot[h & (v->n_slots - 1)] = (uint32_t)(v->n + 1);
    v->y[v->m++] = (int32_t)v->n++;
    return LNN_OK;
}

lnn_status lnn__vocab_add_line(lnn__vocab *v, const char *s, size_t n,
                               uint64_t line)
{
    if (!lnn__grow((void **)&v->line, &v->line_cap, v->n, sizeof *v->line))
        return LNN_ERR_NOMEM;
    v->line[v->n] = line; /* kept if s is a new name */
    return lnn__vocab_add(v, s, n);
}

void lnn__vocab_free(lnn__vocab *v)
{
    for (size_t k = 0; k < v->n; k++)
        free(v->names[k]);
    free(v->names);
    free(v->slot);
    free(v->y);
    free(v->line);
    *v = (lnn__vocab){0};
}

/* A name and its value, for sorting. */
typedef struct named {
    char *name;
    double value;
    size_t old;
} named;

static int by_value(const void *a, const void *b)
{
    const named *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

lnn_status lnn__vocab_sort(lnn__vocab *v, size_t *rank)
{
    named *s = malloc((v->n ? v->n : 1) * sizeof *s);
    if (!s)
        return LNN_ERR_NOMEM;
    bool numeric = true;
    for (size_t k = 0; k < v->n; k++) {
        s[k] = (named){.name = v->names[k], .old = k};
        numeric = numeric &&
                  lnn__parse_number(v->names[k], strlen(v->names[k]),
                                    &s[k].value) == LNN_NUM_OK;
    }
    qsort(s, v->n, sizeof *s, numeric ? by_value : by_name);
    for (size_t k = 0; k < v->n; k++) {
        rank[s[k].old] = k;
        v->names[k] = s[k].name;
    }
    free(s);
    return LNN_OK;
}

lnn_status lnn__table_finish(lnn_table *out, lnn__matrix *M, lnn__vocab *v,
                             char *err, size_t errlen)
{
    *out = (lnn_table){.n_x = M->n_x, .m = M->m};
    /* give back the unused tail of the matrix */
    if (M->m < M->cap && M->m > 0) {
        const size_t n = M->m * M->n_x * (M->U ? 1 : sizeof(float));
        void *p = realloc(M->U ? (void *)M->U : (void *)M->F, n ? n : 1);
        if (p) {
            if (M->U)
                M->U = p;
            else
                M->F = p;
        }
    }
    if (v->n > 0) {
        size_t *rank = malloc(v->n * sizeof *rank);
        if (!rank || lnn__vocab_sort(v, rank) != LNN_OK) {
            free(rank);
            return lnn__err(err, errlen, LNN_ERR_NOMEM,
                            "out of memory for %zu labels", v->n);
        }
        for (size_t j = 0; j < v->m; j++)
            v->y[j] = (int32_t)rank[v->y[j]];
        /* each label's first line, for messages (none if out of memory) */
        if (v->line && (out->label_lines = malloc(v->n * sizeof(uint64_t))))
            for (size_t k = 0; k < v->n; k++)
                out->label_lines[rank[k]] = v->line[k];
        free(rank);
        out->names = v->names;
        out->n_classes = v->n;
        out->y = v->y;
        v->names = NULL;
        v->y = NULL;
        v->n = 0;
    }
    out->X = M->F;
    out->X_u8 = M->U;
    M->F = NULL;
    M->U = NULL;
    lnn__vocab_free(v);
    lnn__matrix_free(M);
    return LNN_OK;
}

/* ------------------------------------------------------------------------ */
/* Names and freeing                                                        */
/* ------------------------------------------------------------------------ */

void lnn__names_free(char **names, size_t n)
{
    for (size_t k = 0; names && k < n; k++)
        free(names[k]);
    free(names);
}

char **lnn__names_copy(char *const *names, size_t n)
{
    char **c = calloc(n ? n : 1, sizeof *c);
    for (size_t k = 0; c && k < n; k++)
        if (!(c[k] = strdup(names[k]))) {
            lnn__names_free(c, k);
            return NULL;
        }
    return c;
}

void lnn_table_free(lnn_table *t)
{
    if (!t)
        return;
    free(t->X);
    free(t->X_u8);
    free(t->y);
    lnn__names_free(t->names, t->n_classes);
    lnn__names_free(t->columns, t->n_x);
    free(t->label);
    free(t->T);
    lnn__names_free(t->targets, t->n_t);
    for (size_t i = 0; t->levels && i < t->n_x; i++)
        lnn__names_free(t->levels[i], t->n_levels[i]);
    free(t->levels);
    free(t->n_levels);
    lnn__names_free(t->skipped, t->n_skipped);
    free(t->id_name);
    lnn__names_free(t->ids, t->ids ? t->m : 0);
    free(t->w);
    free(t->label_lines);
    *t = (lnn_table){0};
}

/* ------------------------------------------------------------------------ */
/* Relabel, split, views                                                    */
/* ------------------------------------------------------------------------ */

lnn_status lnn_table_relabel(lnn_table *t, char *const *names,
                             size_t n_classes, char *err, size_t errlen)
{
    if (!t || !names || n_classes == 0)
        return lnn__err(err, errlen, LNN_ERR_ARG, "relabel: no vocabulary");
    if (!t->y)
        return LNN_OK;
    /* the training data's names through a hash table: a name's index in
     * one probe, not a scan of every class */
    int32_t *map = malloc((t->n_classes ? t->n_classes : 1) * sizeof *map);
    lnn__vocab known = {0};
    lnn_status s = map ? LNN_OK : LNN_ERR_NOMEM;
    for (size_t c = 0; s == LNN_OK && c < n_classes; c++)
        s = lnn__vocab_add(&known, names[c], strlen(names[c]));
    if (s != LNN_OK) {
        free(map);
        lnn__vocab_free(&known);
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory for the "
                        "names of %zu classes", n_classes);
    }
    for (size_t k = 0; k < t->n_classes; k++) {
        const int64_t c = lnn__vocab_find(&known, t->names[k],
                                          strlen(t->names[k]));
        map[k] = (int32_t)c;
        if (c < 0) {
            s = lnn__err(err, errlen, LNN_ERR_FORMAT,
                         "label \"%.40s\" is not one of the %zu classes of "
                         "the training data", t->names[k], n_classes);
            free(map);
            lnn__vocab_free(&known);
            return s;
        }
    }
    lnn__vocab_free(&known);
    char **copy = lnn__names_copy(names, n_classes);
    if (!copy) {
        free(map);
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    }
    for (size_t j = 0; j < t->m; j++)
        t->y[j] = map[t->y[j]];
    free(map);
    lnn__names_free(t->names, t->n_classes);
    free(t->label_lines); /* its lines were for its own names */
    t->label_lines = NULL;
    t->names = copy;
    t->n_classes = n_classes;
    return LNN_OK;
}

lnn_status lnn_table_check_columns(const lnn_table *t, char *const *columns,
                                   size_t n_x, char *err, size_t errlen)
{
    if (!t)
        return lnn__err(err, errlen, LNN_ERR_ARG, "check_columns: no table");
    if (t->n_x != n_x)
        return lnn__err(err, errlen, LNN_ERR_SHAPE, "%zu features, the "
                        "training data has %zu", t->n_x, n_x);
    /* a model keeps the first LNN_NAME_MAX bytes of a name */
    for (size_t i = 0; t->columns && columns && i < n_x; i++)
        if (strncmp(t->columns[i], columns[i], LNN_NAME_MAX) != 0)
            return lnn__err(err, errlen, LNN_ERR_SHAPE,
                            "feature column %zu is \"%.40s\", the training "
                            "data's is \"%.40s\"", i + 1, t->columns[i],
                            columns[i]);
    return LNN_OK;
}

/* Move column src[k] of X to column k for every k (a permutation), in
 * place: follow each cycle with one column in hand. */
static lnn_status permute_columns(void *X, size_t width, const size_t *src,
                                  size_t m)
{
    unsigned char *base = X, *hand = malloc(width ? width : 1);
    bool *done = calloc(m, sizeof *done);
    if (!hand || !done) {
        free(hand);
        free(done);
        return LNN_ERR_NOMEM;
    }
    for (size_t start = 0; start < m; start++) {
        if (done[start] || src[start] == start) {
            done[start] = true;
            continue;
        }
        memcpy(hand, base + start * width, width);
        size_t k = start;
        while (src[k] != start) {
            memcpy(base + k * width, base + src[k] * width, width);
            done[k] = true;
            k = src[k];
        }
        memcpy(base + k * width, hand, width);
        done[k] = true;
    }
    free(hand);
    free(done);
    return LNN_OK;
}

/* The work of one split: C strata (the classes, or one for targets
 * without classes) of m samples. */
typedef struct split_work {
    size_t m, C;
    size_t *count;    /* C: samples per stratum */
    size_t *start;    /* C + 1: where each stratum begins in order */
    size_t *share[2]; /* C each: the stratum's validation (0) and test (1)
                         samples */
    size_t *order;    /* m: sample indices by stratum, file order within */
    size_t *src;      /* m: the new order's source of each column */
    uint8_t *part;    /* m: 0 train, 1 validation, 2 test */
    double *rem;      /* C: largest-remainder bookkeeping */
} split_work;

static void split_work_free(split_work *w)
{
    free(w->count);
    free(w->start);
    free(w->share[0]);
    free(w->share[1]);
    free(w->order);
    free(w->src);
    free(w->part);
    free(w->rem);
}

static bool split_work_alloc(split_work *w, size_t m, size_t C)
{
    *w = (split_work){.m = m, .C = C,
                      .count = calloc(C, sizeof(size_t)),
                      .start = calloc(C + 1, sizeof(size_t)),
                      .share = {calloc(C, sizeof(size_t)),
                                calloc(C, sizeof(size_t))},
                      .order = malloc(m * sizeof(size_t)),
                      .src = malloc(m * sizeof(size_t)),
                      .part = malloc(m),
                      .rem = malloc(C * sizeof(double))};
    return w->count && w->start && w->share[0] && w->share[1] && w->order &&
           w->src && w->part && w->rem;
}

/* Count each stratum's samples and list them by stratum, in file order. */
static bool split_strata(split_work *w, const int32_t *y)
{
    for (size_t j = 0; j < w->m; j++)
        w->count[y ? (size_t)y[j] : 0]++;
    for (size_t c = 0; c < w->C; c++)
        w->start[c + 1] = w->start[c] + w->count[c];
    size_t *fill = calloc(w->C, sizeof *fill);
    if (!fill)
        return false;
    for (size_t j = 0; j < w->m; j++) {
        const size_t c = y ? (size_t)y[j] : 0;
        w->order[w->start[c] + fill[c]++] = j;
    }
    free(fill);
    return true;
}

/* Each stratum's share of val (p = 0) and test (p = 1): the floor of its
 * proportion, then the largest remainders get one more. Val is taken from
 * what test left. */
static void split_shares(split_work *w, size_t n_val, size_t n_test)
{
    const size_t want[2] = {n_val, n_test}, C = w->C;
    for (int p = 1; p >= 0; p--) {
        size_t given = 0;
        for (size_t c = 0; c < C; c++) {
            const double exact =
                (double)want[p] * (double)w->count[c] / (double)w->m;
            w->share[p][c] = (size_t)exact;
            const size_t room = w->count[c] - w->share[1][c] * (p == 0);
            if (w->share[p][c] > room)
                w->share[p][c] = room;
            w->rem[c] = exact - (double)w->share[p][c];
            given += w->share[p][c];
        }
        while (given < want[p]) {
            size_t best = C;
            for (size_t c = 0; c < C; c++) {
                const size_t used =
                    w->share[p][c] + (p == 0 ? w->share[1][c] : 0);
                if (used < w->count[c] &&
                    (best == C || w->rem[c] > w->rem[best]))
                    best = c;
            }
            if (best == C)
                break;
            w->share[p][best]++;
            w->rem[best] -= 1.0;
            given++;
        }
    }
}

/* Shuffle each stratum with the seed; its first samples go to test, the
 * next to val, the rest to train. Then the new order: train | val | test,
 * each in file order. */
static void split_parts(split_work *w, uint64_t seed)
{
    lnn_rng rng;
    lnn__rng_seed(&rng, seed, LNN_SPLIT_STREAM);
    for (size_t c = 0; c < w->C; c++) {
        size_t *o = w->order + w->start[c];
        for (size_t i = w->count[c]; i > 1; i--) {
            const size_t r = (size_t)lnn__rng_below(&rng, i);
            const size_t tmp = o[i - 1];
            o[i - 1] = o[r];
            o[r] = tmp;
        }
        for (size_t i = 0; i < w->count[c]; i++)
            w->part[o[i]] = i < w->share[1][c] ? 2
                            : i < w->share[1][c] + w->share[0][c] ? 1 : 0;
    }
    size_t k = 0;
    for (uint8_t p = 0; p < 3; p++)
        for (size_t j = 0; j < w->m; j++)
            if (w->part[j] == p)
                w->src[k++] = j;
}

/* Move every per-sample array of t into the order src. */
static lnn_status split_move(lnn_table *t, const size_t *src)
{
    const size_t m = t->m;
    const size_t width = t->n_x * (t->X ? sizeof(float) : 1);
    if (permute_columns(t->X ? (void *)t->X : (void *)t->X_u8, width, src,
                        m) != LNN_OK ||
        (t->y && permute_columns(t->y, sizeof *t->y, src, m) != LNN_OK) ||
        (t->T && permute_columns(t->T, t->n_t * sizeof *t->T, src, m) !=
                     LNN_OK) ||
        (t->ids && permute_columns(t->ids, sizeof *t->ids, src, m) !=
                       LNN_OK) ||
        (t->w && permute_columns(t->w, sizeof *t->w, src, m) != LNN_OK))
        return LNN_ERR_NOMEM;
    return LNN_OK;
}

lnn_status lnn_table_split(lnn_table *t, size_t n_val, size_t n_test,
                           uint64_t seed, char *err, size_t errlen)
{
    if (!t || (!t->T && (!t->y || t->n_classes == 0)))
        return lnn__err(err, errlen, LNN_ERR_ARG, "split: no labels");
    if (n_val >= t->m || n_test >= t->m - n_val)
        return lnn__err(err, errlen, LNN_ERR_ARG,
                        "split: %zu validation + %zu test samples leave "
                        "none of the %zu for training", n_val, n_test, t->m);
    if (n_val == 0 && n_test == 0)
        return LNN_OK;
    split_work w;
    lnn_status s = LNN_OK;
    if (!split_work_alloc(&w, t->m, t->y ? t->n_classes : 1) ||
        !split_strata(&w, t->y))
        s = LNN_ERR_NOMEM;
    if (s == LNN_OK) {
        split_shares(&w, n_val, n_test);
        split_parts(&w, seed);
        s = split_move(t, w.src);
    }
    split_work_free(&w);
    if (s != LNN_OK)
        return lnn__err(err, errlen, s, "split: out of memory for %zu rows",
                        t->m);
    return LNN_OK;
}

lnn_data lnn_table_view(const lnn_table *t, size_t j0, size_t m)
{
    lnn_data d = {.n_x = t->n_x, .m = m};
    if (t->X)
        d.X = t->X + j0 * t->n_x;
    else
        d.X_u8 = t->X_u8 + j0 * t->n_x;
    if (t->w)
        d.weights = t->w + j0;
    if (t->T) {
        d.n_y = t->n_t;
        d.Y = t->T + j0 * t->n_t;
    } else if (t->y) {
        d.n_y = t->n_classes;
        d.labels = t->y + j0;
    }
    return d;
}

lnn_status lnn_table_one_hot(const lnn_table *t, float **Y, char *err,
                             size_t errlen)
{
    if (!t || !Y || !t->y || t->n_classes == 0)
        return lnn__err(err, errlen, LNN_ERR_ARG, "one_hot: no labels");
    size_t n;
    if (!lnn__mul(t->m, t->n_classes, &n) || n > SIZE_MAX / sizeof(float))
        return lnn__err(err, errlen, LNN_ERR_OVERFLOW,
                        "one_hot: %zu x %zu overflows", t->n_classes, t->m);
    if (!(*Y = calloc(n ? n : 1, sizeof **Y)))
        return lnn__err(err, errlen, LNN_ERR_NOMEM,
                        "one_hot: out of memory for %zu x %zu floats "
                        "(%.1f MiB)", t->n_classes, t->m,
                        (double)n * sizeof(float) / (1 << 20));
    for (size_t j = 0; j < t->m; j++)
        (*Y)[j * t->n_classes + (size_t)t->y[j]] = 1.0f;
    return LNN_OK;
}
