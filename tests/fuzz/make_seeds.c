/* make_seeds.c: the seed corpus of the fuzz targets, made by lnn itself
 * (model files by lnn_model_save) and by zlib (gzip files): small valid
 * inputs of every kind each target reads. Usage: make_seeds DIR; writes
 * DIR/model, DIR/idx_images, DIR/idx_data and DIR/pgm. */
#define _POSIX_C_SOURCE 200809L

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "lnn.h"

#define GZIP_WBITS (MAX_WBITS + 16)
#define PGM_SIDE 28

typedef struct buf {
    unsigned char *p;
    size_t n;
} buf;

static void die(const char *what)
{
    fprintf(stderr, "make_seeds: %s\n", what);
    exit(1);
}

static void put(const char *dir, const char *sub, const char *name,
                const buf *b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/%s/%s", dir, sub, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->p, 1, b->n, f) != b->n || fclose(f) != 0)
        die(path);
}

static buf take(const unsigned char *p, size_t n)
{
    buf b = {malloc(n ? n : 1), n};
    if (!b.p)
        die("out of memory");
    memcpy(b.p, p, n);
    return b;
}

static buf cat(const buf *a, const buf *b)
{
    buf c = {malloc(a->n + b->n + 1), a->n + b->n};
    if (!c.p)
        die("out of memory");
    memcpy(c.p, a->p, a->n);
    memcpy(c.p + a->n, b->p, b->n);
    return c;
}

/* One gzip member holding b. */
static buf gz(const buf *b)
{
    z_stream z = {0};
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, GZIP_WBITS, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        die("deflateInit2");
    buf out = {malloc(deflateBound(&z, b->n)), 0};
    if (!out.p)
        die("out of memory");
    z.next_in = b->p;
    z.avail_in = (uInt)b->n;
    z.next_out = out.p;
    z.avail_out = (uInt)deflateBound(&z, b->n);
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        die("deflate");
    out.n = z.total_out;
    deflateEnd(&z);
    return out;
}

/* An IDX file of unsigned bytes: rank 3 (images) or 1 (labels). */
static buf idx(unsigned rank, const unsigned *dims, unsigned seed)
{
    size_t items = 1;
    for (unsigned i = 0; i < rank; i++)
        items *= dims[i];
    const size_t head = 4 + 4 * rank;
    buf b = {calloc(head + items, 1), head + items};
    if (!b.p)
        die("out of memory");
    b.p[2] = 0x08;
    b.p[3] = (unsigned char)rank;
    for (unsigned i = 0; i < rank; i++)
        for (int k = 0; k < 4; k++)
            b.p[4 + 4 * i + k] = (unsigned char)(dims[i] >> (24 - 8 * k));
    for (size_t j = 0; j < items; j++)
        b.p[head + j] = (unsigned char)((j * 37 + seed) % (rank == 1 ? 10 : 256));
    return b;
}

/* An idx_data input: n_classes - 1, the image file's length, both files. */
static buf pair(unsigned n_classes, const buf *images, const buf *labels)
{
    unsigned char h[5] = {(unsigned char)(n_classes - 1)};
    for (int k = 0; k < 4; k++)
        h[1 + k] = (unsigned char)(images->n >> (8 * k));
    buf head = take(h, sizeof h), a = cat(&head, images);
    buf out = cat(&a, labels);
    free(head.p);
    free(a.p);
    return out;
}

static void model(const char *dir, const char *name, size_t L,
                  const size_t *dims, lnn_activation act, lnn_optimizer opt,
                  bool with_opts)
{
    lnn_net_config cfg = {.L = L, .dims = dims, .hidden = act,
                          .max_batch = 4, .optimizer = opt};
    lnn_net *net;
    char path[4096], err[256];
    if (lnn_net_create(&net, &cfg, err, sizeof err) != LNN_OK)
        die(err);
    lnn_initialize_parameters(net, LNN_INIT_AUTO, 7);
    snprintf(path, sizeof path, "%s/model", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/model/%s", dir, name);
    lnn_train_opts opts = lnn_train_opts_default();
    opts.batch_size = 2;
    if (lnn_model_save(net, with_opts ? &opts : NULL, path, err,
                       sizeof err) != LNN_OK)
        die(err);
    lnn_net_destroy(net);
}

static void pgm(const char *dir, const char *name, bool plain,
                unsigned maxval, const char *comment)
{
    char head[128];
    const int h = snprintf(head, sizeof head, "P%c\n%s%d %d\n%u\n",
                           plain ? '2' : '5', comment, PGM_SIDE, PGM_SIDE,
                           maxval);
    const size_t wide = maxval > 255 ? 2 : 1, n = PGM_SIDE * PGM_SIDE;
    buf b = {malloc((size_t)h + 6 * n + 1), (size_t)h};
    if (!b.p)
        die("out of memory");
    memcpy(b.p, head, (size_t)h);
    for (size_t i = 0; i < n; i++) {
        const unsigned v = (unsigned)(i * 97 % (maxval + 1));
        if (plain)
            b.n += (size_t)sprintf((char *)b.p + b.n, "%u%c", v,
                                   i % PGM_SIDE == PGM_SIDE - 1 ? '\n' : ' ');
        else if (wide == 2) {
            b.p[b.n++] = (unsigned char)(v >> 8);
            b.p[b.n++] = (unsigned char)v;
        } else {
            b.p[b.n++] = (unsigned char)v;
        }
    }
    put(dir, "pgm", name, &b);
    free(b.p);
}

int main(int argc, char **argv)
{
    if (argc != 2)
        die("usage: make_seeds DIR");
    const char *dir = argv[1];
    mkdir(dir, 0755);

    const size_t d1[] = {5, 4, 3}, d2[] = {4, 3, 2}, d3[] = {3, 2},
                 d4[] = {2, 3, 3, 2};
    model(dir, "sgd-sigmoid.lnn", 2, d1, LNN_ACT_SIGMOID, LNN_OPT_SGD, true);
    model(dir, "adam-relu.lnn", 2, d2, LNN_ACT_RELU, LNN_OPT_ADAM, true);
    model(dir, "momentum-no-opts.lnn", 1, d3, LNN_ACT_RELU, LNN_OPT_MOMENTUM,
          false);
    model(dir, "nesterov-3-layers.lnn", 3, d4, LNN_ACT_SIGMOID,
          LNN_OPT_NESTEROV, true);

    const unsigned img_dims[] = {3, 2, 2}, lab_dims[] = {3};
    buf img = idx(3, img_dims, 1), lab = idx(1, lab_dims, 2);
    buf img_gz = gz(&img), lab_gz = gz(&lab);
    /* two gzip members back to back: the header in one, pixels in the other */
    buf img_head = take(img.p, 16), img_body = take(img.p + 16, img.n - 16);
    buf m1 = gz(&img_head), m2 = gz(&img_body), img_2gz = cat(&m1, &m2);
    put(dir, "idx_images", "raw", &img);
    put(dir, "idx_images", "gz", &img_gz);
    put(dir, "idx_images", "two-members.gz", &img_2gz);
    buf p1 = pair(10, &img, &lab), p2 = pair(10, &img_gz, &lab_gz),
        p3 = pair(10, &img_2gz, &lab);
    put(dir, "idx_data", "raw-raw", &p1);
    put(dir, "idx_data", "gz-gz", &p2);
    put(dir, "idx_data", "gz2-raw", &p3);
    buf all[] = {img, lab, img_gz, lab_gz, img_head, img_body, m1, m2,
                 img_2gz, p1, p2, p3};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i].p);

    pgm(dir, "p5.pgm", false, 255, "");
    pgm(dir, "p5-16bit.pgm", false, 65535, "");
    pgm(dir, "p2-comment.pgm", true, 15, "# made by make_seeds\n");
    return 0;
}
