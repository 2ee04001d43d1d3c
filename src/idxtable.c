/* idxtable.c: an IDX image file as a table (LNN_FORMAT_IDX, the format
 * list's idx row): the images as byte columns, their labels from
 * labels_path or from the file beside them whose name says labels-idx1
 * where the images' says images-idx3 (MNIST's names; the same .gz ending,
 * else the other), named by their values as a CSV's integer labels are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "table.h"
#include "util.h"

/* The labels' file for images at path, in buf: images-idx3 made
 * labels-idx1 in the file's name, with path's .gz ending if that file is
 * there, else without it or with one. false: no such name. */
static bool labels_beside(const char *path, char *buf, size_t len)
{
    static const char images[] = "images-idx3", labels[] = "labels-idx1";
    const char *base = strrchr(path, '/');
    const char *at = strstr(base ? base : path, images);
    const size_t n = strlen(path);
    if (!at || n + 4 > len)
        return false;
    memcpy(buf, path, n + 1);
    memcpy(buf + (at - path), labels, sizeof labels - 1);
    struct stat st;
    if (stat(buf, &st) == 0)
        return true;
    /* the other ending: a .gz taken off, or put on */
    const bool gz = n > 3 && strcmp(buf + n - 3, ".gz") == 0;
    char *end = buf + (gz ? n - 3 : n);
    strcpy(end, gz ? "" : ".gz");
    if (stat(buf, &st) != 0) /* neither is there: name path's ending */
        strcpy(end, gz ? ".gz" : "");
    return true;
}

/* d's labels into v, each named by its value. */
static lnn_status add_labels(lnn__vocab *v, const lnn_dataset *d)
{
    for (size_t j = 0; j < d->m; j++) {
        char name[4];
        const int k = snprintf(name, sizeof name, "%u", d->labels[j]);
        const lnn_status s = lnn__vocab_add(v, name, (size_t)k);
        if (s != LNN_OK)
            return s;
    }
    return LNN_OK;
}

lnn_status lnn__idx_load(lnn_table *out, const char *path,
                         const lnn_table_opts *o, char *err, size_t errlen)
{
    char beside[4096];
    const char *labels = o->labels_path;
    if (!labels) {
        if (!labels_beside(path, beside, sizeof beside))
            return lnn__err(err, errlen, LNN_ERR_ARG,
                            "%s: an IDX image file without a labels file "
                            "(its name has no images-idx3 to make "
                            "labels-idx1 of)", path);
        labels = beside;
    }
    lnn_dataset d;
    lnn_status s = lnn_load_data(&d, path, labels, 256 /* bytes */, err,
                                 errlen);
    if (s != LNN_OK)
        return s;
    lnn__vocab v = {0};
    lnn__matrix M = {.n_x = d.n_x, .m = d.m, .cap = d.m, .U = d.X};
    d.X = NULL;
    if ((s = add_labels(&v, &d)) != LNN_OK)
        s = lnn__err(err, errlen, s, "%s: out of memory for %zu labels",
                     labels, d.m);
    else
        s = lnn__table_finish(out, &M, &v, err, errlen);
    lnn__matrix_free(&M);
    lnn__vocab_free(&v);
    lnn_dataset_free(&d);
    return s;
}
