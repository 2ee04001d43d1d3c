/* io.c: the model file (docs/model-format.md). Little-endian integers and
 * float32 bit patterns whatever the host, a CRC-32 over every byte, written
 * atomically (an unnamed file, fsync, then a name; a named temporary
 * renamed where the system lacks O_TMPFILE), validated completely on load
 * before any size in it is trusted. */
#define _GNU_SOURCE /* O_TMPFILE, AT_EMPTY_PATH, F_OFD_SETLK, getrandom */

#include <dirent.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "blas.h"
#include "dirpart.h"
#include "net.h"
#include "table.h"
#include "util.h"

_Static_assert(sizeof(float) == 4, "model files store IEEE float32");

#define LNN_MODEL_MAGIC "LNNMODEL"
#define LNN_MAGIC_LEN 8
#define LNN_HEADER_FIXED 80  /* bytes before dims[] */
#define LNN_OPT_RECORD 16    /* tag u32, type u32, value 8 bytes */
#define LNN_CRC_LEN 4
#define LNN_RECORD_HEAD 16   /* a record: tag u32, zero u32, length u64 */
#define LNN_TAG_HEAD 5       /* the output head's record (version 3) */
#define LNN_TAG_DROPOUT 9    /* dropout's rates */
#define LNN_TAG_PLATEAU 10   /* the plateau schedule's state */
#define LNN_PLATEAU_BODY 40  /* f64 scale, f64 best, u64 has_best, stale,
                                lr_patience */
#define LNN_TAG_REG 13       /* class weights, clip norm, label smoothing */
#define LNN_REG_BODY 24      /* its fixed part: f64, f64, u64 */
#define LNN_HEAD_BODY 16     /* loss u32, target kind u32, huber delta f64 */
#define LNN_TAG_ACT 8        /* the hidden layers' activations (version 3) */
#define LNN_ACT_BODY(L) (8 + 4 * ((size_t)(L) - 1)) /* slope f64, L-1 u32 */
#define LNN_MAX_LAYERS 4096  /* far beyond any real network; bounds L */
#define LNN_MAX_OPT_RECORDS 256
#define LNN_FLOAT_CHUNK 4096 /* floats encoded or decoded at a time */
#define LNN_WRITE_BUF 65536  /* bytes buffered before a write(2) */
/* Temporary names: the model's name, LNN_TMP_TAG, then 6 of LNN_TMP_CHARS
 * (mkstemp's), e.g. m.lnn.tmp-Xy3AbZ: a tag, so that a user's own
 * m.lnn.backup is never taken for one. */
#define LNN_TMP_TAG ".tmp-"
#define LNN_TMP_TAG_LEN (sizeof LNN_TMP_TAG - 1)
#define LNN_TMP_CHARS \
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define LNN_TMP_SUFFIX_LEN 6
#define LNN_TMP_ATTEMPTS 100
/* A temporary this old, unlocked, is a dead save's: removed by the next. */
#define LNN_STALE_SECONDS 2
#ifdef F_OFD_SETLK
#  define LNN_SETLK F_OFD_SETLK /* per open file, not per process */
#else
#  define LNN_SETLK F_SETLK
#endif

/* Training options stored as tagged records: readers skip unknown tags, so
 * options can be added without a new format version. */
typedef enum record_type { REC_U64 = 0, REC_F64 = 1 } record_type;
typedef enum field_type { FIELD_U64, FIELD_SIZE, FIELD_F32, FIELD_ENUM } field_type;
_Static_assert(sizeof(lnn_lr_schedule) == sizeof(uint32_t),
               "enum options are stored through a 32-bit copy");

typedef struct opt_field {
    uint32_t tag;
    field_type type; /* FIELD_F32 is stored as REC_F64, the others REC_U64 */
    size_t offset;   /* in lnn_train_opts */
} opt_field;

static const opt_field opt_fields[] = {
    {1, FIELD_F32, offsetof(lnn_train_opts, learning_rate)},
    {2, FIELD_SIZE, offsetof(lnn_train_opts, batch_size)},
    {3, FIELD_U64, offsetof(lnn_train_opts, epochs)},
    {4, FIELD_U64, offsetof(lnn_train_opts, num_iterations)},
    {5, FIELD_U64, offsetof(lnn_train_opts, seed)},
    {6, FIELD_F32, offsetof(lnn_train_opts, momentum)},
    {7, FIELD_F32, offsetof(lnn_train_opts, beta1)},
    {8, FIELD_F32, offsetof(lnn_train_opts, beta2)},
    {9, FIELD_F32, offsetof(lnn_train_opts, eps)},
    {10, FIELD_F32, offsetof(lnn_train_opts, weight_decay)},
    {11, FIELD_ENUM, offsetof(lnn_train_opts, lr_schedule)},
    {12, FIELD_U64, offsetof(lnn_train_opts, lr_warmup)},
    {13, FIELD_U64, offsetof(lnn_train_opts, lr_step_epochs)},
    {14, FIELD_F32, offsetof(lnn_train_opts, lr_gamma)},
    {15, FIELD_F32, offsetof(lnn_train_opts, lr_min_frac)},
};
#define N_OPT_FIELDS (sizeof opt_fields / sizeof opt_fields[0])

/* ------------------------------------------------------------------------ */
/* Little-endian encoding                                                   */
/* ------------------------------------------------------------------------ */

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static uint64_t f64_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static double bits_f64(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                  */
/* ------------------------------------------------------------------------ */

/* A file being written through a buffer, with the CRC of everything
 * written so far and the errno of the first failed write (0: none). */
typedef struct writer {
    int fd;
    uLong crc;
    int err;
    size_t used;
    unsigned char buf[LNN_WRITE_BUF];
} writer;

static void w_flush(writer *w)
{
    size_t done = 0;
    while (!w->err && done < w->used) {
        const ssize_t n = write(w->fd, w->buf + done, w->used - done);
        if (n > 0)
            done += (size_t)n;
        else if (n == 0)
            w->err = EIO;
        else if (errno != EINTR)
            w->err = errno;
    }
    w->used = 0;
}

static void w_bytes(writer *w, const unsigned char *p, size_t n)
{
    w->crc = crc32(w->crc, p, (uInt)n);
    while (n > 0 && !w->err) {
        const size_t c = n < LNN_WRITE_BUF - w->used ? n
                                                     : LNN_WRITE_BUF - w->used;
        memcpy(w->buf + w->used, p, c);
        w->used += c;
        p += c;
        n -= c;
        if (w->used == LNN_WRITE_BUF)
            w_flush(w);
    }
}

static void w_floats(writer *w, const float *x, size_t n)
{
    unsigned char buf[LNN_FLOAT_CHUNK * 4];
    for (size_t k0 = 0; k0 < n; k0 += LNN_FLOAT_CHUNK) {
        const size_t c = n - k0 < LNN_FLOAT_CHUNK ? n - k0 : LNN_FLOAT_CHUNK;
        for (size_t k = 0; k < c; k++) {
            uint32_t u;
            memcpy(&u, &x[k0 + k], 4);
            put_u32(buf + 4 * k, u);
        }
        w_bytes(w, buf, 4 * c);
    }
}

/* The header: fixed part, dims, then the option records. */
static void w_header(writer *w, const lnn_net *net, const lnn_train_opts *o)
{
    unsigned char h[LNN_HEADER_FIXED];
    memcpy(h, LNN_MODEL_MAGIC, LNN_MAGIC_LEN);
    put_u32(h + 8, LNN_MODEL_VERSION);
    put_u32(h + 12, (uint32_t)net->L);
    put_u32(h + 16, (uint32_t)net->hidden);
    put_u32(h + 20, (uint32_t)net->optimizer);
    put_u32(h + 24, (uint32_t)net->init);
    put_u32(h + 28, o ? (uint32_t)N_OPT_FIELDS : 0);
    put_u64(h + 32, net->init_seed);
    put_u64(h + 40, net->max_batch);
    put_u64(h + 48, net->state.epoch);
    put_u64(h + 56, net->state.step);
    put_u64(h + 64, net->state.iteration);
    put_u64(h + 72, net->opt_t);
    w_bytes(w, h, sizeof h);
    for (size_t l = 0; l <= net->L; l++) {
        unsigned char d[8];
        put_u64(d, net->dims[l]);
        w_bytes(w, d, sizeof d);
    }
    for (size_t i = 0; o && i < N_OPT_FIELDS; i++) {
        const unsigned char *field =
            (const unsigned char *)o + opt_fields[i].offset;
        unsigned char r[LNN_OPT_RECORD];
        uint64_t v = 0;
        float f32;
        size_t sz;
        uint32_t u32;
        switch (opt_fields[i].type) {
        case FIELD_U64: memcpy(&v, field, sizeof v); break;
        case FIELD_SIZE: memcpy(&sz, field, sizeof sz); v = sz; break;
        case FIELD_F32: memcpy(&f32, field, sizeof f32); v = f64_bits(f32); break;
        case FIELD_ENUM: memcpy(&u32, field, sizeof u32); v = u32; break;
        }
        put_u32(r, opt_fields[i].tag);
        put_u32(r + 4, opt_fields[i].type == FIELD_F32 ? REC_F64 : REC_U64);
        put_u64(r + 8, v);
        w_bytes(w, r, sizeof r);
    }
}

/* The head record: what the network's outputs mean. */
static void w_head_record(writer *w, const lnn_net *net)
{
    unsigned char r[LNN_RECORD_HEAD + LNN_HEAD_BODY] = {0};
    put_u32(r, LNN_TAG_HEAD);
    put_u64(r + 8, LNN_HEAD_BODY);
    put_u32(r + 16, (uint32_t)net->head.loss);
    put_u32(r + 20, (uint32_t)lnn_loss_target(net->head.loss));
    put_u64(r + 24, f64_bits(net->head.delta));
    w_bytes(w, r, sizeof r);
}

/* The activations record: leaky slope, then each hidden layer's. */
static void w_act_record(writer *w, const lnn_net *net)
{
    unsigned char r[LNN_RECORD_HEAD + 8] = {0};
    put_u32(r, LNN_TAG_ACT);
    put_u64(r + 8, LNN_ACT_BODY(net->L));
    put_u64(r + 16, f64_bits(net->leaky_slope));
    w_bytes(w, r, sizeof r);
    for (size_t l = 1; l < net->L; l++) {
        unsigned char id[4];
        put_u32(id, (uint32_t)net->layers[l].act.f);
        w_bytes(w, id, sizeof id);
    }
}

/* The regularisation record, when anything is on: f64 clip norm, f64
 * label smoothing, u64 class weights (0 or n_L), those float32s, then u32
 * the length and the bytes of the sample-weight column's name (0: none). */
static void w_reg_record(writer *w, const lnn_net *net,
                         const lnn_train_opts *o)
{
    const float clip = o ? o->clip_norm : 0.0f,
                smooth = o ? o->label_smoothing : 0.0f;
    const size_t n_w = net->class_w ? net->dims[net->L] : 0;
    const char *column = net->prep ? net->prep->weight_column : NULL;
    const size_t len = column ? strlen(column) : 0;
    if (clip == 0.0f && smooth == 0.0f && n_w == 0 && len == 0)
        return;
    unsigned char r[LNN_RECORD_HEAD + LNN_REG_BODY] = {0}, n[4];
    put_u32(r, LNN_TAG_REG);
    put_u64(r + 8, LNN_REG_BODY + 4 * n_w + 4 + len);
    put_u64(r + 16, f64_bits(clip));
    put_u64(r + 24, f64_bits(smooth));
    put_u64(r + 32, n_w);
    w_bytes(w, r, sizeof r);
    w_floats(w, net->class_w, n_w);
    put_u32(n, (uint32_t)len);
    w_bytes(w, n, sizeof n);
    if (len) /* (zlib's crc32 of no buffer is its start value) */
        w_bytes(w, (const unsigned char *)column, len);
}

/* The dropout record, for a network with dropout: u64 L - 1, then each
 * hidden layer's rate as a float32. */
static void w_dropout_record(writer *w, const lnn_net *net)
{
    bool any = false;
    for (size_t l = 1; l < net->L; l++)
        any = any || net->layers[l].p > 0.0f;
    if (!any)
        return;
    unsigned char r[LNN_RECORD_HEAD + 8] = {0};
    put_u32(r, LNN_TAG_DROPOUT);
    put_u64(r + 8, 8 + 4 * (uint64_t)(net->L - 1));
    put_u64(r + 16, net->L - 1);
    w_bytes(w, r, sizeof r);
    for (size_t l = 1; l < net->L; l++)
        w_floats(w, &net->layers[l].p, 1);
}

/* The plateau record, for a run under the plateau schedule or a network
 * it has decayed. */
static void w_plateau_record(writer *w, const lnn_net *net,
                             const lnn_train_opts *o)
{
    const lnn__plateau *p = &net->plateau;
    const bool plateau = o && o->lr_schedule == LNN_LR_PLATEAU;
    if (!plateau && p->scale == 1.0f && !p->has_best)
        return;
    unsigned char r[LNN_RECORD_HEAD + LNN_PLATEAU_BODY] = {0};
    put_u32(r, LNN_TAG_PLATEAU);
    put_u64(r + 8, LNN_PLATEAU_BODY);
    put_u64(r + 16, f64_bits(p->scale));
    put_u64(r + 24, f64_bits(p->best));
    put_u64(r + 32, p->has_best);
    put_u64(r + 40, p->stale);
    put_u64(r + 48, o ? o->lr_patience : 0);
    w_bytes(w, r, sizeof r);
}

/* Is name (a directory entry) base + LNN_TMP_TAG + LNN_TMP_SUFFIX_LEN
 * characters of LNN_TMP_CHARS: a temporary file of lnn_model_save for
 * base? */
static bool is_own_temp(const char *name, const char *base)
{
    const size_t b = strlen(base);
    if (strncmp(name, base, b) != 0 ||
        strncmp(name + b, LNN_TMP_TAG, LNN_TMP_TAG_LEN) != 0)
        return false;
    const char *suffix = name + b + LNN_TMP_TAG_LEN;
    if (strlen(suffix) != LNN_TMP_SUFFIX_LEN)
        return false;
    for (const char *c = suffix; *c; c++)
        if (!strchr(LNN_TMP_CHARS, *c))
            return false;
    return true;
}

/* Lock a file being written (an open file description lock, so that even
 * another thread of this process sees it): remove_stale leaves a locked
 * temporary alone. Best effort: without locks, the age test still holds. */
static void lock_writing(int fd)
{
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    fcntl(fd, LNN_SETLK, &lk);
}

/* Remove temporaries that an earlier save of path left behind when it was
 * killed (named ones exist only in the fallback, or for an instant): its
 * own name pattern only, regular files of this user that are empty or
 * start like a model, not locked by a live writer, not modified in the
 * last LNN_STALE_SECONDS. Best effort. */
static void remove_stale(const char *path, const char *dir)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    DIR *d = opendir(dir);
    if (!d)
        return;
    const int dfd = dirfd(d);
    const time_t now = time(NULL);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_own_temp(e->d_name, base))
            continue;
        const int fd = openat(dfd, e->d_name,
                              O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            continue;
        struct stat st, again;
        struct flock lk = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
        char magic[LNN_MAGIC_LEN];
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
            st.st_uid == geteuid() &&
            now - st.st_mtime >= LNN_STALE_SECONDS &&
            (st.st_size == 0 ||
             (pread(fd, magic, sizeof magic, 0) == (ssize_t)sizeof magic &&
              memcmp(magic, LNN_MODEL_MAGIC, LNN_MAGIC_LEN) == 0)) &&
            fcntl(fd, LNN_SETLK, &lk) == 0 &&
            fstatat(dfd, e->d_name, &again, AT_SYMLINK_NOFOLLOW) == 0 &&
            again.st_ino == st.st_ino && again.st_dev == st.st_dev)
            unlinkat(dfd, e->d_name, 0);
        close(fd);
    }
    closedir(d);
}

/* Write the whole model to fd and make it durable (fsync). */
static lnn_status write_model(int fd, const lnn_net *net,
                              const lnn_train_opts *opts, const char *path,
                              char *err, size_t errlen)
{
    writer *w = malloc(sizeof *w);
    if (!w)
        return lnn__err(err, errlen, LNN_ERR_NOMEM,
                        "%s: out of memory for %zu bytes", path, sizeof *w);
    *w = (writer){.fd = fd, .crc = crc32(0L, Z_NULL, 0)};
    w_header(w, net, opts);
    w_floats(w, net->params, net->n_params);
    w_floats(w, net->opt_state, lnn__opt_slots(net->optimizer) * net->n_params);
    w_head_record(w, net);
    w_act_record(w, net);
    w_reg_record(w, net, opts);
    w_plateau_record(w, net, opts);
    w_dropout_record(w, net);
    if (net->prep || net->data.rows) { /* the prep records fill the rest
                                          (an IDX model's: its data id) */
        const lnn_prep idx = {.data = net->data};
        unsigned char *prep;
        size_t prep_len;
        if (lnn__prep_encode(net->prep ? net->prep : &idx, &prep,
                             &prep_len) != LNN_OK) {
            free(w);
            return lnn__err(err, errlen, LNN_ERR_NOMEM, "%s: out of memory",
                            path);
        }
        w_bytes(w, prep, prep_len);
        free(prep);
    }
    unsigned char crc[LNN_CRC_LEN];
    put_u32(crc, (uint32_t)w->crc);
    w_bytes(w, crc, sizeof crc);
    w_flush(w);
    /* Data on disk before any name points at it. */
    const int e = w->err ? w->err : fsync(fd) != 0 ? errno : 0;
    free(w);
    if (e)
        return lnn__err(err, errlen, LNN_ERR_IO, "%s: write failed: %s",
                        path, strerror(e));
    fchmod(fd, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH);
    return LNN_OK;
}

/* tmp = path + LNN_TMP_TAG + a random suffix (room for it: see
 * lnn_model_save); the suffix is random so that names rarely collide, and
 * every collision is caught (linkat and mkstemp refuse existing names). */
static void temp_name(char *tmp, const char *path, unsigned attempt)
{
    const size_t len = strlen(path);
    unsigned char r[LNN_TMP_SUFFIX_LEN];
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^
                     (uint64_t)getpid() << 12 ^ attempt;
        for (size_t i = 0; i < sizeof r; i++, x = x * 6364136223846793005u + 1)
            r[i] = (unsigned char)(x >> 56);
    }
    memcpy(tmp, path, len);
    memcpy(tmp + len, LNN_TMP_TAG, LNN_TMP_TAG_LEN);
    char *suffix = tmp + len + LNN_TMP_TAG_LEN;
    for (size_t i = 0; i < LNN_TMP_SUFFIX_LEN; i++)
        suffix[i] = LNN_TMP_CHARS[r[i] % (sizeof LNN_TMP_CHARS - 1)];
    suffix[LNN_TMP_SUFFIX_LEN] = '\0';
}

/* The save's outcome when the unnamed file cannot be given a name here (no
 * O_TMPFILE, no /proc): use a named temporary instead. */
#define LNN_SAVE_FALLBACK ((lnn_status) - 1)

/* Give the unnamed file fd the name `name`; -1 with errno EEXIST if it is
 * taken. linkat of an O_TMPFILE descriptor by AT_EMPTY_PATH needs
 * CAP_DAC_READ_SEARCH; through /proc/self/fd it needs nothing. */
static int link_unnamed(int fd, const char *name)
{
#ifdef AT_EMPTY_PATH
    if (linkat(fd, "", AT_FDCWD, name, AT_EMPTY_PATH) == 0)
        return 0;
    if (errno == EEXIST)
        return -1;
#endif
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW);
}

/* The save through an unnamed file (O_TMPFILE): written in full and synced
 * with no name, so a crash while writing leaves nothing. Then it is linked
 * as path itself if path does not exist, else as a random temporary name
 * renamed over path at once: that instant is the only time a temporary
 * name exists. */
static lnn_status save_unnamed(const lnn_net *net, const lnn_train_opts *opts,
                               const char *path, const char *dir, char *tmp,
                               char *err, size_t errlen)
{
#ifdef O_TMPFILE
    const int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC,
                        S_IRUSR | S_IWUSR);
    if (fd < 0)
        return LNN_SAVE_FALLBACK; /* unsupported here, or the directory is
                                     bad: the named route says which */
    lock_writing(fd);
    lnn_status s = write_model(fd, net, opts, path, err, errlen);
    if (s != LNN_OK)
        goto done;
    if (link_unnamed(fd, path) == 0)
        goto done;
    s = LNN_SAVE_FALLBACK;
    if (errno != EEXIST)
        goto done;
    for (unsigned attempt = 0; attempt < LNN_TMP_ATTEMPTS; attempt++) {
        temp_name(tmp, path, attempt);
        if (link_unnamed(fd, tmp) == 0) {
            if (rename(tmp, path) == 0) {
                s = LNN_OK;
            } else {
                s = lnn__err(err, errlen, LNN_ERR_IO, "%s: cannot replace: "
                             "%s", path, strerror(errno));
                unlink(tmp);
            }
            break;
        }
        if (errno != EEXIST)
            break;
    }
done:
    close(fd);
    return s;
#else
    (void)net; (void)opts; (void)path; (void)dir; (void)tmp; (void)err;
    (void)errlen;
    return LNN_SAVE_FALLBACK;
#endif
}

/* The save through a named temporary (path.tmp-XXXXXX), renamed over
 * path. */
static lnn_status save_named(const lnn_net *net, const lnn_train_opts *opts,
                             const char *path, char *tmp, char *err,
                             size_t errlen)
{
    const size_t len = strlen(path);
    memcpy(tmp, path, len);
    memcpy(tmp + len, LNN_TMP_TAG "XXXXXX", LNN_TMP_TAG_LEN + 7);
    _Static_assert(LNN_TMP_SUFFIX_LEN == 6, "mkstemp's suffix");
    const int fd = mkstemp(tmp);
    if (fd < 0)
        return lnn__err(err, errlen, LNN_ERR_IO, "%s: cannot create a "
                        "temporary file: %s", path, strerror(errno));
    lock_writing(fd);
    lnn_status s = write_model(fd, net, opts, path, err, errlen);
    if (close(fd) != 0 && s == LNN_OK)
        s = lnn__err(err, errlen, LNN_ERR_IO, "%s: write failed: %s", path,
                     strerror(errno));
    if (s == LNN_OK && rename(tmp, path) != 0)
        s = lnn__err(err, errlen, LNN_ERR_IO, "%s: cannot replace: %s", path,
                     strerror(errno));
    if (s != LNN_OK)
        unlink(tmp);
    return s;
}

lnn_status lnn_model_save(const lnn_net *net, const lnn_train_opts *opts,
                          const char *path, char *err, size_t errlen)
{
    if (!net || !path || !*path)
        return lnn__err(err, errlen, LNN_ERR_ARG,
                       "save: network or path missing");
    /* Temporary names are path + LNN_TMP_TAG + suffix, in the same
     * directory, so rename is atomic (one file system). */
    char *tmp = malloc(strlen(path) + LNN_TMP_TAG_LEN + LNN_TMP_SUFFIX_LEN + 1);
    char dir[4096];
    if (!tmp)
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "%s: out of memory", path);
    lnn__dir_of(path, dir, sizeof dir);
    remove_stale(path, dir);
    lnn_status s = save_unnamed(net, opts, path, dir, tmp, err, errlen);
    if (s == LNN_SAVE_FALLBACK)
        s = save_named(net, opts, path, tmp, err, errlen);
    free(tmp);
    if (s != LNN_OK)
        return s;
    /* Make the new name itself durable. */
    const int dfd = open(dir, O_RDONLY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return LNN_OK;
}
/* ------------------------------------------------------------------------ */
/* Reading                                                                  */
/* ------------------------------------------------------------------------ */

static bool r_bytes(FILE *f, unsigned char *p, size_t n)
{
    return fread(p, 1, n, f) == n;
}

static bool r_floats(FILE *f, float *x, size_t n)
{
    unsigned char buf[LNN_FLOAT_CHUNK * 4];
    for (size_t k0 = 0; k0 < n; k0 += LNN_FLOAT_CHUNK) {
        const size_t c = n - k0 < LNN_FLOAT_CHUNK ? n - k0 : LNN_FLOAT_CHUNK;
        if (!r_bytes(f, buf, 4 * c))
            return false;
        for (size_t k = 0; k < c; k++) {
            uint32_t u = get_u32(buf + 4 * k);
            memcpy(&x[k0 + k], &u, 4);
        }
    }
    return true;
}

/* Does the CRC-32 in the last 4 bytes match everything before them? Reads
 * the whole file once, then returns to offset `back`. */
static bool crc_matches(FILE *f, uint64_t file_size, long back)
{
    unsigned char buf[LNN_FLOAT_CHUNK * 4];
    uLong crc = crc32(0L, Z_NULL, 0);
    uint64_t left = file_size - LNN_CRC_LEN;
    if (fseek(f, 0, SEEK_SET) != 0)
        return false;
    while (left > 0) {
        const size_t c = left < sizeof buf ? (size_t)left : sizeof buf;
        if (!r_bytes(f, buf, c))
            return false;
        crc = crc32(crc, buf, (uInt)c);
        left -= c;
    }
    unsigned char stored[LNN_CRC_LEN];
    return r_bytes(f, stored, sizeof stored) &&
           get_u32(stored) == (uint32_t)crc &&
           fseek(f, back, SEEK_SET) == 0;
}

/* Store one option record into opts if its tag is known; false if its type
 * or value cannot be the option's. */
static bool apply_option(lnn_train_opts *o, uint32_t tag, uint32_t type,
                         uint64_t v)
{
    for (size_t i = 0; i < N_OPT_FIELDS; i++) {
        if (opt_fields[i].tag != tag)
            continue;
        unsigned char *field = (unsigned char *)o + opt_fields[i].offset;
        if (opt_fields[i].type == FIELD_F32) {
            /* a double outside float's range would make the cast UB */
            const double d = bits_f64(v);
            if (type != REC_F64 || !(fabs(d) <= FLT_MAX))
                return false;
            const float f32 = (float)d;
            memcpy(field, &f32, sizeof f32);
        } else if (type != REC_U64) {
            return false;
        } else if (opt_fields[i].type == FIELD_SIZE) {
            if (v > SIZE_MAX)
                return false;
            const size_t sz = (size_t)v;
            memcpy(field, &sz, sizeof sz);
        } else if (opt_fields[i].type == FIELD_ENUM) {
            if (v > UINT32_MAX)
                return false;
            const uint32_t u32 = (uint32_t)v;
            memcpy(field, &u32, sizeof u32);
        } else {
            memcpy(field, &v, sizeof v);
        }
    }
    return true;
}

/* Everything the fixed header says, checked against itself. */
typedef struct header {
    uint32_t version, L, hidden, optimizer, init, n_opts;
    uint64_t init_seed, max_batch, epoch, step, iteration, opt_t;
} header;

static lnn_status parse_fixed(const unsigned char *h, header *hd,
                              const char *path, char *err, size_t errlen)
{
    hd->version = get_u32(h + 8);
    hd->L = get_u32(h + 12);
    hd->hidden = get_u32(h + 16);
    hd->optimizer = get_u32(h + 20);
    hd->init = get_u32(h + 24);
    hd->n_opts = get_u32(h + 28);
    hd->init_seed = get_u64(h + 32);
    hd->max_batch = get_u64(h + 40);
    hd->epoch = get_u64(h + 48);
    hd->step = get_u64(h + 56);
    hd->iteration = get_u64(h + 64);
    hd->opt_t = get_u64(h + 72);
    if (hd->L < 1 || hd->L > LNN_MAX_LAYERS)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                       "%s: %u layers (damaged header)", path, hd->L);
    if (!lnn__is_hidden((lnn_activation)hd->hidden))
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                       "%s: unknown hidden activation %u", path, hd->hidden);
    if (!lnn__is_optimizer((lnn_optimizer)hd->optimizer))
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                       "%s: unknown optimizer %u", path, hd->optimizer);
    if (!lnn__is_init((lnn_init)hd->init))
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                       "%s: unknown initialisation %u", path, hd->init);
    if (hd->n_opts > LNN_MAX_OPT_RECORDS)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                       "%s: %u option records (damaged header)", path,
                       hd->n_opts);
    if (hd->max_batch == 0 || hd->max_batch > LNN_BLAS_MAX)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                       "%s: max_batch %llu (damaged header)", path,
                       (unsigned long long)hd->max_batch);
    return LNN_OK;
}

/* Read dims[0..L] and check the file's size is exactly what they imply. */
static lnn_status read_dims(FILE *f, const header *hd, uint64_t file_size,
                            size_t *dims, uint64_t *prep_len,
                            const char *path, char *err, size_t errlen)
{
    /* L and n_opts are bounded, so this cannot overflow. */
    const uint64_t head = LNN_HEADER_FIXED + 8 * ((uint64_t)hd->L + 1) +
                          (uint64_t)LNN_OPT_RECORD * hd->n_opts;
    if (file_size < head + LNN_CRC_LEN)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                       "%s: truncated (%llu bytes, the header alone needs "
                       "%llu)", path, (unsigned long long)file_size,
                       (unsigned long long)(head + LNN_CRC_LEN));
    uint64_t n_params = 0;
    for (size_t l = 0; l <= hd->L; l++) {
        unsigned char d[8];
        if (!r_bytes(f, d, sizeof d))
            return lnn__err(err, errlen, LNN_ERR_IO, "%s: read failed", path);
        const uint64_t n = get_u64(d);
        if (n == 0 || n > LNN_BLAS_MAX)
            return lnn__err(err, errlen, LNN_ERR_FORMAT,
                           "%s: layer %zu has size %llu", path, l,
                           (unsigned long long)n);
        dims[l] = (size_t)n;
        if (l > 0)
            n_params += n * dims[l - 1] + n; /* each term < 2^63 */
        /* 4 n_params <= file_size keeps the arithmetic below exact */
        if (n_params > file_size / 4)
            return lnn__err(err, errlen, LNN_ERR_FORMAT,
                           "%s: truncated (its layer sizes need more "
                           "parameters than the file holds)", path);
    }
    const uint64_t slots = lnn__opt_slots((lnn_optimizer)hd->optimizer);
    const uint64_t expect = head + 4 * n_params * (1 + slots) + LNN_CRC_LEN;
    /* versions 2 and 3: the records take the bytes between the optimizer
     * state and the CRC */
    *prep_len = hd->version >= 2 && file_size > expect ? file_size - expect
                                                       : 0;
    if (file_size != expect + *prep_len)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                       "%s: %llu bytes, but its header describes %llu (%s)",
                       path, (unsigned long long)file_size,
                       (unsigned long long)expect,
                       file_size < expect ? "truncated" : "trailing bytes");
    return LNN_OK;
}

/* The stored max_batch is a default, not a need: a file may ask for at
 * most LNN_MODEL_BATCH_BYTES_MAX of batch buffers (Z/H, dZ, the gathered
 * X and Y, predictions: n_0 + 2 (n_1 + ... + n_L) + n_L + 1 values of 4
 * bytes per column). dims are checked, so the sum cannot overflow. */
static lnn_status check_stored_batch(const header *hd, const size_t *dims,
                                     const char *path, char *err,
                                     size_t errlen)
{
    uint64_t per_col = (uint64_t)dims[0] + dims[hd->L] + 1;
    for (size_t l = 1; l <= hd->L; l++)
        per_col += 2 * (uint64_t)dims[l];
    per_col *= sizeof(float);
    if (hd->max_batch <= LNN_MODEL_BATCH_BYTES_MAX / per_col)
        return LNN_OK;
    return lnn__err(err, errlen, LNN_ERR_FORMAT,
                    "%s: max_batch %llu would need %.0f MiB of batch "
                    "buffers, more than the %llu MiB a stored max_batch may "
                    "ask for (load with an explicit max_batch)", path,
                    (unsigned long long)hd->max_batch,
                    (double)per_col * (double)hd->max_batch / 1048576.0,
                    (unsigned long long)(LNN_MODEL_BATCH_BYTES_MAX >> 20));
}

/* Find the record of `tag` among the len bytes of records at offset start
 * of f: *found, and its body's offset and length. False if the records are
 * malformed (a length past their end) or f cannot be read. Moves f. */
static bool find_record(FILE *f, uint64_t start, uint64_t len, uint32_t tag,
                        bool *found, uint64_t *body, uint64_t *body_len)
{
    *found = false;
    for (uint64_t off = 0; off < len;) {
        unsigned char r[LNN_RECORD_HEAD];
        if (len - off < LNN_RECORD_HEAD ||
            fseek(f, (long)(start + off), SEEK_SET) != 0 ||
            !r_bytes(f, r, LNN_RECORD_HEAD))
            return false;
        const uint64_t n = get_u64(r + 8);
        if (n > len - off - LNN_RECORD_HEAD)
            return false;
        if (get_u32(r) == tag) {
            *found = true;
            *body = start + off + LNN_RECORD_HEAD;
            *body_len = n;
            return true;
        }
        off += LNN_RECORD_HEAD + n;
    }
    return true;
}

/* The head of a version-3 file: its record among the prep_len bytes of
 * records that end LNN_CRC_LEN before the file's end, read without moving
 * f. Versions 1 and 2 are cross-entropy. */
static lnn_status read_head(FILE *f, const header *hd, uint64_t file_size,
                            uint64_t prep_len, lnn__head *head,
                            const char *path, char *err, size_t errlen)
{
    *head = (lnn__head){.loss = LNN_LOSS_CE, .delta = 1.0f};
    if (hd->version < 3)
        return LNN_OK;
    const long back = ftell(f);
    unsigned char r[LNN_HEAD_BODY];
    bool found;
    uint64_t at = 0, n = 0;
    bool bad = !find_record(f, file_size - LNN_CRC_LEN - prep_len, prep_len,
                            LNN_TAG_HEAD, &found, &at, &n);
    bad = bad || (found && (n != LNN_HEAD_BODY ||
                            fseek(f, (long)at, SEEK_SET) != 0 ||
                            !r_bytes(f, r, LNN_HEAD_BODY)));
    if (fseek(f, back, SEEK_SET) != 0)
        return lnn__err(err, errlen, LNN_ERR_IO, "%s: read failed", path);
    if (bad || !found)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                        "%s: %s", path, bad ? "malformed records"
                                            : "no output head record");
    head->loss = (lnn_loss)get_u32(r);
    head->delta = (float)bits_f64(get_u64(r + 8));
    if (!lnn__is_loss(head->loss) ||
        get_u32(r + 4) != (uint32_t)lnn_loss_target(head->loss) ||
        !(head->delta > 0.0f && isfinite(head->delta)))
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                        "%s: unknown or inconsistent output head (loss %u)",
                        path, get_u32(r));
    return LNN_OK;
}

/* The sample-weight column's name after the class weights (len bytes of
 * the record left: none, or u32 a length and that many bytes) into the
 * net's prep; false if malformed. */
static bool read_weight_column(FILE *f, lnn_net *net, uint64_t len)
{
    unsigned char n[4];
    if (len == 0)
        return true;
    if (len < 4 || !r_bytes(f, n, 4) || get_u32(n) != len - 4 ||
        len - 4 > LNN_NAME_MAX)
        return false;
    if (len == 4) /* no column */
        return true;
    if (!net->prep)
        return false;
    char *name = calloc(1, (size_t)len - 3);
    if (!name || !r_bytes(f, (unsigned char *)name, (size_t)len - 4) || !*name ||
        memchr(name, 0, (size_t)len - 4)) {
        free(name);
        return false;
    }
    free(net->prep->weight_column);
    net->prep->weight_column = name;
    return true;
}

/* The hidden layers' activations and the leaky slope into cfg (acts:
 * L - 1 entries), from record 8; without it (a file written before it),
 * every hidden layer has the header's activation and the default slope.
 * Read without moving f. */
static lnn_status read_acts(FILE *f, const header *hd, uint64_t file_size,
                            uint64_t prep_len, lnn_activation *acts,
                            lnn_net_config *cfg, const char *path, char *err,
                            size_t errlen)
{
    const long back = ftell(f);
    const size_t len = LNN_ACT_BODY(hd->L);
    unsigned char *r = malloc(len);
    const bool nomem = !r;
    bool found = false;
    uint64_t at = 0, n = 0;
    bool bad = nomem ||
               (hd->version >= 3 &&
                !find_record(f, file_size - LNN_CRC_LEN - prep_len, prep_len,
                             LNN_TAG_ACT, &found, &at, &n));
    bad = bad || (found && (n != len || fseek(f, (long)at, SEEK_SET) != 0 ||
                            !r_bytes(f, r, len)));
    if (!bad && found) {
        const double slope = bits_f64(get_u64(r));
        bad = !(slope >= 0.0 && slope < 1.0);
        for (size_t l = 1; l < hd->L; l++) {
            acts[l - 1] = (lnn_activation)get_u32(r + 8 + 4 * (l - 1));
            bad = bad || !lnn__is_hidden(acts[l - 1]);
        }
        cfg->hidden_each = acts;
        cfg->leaky_slope = (float)slope;
    }
    free(r);
    if (fseek(f, back, SEEK_SET) != 0)
        return lnn__err(err, errlen, LNN_ERR_IO, "%s: read failed", path);
    if (bad)
        return lnn__err(err, errlen, nomem ? LNN_ERR_NOMEM : LNN_ERR_FORMAT,
                        "%s: %s", path, nomem ? "out of memory"
                                              : "malformed activations record");
    return LNN_OK;
}

/* The regularisation record (a model without one: none): the clip norm
 * and label smoothing into *o, the class weights into the net, the
 * sample-weight column into its prep (read first). Read without moving f. */
static lnn_status read_reg(FILE *f, lnn_net *net, lnn_train_opts *o,
                           uint64_t file_size, uint64_t prep_len,
                           const char *path, char *err, size_t errlen)
{
    const long back = ftell(f);
    const size_t n_L = net->dims[net->L];
    unsigned char r[LNN_REG_BODY];
    bool found;
    uint64_t at = 0, n = 0, n_w = 0;
    bool bad = !find_record(f, file_size - LNN_CRC_LEN - prep_len, prep_len,
                            LNN_TAG_REG, &found, &at, &n);
    if (!bad && found) {
        bad = n < LNN_REG_BODY || fseek(f, (long)at, SEEK_SET) != 0 ||
              !r_bytes(f, r, LNN_REG_BODY);
        n_w = bad ? 0 : get_u64(r + 16);
        bad = bad || (n_w != 0 && n_w != n_L) ||
              n < LNN_REG_BODY + 4 * n_w;
        o->clip_norm = (float)bits_f64(get_u64(r));
        o->label_smoothing = (float)bits_f64(get_u64(r + 8));
        bad = bad || !(o->clip_norm >= 0.0f && isfinite(o->clip_norm)) ||
              !(o->label_smoothing >= 0.0f && o->label_smoothing < 1.0f);
    }
    float *w = !bad && n_w ? malloc(n_L * sizeof *w) : NULL;
    bad = bad || (n_w && (!w || !r_floats(f, w, n_L) ||
                          lnn_net_set_class_weights(net, w) != LNN_OK));
    free(w);
    bad = bad || (found && !read_weight_column(f, net,
                                               n - LNN_REG_BODY - 4 * n_w));
    if (fseek(f, back, SEEK_SET) != 0)
        return lnn__err(err, errlen, LNN_ERR_IO, "%s: read failed", path);
    if (bad)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                        "%s: malformed regularisation record (class "
                        "weights, clip norm, label smoothing)", path);
    return LNN_OK;
}

/* The plateau record (none: the schedule's start) into net->plateau and
 * o->lr_patience (a record of a run without options: kept as it is).
 * Read without moving f. */
static lnn_status read_plateau(FILE *f, lnn_net *net, lnn_train_opts *o,
                               uint64_t file_size, uint64_t prep_len,
                               const char *path, char *err, size_t errlen)
{
    const long back = ftell(f);
    unsigned char r[LNN_PLATEAU_BODY];
    bool found;
    uint64_t at = 0, n = 0;
    bool bad = !find_record(f, file_size - LNN_CRC_LEN - prep_len, prep_len,
                            LNN_TAG_PLATEAU, &found, &at, &n);
    bad = bad || (found && (n != LNN_PLATEAU_BODY ||
                            fseek(f, (long)at, SEEK_SET) != 0 ||
                            !r_bytes(f, r, LNN_PLATEAU_BODY)));
    if (fseek(f, back, SEEK_SET) != 0)
        return lnn__err(err, errlen, LNN_ERR_IO, "%s: read failed", path);
    if (!bad && found) {
        const double scale = bits_f64(get_u64(r));
        net->plateau = (lnn__plateau){.scale = (float)scale,
                                      .best = bits_f64(get_u64(r + 8)),
                                      .has_best = get_u64(r + 16) != 0,
                                      .stale = get_u64(r + 24)};
        bad = !(scale > 0.0 && scale <= 1.0) || get_u64(r + 16) > 1;
        if (get_u64(r + 32))
            o->lr_patience = get_u64(r + 32);
    }
    if (bad)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                        "%s: malformed plateau schedule record", path);
    return LNN_OK;
}

/* The outputs the prep names fit the network's n_L: classes, two class
 * names for one binary output, or one name per target. */
static bool prep_fits(const lnn_prep *p, const lnn_net *net)
{
    const size_t n_L = net->dims[net->L];
    const bool binary_one = net->head.loss == LNN_LOSS_BCE && n_L == 1 &&
                            p->n_classes == 2;
    return p->n_x == net->dims[0] &&
           (!p->names || p->n_classes == n_L || binary_one) &&
           (!p->n_targets || p->n_targets == n_L);
}

/* The prep records (prep_len bytes, bounded by the file's size, which the
 * CRC has vouched for) into net->prep; none if they hold no scaling
 * record (a model trained on IDX data). */
static lnn_status read_prep(FILE *f, lnn_net *net, uint64_t prep_len,
                            const char *path, char *err, size_t errlen)
{
    unsigned char *buf = malloc((size_t)prep_len);
    if (!buf)
        return lnn__err(err, errlen, LNN_ERR_NOMEM, "%s: out of memory",
                        path);
    lnn_prep p;
    lnn_status s = LNN_OK;
    if (!r_bytes(f, buf, (size_t)prep_len))
        s = lnn__err(err, errlen, LNN_ERR_IO, "%s: read failed", path);
    else if ((s = lnn__prep_decode(&p, buf, (size_t)prep_len)) != LNN_OK)
        s = lnn__err(err, errlen, s, "%s: malformed label or scaling "
                     "records", path);
    else if (p.n_x == 0) { /* no prep: an IDX model, its data id at most */
        net->data = p.data;
        lnn_prep_free(&p);
        free(buf);
        return LNN_OK;
    } else if (!prep_fits(&p, net))
        s = lnn__err(err, errlen, LNN_ERR_FORMAT, "%s: its scaling or "
                     "labels do not fit its layer sizes", path);
    if (s == LNN_OK && !(net->prep = malloc(sizeof *net->prep)))
        s = lnn__err(err, errlen, LNN_ERR_NOMEM, "%s: out of memory", path);
    if (s == LNN_OK)
        *net->prep = p;
    else if (s != LNN_ERR_IO)
        lnn_prep_free(&p);
    free(buf);
    return s;
}

/* The dropout record (none: no dropout) into the net. Read without moving
 * f. */
static lnn_status read_dropout(FILE *f, lnn_net *net, uint64_t file_size,
                               uint64_t prep_len, const char *path, char *err,
                               size_t errlen)
{
    const long back = ftell(f);
    unsigned char r[8];
    bool found;
    uint64_t at = 0, n = 0;
    bool bad = !find_record(f, file_size - LNN_CRC_LEN - prep_len, prep_len,
                            LNN_TAG_DROPOUT, &found, &at, &n);
    float *p = NULL;
    if (!bad && found) {
        bad = n != 8 + 4 * (uint64_t)(net->L - 1) ||
              fseek(f, (long)at, SEEK_SET) != 0 || !r_bytes(f, r, 8) ||
              get_u64(r) != net->L - 1 ||
              !(p = malloc((net->L - 1) * sizeof *p)) ||
              !r_floats(f, p, net->L - 1) ||
              lnn_net_set_dropout(net, p) != LNN_OK;
    }
    free(p);
    if (fseek(f, back, SEEK_SET) != 0)
        return lnn__err(err, errlen, LNN_ERR_IO, "%s: read failed", path);
    if (bad)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                        "%s: malformed dropout record", path);
    return LNN_OK;
}

/* The records after the optimizer state: the prep records from f's
 * position, then regularisation and plateau (read where they lie). */
static lnn_status read_records(FILE *f, lnn_net *net, lnn_train_opts *o,
                               uint64_t file_size, uint64_t prep_len,
                               const char *path, char *err, size_t errlen)
{
    lnn_status s = read_prep(f, net, prep_len, path, err, errlen);
    if (s == LNN_OK)
        s = read_reg(f, net, o, file_size, prep_len, path, err, errlen);
    if (s == LNN_OK)
        s = read_dropout(f, net, file_size, prep_len, path, err, errlen);
    return s == LNN_OK ? read_plateau(f, net, o, file_size, prep_len, path,
                                      err, errlen)
                       : s;
}

/* The fixed header of an open model file: the file is regular and long
 * enough, its magic and version are lnn's, its numbers are parsed into
 * *hd. *file_size: its length. */
static lnn_status read_fixed(FILE *f, uint64_t *file_size, header *hd,
                             const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        return lnn__err(err, errlen, LNN_ERR_IO, "%s: not a regular file",
                        path);
    *file_size = (uint64_t)st.st_size;
    unsigned char h[LNN_HEADER_FIXED];
    if (*file_size < LNN_HEADER_FIXED + LNN_CRC_LEN ||
        !r_bytes(f, h, sizeof h))
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                        "%s: %llu bytes, too short for a model file", path,
                        (unsigned long long)*file_size);
    /* What the file is, what its header says, whether the length fits
     * that, then whether it is intact. */
    if (memcmp(h, LNN_MODEL_MAGIC, LNN_MAGIC_LEN) != 0)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                        "%s: not an lnn model file (bad magic)", path);
    if (get_u32(h + 8) < LNN_MODEL_VERSION_OLDEST ||
        get_u32(h + 8) > LNN_MODEL_VERSION)
        return lnn__err(err, errlen, LNN_ERR_FORMAT,
                        "%s: format version %u, this lnn reads %d to %d",
                        path, get_u32(h + 8), LNN_MODEL_VERSION_OLDEST,
                        LNN_MODEL_VERSION);
    return parse_fixed(h, hd, path, err, errlen);
}

/* The layer sizes and the records' length (read_dims), then the whole
 * file's checksum: intact, before the header's numbers size any large
 * allocation. */
static lnn_status read_layout(FILE *f, const header *hd, uint64_t file_size,
                              size_t *dims, uint64_t *prep_len,
                              const char *path, char *err, size_t errlen)
{
    lnn_status s = read_dims(f, hd, file_size, dims, prep_len, path, err,
                             errlen);
    if (s == LNN_OK && !crc_matches(f, file_size, ftell(f)))
        s = lnn__err(err, errlen, LNN_ERR_FORMAT,
                     "%s: checksum mismatch (file damaged)", path);
    return s;
}

/* The training option records into *stored. */
static lnn_status read_options(FILE *f, const header *hd,
                               lnn_train_opts *stored, const char *path,
                               char *err, size_t errlen)
{
    for (uint32_t i = 0; i < hd->n_opts; i++) {
        unsigned char rec[LNN_OPT_RECORD];
        if (!r_bytes(f, rec, sizeof rec) ||
            !apply_option(stored, get_u32(rec), get_u32(rec + 4),
                          get_u64(rec + 8)))
            return lnn__err(err, errlen, LNN_ERR_FORMAT,
                            "%s: training option record %u is malformed",
                            path, i + 1);
    }
    return LNN_OK;
}

/* Where the stored run was: its position, optimizer step count and
 * initialisation. */
static void resume_state(lnn_net *net, const header *hd)
{
    net->state = (lnn_train_state){.epoch = hd->epoch, .step = hd->step,
                                   .iteration = hd->iteration};
    net->opt_t = hd->opt_t;
    net->init = (lnn_init)hd->init;
    net->init_seed = hd->init_seed;
}

lnn_status lnn_model_load(lnn_net **out, lnn_train_opts *opts,
                          const char *path, size_t max_batch, char *err,
                          size_t errlen)
{
    if (out)
        *out = NULL;
    if (!out || !path)
        return lnn__err(err, errlen, LNN_ERR_ARG,
                       "load: output or path missing");
    FILE *f = fopen(path, "rb");
    if (!f)
        return lnn__err(err, errlen, LNN_ERR_IO, "%s: %s", path,
                       strerror(errno));
    lnn_status s;
    lnn_net *net = NULL;
    size_t *dims = NULL;
    lnn_activation *acts = NULL;
    uint64_t file_size = 0, prep_len = 0;
    header hd = {0};
    if ((s = read_fixed(f, &file_size, &hd, path, err, errlen)) != LNN_OK)
        goto done;
    /* L is bounded, so dims is small whatever the header says. */
    dims = malloc(((size_t)hd.L + 1) * sizeof *dims);
    acts = malloc((size_t)hd.L * sizeof *acts); /* L - 1 used */
    if (!dims || !acts) {
        s = lnn__err(err, errlen, LNN_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    if ((s = read_layout(f, &hd, file_size, dims, &prep_len, path, err,
                         errlen)) != LNN_OK)
        goto done;
    lnn_train_opts stored = opts ? *opts : lnn_train_opts_default();
    if ((s = read_options(f, &hd, &stored, path, err, errlen)) != LNN_OK)
        goto done;
    if (!max_batch &&
        (s = check_stored_batch(&hd, dims, path, err, errlen)) != LNN_OK)
        goto done;
    lnn__head head;
    if ((s = read_head(f, &hd, file_size, prep_len, &head, path, err,
                       errlen)) != LNN_OK)
        goto done;
    lnn_net_config cfg = {
        .L = hd.L,
        .dims = dims,
        .hidden = (lnn_activation)hd.hidden,
        .max_batch = max_batch ? max_batch : (size_t)hd.max_batch,
        .optimizer = (lnn_optimizer)hd.optimizer,
        .loss = head.loss,
        .huber_delta = head.delta,
    };
    if ((s = read_acts(f, &hd, file_size, prep_len, acts, &cfg, path, err,
                       errlen)) != LNN_OK ||
        (s = lnn_net_create(&net, &cfg, err, errlen)) != LNN_OK)
        goto done;
    const size_t slots = lnn__opt_slots(net->optimizer);
    if (!r_floats(f, net->params, net->n_params) ||
        !r_floats(f, net->opt_state, slots * net->n_params)) {
        s = lnn__err(err, errlen, LNN_ERR_IO, "%s: read failed", path);
        goto done;
    }
    if (prep_len && (s = read_records(f, net, &stored, file_size, prep_len,
                                      path, err, errlen)) != LNN_OK)
        goto done;
    resume_state(net, &hd);
    if (opts)
        *opts = stored;
    *out = net;
    net = NULL;
    s = LNN_OK;
done:
    lnn_net_destroy(net);
    free(dims);
    free(acts);
    fclose(f);
    return s;
}
