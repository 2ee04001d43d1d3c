/* The model file: save then load is bit-exact (parameters, optimizer state,
 * training position, training options); no temporary file is left behind,
 * and stale ones of a killed save are removed; every kind of damage is
 * reported as such, never trusted, and neither is a hostile max_batch; an
 * IDX model's data id round-trips. */
#define _GNU_SOURCE /* F_OFD_SETLK */

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "lnn.h"

static char dir[] = "/tmp/lnn-test-model-XXXXXX";
static char path[512];

static lnn_net *make(lnn_optimizer opt)
{
    size_t dims[] = {5, 4, 3};
    lnn_net_config cfg = {.L = 2, .dims = dims, .hidden = LNN_ACT_SIGMOID,
                          .max_batch = 6, .optimizer = opt};
    lnn_net *net = NULL;
    CHECK_STATUS(lnn_net_create(&net, &cfg, NULL, 0), LNN_OK);
    CHECK_STATUS(lnn_initialize_parameters(net, LNN_INIT_XAVIER, 77), LNN_OK);
    return net;
}

static unsigned char *slurp(const char *p, size_t *n)
{
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n ? *n : 1);
    if (b && fread(b, 1, *n, f) != *n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

static void spit(const char *p, const unsigned char *b, size_t n)
{
    FILE *f = fopen(p, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK(fwrite(b, 1, n, f) == n);
        fclose(f);
    }
}

/* Rewrite the trailing CRC so a deliberate edit passes the checksum. */
static void fix_crc(unsigned char *b, size_t n)
{
    uLong crc = crc32(crc32(0L, Z_NULL, 0), b, (uInt)(n - 4));
    for (int i = 0; i < 4; i++)
        b[n - 4 + i] = (unsigned char)(crc >> (8 * i));
}

/* Loading p fails with `want` and a message containing `words`. */
static void load_fails(const char *p, lnn_status want, const char *words)
{
    char err[256] = "";
    lnn_net *net = (lnn_net *)err;
    CHECK_STATUS(lnn_model_load(&net, NULL, p, 0, err, sizeof err), want);
    CHECK(net == NULL);
    if (!strstr(err, words)) {
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err, words);
        CHECK(!"message names the fault");
    }
}

static void round_trip(void)
{
    lnn_net *a = make(LNN_OPT_ADAM);
    const size_t n = lnn_net_n_params(a);
    /* Nonzero optimizer state and a training position to carry over */
    lnn_train_state st = {.epoch = 3, .step = 2, .iteration = 41};
    CHECK_STATUS(lnn_net_set_train_state(a, st), LNN_OK);
    lnn_train_opts o = lnn_train_opts_default();
    o.learning_rate = 0.0075f;
    o.batch_size = 0;
    o.epochs = 2000;
    o.num_iterations = 1234;
    o.seed = UINT64_C(0xfeedfacecafebeef);
    o.beta2 = 0.98f;
    o.weight_decay = 5e-4f;
    o.lr_schedule = LNN_LR_COSINE;
    o.lr_warmup = 17;
    o.lr_min_frac = 0.05f;
    CHECK_STATUS(lnn_model_save(a, &o, path, NULL, 0), LNN_OK);

    /* no temporary file left behind */
    DIR *d = opendir(dir);
    int entries = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        entries += e->d_name[0] != '.';
    if (d)
        closedir(d);
    CHECK(entries == 1);

    lnn_train_opts back = lnn_train_opts_default();
    lnn_net *b = NULL;
    char err[256];
    CHECK_STATUS(lnn_model_load(&b, &back, path, 0, err, sizeof err), LNN_OK);
    if (!b)
        return;
    CHECK(lnn_net_L(b) == 2 && lnn_net_dims(b)[0] == 5 &&
          lnn_net_dims(b)[2] == 3);
    CHECK(lnn_net_hidden(b) == LNN_ACT_SIGMOID);
    CHECK(lnn_net_optimizer(b) == LNN_OPT_ADAM);
    CHECK(lnn_net_max_batch(b) == 6);
    CHECK(lnn_net_init(b) == LNN_INIT_XAVIER && lnn_net_init_seed(b) == 77);
    CHECK(memcmp(lnn_net_params(a), lnn_net_params(b), n * sizeof(float)) == 0);
    lnn_train_state bs = lnn_net_train_state(b);
    CHECK(bs.epoch == 3 && bs.step == 2 && bs.iteration == 41);
    CHECK(back.learning_rate == o.learning_rate);
    CHECK(back.batch_size == 0 && back.epochs == 2000);
    CHECK(back.num_iterations == 1234 && back.seed == o.seed);
    CHECK(back.beta2 == o.beta2 && back.weight_decay == o.weight_decay);
    CHECK(back.lr_schedule == LNN_LR_COSINE && back.lr_warmup == 17);
    CHECK(back.lr_min_frac == o.lr_min_frac && back.momentum == o.momentum);
    lnn_net_destroy(b);

    /* a different max_batch on request */
    CHECK_STATUS(lnn_model_load(&b, NULL, path, 1000, NULL, 0), LNN_OK);
    if (b)
        CHECK(lnn_net_max_batch(b) == 1000);
    lnn_net_destroy(b);

    /* Saving over an existing model replaces it whole. */
    lnn_net *c = make(LNN_OPT_SGD);
    CHECK_STATUS(lnn_model_save(c, NULL, path, NULL, 0), LNN_OK);
    CHECK_STATUS(lnn_model_load(&b, NULL, path, 0, NULL, 0), LNN_OK);
    if (b) {
        CHECK(lnn_net_optimizer(b) == LNN_OPT_SGD);
        CHECK(memcmp(lnn_net_params(c), lnn_net_params(b),
                     lnn_net_n_params(c) * sizeof(float)) == 0);
    }
    lnn_net_destroy(b);
    lnn_net_destroy(c);
    lnn_net_destroy(a);
}

/* A path that is not a file, a missing file, a directory that does not
 * exist and an empty path: each fails cleanly. */
static void bad_paths(void)
{
    load_fails(dir, LNN_ERR_IO, "not a regular file");
    char missing[600];
    snprintf(missing, sizeof missing, "%s/missing.lnn", dir);
    load_fails(missing, LNN_ERR_IO, "No such file");

    lnn_net *a = make(LNN_OPT_SGD);
    char nowhere[600], err[256];
    snprintf(nowhere, sizeof nowhere, "%s/no/such/dir/m.lnn", dir);
    CHECK_STATUS(lnn_model_save(a, NULL, nowhere, err, sizeof err), LNN_ERR_IO);
    CHECK(strstr(err, "m.lnn") != NULL);
    CHECK_STATUS(lnn_model_save(a, NULL, "", NULL, 0), LNN_ERR_ARG);
    lnn_net_destroy(a);
}

static void damage(void)
{
    lnn_net *a = make(LNN_OPT_MOMENTUM);
    CHECK_STATUS(lnn_model_save(a, NULL, path, NULL, 0), LNN_OK);
    lnn_net_destroy(a);
    size_t n;
    unsigned char *good = slurp(path, &n);
    CHECK(good != NULL);
    if (!good)
        return;
    unsigned char *b = malloc(n + 16);
    char bad[600];
    snprintf(bad, sizeof bad, "%s/bad.lnn", dir);

    spit(bad, good, 0);
    load_fails(bad, LNN_ERR_FORMAT, "too short");

    const size_t cuts[] = {10, 79, 100, n / 2, n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        spit(bad, good, cuts[i]);
        char err[256];
        lnn_net *net;
        CHECK_STATUS(lnn_model_load(&net, NULL, bad, 0, err, sizeof err),
                     LNN_ERR_FORMAT);
    }

    /* Every single damaged byte is caught (CRC-32 catches all bursts of up
     * to 32 bits), whichever field it lands in. */
    size_t caught = 0;
    for (size_t k = 0; k < n; k++) {
        memcpy(b, good, n);
        b[k] ^= 0x5a;
        spit(bad, b, n);
        lnn_net *net = NULL;
        caught += lnn_model_load(&net, NULL, bad, 0, NULL, 0) == LNN_ERR_FORMAT;
        lnn_net_destroy(net);
    }
    CHECK(caught == n);
    memcpy(b, good, n);
    b[n / 2] ^= 1;
    spit(bad, b, n);
    load_fails(bad, LNN_ERR_FORMAT, "checksum mismatch (file damaged)");

    memcpy(b, good, n);
    memcpy(b, "NOTMODEL", 8);
    spit(bad, b, n);
    load_fails(bad, LNN_ERR_FORMAT, "bad magic");

    memcpy(b, good, n);
    b[8] = 7; /* a future format version */
    spit(bad, b, n);
    load_fails(bad, LNN_ERR_FORMAT, "format version 7, this lnn reads 1");

    /* Sizes that disagree with the length, checksum intact */
    /* (version 3: bytes after the optimizer state are records; 8 of them
     * are less than a record's head) */
    memcpy(b, good, n);
    memset(b + n, 0, 8);
    fix_crc(b, n + 8);
    spit(bad, b, n + 8);
    load_fails(bad, LNN_ERR_FORMAT, "malformed");
    memcpy(b, good, n);
    b[80 + 8] = 200; /* n_1: 4 -> 200 needs more parameters than stored */
    fix_crc(b, n);
    spit(bad, b, n);
    load_fails(bad, LNN_ERR_FORMAT, "truncated");
    memcpy(b, good, n);
    b[12] = 0; /* L = 0 */
    fix_crc(b, n);
    spit(bad, b, n);
    load_fails(bad, LNN_ERR_FORMAT, "0 layers");

    unlink(bad);
    free(b);
    free(good);
}

/* Issue 18's reproducer: a model valid in every checked respect, CRC
 * included, whose header says max_batch = 200409216. Loading it with its
 * stored max_batch is refused, naming the field; with the caller's batch it
 * loads in normal memory. */
static void hostile_max_batch(void)
{
    lnn_net *a = make(LNN_OPT_SGD);
    CHECK_STATUS(lnn_model_save(a, NULL, path, NULL, 0), LNN_OK);
    lnn_net_destroy(a);
    size_t n;
    unsigned char *b = slurp(path, &n);
    CHECK(b != NULL);
    if (!b)
        return;
    const uint64_t huge = 200409216;
    for (int i = 0; i < 8; i++)
        b[40 + i] = (unsigned char)(huge >> (8 * i)); /* max_batch, u64 LE */
    fix_crc(b, n);
    spit(path, b, n);
    free(b);
    load_fails(path, LNN_ERR_FORMAT, "max_batch 200409216");
    lnn_net *net = NULL;
    CHECK_STATUS(lnn_model_load(&net, NULL, path, 8, NULL, 0), LNN_OK);
    if (net)
        CHECK(lnn_net_max_batch(net) == 8);
    lnn_net_destroy(net);
}

/* The names in dir, other than . and .., as one sorted, space-separated
 * string in buf. */
static void list_dir(char *buf, size_t len)
{
    char names[16][256];
    int k = 0;
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d)) && k < 16;)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            snprintf(names[k++], sizeof names[0], "%s", e->d_name);
    if (d)
        closedir(d);
    qsort(names, (size_t)k, sizeof names[0],
          (int (*)(const void *, const void *))strcmp);
    buf[0] = '\0';
    for (int i = 0; i < k; i++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? " " : "",
                 names[i]);
}

/* dir/name holding `content` (a C string), modified `age` seconds ago. */
static void touch(const char *name, time_t age, const char *content)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    spit(p, (const unsigned char *)content, strlen(content));
    const struct timespec t[2] = {{time(NULL) - age, 0}, {time(NULL) - age, 0}};
    CHECK(utimensat(AT_FDCWD, p, t, 0) == 0);
}

/* A save removes the temporaries a killed save of the same name left, and
 * nothing else: not other names, not a fresh one, not a locked one (a save
 * in progress holds a lock on its temporary), not one that is not a
 * model. */
static void stale_temporaries(void)
{
    static const char *const kept[] = {
        "model.lnn.backup",       /* not the pattern, a model: kept */
        "model.lnn.tmp-ABCDEFG",  /* not the pattern (7): kept */
        "model.lnn.tmp-AB_DEF",   /* not the pattern (_): kept */
        "model.lnn.tmp-Qq9Qq9",   /* stale but locked: kept */
        "model.lnn.tmp-Xx1Xx1",   /* stale, not a model: kept */
        "model.lnn.tmp-Zz0Zz0",   /* fresh: kept */
        "other.lnn.tmp-Ab3xYz",   /* another model's: kept */
    };
    lnn_net *a = make(LNN_OPT_SGD);
    unlink(path);
    touch("model.lnn.tmp-Ab3xYz", 60, "");              /* removed */
    touch("model.lnn.tmp-Mm4Mm4", 60, "LNNMODEL\1\2"); /* removed */
    touch("model.lnn.backup", 60, "LNNMODEL");
    touch("model.lnn.tmp-ABCDEFG", 60, "");
    touch("model.lnn.tmp-AB_DEF", 60, "");
    touch("model.lnn.tmp-Qq9Qq9", 60, "");
    touch("model.lnn.tmp-Xx1Xx1", 60, "x");
    touch("model.lnn.tmp-Zz0Zz0", 0, "");
    touch("other.lnn.tmp-Ab3xYz", 60, "");
    char p[600];
    snprintf(p, sizeof p, "%s/model.lnn.tmp-Qq9Qq9", dir);
    const int fd = open(p, O_RDWR);
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    CHECK(fd >= 0 && fcntl(fd, F_OFD_SETLK, &lk) == 0);
    CHECK_STATUS(lnn_model_save(a, NULL, path, NULL, 0), LNN_OK);
    char names[4096], want[4096] = "model.lnn";
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), " %s",
                 kept[i]);
    list_dir(names, sizeof names);
    if (strcmp(names, want) != 0) {
        fprintf(stderr, "left: %s\nwant: %s\n", names, want);
        CHECK(!"only stale temporaries removed");
    }
    close(fd);
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, kept[i]);
        unlink(p);
    }
    /* Saving over an existing file leaves nothing else either. */
    CHECK_STATUS(lnn_model_save(a, NULL, path, NULL, 0), LNN_OK);
    list_dir(names, sizeof names);
    CHECK(strcmp(names, "model.lnn") == 0);
    lnn_net_destroy(a);
}

/* An IDX model's data id (record 7 with the dataset's name) survives a
 * save and load; a model without one loads with none; a damaged name
 * (a control character, a length that is not the record's) is refused. */
static void data_id(void)
{
    lnn_net *a = make(LNN_OPT_SGD);
    CHECK(lnn_net_data_id(a).rows == 0);
    CHECK_STATUS(lnn_model_save(a, NULL, path, NULL, 0), LNN_OK);
    lnn_net *b = NULL;
    CHECK_STATUS(lnn_model_load(&b, NULL, path, 0, NULL, 0), LNN_OK);
    CHECK(b && lnn_net_data_id(b).rows == 0);
    lnn_net_destroy(b);
    const lnn_data_id id = {.rows = 60000, .digest = UINT64_C(0x0123456789abcdef),
                            .name = "fashion-mnist"};
    CHECK_STATUS(lnn_net_set_data_id(a, &id), LNN_OK);
    CHECK_STATUS(lnn_model_save(a, NULL, path, NULL, 0), LNN_OK);
    b = NULL;
    CHECK_STATUS(lnn_model_load(&b, NULL, path, 0, NULL, 0), LNN_OK);
    const lnn_data_id got = lnn_net_data_id(b);
    CHECK(got.rows == 60000 && got.bytes == 0 && got.digest == id.digest &&
          strcmp(got.name, "fashion-mnist") == 0);
    CHECK(lnn_net_prep(b) == NULL); /* still an IDX model */
    lnn_net_destroy(b);
    size_t n;
    unsigned char *f = slurp(path, &n);
    CHECK(f && n > 20 && memcmp(f + n - 4 - 13, "fashion-mnist", 13) == 0);
    if (f && n > 20) {
        f[n - 4 - 5] = '\n'; /* the name is printed on one line */
        fix_crc(f, n);
        spit(path, f, n);
        load_fails(path, LNN_ERR_FORMAT, "malformed");
        f[n - 4 - 5] = 'm';
        f[n - 4 - 17] = 12; /* a name length other than the record's */
        fix_crc(f, n);
        spit(path, f, n);
        load_fails(path, LNN_ERR_FORMAT, "malformed");
    }
    free(f);
    lnn_net_destroy(a);
}

/* Per-layer activations and the leaky slope (record 8) survive a save;
 * a version-3 file without that record (written before it) loads with the
 * header's activation in every hidden layer and the default slope; a
 * damaged record is refused. */
static void activations(void)
{
    size_t dims[] = {5, 4, 4, 4, 3};
    const lnn_activation each[] = {LNN_ACT_GELU, LNN_ACT_LEAKY_RELU,
                                   LNN_ACT_TANH};
    lnn_net_config cfg = {.L = 4, .dims = dims, .hidden = LNN_ACT_GELU,
                          .hidden_each = each, .leaky_slope = 0.05f,
                          .max_batch = 6};
    lnn_net *a = NULL, *b = NULL;
    CHECK_STATUS(lnn_net_create(&a, &cfg, NULL, 0), LNN_OK);
    if (!a)
        return;
    CHECK_STATUS(lnn_initialize_parameters(a, LNN_INIT_AUTO, 5), LNN_OK);
    CHECK(lnn_net_init(a) == LNN_INIT_AUTO); /* he for 1-3, xavier for 4 */
    CHECK_STATUS(lnn_model_save(a, NULL, path, NULL, 0), LNN_OK);
    CHECK_STATUS(lnn_model_load(&b, NULL, path, 0, NULL, 0), LNN_OK);
    for (size_t l = 1; b && l <= 4; l++)
        CHECK(lnn_net_activation(b, l) == lnn_net_activation(a, l));
    CHECK(b && lnn_net_activation(b, 4) == LNN_ACT_SOFTMAX);
    CHECK(b && lnn_net_leaky_slope(b) == 0.05f);
    lnn_net_destroy(b);

    size_t n;
    unsigned char *bytes = slurp(path, &n);
    /* record 8: tag 8, 0, length 8 + 4 * 3 = 20, the slope, 3 ids */
    const unsigned char head[16] = {8, 0, 0, 0, 0, 0, 0, 0, 20};
    size_t at = 0;
    while (bytes && at + 36 <= n && memcmp(bytes + at, head, 16) != 0)
        at++;
    CHECK(bytes && at + 36 <= n);
    if (!bytes || at + 36 > n)
        return;
    bytes[at + 16 + 8 + 4] = 2; /* softmax for a hidden layer */
    fix_crc(bytes, n);
    spit(path, bytes, n);
    load_fails(path, LNN_ERR_FORMAT, "activations record");
    memmove(bytes + at, bytes + at + 36, n - at - 36);
    n -= 36;
    fix_crc(bytes, n);
    spit(path, bytes, n);
    CHECK_STATUS(lnn_model_load(&b, NULL, path, 0, NULL, 0), LNN_OK);
    for (size_t l = 1; b && l < 4; l++)
        CHECK(lnn_net_activation(b, l) == LNN_ACT_GELU);
    CHECK(b && lnn_net_leaky_slope(b) == LNN_LEAKY_SLOPE_DEFAULT);
    CHECK(b && memcmp(lnn_net_params(a), lnn_net_params(b),
                      lnn_net_n_params(a) * sizeof(float)) == 0);
    lnn_net_destroy(b);
    lnn_net_destroy(a);
    free(bytes);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 99;
    }
    snprintf(path, sizeof path, "%s/model.lnn", dir);
    round_trip();
    activations();
    damage();
    bad_paths();
    hostile_max_batch();
    stale_temporaries();
    data_id();
    unlink(path);
    rmdir(dir);
    return check_result("model");
}
