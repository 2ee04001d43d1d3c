/* imagedir.c: an image folder (one sub-folder of PNG/JPEG files per class,
 * as Keras' image_dataset_from_directory and PyTorch's ImageFolder read it)
 * as a table of byte features with a label vocabulary: listed in order,
 * decoded once by a team of threads, the skipped files counted. */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "enums.h"
#include "table.h"
#include "threads.h"
#include "util.h"

/* The files found: paths[k] (dir/class/file) of class cls[k]. */
typedef struct listing {
    char **paths;
    size_t *cls;
    size_t n, cap, cls_cap;
    char **classes; /* class folder names, sorted */
    size_t n_classes;
} listing;

static void listing_free(listing *L)
{
    lnn__names_free(L->paths, L->n);
    free(L->cls);
    lnn__names_free(L->classes, L->n_classes);
    *L = (listing){0};
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *a, const char *b)
{
    const size_t na = strlen(a), nb = strlen(b);
    char *p = malloc(na + nb + 2);
    if (p) {
        memcpy(p, a, na);
        p[na] = '/';
        memcpy(p + na + 1, b, nb + 1);
    }
    return p;
}

/* The names in dir, '.' names left out, sorted, that are directories
 * (dirs) or not (!dirs): into *names, *n of them. */
static lnn_status list_dir(const char *dir, bool dirs, char ***names,
                           size_t *n, char *err, size_t errlen)
{
    *names = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return lnn__err(err, errlen, LNN_ERR_IO, "%s: %s", dir,
                        strerror(errno));
    size_t cap = 0;
    lnn_status s = LNN_OK;
    const struct dirent *e;
    while (s == LNN_OK && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *path = join(dir, e->d_name);
        struct stat st;
        const bool is_dir = path && stat(path, &st) == 0 &&
                            S_ISDIR(st.st_mode);
        free(path);
        if (!path || !lnn__grow((void **)names, &cap, *n, sizeof **names) ||
            (is_dir == dirs && !((*names)[*n] = strdup(e->d_name))))
            s = lnn__err(err, errlen, LNN_ERR_NOMEM, "%s: out of memory",
                         dir);
        else if (is_dir == dirs)
            (*n)++;
    }
    closedir(d);
    if (s == LNN_OK && *n > 1)
        qsort(*names, *n, sizeof **names, by_string);
    return s;
}

/* Every file of every class folder of dir, in order. */
static lnn_status list_files(listing *L, const char *dir, char *err,
                             size_t errlen)
{
    lnn_status s = list_dir(dir, true, &L->classes, &L->n_classes, err,
                            errlen);
    for (size_t c = 0; s == LNN_OK && c < L->n_classes; c++) {
        char *sub = join(dir, L->classes[c]);
        char **files = NULL;
        size_t n = 0;
        s = sub ? list_dir(sub, false, &files, &n, err, errlen)
                : lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
        for (size_t k = 0; s == LNN_OK && k < n; k++) {
            if (!lnn__grow((void **)&L->paths, &L->cap, L->n,
                           sizeof *L->paths) ||
                !lnn__grow((void **)&L->cls, &L->cls_cap, L->n,
                           sizeof *L->cls) ||
                !(L->paths[L->n] = join(sub, files[k])))
                s = lnn__err(err, errlen, LNN_ERR_NOMEM, "%s: out of memory",
                             dir);
            else
                L->cls[L->n++] = c;
        }
        lnn__names_free(files, n);
        free(sub);
    }
    return s;
}

/* What happened to each file. */
enum { FILE_OK, FILE_NOT_IMAGE, FILE_UNDECODABLE, FILE_FAILED };

/* The team's work: decode files j0 .. j0+cols into their columns. */
typedef struct decode_team {
    const listing *L;
    const lnn_image_opts *o;
    uint8_t *U;         /* n_x x L->n */
    size_t n_x;
    unsigned char *fate; /* FILE_*, per file */
} decode_team;

static unsigned char fate_of(lnn_status s, const char *path)
{
    if (s == LNN_OK)
        return FILE_OK;
    if (s != LNN_ERR_FORMAT && s != LNN_ERR_IO)
        return FILE_FAILED; /* out of memory, no decoder: not the file's */
    unsigned char head[8] = {0};
    FILE *f = fopen(path, "rb");
    const size_t got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    return lnn_image_sniff(head, got) ? FILE_UNDECODABLE : FILE_NOT_IMAGE;
}

static void decode_columns(void *ctx, size_t j0, size_t cols)
{
    decode_team *t = ctx;
    for (size_t j = j0; j < j0 + cols; j++) {
        const char *path = t->L->paths[j];
        const lnn_status s = lnn_image_read(path, t->o, t->U + j * t->n_x,
                                            NULL, 0);
        t->fate[j] = fate_of(s, path);
    }
}

/* The path of file k from dir (its class folder and name). */
static const char *from_dir(const listing *L, size_t k, const char *dir)
{
    const char *p = L->paths[k];
    return p + strlen(dir) + 1;
}

/* Keep the decoded columns, in order; count and name the others. */
static lnn_status keep_decoded(const listing *L, const char *dir,
                               const decode_team *t, lnn__matrix *M,
                               lnn__vocab *v, lnn_image_skips *skips,
                               char *err, size_t errlen)
{
    for (size_t k = 0; k < L->n; k++) {
        if (t->fate[k] == FILE_FAILED) /* again, for its message */
            return lnn_image_read(L->paths[k], t->o, t->U + k * t->n_x, err,
                                  errlen);
        if (t->fate[k] == FILE_NOT_IMAGE && skips->not_images++ == 0)
            snprintf(skips->first_not_image, sizeof skips->first_not_image,
                     "%s", from_dir(L, k, dir));
        if (t->fate[k] == FILE_UNDECODABLE && skips->undecodable++ == 0)
            lnn_image_read(L->paths[k], t->o, t->U + k * t->n_x,
                           skips->first_undecodable,
                           sizeof skips->first_undecodable);
        if (t->fate[k] != FILE_OK)
            continue;
        memmove(t->U + M->m * t->n_x, t->U + k * t->n_x, t->n_x);
        M->m++;
        const char *name = L->classes[L->cls[k]];
        if (lnn__vocab_add(v, name, strlen(name)) != LNN_OK)
            return lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
    }
    return LNN_OK;
}

/* Every class folder must give an image, and there must be two. */
static lnn_status check_classes(const listing *L, const char *dir,
                                const lnn__vocab *v,
                                const lnn_image_skips *skips, char *err,
                                size_t errlen)
{
    if (L->n_classes == 0)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: no class folders "
                        "(an image folder holds one sub-folder of PNG or "
                        "JPEG files per class)", dir);
    if (v->m == 0)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: no PNG or JPEG "
                        "images in its %zu class folders (%zu other files, "
                        "%zu undecodable)", dir, L->n_classes,
                        skips->not_images, skips->undecodable);
    for (size_t c = 0; c < L->n_classes; c++) {
        bool found = false;
        for (size_t k = 0; k < v->n && !found; k++)
            found = strcmp(v->names[k], L->classes[c]) == 0;
        if (!found)
            return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s/%s: no PNG or "
                            "JPEG images in this class folder", dir,
                            L->classes[c]);
    }
    if (L->n_classes < 2)
        return lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: one class folder "
                        "(%s): training needs at least 2 classes", dir,
                        L->classes[0]);
    return LNN_OK;
}

lnn_status lnn_table_load_images(lnn_table *out, const char *dir,
                                 const lnn_image_opts *o,
                                 lnn_image_skips *skips, char *err,
                                 size_t errlen)
{
    if (out)
        *out = (lnn_table){0};
    if (!out || !dir || !o || !skips || o->width == 0 || o->height == 0 ||
        !lnn__is_invert(o->invert))
        return lnn__err(err, errlen, LNN_ERR_ARG,
                        "lnn_table_load_images: invalid argument");
    *skips = (lnn_image_skips){0};
    listing L = {0};
    lnn__matrix M = {0};
    lnn__vocab v = {0};
    decode_team t = {.L = &L, .o = o};
    size_t n_x = 0;
    lnn_status s = list_files(&L, dir, err, errlen);
    if (s == LNN_OK && !lnn__mul(o->width, o->height, &n_x))
        s = lnn__err(err, errlen, LNN_ERR_OVERFLOW, "image size overflow");
    if (s == LNN_OK) {
        M = (lnn__matrix){.n_x = n_x, .U = malloc(1)};
        t.fate = malloc(L.n ? L.n : 1);
        s = M.U && t.fate ? lnn__matrix_reserve(&M, L.n ? L.n : 1)
                          : LNN_ERR_NOMEM;
        if (s != LNN_OK)
            lnn__err(err, errlen, s, "%s: %zu images of %zux%zu: out of "
                     "memory", dir, L.n, o->width, o->height);
    }
    if (s == LNN_OK) {
        t.U = M.U;
        t.n_x = n_x;
        lnn__team_pass(lnn_omp_threads(), L.n, decode_columns, NULL, &t);
        s = keep_decoded(&L, dir, &t, &M, &v, skips, err, errlen);
    }
    if (s == LNN_OK)
        s = check_classes(&L, dir, &v, skips, err, errlen);
    if (s == LNN_OK)
        s = lnn__table_finish(out, &M, &v, err, errlen);
    lnn__matrix_free(&M);
    lnn__vocab_free(&v);
    free(t.fate);
    listing_free(&L);
    return s;
}
