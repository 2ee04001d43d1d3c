/* The data layer on IDX files written here, in a fresh temporary directory:
 * small files load back exactly, raw or gzipped; every hostile file gives
 * its own status and message, with no crash, leak or huge allocation; the
 * directory loader and data_wrapper. Needs no real data set (test_mnist
 * covers that). */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, dirent, lstat, setrlimit */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "lnn.h"

#define MAGIC_IMAGES 0x00000803u
#define MAGIC_LABELS 0x00000801u
#define HEADER_IMAGES 16 /* magic + 3 dimensions */
#define HEADER_LABELS 8  /* magic + 1 dimension */

/* The small data set most cases start from: M images of ROWS x COLS
 * (not square, so rows and columns cannot be confused), CLASSES classes. */
#define M 7
#define ROWS 3
#define COLS 5
#define CLASSES 4
#define PIXELS (ROWS * COLS)

#define PATH_LEN 512
#define BIG_CLAIM 4000000000u /* "4 billion images" */
#define MEM_CAP ((rlim_t)1 << 30) /* address space a hostile load may add */

static char tmp_dir[PATH_LEN];

/* ------------------------------------------------------------------------ */
/* Writing files                                                            */
/* ------------------------------------------------------------------------ */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* An IDX file in a new buffer: magic, rank dims, then n payload bytes. */
static uint8_t *idx_bytes(uint32_t magic, const uint32_t *dims, size_t rank,
                          const uint8_t *payload, size_t n, size_t *len)
{
    *len = 4 * (1 + rank) + n;
    uint8_t *b = malloc(*len);
    if (!b)
        return NULL;
    put_be32(b, magic);
    for (size_t i = 0; i < rank; i++)
        put_be32(b + 4 * (1 + i), dims[i]);
    if (n)
        memcpy(b + 4 * (1 + rank), payload, n);
    return b;
}

/* gzip n bytes (one member) into a new buffer; level 0 gives stored
 * blocks, whose bytes appear unchanged in the output. */
static uint8_t *gzip_bytes(const uint8_t *in, size_t n, int level,
                           size_t *len)
{
    z_stream z = {0};
    if (deflateInit2(&z, level, Z_DEFLATED, MAX_WBITS + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    const size_t cap = deflateBound(&z, (uLong)n) + 32;
    uint8_t *out = malloc(cap);
    if (out) {
        z.next_in = (Bytef *)(uintptr_t)in;
        z.avail_in = (uInt)n;
        z.next_out = out;
        z.avail_out = (uInt)cap;
        if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
            free(out);
            out = NULL;
        }
        *len = z.total_out;
    }
    deflateEnd(&z);
    return out;
}

/* path = tmp_dir/name (PATH_LEN bytes). */
static void tmp_path(char *path, const char *name)
{
    const int n = snprintf(path, PATH_LEN, "%s/%s", tmp_dir, name);
    CHECK(n > 0 && n < PATH_LEN);
}

/* Write bytes to tmp_dir/name; path gets the path. */
static void write_file(const char *name, const uint8_t *b, size_t n,
                       char *path)
{
    tmp_path(path, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(n == 0 || fwrite(b, 1, n, f) == n);
    CHECK(fclose(f) == 0);
}

/* Delete dir and everything in it (the tests make files and one level of
 * subdirectories only). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d)
        return;
    const struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[PATH_LEN];
        struct stat st;
        const int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        CHECK(n > 0 && n < PATH_LEN && lstat(path, &st) == 0);
        if (S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            CHECK(unlink(path) == 0);
    }
    CHECK(closedir(d) == 0);
    CHECK(rmdir(dir) == 0);
}

/* Write an IDX file, raw or gzipped (default level). */
static void write_idx(const char *name, uint32_t magic, const uint32_t *dims,
                      size_t rank, const uint8_t *payload, size_t n, bool gz,
                      char *path)
{
    size_t len, zlen;
    uint8_t *b = idx_bytes(magic, dims, rank, payload, n, &len);
    CHECK(b != NULL);
    if (!b)
        return;
    if (gz) {
        uint8_t *z = gzip_bytes(b, len, Z_DEFAULT_COMPRESSION, &zlen);
        CHECK(z != NULL);
        if (z)
            write_file(name, z, zlen, path);
        free(z);
    } else {
        write_file(name, b, len, path);
    }
    free(b);
}

/* The reference data: pixel i of image j and label j. */
static uint8_t pixel(size_t i, size_t j) { return (uint8_t)(37 * j + 11 * i + (i * j) % 5); }
static uint8_t label(size_t j) { return (uint8_t)(j % CLASSES); }

static void fill_reference(uint8_t *X, uint8_t *labels, size_t m,
                           size_t pixels)
{
    for (size_t j = 0; j < m; j++) {
        for (size_t i = 0; i < pixels; i++)
            X[j * pixels + i] = pixel(i, j);
        labels[j] = label(j);
    }
}

/* Write the reference pair (M images, M labels) as name.img / name.lab. */
static void write_pair(const char *name, bool gz, char *img, char *lab)
{
    uint8_t X[M * PIXELS], labels[M];
    fill_reference(X, labels, M, PIXELS);
    const uint32_t dims[] = {M, ROWS, COLS}, ldims[] = {M};
    char n[PATH_LEN];
    snprintf(n, sizeof n, "%s.img%s", name, gz ? ".gz" : "");
    write_idx(n, MAGIC_IMAGES, dims, 3, X, sizeof X, gz, img);
    snprintf(n, sizeof n, "%s.lab%s", name, gz ? ".gz" : "");
    write_idx(n, MAGIC_LABELS, ldims, 1, labels, sizeof labels, gz, lab);
}

/* ------------------------------------------------------------------------ */
/* Checking                                                                 */
/* ------------------------------------------------------------------------ */

/* The message contains want (printed in full when it does not). */
static void check_msg(const char *err, const char *want, int line)
{
    check_count++;
    if (!strstr(err, want)) {
        check_failures++;
        fprintf(stderr, "%s:%d: message \"%s\" lacks \"%s\"\n", __FILE__,
                line, err, want);
    }
}

/* A load fails with status want, a message holding both parts, and out left
 * empty. */
#define CHECK_LOAD_FAILS(img, lab, want, part1, part2)                        \
    do {                                                                      \
        char err_[512] = "";                                                  \
        lnn_dataset d_;                                                       \
        CHECK_STATUS(lnn_load_data(&d_, img, lab, CLASSES, err_,             \
                                   sizeof err_), want);                       \
        check_msg(err_, part1, __LINE__);                                     \
        check_msg(err_, part2, __LINE__);                                     \
        CHECK(d_.X == NULL && d_.labels == NULL && d_.m == 0);                \
        lnn_dataset_free(&d_);                                                \
    } while (0)

static void check_reference(const lnn_dataset *d, size_t m, size_t rows,
                            size_t cols)
{
    CHECK(d->m == m && d->rows == rows && d->cols == cols);
    CHECK(d->n_x == rows * cols);
    CHECK(d->n_classes == CLASSES);
    if (!d->X || !d->labels || d->m != m || d->n_x != rows * cols) {
        CHECK(0);
        return;
    }
    size_t wrong = 0;
    for (size_t j = 0; j < m; j++) {
        for (size_t i = 0; i < rows * cols; i++)
            wrong += d->X[j * rows * cols + i] != pixel(i, j);
        wrong += d->labels[j] != label(j);
    }
    CHECK(wrong == 0);
}

/* Lower the address-space limit to what the process uses now plus MEM_CAP,
 * so that sizing a buffer from a lying header fails (LNN_ERR_NOMEM, and the
 * test's status check with it) instead of passing unnoticed on an
 * overcommitting kernel. Not under AddressSanitizer, which reserves
 * terabytes of shadow memory (it rejects such sizes itself). Returns false
 * when no cap was set. */
static bool cap_memory(struct rlimit *saved)
{
#if defined(__SANITIZE_ADDRESS__) || !defined(__linux__)
    (void)saved;
    return false;
#else
    unsigned long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return false;
    const int got = fscanf(f, "%lu", &pages);
    fclose(f);
    const long page = sysconf(_SC_PAGESIZE);
    if (got != 1 || page <= 0 || getrlimit(RLIMIT_AS, saved) != 0)
        return false;
    struct rlimit cap = *saved;
    cap.rlim_cur = (rlim_t)pages * (rlim_t)page + MEM_CAP;
    if (saved->rlim_max != RLIM_INFINITY && cap.rlim_cur > saved->rlim_max)
        return false;
    return setrlimit(RLIMIT_AS, &cap) == 0;
#endif
}

static void uncap_memory(const struct rlimit *saved, bool capped)
{
    if (capped)
        CHECK(setrlimit(RLIMIT_AS, saved) == 0);
}

/* ------------------------------------------------------------------------ */
/* Files that load                                                          */
/* ------------------------------------------------------------------------ */

static void loads_back_exactly(void)
{
    char img[PATH_LEN], lab[PATH_LEN], zimg[PATH_LEN], zlab[PATH_LEN];
    char err[256] = "";
    lnn_dataset d;
    write_pair("ref", false, img, lab);
    write_pair("ref", true, zimg, zlab);

    CHECK_STATUS(lnn_load_data(&d, img, lab, CLASSES, err, sizeof err),
                 LNN_OK);
    check_reference(&d, M, ROWS, COLS);
    lnn_dataset_free(&d);
    CHECK(d.X == NULL && d.labels == NULL && d.m == 0);
    lnn_dataset_free(&d); /* twice is harmless */
    lnn_dataset_free(NULL);

    CHECK_STATUS(lnn_load_data(&d, zimg, zlab, CLASSES, err, sizeof err),
                 LNN_OK);
    check_reference(&d, M, ROWS, COLS);
    lnn_dataset_free(&d);

    /* mixed, and without a message buffer */
    CHECK_STATUS(lnn_load_data(&d, zimg, lab, CLASSES, NULL, 0), LNN_OK);
    check_reference(&d, M, ROWS, COLS);
    lnn_dataset_free(&d);

    /* any class count above the largest label works */
    CHECK_STATUS(lnn_load_data(&d, img, zlab, 256, err, sizeof err), LNN_OK);
    CHECK(d.n_classes == 256);
    lnn_dataset_free(&d);
}

/* Over a megabyte of payload in two gzip members: the trailer describes
 * only the last, so the loader cannot size the buffer from it and must grow
 * it as the data arrives. */
static void loads_multi_member_gzip(void)
{
    enum { BIG_M = 2000, BIG_ROWS = 32, BIG_COLS = 24 };
    const size_t pixels = BIG_ROWS * BIG_COLS;
    uint8_t *X = malloc(BIG_M * pixels), *labels = malloc(BIG_M);
    size_t len, half_a, half_b;
    uint8_t *file = NULL, *a = NULL, *b = NULL, *both = NULL;
    char img[PATH_LEN], lab[PATH_LEN], err[256] = "";
    CHECK(X && labels);
    if (!X || !labels)
        goto done;
    fill_reference(X, labels, BIG_M, pixels);
    const uint32_t dims[] = {BIG_M, BIG_ROWS, BIG_COLS}, ldims[] = {BIG_M};
    file = idx_bytes(MAGIC_IMAGES, dims, 3, X, BIG_M * pixels, &len);
    a = file ? gzip_bytes(file, len / 3, 6, &half_a) : NULL;
    b = file ? gzip_bytes(file + len / 3, len - len / 3, 6, &half_b) : NULL;
    both = a && b ? malloc(half_a + half_b) : NULL;
    CHECK(both != NULL);
    if (!both)
        goto done;
    memcpy(both, a, half_a);
    memcpy(both + half_a, b, half_b);
    write_file("multi.img.gz", both, half_a + half_b, img);
    write_idx("multi.lab", MAGIC_LABELS, ldims, 1, labels, BIG_M, false, lab);

    lnn_dataset d;
    CHECK_STATUS(lnn_load_data(&d, img, lab, CLASSES, err, sizeof err),
                 LNN_OK);
    check_reference(&d, BIG_M, BIG_ROWS, BIG_COLS);
    lnn_dataset_free(&d);
done:
    free(X);
    free(labels);
    free(file);
    free(a);
    free(b);
    free(both);
}

/* ------------------------------------------------------------------------ */
/* Hostile files: one case each                                             */
/* ------------------------------------------------------------------------ */

static void hostile_empty_file(void)
{
    char img[PATH_LEN], lab[PATH_LEN], zimg[PATH_LEN];
    write_pair("empty", false, img, lab);
    write_file("empty.img", NULL, 0, img);
    CHECK_LOAD_FAILS(img, lab, LNN_ERR_FORMAT, "empty.img: ", "empty file");
    /* a valid gzip stream of nothing */
    size_t zlen;
    uint8_t *z = gzip_bytes(NULL, 0, Z_DEFAULT_COMPRESSION, &zlen);
    CHECK(z != NULL);
    if (z)
        write_file("empty.img.gz", z, zlen, zimg);
    free(z);
    CHECK_LOAD_FAILS(zimg, lab, LNN_ERR_FORMAT, "empty.img.gz: ",
                     "empty file");
}

static void hostile_wrong_magic(void)
{
    char img[PATH_LEN], lab[PATH_LEN], bad[PATH_LEN];
    const uint32_t dims[] = {M, ROWS, COLS};
    uint8_t X[M * PIXELS] = {0};
    write_pair("magic", false, img, lab);

    /* not IDX at all (say, an HTML error page saved as the file) */
    write_file("magic.html", (const uint8_t *)"<!DOCTYPE html><html>", 21,
               bad);
    CHECK_LOAD_FAILS(bad, lab, LNN_ERR_FORMAT, "magic.html: ",
                     "not an IDX file of unsigned bytes: magic 0x3c21444f");
    /* IDX, but of floats (type 0x0D) */
    write_idx("magic.float", 0x00000D03u, dims, 3, X, sizeof X, false, bad);
    CHECK_LOAD_FAILS(bad, lab, LNN_ERR_FORMAT, "magic.float: ",
                     "magic 0x00000d03");
    /* bytes, but of rank 2 */
    write_idx("magic.rank2", 0x00000802u, dims, 2, X, sizeof X, false, bad);
    CHECK_LOAD_FAILS(bad, lab, LNN_ERR_FORMAT, "magic.rank2: ",
                     "magic 0x00000802 is an IDX file of rank 2, expected "
                     "0x00000803 (IDX images, rank 3)");
    /* the label file given as images, and the other way round */
    CHECK_LOAD_FAILS(lab, lab, LNN_ERR_FORMAT, "magic.lab: magic 0x00000801",
                     "swapped");
    CHECK_LOAD_FAILS(img, img, LNN_ERR_FORMAT, "magic.img: magic 0x00000803",
                     "swapped");
}

static void hostile_truncated_header(void)
{
    char img[PATH_LEN], lab[PATH_LEN], bad[PATH_LEN];
    write_pair("header", false, img, lab);
    uint8_t h[10] = {0};
    put_be32(h, MAGIC_IMAGES);
    put_be32(h + 4, M);
    write_file("header-cut.img", h, sizeof h, bad);
    CHECK_LOAD_FAILS(bad, lab, LNN_ERR_FORMAT, "header-cut.img: ",
                     "truncated header: 10 of 16 bytes");
    put_be32(h, MAGIC_LABELS);
    write_file("header-cut.lab", h, 6, bad);
    CHECK_LOAD_FAILS(img, bad, LNN_ERR_FORMAT, "header-cut.lab: ",
                     "truncated header: 6 of 8 bytes");
    /* shorter than the magic itself */
    write_file("header-3.img", h, 3, bad);
    CHECK_LOAD_FAILS(bad, lab, LNN_ERR_FORMAT, "header-3.img: ",
                     "truncated header: 3 of 16 bytes");
}

static void hostile_truncated_body(void)
{
    uint8_t X[M * PIXELS], labels[M];
    fill_reference(X, labels, M, PIXELS);
    const uint32_t dims[] = {M, ROWS, COLS}, ldims[] = {M};
    char img[PATH_LEN], lab[PATH_LEN], cut[PATH_LEN];
    for (int gz = 0; gz <= 1; gz++) {
        write_pair(gz ? "body-gz" : "body", gz, img, lab);
        /* one pixel short */
        write_idx(gz ? "cut.img.gz" : "cut.img", MAGIC_IMAGES, dims, 3, X,
                  sizeof X - 1, gz, cut);
        CHECK_LOAD_FAILS(cut, lab, LNN_ERR_FORMAT,
                         gz ? "cut.img.gz: " : "cut.img: ",
                         "header says 7 images, file holds 6 and 14 bytes "
                         "of one more");
        /* one label short */
        write_idx(gz ? "cut.lab.gz" : "cut.lab", MAGIC_LABELS, ldims, 1,
                  labels, M - 1, gz, cut);
        CHECK_LOAD_FAILS(img, cut, LNN_ERR_FORMAT,
                         gz ? "cut.lab.gz: " : "cut.lab: ",
                         "header says 7 labels, file holds 6");
    }
}

static void hostile_trailing_garbage(void)
{
    uint8_t X[M * PIXELS + 3], labels[M + 1];
    fill_reference(X, labels, M, PIXELS);
    memcpy(X + M * PIXELS, "abc", 3);
    labels[M] = 0;
    const uint32_t dims[] = {M, ROWS, COLS}, ldims[] = {M};
    char img[PATH_LEN], lab[PATH_LEN], bad[PATH_LEN];
    for (int gz = 0; gz <= 1; gz++) {
        write_pair(gz ? "trail-gz" : "trail", gz, img, lab);
        write_idx(gz ? "long.img.gz" : "long.img", MAGIC_IMAGES, dims, 3, X,
                  sizeof X, gz, bad);
        CHECK_LOAD_FAILS(bad, lab, LNN_ERR_FORMAT, "long.img",
                         "3 bytes of trailing garbage after the 7 images");
        write_idx(gz ? "long.lab.gz" : "long.lab", MAGIC_LABELS, ldims, 1,
                  labels, sizeof labels, gz, bad);
        CHECK_LOAD_FAILS(img, bad, LNN_ERR_FORMAT, "long.lab",
                         "1 byte of trailing garbage after the 7 labels");
    }
}

static void hostile_count_mismatch(void)
{
    uint8_t X[M * PIXELS], labels[M];
    fill_reference(X, labels, M, PIXELS);
    const uint32_t ldims[] = {M - 1};
    char img[PATH_LEN], lab[PATH_LEN];
    write_pair("count", false, img, lab);
    write_idx("count6.lab", MAGIC_LABELS, ldims, 1, labels, M - 1, false,
              lab);
    CHECK_LOAD_FAILS(img, lab, LNN_ERR_FORMAT, "count.img holds 7 images",
                     "count6.lab holds 6 labels");
}

static void hostile_zero_dimension(void)
{
    const uint8_t none[1] = {0};
    char img[PATH_LEN], lab[PATH_LEN], bad[PATH_LEN];
    write_pair("zero", false, img, lab);
    const uint32_t no_rows[] = {M, 0, COLS}, no_images[] = {0, ROWS, COLS};
    const uint32_t no_cols[] = {M, ROWS, 0}, no_labels[] = {0};
    write_idx("rows0.img", MAGIC_IMAGES, no_rows, 3, none, 0, false, bad);
    CHECK_LOAD_FAILS(bad, lab, LNN_ERR_FORMAT, "rows0.img: ",
                     "header says 0 rows");
    write_idx("cols0.img", MAGIC_IMAGES, no_cols, 3, none, 0, false, bad);
    CHECK_LOAD_FAILS(bad, lab, LNN_ERR_FORMAT, "cols0.img: ",
                     "header says 0 columns");
    write_idx("count0.img", MAGIC_IMAGES, no_images, 3, none, 0, false, bad);
    CHECK_LOAD_FAILS(bad, lab, LNN_ERR_FORMAT, "count0.img: ",
                     "header says 0 images");
    write_idx("count0.lab", MAGIC_LABELS, no_labels, 1, none, 0, false, bad);
    CHECK_LOAD_FAILS(img, bad, LNN_ERR_FORMAT, "count0.lab: ",
                     "header says 0 labels");
}

static void hostile_size_overflow(void)
{
    const uint8_t junk[84] = {0};
    const uint32_t huge[] = {UINT32_MAX, UINT32_MAX, UINT32_MAX};
    char img[PATH_LEN], lab[PATH_LEN], bad[PATH_LEN];
    write_pair("ovf", false, img, lab);
    write_idx("ovf.img", MAGIC_IMAGES, huge, 3, junk, sizeof junk, false,
              bad);
    CHECK_LOAD_FAILS(bad, lab, LNN_ERR_OVERFLOW, "ovf.img: header says "
                     "4294967295 images x 4294967295 rows x 4294967295 "
                     "columns", "overflows");
}

static void hostile_label_200(void)
{
    uint8_t X[M * PIXELS], labels[M];
    fill_reference(X, labels, M, PIXELS);
    labels[3] = 200;
    const uint32_t ldims[] = {M};
    char img[PATH_LEN], lab[PATH_LEN];
    write_pair("label", false, img, lab);
    write_idx("label200.lab", MAGIC_LABELS, ldims, 1, labels, M, false, lab);
    CHECK_LOAD_FAILS(img, lab, LNN_ERR_FORMAT, "label200.lab: ",
                     "label 200 of sample 3 is not below the class count 4");
    /* the same labels are fine with 256 classes */
    lnn_dataset d;
    CHECK_STATUS(lnn_load_data(&d, img, lab, 256, NULL, 0), LNN_OK);
    lnn_dataset_free(&d);
}

/* Bytes in the middle of a compressed stream damaged two ways: compressed
 * data zeroed (a decoding error or a failed check, whichever the damage
 * hits first), and one bit of a stored block flipped (decodes, but the
 * CRC-32 in the trailer no longer matches). */
static void hostile_gzip_corrupt(void)
{
    enum { N = 400 };
    const size_t pixels = PIXELS;
    uint8_t X[N * PIXELS], labels[N];
    fill_reference(X, labels, N, pixels);
    const uint32_t dims[] = {N, ROWS, COLS}, ldims[] = {N};
    char img[PATH_LEN], lab[PATH_LEN];
    write_idx("crc.lab", MAGIC_LABELS, ldims, 1, labels, N, false, lab);
    size_t len, zlen;
    uint8_t *file = idx_bytes(MAGIC_IMAGES, dims, 3, X, sizeof X, &len);
    for (int level = 0; level <= 9; level += 9) {
        uint8_t *z = file ? gzip_bytes(file, len, level, &zlen) : NULL;
        CHECK(z != NULL && zlen > 64);
        if (!z || zlen <= 64) {
            free(z);
            continue;
        }
        if (level == 9)
            memset(z + zlen / 2, 0, 8);
        else
            z[zlen / 2] ^= 0x10;
        write_file(level ? "zeroed.img.gz" : "flipped.img.gz", z, zlen, img);
        CHECK_LOAD_FAILS(img, lab, LNN_ERR_FORMAT, ".img.gz: ",
                         level ? "gzip data" : "corrupt gzip data");
        free(z);
    }
    free(file);
}

/* A gzip file cut short, and one with bytes after its end. */
static void hostile_gzip_framing(void)
{
    uint8_t X[M * PIXELS], labels[M];
    fill_reference(X, labels, M, PIXELS);
    const uint32_t dims[] = {M, ROWS, COLS};
    char img[PATH_LEN], lab[PATH_LEN], bad[PATH_LEN];
    write_pair("frame", false, img, lab);
    size_t len, zlen;
    uint8_t *file = idx_bytes(MAGIC_IMAGES, dims, 3, X, sizeof X, &len);
    uint8_t *z = file ? gzip_bytes(file, len, 6, &zlen) : NULL;
    uint8_t *more = z ? malloc(zlen + 5) : NULL;
    CHECK(more != NULL);
    if (more) {
        write_file("short.img.gz", z, zlen - 6, bad); /* into the trailer */
        CHECK_LOAD_FAILS(bad, lab, LNN_ERR_FORMAT, "short.img.gz: ",
                         "the gzip data ends early");
        memcpy(more, z, zlen);
        memcpy(more + zlen, "junk!", 5);
        write_file("junk.img.gz", more, zlen + 5, bad);
        CHECK_LOAD_FAILS(bad, lab, LNN_ERR_FORMAT, "junk.img.gz: ",
                         "5 bytes of junk after the end of the gzip data");
    }
    free(file);
    free(z);
    free(more);
}

static void hostile_directory(void)
{
    char img[PATH_LEN], lab[PATH_LEN], sub[PATH_LEN];
    write_pair("dir", false, img, lab);
    tmp_path(sub, "subdir");
    CHECK(mkdir(sub, 0700) == 0);
    CHECK_LOAD_FAILS(sub, lab, LNN_ERR_IO, "subdir: ", "is a directory");
    CHECK_LOAD_FAILS(img, sub, LNN_ERR_IO, "subdir: ", "is a directory");
    CHECK(rmdir(sub) == 0);
    /* nor any other kind of non-regular file */
    CHECK_LOAD_FAILS("/dev/null", lab, LNN_ERR_IO, "/dev/null: ",
                     "not a regular file");
}

static void hostile_missing_file(void)
{
    char img[PATH_LEN], lab[PATH_LEN], gone[PATH_LEN];
    write_pair("missing", false, img, lab);
    tmp_path(gone, "no-such-file");
    CHECK_LOAD_FAILS(gone, lab, LNN_ERR_IO, "no-such-file: ", "cannot open");
    CHECK_LOAD_FAILS(img, gone, LNN_ERR_IO, "no-such-file: ", "cannot open");
}

/* 4 billion images (and labels) claimed by 100-byte files: the payload
 * must not be allocated from the header. Run under an address-space cap,
 * where sizing from the header would fail as LNN_ERR_NOMEM. */
static void hostile_huge_claim(void)
{
    static const uint8_t zeros[100];
    const size_t img_payload = 100 - HEADER_IMAGES;
    const uint32_t mnist[] = {BIG_CLAIM, 28, 28}, tiny[] = {BIG_CLAIM, 1, 1};
    const uint32_t ldims[] = {BIG_CLAIM};
    char img[PATH_LEN], lab[PATH_LEN];
    struct rlimit saved;
    const bool capped = cap_memory(&saved);
    for (int gz = 0; gz <= 1; gz++) {
        write_idx(gz ? "big-lab.gz" : "big-lab", MAGIC_LABELS, ldims, 1,
                  zeros, 100 - HEADER_LABELS, gz, lab);
        write_idx(gz ? "big-img.gz" : "big-img", MAGIC_IMAGES, mnist, 3,
                  zeros, img_payload, gz, img);
        CHECK_LOAD_FAILS(img, lab, LNN_ERR_FORMAT, "big-img",
                         "header says 4000000000 images, file holds 0 and "
                         "84 bytes of one more");
        /* 1x1 images: 4 GB each, a size malloc would grant */
        write_idx(gz ? "big-img.gz" : "big-img", MAGIC_IMAGES, tiny, 3,
                  zeros, img_payload, gz, img);
        CHECK_LOAD_FAILS(img, lab, LNN_ERR_FORMAT, "big-img",
                         "header says 4000000000 images, file holds 84");
    }

    /* A gzip trailer forged to agree with the header (4e9 < 2^32, so its
     * length field can): the allocation is still bounded by what deflate
     * can expand the file to, and inflate's length check fails. */
    size_t len, zlen;
    uint8_t *file = idx_bytes(MAGIC_IMAGES, tiny, 3, zeros, img_payload,
                              &len);
    uint8_t *z = file ? gzip_bytes(file, len, 6, &zlen) : NULL;
    CHECK(z != NULL);
    if (z) {
        const uint32_t forged = BIG_CLAIM + HEADER_IMAGES;
        for (int i = 0; i < 4; i++) /* ISIZE is little-endian */
            z[zlen - 4 + i] = (uint8_t)(forged >> (8 * i));
        write_file("forged.img.gz", z, zlen, img);
        CHECK_LOAD_FAILS(img, lab, LNN_ERR_FORMAT, "forged.img.gz: ",
                         "corrupt gzip data");
    }
    free(file);
    free(z);
    uncap_memory(&saved, capped);
}

static void bad_arguments(void)
{
    char img[PATH_LEN], lab[PATH_LEN], err[256] = "";
    lnn_dataset d;
    write_pair("args", false, img, lab);
    CHECK_STATUS(lnn_load_data(NULL, img, lab, CLASSES, err, sizeof err),
                 LNN_ERR_ARG);
    CHECK_STATUS(lnn_load_data(&d, NULL, lab, CLASSES, err, sizeof err),
                 LNN_ERR_ARG);
    CHECK_STATUS(lnn_load_data(&d, img, lab, 0, err, sizeof err),
                 LNN_ERR_ARG);
    check_msg(err, "n_classes is 0", __LINE__);
    CHECK_STATUS(lnn_load_data(&d, img, lab, 257, err, sizeof err),
                 LNN_ERR_ARG);
    /* a tiny message buffer is cut short, never overrun */
    char small[8];
    memset(small, 'x', sizeof small);
    CHECK_STATUS(lnn_load_data(&d, "/nonexistent/dir/x", lab, CLASSES, small,
                               5), LNN_ERR_IO);
    CHECK(small[4] == '\0' && small[5] == 'x');
    CHECK_STATUS(lnn_load_data(&d, "/nonexistent/dir/x", lab, CLASSES, NULL,
                               0), LNN_ERR_IO);
}

/* ------------------------------------------------------------------------ */
/* The directory loader and data_wrapper                                    */
/* ------------------------------------------------------------------------ */

/* A directory with the four standard names: train M images, test 3. */
static void write_standard(const char *sub, bool gz_train, bool gz_test)
{
    uint8_t X[M * PIXELS], labels[M];
    fill_reference(X, labels, M, PIXELS);
    const uint32_t train[] = {M, ROWS, COLS}, ltrain[] = {M};
    const uint32_t test[] = {3, ROWS, COLS}, ltest[] = {3};
    char name[PATH_LEN], path[PATH_LEN];
    snprintf(name, sizeof name, "%s/train-images-idx3-ubyte%s", sub,
             gz_train ? ".gz" : "");
    write_idx(name, MAGIC_IMAGES, train, 3, X, sizeof X, gz_train, path);
    snprintf(name, sizeof name, "%s/train-labels-idx1-ubyte%s", sub,
             gz_train ? ".gz" : "");
    write_idx(name, MAGIC_LABELS, ltrain, 1, labels, M, gz_train, path);
    snprintf(name, sizeof name, "%s/t10k-images-idx3-ubyte%s", sub,
             gz_test ? ".gz" : "");
    write_idx(name, MAGIC_IMAGES, test, 3, X, 3 * PIXELS, gz_test, path);
    snprintf(name, sizeof name, "%s/t10k-labels-idx1-ubyte%s", sub,
             gz_test ? ".gz" : "");
    write_idx(name, MAGIC_LABELS, ltest, 1, labels, 3, gz_test, path);
}

static void load_dir(void)
{
    char dir[PATH_LEN], err[512] = "", path[PATH_LEN];
    lnn_dataset train, test;
    tmp_path(dir, "set");
    CHECK(mkdir(dir, 0700) == 0);

    /* nothing there yet: every file is named */
    CHECK_STATUS(lnn_load_data_dir(dir, &train, &test, CLASSES, err,
                                   sizeof err), LNN_ERR_IO);
    check_msg(err, "set: missing train-images-idx3-ubyte[.gz], "
              "train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], "
              "t10k-labels-idx1-ubyte[.gz]", __LINE__);
    CHECK(train.X == NULL && test.X == NULL);

    /* gzipped training files, raw test files */
    write_standard("set", true, false);
    CHECK_STATUS(lnn_load_data_dir(dir, &train, &test, CLASSES, err,
                                   sizeof err), LNN_OK);
    check_reference(&train, M, ROWS, COLS);
    check_reference(&test, 3, ROWS, COLS);
    lnn_dataset_free(&train);
    lnn_dataset_free(&test);

    /* a trailing slash is fine */
    tmp_path(path, "set/");
    CHECK_STATUS(lnn_load_data_dir(path, &train, &test, CLASSES, err,
                                   sizeof err), LNN_OK);
    lnn_dataset_free(&train);
    lnn_dataset_free(&test);

    /* with both forms present the raw one is read: a broken .gz beside a
     * good raw file goes unnoticed */
    write_standard("set", false, false);
    write_file("set/train-labels-idx1-ubyte.gz", (const uint8_t *)"x", 1,
               path);
    CHECK_STATUS(lnn_load_data_dir(dir, &train, &test, CLASSES, err,
                                   sizeof err), LNN_OK);
    lnn_dataset_free(&train);
    lnn_dataset_free(&test);

    /* one file gone: named alone; a bad file: its own message */
    tmp_path(path, "set/t10k-labels-idx1-ubyte");
    CHECK(unlink(path) == 0);
    CHECK_STATUS(lnn_load_data_dir(dir, &train, &test, CLASSES, err,
                                   sizeof err), LNN_ERR_IO);
    check_msg(err, "set: missing t10k-labels-idx1-ubyte[.gz] (", __LINE__);
    write_file("set/t10k-labels-idx1-ubyte", (const uint8_t *)"x", 1, path);
    CHECK_STATUS(lnn_load_data_dir(dir, &train, &test, CLASSES, err,
                                   sizeof err), LNN_ERR_FORMAT);
    check_msg(err, "set/t10k-labels-idx1-ubyte: truncated header", __LINE__);
    CHECK(train.X == NULL && test.X == NULL); /* the loaded train is freed */

    /* not a directory, or none at all */
    CHECK_STATUS(lnn_load_data_dir(path, &train, &test, CLASSES, err,
                                   sizeof err), LNN_ERR_IO);
    check_msg(err, "not a directory", __LINE__);
    tmp_path(path, "nowhere");
    CHECK_STATUS(lnn_load_data_dir(path, &train, &test, CLASSES, err,
                                   sizeof err), LNN_ERR_IO);
    check_msg(err, "nowhere: cannot open", __LINE__);
    CHECK_STATUS(lnn_load_data_dir(NULL, &train, &test, CLASSES, err,
                                   sizeof err), LNN_ERR_ARG);
    CHECK_STATUS(lnn_load_data_dir(dir, NULL, &test, CLASSES, err,
                                   sizeof err), LNN_ERR_ARG);
}

/* The wrapper's views train and evaluate as they are. */
static void views_train(const lnn_dataset *train, const lnn_dataset *test)
{
    lnn_splits s;
    char err[256] = "";
    size_t dims[] = {PIXELS, 6, CLASSES};
    lnn_net_config cfg = {.L = 2, .dims = dims, .hidden = LNN_ACT_RELU,
                          .max_batch = 4};
    lnn_net *net = NULL;
    CHECK_STATUS(lnn_data_wrapper(&s, train, test, 4, 2, err, sizeof err),
                 LNN_OK);
    CHECK_STATUS(lnn_net_create(&net, &cfg, err, sizeof err), LNN_OK);
    if (net) {
        lnn_train_opts opts = lnn_train_opts_default();
        opts.batch_size = 2;
        opts.epochs = 2;
        lnn_metrics e;
        CHECK_STATUS(lnn_initialize_parameters(net, LNN_INIT_HE, 3), LNN_OK);
        CHECK_STATUS(lnn_L_layer_model(net, &s.train, &opts), LNN_OK);
        CHECK_STATUS(lnn_evaluate(net, &s.val, &e, NULL), LNN_OK);
        CHECK(e.loss > 0 && e.accuracy >= 0 && e.accuracy <= 1);
        CHECK_STATUS(lnn_evaluate(net, &s.test, &e, NULL), LNN_OK);
        CHECK(e.loss > 0 && e.accuracy >= 0 && e.accuracy <= 1);
        lnn_net_destroy(net);
    }
    lnn_splits_free(&s);
}

/* Errors leave the splits empty; test's fields are restored after each
 * change, its labels after the bad one. */
static void wrapper_errors(const lnn_dataset *train, lnn_dataset *test,
                           uint8_t *tlabels)
{
    lnn_splits s;
    char err[256] = "";
    CHECK_STATUS(lnn_data_wrapper(&s, train, test, 0, 2, err, sizeof err),
                 LNN_ERR_ARG);
    check_msg(err, "no training samples", __LINE__);
    CHECK(s.Y == NULL);
    CHECK_STATUS(lnn_data_wrapper(&s, train, test, 5, 3, err, sizeof err),
                 LNN_ERR_SHAPE);
    check_msg(err, "5 training + 3 validation samples, the training set "
              "has 7", __LINE__);
    CHECK_STATUS(lnn_data_wrapper(&s, train, test, SIZE_MAX, 2, err,
                                  sizeof err), LNN_ERR_SHAPE);
    CHECK_STATUS(lnn_data_wrapper(NULL, train, test, 4, 2, err,
                                  sizeof err), LNN_ERR_ARG);
    CHECK_STATUS(lnn_data_wrapper(&s, NULL, test, 4, 2, err, sizeof err),
                 LNN_ERR_ARG);
    check_msg(err, "training set is NULL", __LINE__);
    test->rows = COLS;
    test->cols = ROWS;
    CHECK_STATUS(lnn_data_wrapper(&s, train, test, 4, 2, err, sizeof err),
                 LNN_ERR_SHAPE);
    check_msg(err, "training images are 3 x 5, test images 5 x 3", __LINE__);
    test->rows = ROWS;
    test->cols = COLS;
    test->n_classes = CLASSES + 1;
    CHECK_STATUS(lnn_data_wrapper(&s, train, test, 4, 2, err, sizeof err),
                 LNN_ERR_SHAPE);
    test->n_classes = CLASSES;
    /* a hand-made dataset whose label would index past Y's column */
    tlabels[1] = CLASSES;
    CHECK_STATUS(lnn_data_wrapper(&s, train, test, 4, 2, err, sizeof err),
                 LNN_ERR_ARG);
    check_msg(err, "test set: label 4 of sample 1", __LINE__);
    tlabels[1] = 0;
    test->X = NULL;
    CHECK_STATUS(lnn_data_wrapper(&s, train, test, 4, 2, err, sizeof err),
                 LNN_ERR_ARG);
    CHECK(s.Y == NULL && s.train.X_u8 == NULL);
}

static void wrapper(void)
{
    uint8_t X[M * PIXELS], labels[M];
    fill_reference(X, labels, M, PIXELS);
    uint8_t tX[3 * PIXELS], tlabels[3] = {2, 0, 3};
    memcpy(tX, X + 2 * PIXELS, sizeof tX);
    lnn_dataset train = {.m = M, .rows = ROWS, .cols = COLS, .n_x = PIXELS,
                         .n_classes = CLASSES, .X = X, .labels = labels};
    lnn_dataset test = {.m = 3, .rows = ROWS, .cols = COLS, .n_x = PIXELS,
                        .n_classes = CLASSES, .X = tX, .labels = tlabels};
    lnn_splits s;
    char err[256] = "";

    CHECK_STATUS(lnn_data_wrapper(&s, &train, &test, 4, 2, err, sizeof err),
                 LNN_OK);
    CHECK(s.train.m == 4 && s.val.m == 2 && s.test.m == 3);
    CHECK(s.train.n_x == PIXELS && s.val.n_x == PIXELS &&
          s.test.n_x == PIXELS);
    CHECK(s.train.n_y == CLASSES && s.val.n_y == CLASSES &&
          s.test.n_y == CLASSES);
    CHECK(s.train.X == NULL && s.val.X == NULL && s.test.X == NULL);
    CHECK(s.train.X_u8 == X && s.val.X_u8 == X + 4 * PIXELS &&
          s.test.X_u8 == tX);
    CHECK(s.train.Y == s.Y);
    /* every one-hot column has its 1 in the label's row */
    const lnn_data *views[] = {&s.train, &s.val, &s.test};
    const uint8_t *view_labels[] = {labels, labels + 4, tlabels};
    size_t wrong = 0;
    for (size_t v = 0; v < 3; v++)
        for (size_t j = 0; j < views[v]->m; j++)
            for (size_t i = 0; i < CLASSES; i++)
                wrong += views[v]->Y[j * CLASSES + i] !=
                         (i == view_labels[v][j] ? 1.0f : 0.0f);
    CHECK(wrong == 0);
    lnn_splits_free(&s);
    CHECK(s.Y == NULL && s.train.m == 0);
    lnn_splits_free(&s);
    lnn_splits_free(NULL);

    /* all for training, no validation view */
    CHECK_STATUS(lnn_data_wrapper(&s, &train, &test, M, 0, err, sizeof err),
                 LNN_OK);
    CHECK(s.train.m == M && s.val.m == 0 && s.val.X_u8 == NULL &&
          s.val.Y == NULL);
    lnn_splits_free(&s);
    views_train(&train, &test);
    wrapper_errors(&train, &test, tlabels);
}

/* Train n_steps epochs of a fresh network on s.train; its parameters. */
static float *trained(const lnn_splits *s, float *out, size_t n)
{
    size_t dims[] = {PIXELS, 6, CLASSES};
    lnn_net_config cfg = {.L = 2, .dims = dims, .hidden = LNN_ACT_RELU,
                          .max_batch = 4, .optimizer = LNN_OPT_ADAM};
    lnn_net *net = NULL;
    CHECK_STATUS(lnn_net_create(&net, &cfg, NULL, 0), LNN_OK);
    if (!net)
        return NULL;
    lnn_train_opts opts = lnn_train_opts_default();
    opts.batch_size = 3;
    opts.epochs = 5;
    opts.val = &s->val;
    CHECK_STATUS(lnn_initialize_parameters(net, LNN_INIT_HE, 3), LNN_OK);
    CHECK_STATUS(lnn_L_layer_model(net, &s->train, &opts), LNN_OK);
    CHECK(lnn_net_n_params(net) == n);
    memcpy(out, lnn_net_params(net), n * sizeof *out);
    lnn_net_destroy(net);
    return out;
}

/* lnn_data_split: the wrapper's views with class labels instead of one-hot
 * Y, and training on them gives the same parameters bit for bit. */
static void split_labels(void)
{
    uint8_t X[M * PIXELS], labels[M];
    fill_reference(X, labels, M, PIXELS);
    uint8_t tX[3 * PIXELS], tlabels[3] = {2, 0, 3};
    memcpy(tX, X + 2 * PIXELS, sizeof tX);
    lnn_dataset train = {.m = M, .rows = ROWS, .cols = COLS, .n_x = PIXELS,
                         .n_classes = CLASSES, .X = X, .labels = labels};
    lnn_dataset test = {.m = 3, .rows = ROWS, .cols = COLS, .n_x = PIXELS,
                        .n_classes = CLASSES, .X = tX, .labels = tlabels};
    lnn_splits s, w;
    char err[256] = "";
    CHECK_STATUS(lnn_data_split(&s, &train, &test, 4, 2, err, sizeof err),
                 LNN_OK);
    CHECK(s.Y == NULL && s.labels != NULL && s.train.Y == NULL &&
          s.val.Y == NULL && s.test.Y == NULL);
    CHECK(s.train.m == 4 && s.val.m == 2 && s.test.m == 3 &&
          s.train.n_y == CLASSES && s.test.n_y == CLASSES);
    CHECK(s.train.X_u8 == X && s.val.X_u8 == X + 4 * PIXELS &&
          s.test.X_u8 == tX);
    const lnn_data *views[] = {&s.train, &s.val, &s.test};
    const uint8_t *view_labels[] = {labels, labels + 4, tlabels};
    size_t wrong = 0;
    for (size_t v = 0; v < 3; v++)
        for (size_t j = 0; j < views[v]->m; j++)
            wrong += views[v]->labels[j] != view_labels[v][j];
    CHECK(wrong == 0);
    CHECK_STATUS(lnn_data_wrapper(&w, &train, &test, 4, 2, err, sizeof err),
                 LNN_OK);
    CHECK(w.labels == NULL && w.train.labels == NULL);
    enum { P = PIXELS * 6 + 6 + 6 * CLASSES + CLASSES };
    float a[P], b[P];
    CHECK(trained(&s, a, P) && trained(&w, b, P) &&
          memcmp(a, b, sizeof a) == 0);
    lnn_splits_free(&w);
    lnn_splits_free(&s);
    CHECK(s.labels == NULL && s.train.m == 0);
    /* its errors are the wrapper's */
    CHECK_STATUS(lnn_data_split(&s, &train, &test, 0, 2, err, sizeof err),
                 LNN_ERR_ARG);
    check_msg(err, "no training samples", __LINE__);
    CHECK(s.labels == NULL && s.train.m == 0);
    CHECK_STATUS(lnn_data_split(NULL, &train, &test, 4, 2, err, sizeof err),
                 LNN_ERR_ARG);
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof tmp_dir, "%s/lnn-test-data-XXXXXX",
             base && *base ? base : "/tmp");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 99; /* setup failure, not a test verdict */
    }
    loads_back_exactly();
    loads_multi_member_gzip();
    hostile_empty_file();
    hostile_wrong_magic();
    hostile_truncated_header();
    hostile_truncated_body();
    hostile_trailing_garbage();
    hostile_count_mismatch();
    hostile_zero_dimension();
    hostile_size_overflow();
    hostile_label_200();
    hostile_gzip_corrupt();
    hostile_gzip_framing();
    hostile_directory();
    hostile_missing_file();
    hostile_huge_claim();
    bad_arguments();
    load_dir();
    wrapper();
    split_labels();

    remove_tree(tmp_dir);
    return check_result("data");
}
