/* data.c: the exercise's load_data and data_wrapper for IDX files (MNIST,
 * Fashion-MNIST, KMNIST, EMNIST), raw or gzip-compressed.
 *
 * An IDX file is a big-endian header, magic 0x0000TTRR (TT the element type,
 * RR the rank) then RR 32-bit dimensions, followed by the elements in
 * row-major order. Images are rank 3 (count, rows, cols), labels rank 1
 * (count); lnn reads unsigned bytes (TT = 0x08) only.
 *
 * Nothing in a file is trusted before it is checked: every header field is
 * validated, sizes are computed with overflow checks, and the payload buffer
 * is sized from the header only as far as the file can hold it (the file size
 * for a raw file; the gzip trailer and deflate's maximum ratio for a
 * compressed one), growing only while data keeps arriving. So a 100-byte
 * file claiming 4 billion images costs at most a few kilobytes.
 *
 * gzip is read with zlib's inflate directly rather than through gzread:
 * gzread treats a truncated stream as a plain end of file and silently skips
 * anything after the last gzip member, and both must be errors here. */
#define _POSIX_C_SOURCE 200809L /* fileno, fstat, stat */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#ifdef LNN_HAVE_LIBDEFLATE
#  include <libdeflate.h>
#endif

#include "lnn.h"
#include "net.h"
#include "util.h"

#define LNN_IDX_MAGIC_IMAGES 0x00000803u /* unsigned bytes, rank 3 */
#define LNN_IDX_MAGIC_LABELS 0x00000801u /* unsigned bytes, rank 1 */
#define LNN_IDX_TYPE_U8 0x08u            /* the element type byte of both */
#define LNN_IDX_RANK_MAX 3
#define LNN_IDX_WORD 4                   /* bytes per header field */
#define LNN_IDX_CLASSES_MAX 256          /* labels are bytes */

#define LNN_GZIP_ID1 0x1f                /* RFC 1952 member magic */
#define LNN_GZIP_ID2 0x8b
#define LNN_GZIP_ISIZE 4                 /* last 4 bytes: length mod 2^32 */
#define LNN_GZIP_WBITS (MAX_WBITS + 16)  /* inflate: gzip wrapper only */
/* deflate expands data at most 1032:1 (zlib's technical notes: at best a
 * 258-byte match costs 2 bits), so a compressed file of c bytes holds at
 * most 1032 c. */
#define LNN_DEFLATE_MAX_RATIO 1032

/* Compressed bytes read per fread; also the first allocation for a payload
 * whose header the gzip trailer does not confirm. */
#define LNN_GZ_CHUNK ((size_t)1 << 20)
#define LNN_SCRATCH 4096 /* bytes read at a time when counting trailing data */

/* What one kind of IDX file holds, for validation and messages. */
typedef struct idx_kind {
    uint32_t magic;
    size_t rank;
    const char *dim_names[LNN_IDX_RANK_MAX]; /* dims[0] is the item count */
    const char *items;                       /* "images" or "labels" */
} idx_kind;

static const idx_kind IDX_IMAGES = {
    LNN_IDX_MAGIC_IMAGES, 3, {"images", "rows", "columns"}, "images"};
static const idx_kind IDX_LABELS = {
    LNN_IDX_MAGIC_LABELS, 1, {"labels", NULL, NULL}, "labels"};

/* An open IDX file, raw or gzip: idx_read gives its uncompressed bytes
 * either way. Carries the caller's message buffer, so every failure can be
 * reported as "path: fault". */
typedef struct idx_file {
    const char *path;
    char *err;
    size_t errlen;
    FILE *f;
    size_t file_bytes;   /* size on disk */
    bool gz;             /* the content starts with the gzip magic */
    uint32_t isize;      /* gz: the trailer's uncompressed length mod 2^32 */
    z_stream z;
    bool z_live;         /* inflateInit2 succeeded: inflateEnd is due */
    bool z_done;         /* gz: the last member ended at the end of file */
    uint8_t *in;         /* gz: LNN_GZ_CHUNK bytes of compressed input */
    size_t in_read;      /* gz: compressed bytes taken from the file */
} idx_file;

/* As lnn__err, the message prefixed with the file's path. */
LNN_PRINTF(3, 4)
static lnn_status file_fail(const idx_file *fp, lnn_status s,
                            const char *fmt, ...)
{
    if (!fp->err || fp->errlen == 0)
        return s;
    const int n = snprintf(fp->err, fp->errlen, "%s: ", fp->path);
    if (n < 0 || (size_t)n >= fp->errlen)
        return s; /* the path alone filled the buffer */
    va_list ap;
    va_start(ap, fmt);
    lnn__verr(fp->err + n, fp->errlen - (size_t)n, s, fmt, ap);
    va_end(ap);
    return s;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
           (uint32_t)p[1] << 8 | (uint32_t)p[0];
}

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

/* ------------------------------------------------------------------------ */
/* Reading a file, raw or gzip                                              */
/* ------------------------------------------------------------------------ */

/* Close fp and release its buffers; safe on a partly opened file and on a
 * closed one. Returns LNN_ERR_IO only when fclose fails, with a message only
 * if `report` (a cleanup after another failure keeps that one's message). */
static lnn_status idx_close(idx_file *fp, bool report)
{
    lnn_status s = LNN_OK;
    if (fp->z_live)
        inflateEnd(&fp->z);
    free(fp->in);
    if (fp->f && fclose(fp->f) != 0) {
        s = LNN_ERR_IO;
        if (report)
            file_fail(fp, s, "close failed: %s", strerror(errno));
    }
    fp->z_live = false;
    fp->in = NULL;
    fp->f = NULL;
    return s;
}

/* Open a regular file and tell gzip from raw by its first two bytes; for
 * gzip, read the trailer's length and set up inflate. */
static lnn_status idx_open(idx_file *fp, const char *path, char *err,
                           size_t errlen)
{
    *fp = (idx_file){.path = path, .err = err, .errlen = errlen};
    struct stat st;
    uint8_t head[2], tail[LNN_GZIP_ISIZE];
    lnn_status s;

    if (!(fp->f = fopen(path, "rb")))
        return file_fail(fp, LNN_ERR_IO, "cannot open: %s", strerror(errno));
    if (fstat(fileno(fp->f), &st) != 0) {
        s = file_fail(fp, LNN_ERR_IO, "cannot stat: %s", strerror(errno));
        goto fail;
    }
    if (S_ISDIR(st.st_mode)) {
        s = file_fail(fp, LNN_ERR_IO, "is a directory, not a file");
        goto fail;
    }
    /* Sizes are checked against the file's length, which only a regular
     * file has. */
    if (!S_ISREG(st.st_mode)) {
        s = file_fail(fp, LNN_ERR_IO, "not a regular file");
        goto fail;
    }
    if (st.st_size < 0 || (uintmax_t)st.st_size > SIZE_MAX) {
        s = file_fail(fp, LNN_ERR_OVERFLOW, "too large for this platform");
        goto fail;
    }
    fp->file_bytes = (size_t)st.st_size;
    fp->gz = fp->file_bytes >= sizeof head &&
             fread(head, 1, sizeof head, fp->f) == sizeof head &&
             head[0] == LNN_GZIP_ID1 && head[1] == LNN_GZIP_ID2;
    if (fp->gz && fp->file_bytes >= sizeof head + sizeof tail) {
        if (fseek(fp->f, -(long)sizeof tail, SEEK_END) != 0 ||
            fread(tail, 1, sizeof tail, fp->f) != sizeof tail) {
            s = file_fail(fp, LNN_ERR_IO, "cannot read the gzip trailer: %s",
                          strerror(errno));
            goto fail;
        }
        fp->isize = le32(tail);
    }
    if (ferror(fp->f) || fseek(fp->f, 0, SEEK_SET) != 0) {
        s = file_fail(fp, LNN_ERR_IO, "read error: %s", strerror(errno));
        goto fail;
    }
    if (fp->gz) {
        if (!(fp->in = malloc(LNN_GZ_CHUNK))) {
            s = file_fail(fp, LNN_ERR_NOMEM, "out of memory for a buffer");
            goto fail;
        }
        const int zs = inflateInit2(&fp->z, LNN_GZIP_WBITS);
        if (zs != Z_OK) {
            s = file_fail(fp, zs == Z_MEM_ERROR ? LNN_ERR_NOMEM : LNN_ERR_IO,
                          "cannot start inflate: %s", zError(zs));
            goto fail;
        }
        fp->z_live = true;
    }
    return LNN_OK;

fail:
    idx_close(fp, false);
    return s;
}

/* Refill the compressed input buffer. *eof is set when the file is done. */
static lnn_status gz_refill(idx_file *fp, bool *eof)
{
    const size_t r = fread(fp->in, 1, LNN_GZ_CHUNK, fp->f);
    if (r == 0 && ferror(fp->f))
        return file_fail(fp, LNN_ERR_IO, "read error: %s", strerror(errno));
    fp->in_read += r;
    fp->z.next_in = fp->in;
    fp->z.avail_in = (uInt)r;
    *eof = r == 0;
    return LNN_OK;
}

/* A gzip member ended: the file must end here too, or hold another member
 * (gzip allows several back to back; their contents concatenate). */
static lnn_status gz_member_end(idx_file *fp)
{
    bool eof = false;
    if (fp->z.avail_in == 0) {
        const lnn_status s = gz_refill(fp, &eof);
        if (s != LNN_OK)
            return s;
    }
    if (eof) {
        fp->z_done = true;
        return LNN_OK;
    }
    /* A next member starts with the magic; anything else is junk (the
     * first byte is checked here, inflate checks the rest of the header). */
    if (fp->z.next_in[0] != LNN_GZIP_ID1) {
        const size_t at = fp->in_read - fp->z.avail_in;
        return file_fail(fp, LNN_ERR_FORMAT,
                         "%zu bytes of junk after the end of the gzip data",
                         fp->file_bytes - at);
    }
    if (inflateReset(&fp->z) != Z_OK)
        return file_fail(fp, LNN_ERR_FORMAT, "cannot restart inflate");
    return LNN_OK;
}

/* Read up to n uncompressed bytes into buf; *got < n only at the end of the
 * data. A damaged or truncated gzip stream is an error, not an early end. */
static lnn_status idx_read(idx_file *fp, uint8_t *buf, size_t n, size_t *got)
{
    *got = 0;
    if (!fp->gz) {
        /* fread returns short only at end of file or on an error */
        *got = fread(buf, 1, n, fp->f);
        if (*got < n && ferror(fp->f))
            return file_fail(fp, LNN_ERR_IO, "read error: %s",
                             strerror(errno));
        return LNN_OK;
    }
    while (*got < n && !fp->z_done) {
        if (fp->z.avail_in == 0) {
            bool eof = false;
            const lnn_status s = gz_refill(fp, &eof);
            if (s != LNN_OK)
                return s;
            if (eof)
                return file_fail(fp, LNN_ERR_FORMAT,
                                 "the gzip data ends early, after %zu "
                                 "compressed bytes (truncated download?)",
                                 fp->in_read);
        }
        /* inflate straight into the destination, at most 4 GiB per call
         * (avail_out is a uInt) */
        const size_t room = min_size(n - *got, UINT_MAX);
        fp->z.next_out = buf + *got;
        fp->z.avail_out = (uInt)room;
        const int zs = inflate(&fp->z, Z_NO_FLUSH);
        *got += room - fp->z.avail_out;
        switch (zs) {
        case Z_OK:
            break;
        case Z_BUF_ERROR:
            /* No progress: only possible with avail_in == 0, refilled
             * above; anything else would loop forever. */
            if (fp->z.avail_in != 0 && fp->z.avail_out != 0)
                return file_fail(fp, LNN_ERR_FORMAT,
                                 "inflate made no progress");
            break;
        case Z_STREAM_END: {
            const lnn_status s = gz_member_end(fp);
            if (s != LNN_OK)
                return s;
            break;
        }
        case Z_MEM_ERROR:
            return file_fail(fp, LNN_ERR_NOMEM, "out of memory in inflate");
        default: /* Z_DATA_ERROR, Z_NEED_DICT, Z_STREAM_ERROR */
            return file_fail(fp, LNN_ERR_FORMAT,
                             "corrupt gzip data near compressed byte %zu: %s",
                             fp->in_read - fp->z.avail_in,
                             fp->z.msg ? fp->z.msg : zError(zs));
        }
    }
    return LNN_OK;
}

#ifdef LNN_HAVE_LIBDEFLATE
/* The rest of a gzip file at once by libdeflate, which decompresses the
 * MNIST files about 2.7 times as fast as zlib's inflate (bench/README.md)
 * but cannot stream: it takes the whole compressed file, and room for all
 * of its output, header_bytes + want bytes at buf. Used where the trailer
 * confirms that length. *done is true if the file was one gzip member of
 * exactly that length (libdeflate checks its CRC and length): buf[0 ..
 * want) then holds the payload, and the stream is at its end. Otherwise
 * the file is put back where the zlib stream left it, to be read as
 * before, which also says precisely what is wrong, if anything is. */
static lnn_status gz_whole(idx_file *fp, uint8_t *buf, size_t header_bytes,
                           size_t want, bool *done)
{
    const size_t out_bytes = header_bytes + want;
    uint8_t *in = malloc(fp->file_bytes);
    struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
    size_t in_used = 0, out_got = 0;
    *done = in && d && fseek(fp->f, 0, SEEK_SET) == 0 &&
            fread(in, 1, fp->file_bytes, fp->f) == fp->file_bytes &&
            libdeflate_gzip_decompress_ex(d, in, fp->file_bytes, buf,
                                          out_bytes, &in_used, &out_got) ==
                LIBDEFLATE_SUCCESS &&
            in_used == fp->file_bytes && out_got == out_bytes;
    libdeflate_free_decompressor(d);
    free(in);
    if (*done) {
        memmove(buf, buf + header_bytes, want);
        fp->z_done = true;
        return LNN_OK;
    }
    clearerr(fp->f);
    if (fp->in_read > LONG_MAX ||
        fseek(fp->f, (long)fp->in_read, SEEK_SET) != 0)
        return file_fail(fp, LNN_ERR_IO, "cannot seek: %s", strerror(errno));
    return LNN_OK;
}
#endif

/* ------------------------------------------------------------------------ */
/* The IDX header and payload                                               */
/* ------------------------------------------------------------------------ */

/* Read and validate the header of a file of kind k: magic, dimensions
 * (each > 0), and the sizes they imply. dims gets k->rank values; *item_bytes
 * is the size of one item (rows x cols for an image, 1 for a label),
 * *header_bytes the header's length. */
static lnn_status idx_header(idx_file *fp, const idx_kind *k, size_t *dims,
                             size_t *item_bytes, size_t *header_bytes)
{
    uint8_t h[LNN_IDX_WORD * (1 + LNN_IDX_RANK_MAX)];
    const size_t want = LNN_IDX_WORD * (1 + k->rank);
    size_t got;
    lnn_status s = idx_read(fp, h, want, &got);
    if (s != LNN_OK)
        return s;
    if (got == 0)
        return file_fail(fp, LNN_ERR_FORMAT, "empty file");
    /* the magic first: a file of another kind may be shorter than this
     * kind's header, and the magic says more than "truncated" */
    if (got >= LNN_IDX_WORD) {
        const uint32_t magic = be32(h);
        if (magic >> 8 != LNN_IDX_TYPE_U8)
            return file_fail(fp, LNN_ERR_FORMAT,
                             "not an IDX file of unsigned bytes: magic "
                             "0x%08x, expected 0x%08x (IDX %s)",
                             (unsigned)magic, (unsigned)k->magic, k->items);
        if (magic != k->magic) {
            const bool other = magic == LNN_IDX_MAGIC_IMAGES ||
                               magic == LNN_IDX_MAGIC_LABELS;
            return file_fail(fp, LNN_ERR_FORMAT,
                             "magic 0x%08x is an IDX file of rank %u, "
                             "expected 0x%08x (IDX %s, rank %zu)%s",
                             (unsigned)magic, (unsigned)(magic & 0xffu),
                             (unsigned)k->magic, k->items, k->rank,
                             other ? ": are the image and label files "
                                     "swapped?" : "");
        }
    }
    if (got < want)
        return file_fail(fp, LNN_ERR_FORMAT,
                         "truncated header: %zu of %zu bytes", got, want);

    /* item size = product of dims[1..], then times the count */
    size_t item = 1, total;
    bool fits = true;
    for (size_t i = 0; i < k->rank; i++) {
        dims[i] = be32(h + LNN_IDX_WORD * (1 + i));
        if (dims[i] == 0)
            return file_fail(fp, LNN_ERR_FORMAT, "header says 0 %s",
                             k->dim_names[i]);
        if (i > 0)
            fits = fits && lnn__mul(item, dims[i], &item);
    }
    if (!fits || !lnn__mul(item, dims[0], &total)) {
        char shape[LNN_IDX_RANK_MAX * 24] = "";
        size_t used = 0;
        for (size_t i = 0; i < k->rank && used < sizeof shape; i++) {
            const int n = snprintf(shape + used, sizeof shape - used,
                                   "%s%zu %s", i ? " x " : "", dims[i],
                                   k->dim_names[i]);
            used = n < 0 ? sizeof shape : used + (size_t)n;
        }
        return file_fail(fp, LNN_ERR_OVERFLOW,
                         "header says %s: the size overflows", shape);
    }
    *item_bytes = item;
    *header_bytes = want;
    return LNN_OK;
}

/* The first allocation for a payload of want bytes: what the file can
 * hold, not what the header claims (*cap). For gzip, the trailer holds the
 * length mod 2^32 of the last member: for an ordinary file it confirms the
 * header, and libdeflate inflates it all at once (*at_once, into a buffer
 * of *room bytes, the header included); otherwise the data decide. */
static void payload_first(const idx_file *fp, size_t want,
                          size_t header_bytes, size_t *cap, size_t *room,
                          bool *at_once)
{
    bool whole = false;
    *cap = want;
    *room = 0;
    if (fp->gz) {
        const uint32_t tail = fp->isize - (uint32_t)header_bytes;
        if (tail != (uint32_t)want)
            *cap = min_size(*cap, tail > LNN_GZ_CHUNK ? tail : LNN_GZ_CHUNK);
#ifdef LNN_HAVE_LIBDEFLATE
        else
            whole = lnn__add(want, header_bytes, room);
#endif
        size_t most;
        if (!lnn__mul(fp->file_bytes, LNN_DEFLATE_MAX_RATIO, &most))
            most = SIZE_MAX;
        *cap = min_size(*cap, most);
    } else {
        *cap = min_size(*cap, fp->file_bytes - header_bytes);
    }
    *at_once = whole && *cap == want;
    if (!*at_once)
        *room = *cap;
}

/* Read into *buf (of *cap bytes, *have of them read) until want bytes are
 * there or the data end; the header's claim is only believed as the data
 * bear it out: the buffer doubles, up to want, as data arrive. */
static lnn_status payload_grow(idx_file *fp, const idx_kind *k, size_t want,
                               uint8_t **buf, size_t *cap, size_t *have)
{
    while (*have < want) {
        size_t got;
        lnn_status s = idx_read(fp, *buf + *have, *cap - *have, &got);
        if (s != LNN_OK)
            return s;
        *have += got;
        if (*have < *cap || *cap == want)
            break; /* the data ended, or the payload is complete */
        const size_t grown = *cap > want / 2 ? want
                             : 2 * *cap > LNN_GZ_CHUNK ? 2 * *cap
                             : min_size(want, LNN_GZ_CHUNK);
        uint8_t *p = realloc(*buf, grown);
        if (!p)
            return file_fail(fp, LNN_ERR_NOMEM,
                             "out of memory for %zu bytes of %s", grown,
                             k->items);
        *buf = p;
        *cap = grown;
    }
    return LNN_OK;
}

/* A payload that ended at have bytes, short of count items. */
static lnn_status payload_short(idx_file *fp, const idx_kind *k,
                                size_t count, size_t item_bytes, size_t have)
{
    const size_t whole = have / item_bytes, part = have % item_bytes;
    if (part)
        return file_fail(fp, LNN_ERR_FORMAT,
                         "header says %zu %s, file holds %zu and %zu bytes "
                         "of one more", count, k->items, whole, part);
    return file_fail(fp, LNN_ERR_FORMAT, "header says %zu %s, file holds %zu",
                     count, k->items, whole);
}

/* Nothing may follow the payload: read to the very end, which counts
 * trailing bytes and, for gzip, checks the CRC and length in the
 * trailer. */
static lnn_status payload_end(idx_file *fp, const idx_kind *k, size_t count)
{
    uint8_t scratch[LNN_SCRATCH];
    size_t extra = 0, got;
    do {
        lnn_status s = idx_read(fp, scratch, sizeof scratch, &got);
        if (s != LNN_OK)
            return s;
        extra += got;
    } while (got == sizeof scratch);
    if (extra)
        return file_fail(fp, LNN_ERR_FORMAT,
                         "%zu byte%s of trailing garbage after the %zu %s "
                         "the header announces", extra, extra == 1 ? "" : "s",
                         count, k->items);
    return LNN_OK;
}

/* Read the payload of count items of item_bytes each into a new buffer
 * (*out, owned by the caller), then make sure nothing follows it. */
static lnn_status idx_payload(idx_file *fp, const idx_kind *k, size_t count,
                              size_t item_bytes, size_t header_bytes,
                              uint8_t **out)
{
    const size_t want = count * item_bytes; /* checked by idx_header */
    size_t cap, room, have = 0;
    bool at_once;
    payload_first(fp, want, header_bytes, &cap, &room, &at_once);
    uint8_t *buf = malloc(room ? room : 1);
    if (!buf)
        return file_fail(fp, LNN_ERR_NOMEM, "out of memory for %zu bytes "
                         "of %s", cap, k->items);
    lnn_status s = LNN_OK;
#ifdef LNN_HAVE_LIBDEFLATE
    bool done = false;
    if (at_once)
        s = gz_whole(fp, buf, header_bytes, want, &done);
    if (done)
        have = want;
#endif
    if (s == LNN_OK)
        s = payload_grow(fp, k, want, &buf, &cap, &have);
    if (s == LNN_OK && have < want)
        s = payload_short(fp, k, count, item_bytes, have);
    if (s == LNN_OK)
        s = payload_end(fp, k, count);
    if (s != LNN_OK) {
        free(buf);
        return s;
    }
    *out = buf;
    return LNN_OK;
}

/* ------------------------------------------------------------------------ */
/* load_data                                                                */
/* ------------------------------------------------------------------------ */

void lnn_dataset_free(lnn_dataset *d)
{
    if (!d)
        return;
    free(d->X);
    free(d->labels);
    *d = (lnn_dataset){0};
}

lnn_status lnn_load_data(lnn_dataset *out, const char *images_path,
                         const char *labels_path, size_t n_classes,
                         char *err, size_t errlen)
{
    if (!out)
        return lnn__err(err, errlen, LNN_ERR_ARG, "load_data: out is NULL");
    *out = (lnn_dataset){0};
    if (!images_path || !labels_path)
        return lnn__err(err, errlen, LNN_ERR_ARG, "load_data: a path is NULL");
    if (n_classes == 0 || n_classes > LNN_IDX_CLASSES_MAX)
        return lnn__err(err, errlen, LNN_ERR_ARG,
                    "load_data: n_classes is %zu, must be 1..%d (labels "
                    "are bytes)", n_classes, LNN_IDX_CLASSES_MAX);

    idx_file img = {0}, lab = {0};
    size_t dims[LNN_IDX_RANK_MAX], n_labels, img_bytes, lab_bytes;
    size_t img_header, lab_header;
    uint8_t *X = NULL, *labels = NULL;
    lnn_status s;

    /* Both headers before either payload: a count mismatch is reported
     * before 47 MB are decompressed. */
    if ((s = idx_open(&img, images_path, err, errlen)) != LNN_OK ||
        (s = idx_header(&img, &IDX_IMAGES, dims, &img_bytes,
                        &img_header)) != LNN_OK ||
        (s = idx_open(&lab, labels_path, err, errlen)) != LNN_OK ||
        (s = idx_header(&lab, &IDX_LABELS, &n_labels, &lab_bytes,
                        &lab_header)) != LNN_OK)
        goto fail;
    if (dims[0] != n_labels) {
        s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s holds %zu images but %s "
                 "holds %zu labels", images_path, dims[0], labels_path,
                 n_labels);
        goto fail;
    }
    if ((s = idx_payload(&img, &IDX_IMAGES, dims[0], img_bytes, img_header,
                         &X)) != LNN_OK ||
        (s = idx_payload(&lab, &IDX_LABELS, n_labels, lab_bytes, lab_header,
                         &labels)) != LNN_OK)
        goto fail;
    for (size_t j = 0; j < n_labels; j++) {
        if (labels[j] >= n_classes) {
            s = file_fail(&lab, LNN_ERR_FORMAT,
                          "label %u of sample %zu is not below the class "
                          "count %zu", (unsigned)labels[j], j, n_classes);
            goto fail;
        }
    }
    if ((s = idx_close(&img, true)) != LNN_OK ||
        (s = idx_close(&lab, true)) != LNN_OK)
        goto fail;

    *out = (lnn_dataset){
        .m = dims[0],
        .rows = dims[1],
        .cols = dims[2],
        .n_x = img_bytes,
        .n_classes = n_classes,
        .X = X,
        .labels = labels,
    };
    return LNN_OK;

fail:
    idx_close(&img, false);
    idx_close(&lab, false);
    free(X);
    free(labels);
    return s;
}

lnn_status lnn_load_images(lnn_dataset *out, const char *path, char *err,
                           size_t errlen)
{
    if (!out)
        return lnn__err(err, errlen, LNN_ERR_ARG, "load_images: out is NULL");
    *out = (lnn_dataset){0};
    if (!path)
        return lnn__err(err, errlen, LNN_ERR_ARG, "load_images: path is NULL");
    idx_file img = {0};
    size_t dims[LNN_IDX_RANK_MAX], bytes, header;
    uint8_t *X = NULL;
    lnn_status s;
    if ((s = idx_open(&img, path, err, errlen)) != LNN_OK ||
        (s = idx_header(&img, &IDX_IMAGES, dims, &bytes, &header)) != LNN_OK ||
        (s = idx_payload(&img, &IDX_IMAGES, dims[0], bytes, header, &X)) !=
            LNN_OK ||
        (s = idx_close(&img, true)) != LNN_OK) {
        idx_close(&img, false);
        free(X);
        return s;
    }
    *out = (lnn_dataset){.m = dims[0], .rows = dims[1], .cols = dims[2],
                         .n_x = bytes, .X = X};
    return LNN_OK;
}

/* ------------------------------------------------------------------------ */
/* A directory of the four standard files                                   */
/* ------------------------------------------------------------------------ */

enum { LNN_TRAIN_IMAGES, LNN_TRAIN_LABELS, LNN_TEST_IMAGES, LNN_TEST_LABELS,
       LNN_IDX_FILES };

static const char *const IDX_NAMES[LNN_IDX_FILES] = {
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
};
#define LNN_GZ_SUFFIX ".gz"

/* dir/name + suffix in a new string (NULL when out of memory). */
static char *join_path(const char *dir, const char *name, const char *suffix)
{
    const size_t d = strlen(dir), n = strlen(name), x = strlen(suffix);
    const bool slash = d > 0 && dir[d - 1] != '/';
    char *p = malloc(d + slash + n + x + 1);
    if (p) {
        memcpy(p, dir, d);
        if (slash)
            p[d] = '/';
        memcpy(p + d + slash, name, n);
        memcpy(p + d + slash + n, suffix, x + 1);
    }
    return p;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

lnn_status lnn_load_data_dir(const char *dir, lnn_dataset *train,
                             lnn_dataset *test, size_t n_classes,
                             char *err, size_t errlen)
{
    if (!train || !test)
        return lnn__err(err, errlen, LNN_ERR_ARG,
                        "load_data_dir: train or test is NULL");
    *train = (lnn_dataset){0};
    *test = (lnn_dataset){0};
    if (!dir)
        return lnn__err(err, errlen, LNN_ERR_ARG,
                        "load_data_dir: dir is NULL");

    char *path[LNN_IDX_FILES] = {NULL};
    lnn_status s = LNN_OK;
    struct stat st;
    if (stat(dir, &st) != 0) {
        s = lnn__err(err, errlen, LNN_ERR_IO, "%s: cannot open: %s", dir,
                     strerror(errno));
        goto fail;
    }
    if (!S_ISDIR(st.st_mode)) {
        s = lnn__err(err, errlen, LNN_ERR_IO, "%s: not a directory", dir);
        goto fail;
    }
    /* The uncompressed file when there is one (it loads faster), else the
     * .gz; every missing file is named in one message. */
    char missing[LNN_ERRMSG_MAX] = "";
    size_t used = 0;
    for (size_t i = 0; i < LNN_IDX_FILES; i++) {
        char *raw = join_path(dir, IDX_NAMES[i], "");
        char *gz = join_path(dir, IDX_NAMES[i], LNN_GZ_SUFFIX);
        if (!raw || !gz) {
            free(raw);
            free(gz);
            s = lnn__err(err, errlen, LNN_ERR_NOMEM, "out of memory");
            goto fail;
        }
        if (exists(raw)) {
            path[i] = raw;
            free(gz);
        } else if (exists(gz)) {
            path[i] = gz;
            free(raw);
        } else {
            free(raw);
            free(gz);
            const int n = snprintf(missing + used, sizeof missing - used,
                                   "%s%s[%s]", used ? ", " : "",
                                   IDX_NAMES[i], LNN_GZ_SUFFIX);
            used = n < 0 ? sizeof missing - 1
                         : min_size(used + (size_t)n, sizeof missing - 1);
        }
    }
    if (used) {
        s = lnn__err(err, errlen, LNN_ERR_IO, "%s: missing %s (an IDX data "
                     "set needs all four files, raw or .gz)", dir, missing);
        goto fail;
    }
    if ((s = lnn_load_data(train, path[LNN_TRAIN_IMAGES],
                           path[LNN_TRAIN_LABELS], n_classes, err,
                           errlen)) != LNN_OK ||
        (s = lnn_load_data(test, path[LNN_TEST_IMAGES],
                           path[LNN_TEST_LABELS], n_classes, err,
                           errlen)) != LNN_OK)
        goto fail;
    for (size_t i = 0; i < LNN_IDX_FILES; i++)
        free(path[i]);
    return LNN_OK;

fail:
    for (size_t i = 0; i < LNN_IDX_FILES; i++)
        free(path[i]);
    lnn_dataset_free(train);
    lnn_dataset_free(test);
    return s;
}

/* ------------------------------------------------------------------------ */
/* data_wrapper                                                             */
/* ------------------------------------------------------------------------ */

/* A dataset is whole and its labels index Y's rows safely: a caller may
 * have filled the struct by hand. */
static lnn_status check_dataset(const lnn_dataset *d, const char *what,
                                char *err, size_t errlen)
{
    size_t bytes;
    if (!d)
        return lnn__err(err, errlen, LNN_ERR_ARG, "%s is NULL", what);
    if (!d->X || !d->labels || d->m == 0 || d->n_x == 0 ||
        d->n_classes == 0)
        return lnn__err(err, errlen, LNN_ERR_ARG,
                        "%s is empty or not loaded", what);
    if (!lnn__mul(d->n_x, d->m, &bytes))
        return lnn__err(err, errlen, LNN_ERR_OVERFLOW,
                        "%s: %zu x %zu bytes overflow", what, d->n_x, d->m);
    for (size_t j = 0; j < d->m; j++)
        if (d->labels[j] >= d->n_classes)
            return lnn__err(err, errlen, LNN_ERR_ARG,
                            "%s: label %u of sample %zu is not below the "
                            "class count %zu", what, (unsigned)d->labels[j],
                            j, d->n_classes);
    return LNN_OK;
}

/* Y[:, j] = e_{labels[j]}, for m columns of n_classes rows (Y zeroed). */
static void one_hot(float *Y, const uint8_t *labels, size_t n_classes,
                    size_t m)
{
    for (size_t j = 0; j < m; j++)
        Y[j * n_classes + labels[j]] = 1.0f;
}

void lnn_splits_free(lnn_splits *s)
{
    if (!s)
        return;
    free(s->Y);
    free(s->labels);
    *s = (lnn_splits){0};
}

/* Both datasets whole, of one image shape and class count, and n_train +
 * n_val training images asked for; n_all = those and the test images. */
static lnn_status check_split(const lnn_dataset *train_set,
                              const lnn_dataset *test_set, size_t n_train,
                              size_t n_val, size_t *n_all, char *err,
                              size_t errlen)
{
    lnn_status s;
    if ((s = check_dataset(train_set, "training set", err, errlen)) !=
            LNN_OK ||
        (s = check_dataset(test_set, "test set", err, errlen)) != LNN_OK)
        return s;
    if (n_train == 0)
        return lnn__err(err, errlen, LNN_ERR_ARG,
                        "data_wrapper: no training samples asked for");
    size_t n_fit;
    if (!lnn__add(n_train, n_val, &n_fit) || n_fit > train_set->m)
        return lnn__err(err, errlen, LNN_ERR_SHAPE,
                        "data_wrapper: %zu training + %zu validation "
                        "samples, the training set has %zu", n_train,
                        n_val, train_set->m);
    if (test_set->n_x != train_set->n_x ||
        test_set->rows != train_set->rows ||
        test_set->cols != train_set->cols)
        return lnn__err(err, errlen, LNN_ERR_SHAPE,
                        "data_wrapper: training images are %zu x %zu, "
                        "test images %zu x %zu", train_set->rows,
                        train_set->cols, test_set->rows, test_set->cols);
    if (test_set->n_classes != train_set->n_classes)
        return lnn__err(err, errlen, LNN_ERR_SHAPE,
                        "data_wrapper: %zu training classes, %zu test "
                        "classes", train_set->n_classes,
                        test_set->n_classes);
    if (!lnn__add(n_fit, test_set->m, n_all))
        return lnn__err(err, errlen, LNN_ERR_OVERFLOW,
                        "data_wrapper: %zu + %zu columns overflow", n_fit,
                        test_set->m);
    return LNN_OK;
}

/* The three views of the images, their targets at column offset 0 (train),
 * n_train (val) and n_train + n_val (test) of one block: Y (n_c rows a
 * column) or labels (one a column). */
static void views(lnn_splits *out, const lnn_dataset *train_set,
                  const lnn_dataset *test_set, size_t n_train, size_t n_val)
{
    const size_t n_c = train_set->n_classes, n_x = train_set->n_x;
    float *Y = out->Y;
    int32_t *labels = out->labels;
    const size_t v = n_train, t = n_train + n_val;
    out->train = (lnn_data){.n_x = n_x, .n_y = n_c, .m = n_train,
                            .X_u8 = train_set->X, .Y = Y, .labels = labels};
    out->val = (lnn_data){.n_x = n_x, .n_y = n_c, .m = n_val};
    if (n_val) {
        out->val.X_u8 = train_set->X + n_train * n_x;
        out->val.Y = Y ? Y + v * n_c : NULL;
        out->val.labels = labels ? labels + v : NULL;
    }
    out->test = (lnn_data){.n_x = n_x, .n_y = n_c, .m = test_set->m,
                           .X_u8 = test_set->X, .Y = Y ? Y + t * n_c : NULL,
                           .labels = labels ? labels + t : NULL};
}

lnn_status lnn_data_wrapper(lnn_splits *out, const lnn_dataset *train_set,
                            const lnn_dataset *test_set, size_t n_train,
                            size_t n_val, char *err, size_t errlen)
{
    if (!out)
        return lnn__err(err, errlen, LNN_ERR_ARG,
                        "data_wrapper: out is NULL");
    *out = (lnn_splits){0};
    size_t n_all, bytes;
    lnn_status s = check_split(train_set, test_set, n_train, n_val, &n_all,
                               err, errlen);
    if (s != LNN_OK)
        return s;
    /* One block, columns in order: train | val | test, n_c x m each. */
    const size_t n_c = train_set->n_classes, n_fit = n_train + n_val;
    if (!lnn__mul(n_all, n_c, &bytes) ||
        !lnn__mul(bytes, sizeof(float), &bytes))
        return lnn__err(err, errlen, LNN_ERR_OVERFLOW,
                        "data_wrapper: %zu + %zu one-hot columns overflow",
                        n_fit, test_set->m);
    if (!(out->Y = calloc(n_all * n_c, sizeof *out->Y)))
        return lnn__err(err, errlen, LNN_ERR_NOMEM,
                        "data_wrapper: out of memory for %zu one-hot "
                        "columns", n_all);
    one_hot(out->Y, train_set->labels, n_c, n_fit); /* train and val */
    one_hot(out->Y + n_fit * n_c, test_set->labels, n_c, test_set->m);
    views(out, train_set, test_set, n_train, n_val);
    return LNN_OK;
}

lnn_status lnn_data_split(lnn_splits *out, const lnn_dataset *train_set,
                          const lnn_dataset *test_set, size_t n_train,
                          size_t n_val, char *err, size_t errlen)
{
    if (!out)
        return lnn__err(err, errlen, LNN_ERR_ARG, "data_split: out is NULL");
    *out = (lnn_splits){0};
    size_t n_all;
    lnn_status s = check_split(train_set, test_set, n_train, n_val, &n_all,
                               err, errlen);
    if (s != LNN_OK)
        return s;
    if (n_all > SIZE_MAX / sizeof(int32_t) ||
        !(out->labels = malloc(n_all * sizeof *out->labels)))
        return lnn__err(err, errlen, LNN_ERR_NOMEM,
                        "data_split: out of memory for %zu labels", n_all);
    const size_t n_fit = n_train + n_val;
    for (size_t j = 0; j < n_fit; j++) /* train and val */
        out->labels[j] = train_set->labels[j];
    for (size_t j = 0; j < test_set->m; j++)
        out->labels[n_fit + j] = test_set->labels[j];
    views(out, train_set, test_set, n_train, n_val);
    return LNN_OK;
}
