/* test_tables.c: the table library below the command line: numbers parse
 * exactly as strtod rounds them, a CSV file loads to the expected matrix,
 * sorted vocabulary and column names, the stratified split keeps each
 * class's share, the scaling comes from the training columns only (a
 * constant feature is never divided by zero), the column names are
 * checked against the training data's and kept in the model's records, and
 * a file of many read chunks loads to the same table, and fails with the
 * same message, for 1 and 4 threads (the team's blocks). */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "lnn.h"
#include "numparse.h"
#include "rng.h"
#include "table.h"

#define N_RANDOM 200000

/* Random decimals, short and long, against strtod: the same double. */
static void test_numbers(void)
{
    static const char *const exact[] = {
        "0", "-0", "1", "255", "3.14", "-2.5e-3", "1e22", "1e23", "9007199254740993",
        "0.1", "123456789012345678901234567890", "4.9e-324", "1.7976931348623157e308",
        "+7", ".5", "5.", "0000012", "2.2250738585072011e-308"};
    for (size_t k = 0; k < sizeof exact / sizeof *exact; k++) {
        double v = 0.0;
        CHECK(lnn__parse_number(exact[k], strlen(exact[k]), &v) == LNN_NUM_OK);
        CHECK(v == strtod(exact[k], NULL));
    }
    static const char *const bad[] = {"", "-", ".", "e5", "1e", "1e+", "0x10",
                                      "1,5", "1 ", " 1", "1.2.3", "--1"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        double v;
        CHECK(lnn__parse_number(bad[k], strlen(bad[k]), &v) == LNN_NUM_BAD);
    }
    static const char *const nonfinite[] = {"nan", "NaN", "-inf", "Infinity"};
    for (size_t k = 0; k < sizeof nonfinite / sizeof *nonfinite; k++) {
        double v;
        CHECK(lnn__parse_number(nonfinite[k], strlen(nonfinite[k]), &v) ==
              LNN_NUM_NONFINITE);
    }
    double v;
    CHECK(lnn__parse_number("1e400", 5, &v) == LNN_NUM_RANGE);
    lnn_rng r;
    lnn__rng_seed(&r, 14, 0);
    size_t wrong = 0;
    for (int i = 0; i < N_RANDOM; i++) {
        char s[64];
        const int digits = 1 + (int)lnn__rng_below(&r, 20);
        int n = 0;
        if (lnn__rng_below(&r, 2))
            s[n++] = '-';
        const int point = (int)lnn__rng_below(&r, (uint64_t)digits + 1);
        for (int d = 0; d < digits; d++) {
            if (d == point)
                s[n++] = '.';
            s[n++] = (char)('0' + lnn__rng_below(&r, 10));
        }
        if (lnn__rng_below(&r, 3) == 0)
            n += snprintf(s + n, sizeof s - (size_t)n, "e%d",
                          (int)lnn__rng_below(&r, 80) - 40);
        s[n] = '\0';
        double got;
        if (lnn__parse_number(s, (size_t)n, &got) != LNN_NUM_OK ||
            got != strtod(s, NULL))
            wrong++;
    }
    CHECK(wrong == 0);
}

static char path[64];

static void write_file(const char *text)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* A CSV with a BOM, quotes, CRLF and string labels; bytes stay bytes. */
static void test_csv(void)
{
    write_file("\xEF\xBB\xBF" "x1,\"x,2\",class\r\n"
               "1,2,b\r\n" "3,\"4\",a\r\n" "5,6,b\r\n" "7,8,c\r\n");
    lnn_table t;
    char err[256];
    CHECK_STATUS(lnn_table_load(&t, path, NULL, err, sizeof err), LNN_OK);
    CHECK(t.n_x == 2 && t.m == 4 && t.X_u8 && !t.X && t.n_classes == 3);
    static const uint8_t X[] = {1, 2, 3, 4, 5, 6, 7, 8};
    static const int32_t y[] = {1, 0, 1, 2};
    CHECK(t.X_u8 && memcmp(t.X_u8, X, sizeof X) == 0);
    CHECK(t.y && memcmp(t.y, y, sizeof y) == 0);
    CHECK(t.names && strcmp(t.names[0], "a") == 0 &&
          strcmp(t.names[2], "c") == 0);
    CHECK(t.columns && strcmp(t.columns[0], "x1") == 0 &&
          strcmp(t.columns[1], "x,2") == 0);
    char *const same[] = {"x1", "x,2"}, *const other[] = {"x1", "x2"};
    CHECK_STATUS(lnn_table_check_columns(&t, same, 2, err, sizeof err),
                 LNN_OK);
    CHECK_STATUS(lnn_table_check_columns(&t, NULL, 2, err, sizeof err),
                 LNN_OK);
    CHECK_STATUS(lnn_table_check_columns(&t, other, 2, err, sizeof err),
                 LNN_ERR_SHAPE);
    CHECK(strstr(err, "feature column 2 is \"x,2\", the training data's "
                      "is \"x2\"") != NULL);
    CHECK_STATUS(lnn_table_check_columns(&t, same, 1, err, sizeof err),
                 LNN_ERR_SHAPE);
    CHECK(strstr(err, "2 features, the training data has 1") != NULL);
    lnn_table_free(&t);
    /* the label column in the middle: the names of the others */
    write_file("a,label,b\n1,x,2\n3,y,4\n");
    CHECK_STATUS(lnn_table_load(&t, path, NULL, err, sizeof err), LNN_OK);
    CHECK(t.n_x == 2 && t.columns && strcmp(t.columns[0], "a") == 0 &&
          strcmp(t.columns[1], "b") == 0);
    lnn_table_free(&t);
    /* numeric labels sort by value; a decimal makes floats */
    write_file("10,0.5\n9,1\n-1,2\n10,3\n");
    lnn_table_opts o = lnn_table_opts_default();
    o.label = "0";
    CHECK_STATUS(lnn_table_load(&t, path, &o, err, sizeof err), LNN_OK);
    CHECK(t.X && !t.X_u8 && t.n_x == 1 && t.n_classes == 3);
    CHECK(t.names && strcmp(t.names[0], "-1") == 0 &&
          strcmp(t.names[1], "9") == 0 && strcmp(t.names[2], "10") == 0);
    CHECK(t.X && t.X[0] == 0.5f && t.X[3] == 3.0f);
    CHECK(t.columns == NULL); /* no header */
    lnn_table_free(&t);
}

#define BLOCK_ROWS 60000 /* about 3 MB of text: several 1 MiB chunks */
#define BLOCK_COLS 12

/* Feature i of row j. */
static unsigned block_value(size_t j, size_t i)
{
    return (unsigned)((j * 7 + i * 13) % 256);
}

/* A CSV of BLOCK_ROWS rows: bytes, blank and CRLF lines; a quoted field
 * while still bytes (rows 100..109: one by one); from row `wide` on the
 * first feature is x.5 (floats), quoted labels with a line end inside
 * from there on (a team's block, unquoted in place); `bad` (if not
 * SIZE_MAX) is an unparseable cell. */
static void write_blocks(size_t wide, size_t bad, size_t bad2)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("label", f);
    for (size_t i = 0; i < BLOCK_COLS; i++)
        fprintf(f, ",x%zu", i);
    fputc('\n', f);
    for (size_t j = 0; j < BLOCK_ROWS; j++) {
        if (j % 1000 == 17)
            fputs("\n", f);
        if (j >= 100 && j < 110)
            fprintf(f, "\"c%zu\"", j % 3);
        else if (j >= wide && j % 5 == 0)
            fprintf(f, "\"c%zu\n\"", j % 3);
        else
            fprintf(f, "c%zu", j % 3);
        for (size_t i = 0; i < BLOCK_COLS; i++) {
            if (j == bad && i == 2)
                fputs(",abc", f);
            else if (j == bad2 && i == 0)
                fputs(",", f);
            else if (j >= wide && i == 0)
                fprintf(f, ",%u.5", block_value(j, i));
            else
                fprintf(f, ",%u", block_value(j, i));
        }
        fputs(j % 7 == 3 ? "\r\n" : "\n", f);
    }
    fclose(f);
}

/* The line of row j: the header, the blank lines before it, and the
 * line ends inside the quoted labels before it. */
static size_t block_line(size_t j, size_t wide)
{
    size_t quoted = 0;
    for (size_t k = wide; k < j; k++)
        quoted += k % 5 == 0;
    return 2 + j + (j + 1000 - 17) / 1000 + quoted;
}

static void test_blocks(void)
{
    char err[256];
    const size_t wide = 33333;
    write_blocks(wide, SIZE_MAX, SIZE_MAX);
    lnn_table t[2];
    for (int k = 0; k < 2; k++) {
        lnn_set_threads(k ? 4 : 1);
        CHECK_STATUS(lnn_table_load(&t[k], path, NULL, err, sizeof err),
                     LNN_OK);
    }
    CHECK(t[0].m == BLOCK_ROWS && t[0].n_x == BLOCK_COLS && t[0].X &&
          t[0].n_classes == 6 && t[1].m == BLOCK_ROWS && t[1].X);
    if (!t[0].X || !t[1].X || t[0].m != BLOCK_ROWS || t[1].m != BLOCK_ROWS)
        return;
    size_t wrong = 0;
    for (size_t j = 0; j < BLOCK_ROWS; j++)
        for (size_t i = 0; i < BLOCK_COLS; i++)
            wrong += t[0].X[j * BLOCK_COLS + i] !=
                     (float)block_value(j, i) + (j >= wide && i == 0) * 0.5f;
    CHECK(wrong == 0);
    CHECK(memcmp(t[0].X, t[1].X, sizeof(float) * BLOCK_ROWS * BLOCK_COLS) ==
          0);
    CHECK(memcmp(t[0].y, t[1].y, sizeof(int32_t) * BLOCK_ROWS) == 0);
    /* "c0" < "c0\n" < "c1" ...: row 100 (quoted, no line end) is c1 */
    CHECK(strcmp(t[0].names[t[0].y[100]], "c1") == 0 &&
          strcmp(t[0].names[t[0].y[wide + 2]], "c2\n") == 0);
    lnn_table_free(&t[0]);
    lnn_table_free(&t[1]);
    /* the first failure in file order, at its line, whatever the team
     * (the two are in one block, in different members' shares): after the
     * floats begin, and before them (bytes) */
    const size_t cases[][3] = {{wide, 50001, 51501}, {BLOCK_ROWS, 21502,
                                                      20002}};
    for (size_t c = 0; c < 2; c++) {
        const size_t w = cases[c][0], bad = cases[c][1], bad2 = cases[c][2];
        write_blocks(w, bad, bad2);
        char want[256];
        const size_t first = bad < bad2 ? bad : bad2;
        snprintf(want, sizeof want, "%s:%zu: column %d ", path,
                 block_line(first, w), first == bad ? 4 : 2);
        for (int k = 0; k < 2; k++) {
            lnn_set_threads(k ? 4 : 1);
            lnn_table u;
            CHECK_STATUS(lnn_table_load(&u, path, NULL, err, sizeof err),
                         LNN_ERR_FORMAT);
            CHECK(strncmp(err, want, strlen(want)) == 0);
            if (strncmp(err, want, strlen(want)) != 0)
                fprintf(stderr, "got: %s\nwant: %s\n", err, want);
        }
    }
}

/* The column names travel: fit copies them, the records keep them, apply
 * checks them; a records section that misplaces them does not load. */
static void test_column_records(void)
{
    char *names[] = {"x1", "x2"}, *labels[] = {"no", "yes"};
    lnn_prep p = {.scale = LNN_SCALE_NONE, .n_x = 2, .n_classes = 2,
                  .names = labels, .columns = names};
    unsigned char *buf;
    size_t len;
    CHECK_STATUS(lnn__prep_encode(&p, &buf, &len), LNN_OK);
    lnn_prep q;
    CHECK_STATUS(lnn__prep_decode(&q, buf, len), LNN_OK);
    CHECK(q.columns && strcmp(q.columns[0], "x1") == 0 &&
          strcmp(q.columns[1], "x2") == 0 && q.n_classes == 2);
    char err[256];
    lnn_table t = {.n_x = 2, .m = 1, .X = calloc(2, sizeof(float))};
    char *other[] = {"x1", "x3"};
    t.columns = other;
    CHECK_STATUS(lnn_prep_apply(&q, &t, err, sizeof err), LNN_ERR_SHAPE);
    CHECK(strstr(err, "feature column 2 is \"x3\", the training data's "
                      "is \"x2\"") != NULL);
    t.columns = names;
    CHECK_STATUS(lnn_prep_apply(&q, &t, err, sizeof err), LNN_OK);
    t.columns = NULL;
    lnn_table_free(&t);
    lnn_prep_free(&q);
    /* the records: scale (16 + 16 bytes), labels, columns (the last) */
    const size_t columns_at = len - (16 + 8 + 2 * (4 + 2));
    CHECK(buf[columns_at] == 4);
    /* columns alone, before the scaling that counts them */
    CHECK_STATUS(lnn__prep_decode(&q, buf + columns_at, len - columns_at),
                 LNN_ERR_FORMAT);
    /* columns counted otherwise than the scaling's features */
    buf[8 + 16] = 3; /* the scale record's n_x */
    CHECK_STATUS(lnn__prep_decode(&q, buf, len), LNN_ERR_FORMAT);
    free(buf);
    /* a second scale record */
    p.columns = NULL;
    CHECK_STATUS(lnn__prep_encode(&p, &buf, &len), LNN_OK);
    unsigned char *twice = malloc(len + 32);
    if (twice) {
        memcpy(twice, buf, 32);
        memcpy(twice + 32, buf, len);
        CHECK_STATUS(lnn__prep_decode(&q, twice, len + 32), LNN_ERR_FORMAT);
    }
    free(twice);
    free(buf);
}

/* The image size (record 11) travels; it must be the scaling's features,
 * and given once. */
static void test_image_record(void)
{
    lnn_prep p = {.scale = LNN_SCALE_BYTE, .n_x = 12, .image_width = 4,
                  .image_height = 3};
    unsigned char *buf;
    size_t len;
    CHECK_STATUS(lnn__prep_encode(&p, &buf, &len), LNN_OK);
    lnn_prep q;
    CHECK_STATUS(lnn__prep_decode(&q, buf, len), LNN_OK);
    CHECK(q.image_width == 4 && q.image_height == 3 && q.n_x == 12);
    lnn_prep_free(&q);
    /* the records: scale (16 + 16 bytes), image (16 + 8) */
    CHECK(len == 56 && buf[32] == 11);
    buf[48] = 5; /* 5 x 3 != 12 features */
    CHECK_STATUS(lnn__prep_decode(&q, buf, len), LNN_ERR_FORMAT);
    buf[48] = 0; /* width 0 */
    CHECK_STATUS(lnn__prep_decode(&q, buf, len), LNN_ERR_FORMAT);
    buf[48] = 4;
    unsigned char *twice = malloc(len + 24);
    if (twice) {
        memcpy(twice, buf, len);
        memcpy(twice + len, buf + 32, 24);
        CHECK_STATUS(lnn__prep_decode(&q, twice, len + 24), LNN_ERR_FORMAT);
    }
    free(twice);
    free(buf);
}

/* 100 samples of class 0, 20 of class 1: a 10 % test part takes 10 and 2. */
static void test_split_and_scale(void)
{
    const size_t m = 120;
    lnn_table t = {.n_x = 2, .m = m, .n_classes = 2};
    t.X = calloc(2 * m, sizeof *t.X);
    t.y = calloc(m, sizeof *t.y);
    t.names = calloc(2, sizeof *t.names);
    CHECK(t.X && t.y && t.names);
    if (!t.X || !t.y || !t.names)
        return;
    t.names[0] = strdup("0");
    t.names[1] = strdup("1");
    for (size_t j = 0; j < m; j++) {
        t.y[j] = j >= 100;
        t.X[2 * j] = (float)j;  /* feature 0: the sample's index */
        t.X[2 * j + 1] = 5.0f; /* feature 1: constant */
    }
    char err[256];
    CHECK_STATUS(lnn_table_split(&t, 0, 12, 3, err, sizeof err), LNN_OK);
    size_t test_ones = 0;
    for (size_t j = 108; j < m; j++)
        test_ones += t.y[j] == 1;
    CHECK(test_ones == 2);
    /* the training part: samples in file order, each once */
    for (size_t j = 1; j < 108; j++)
        CHECK(t.X[2 * j] > t.X[2 * (j - 1)] || t.y[j] != t.y[j - 1]);
    lnn_prep p;
    CHECK_STATUS(lnn_prep_fit(&p, &t, 108, LNN_SCALE_STANDARD, err,
                              sizeof err), LNN_OK);
    double mean = 0.0;
    for (size_t j = 0; j < 108; j++)
        mean += t.X[2 * j];
    mean /= 108.0;
    CHECK_NEAR(p.shift[0], mean, 1e-4);
    CHECK(p.mul[1] == 1.0f && p.shift[1] == 5.0f); /* constant: not divided */
    CHECK_STATUS(lnn_prep_apply(&p, &t, err, sizeof err), LNN_OK);
    CHECK(t.X[1] == 0.0f);
    lnn_table narrow = {.n_x = 3, .m = 1};
    CHECK_STATUS(lnn_prep_apply(&p, &narrow, err, sizeof err),
                 LNN_ERR_SHAPE);
    CHECK(strstr(err, "3 features, the model takes 2") != NULL);
    lnn_prep_free(&p);
    lnn_table_free(&t);
}

/* lnn_table_prepare on a file with gaps and a text column: the inputs
 * one-hot and filled from the training part, and a second file read for
 * the model prepared the same way (an unseen category all zeros). */
static void test_prepare(void)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("x,colour,y\n", f);
    for (int j = 0; j < 40; j++)
        fprintf(f, "%s,%s,%s\n", j % 10 == 3 ? "NA" : j % 2 ? "1" : "3",
                j % 10 == 5 ? "" : j % 3 ? "red" : "blue", j % 2 ? "a" : "b");
    fclose(f);
    lnn_table_opts o = lnn_table_opts_default();
    o.missing = o.text = 1;
    lnn_table t;
    lnn_prep p;
    char err[256];
    CHECK_STATUS(lnn_table_load(&t, path, &o, err, sizeof err), LNN_OK);
    CHECK(t.n_x == 2 && t.n_levels && t.n_levels[1] == 2);
    const lnn_prep_opts po = lnn_prep_opts_default(LNN_SCALE_NONE);
    CHECK_STATUS(lnn_table_prepare(&t, &p, 0, 10, 7, &po, 0, err,
                                   sizeof err), LNN_OK);
    /* x: its 4 gaps take the median of the training part (1 or 3); the
     * colour: blue, red, its 4 gaps the most frequent (red) */
    CHECK(p.n_raw == 2 && p.n_x == 3 && p.split_test == 10 && t.n_x == 3);
    CHECK(p.raw[0].fill == 1.0f || p.raw[0].fill == 2.0f ||
          p.raw[0].fill == 3.0f);
    CHECK(p.raw[1].n_levels == 2 && strcmp(p.raw[1].levels[0], "blue") == 0 &&
          p.raw[1].fill == 1.0f);
    CHECK(p.columns && strcmp(p.columns[2], "colour=red") == 0);
    for (size_t k = 0; k < t.n_x * t.m; k++)
        CHECK(t.X[k] == t.X[k] && (k % 3 == 0 || t.X[k] == 0.0f ||
                                   t.X[k] == 1.0f));
    lnn_table_free(&t);
    f = fopen(path, "wb");
    if (f) {
        fputs("x,colour,y\n?,green,a\n3,,b\n", f);
        fclose(f);
    }
    CHECK_STATUS(lnn_table_load(&t, path, &o, err, sizeof err), LNN_OK);
    CHECK_STATUS(lnn_prep_apply(&p, &t, err, sizeof err), LNN_OK);
    CHECK(t.n_unseen == 1 && t.X[0] == p.raw[0].fill && t.X[1] == 0.0f &&
          t.X[2] == 0.0f && t.X[3] == 3.0f && t.X[5] == 1.0f);
    /* and the records keep it */
    unsigned char *buf;
    size_t len;
    lnn_prep q;
    CHECK_STATUS(lnn__prep_encode(&p, &buf, &len), LNN_OK);
    CHECK_STATUS(lnn__prep_decode(&q, buf, len), LNN_OK);
    CHECK(q.n_raw == 2 && q.raw[1].fill == 1.0f &&
          strcmp(q.raw[1].levels[1], "red") == 0 &&
          q.raw[0].impute == LNN_IMPUTE_MEDIAN);
    lnn_prep_free(&q);
    free(buf);
    p.raw[1].fill = 2.0f; /* the colour's fill: no category */
    CHECK_STATUS(lnn__prep_encode(&p, &buf, &len), LNN_OK);
    CHECK_STATUS(lnn__prep_decode(&q, buf, len), LNN_ERR_FORMAT);
    free(buf);
    lnn_prep_free(&p);
    lnn_table_free(&t);
}

/* lnn_table_prepare's fitted: called once, after the fit and before the
 * apply (the gaps still there to count); its status stops the call. */
typedef struct fitted_seen {
    int calls;
    size_t gaps;
    lnn_status give;
} fitted_seen;

static lnn_status count_gaps(const lnn_prep *p, const lnn_table *t,
                             void *ctx)
{
    fitted_seen *seen = ctx;
    seen->calls++;
    for (size_t k = 0; p->raw && t->X && k < t->n_x * t->m; k++)
        seen->gaps += t->X[k] != t->X[k];
    return seen->give;
}

/* lnn_table_prepare's m_fit (the first rows of the training part alone,
 * as lnn train --train-subset) and fitted (as train's report). */
static void test_prepare_options(void)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("x,z,y\n", f);
    for (int j = 0; j < 40; j++)
        fprintf(f, "%s,%d,%s\n", j % 10 == 3 ? "NA" : j % 2 ? "1.5" : "3",
                j, j % 2 ? "a" : "b");
    fclose(f);
    lnn_table_opts o = lnn_table_opts_default();
    o.missing = 1;
    lnn_table t, u;
    lnn_prep p;
    char err[256];
    fitted_seen seen = {0};
    lnn_prep_opts po = lnn_prep_opts_default(LNN_SCALE_STANDARD);
    po.fitted = count_gaps;
    po.ctx = &seen;
    po.m_fit = 5;
    CHECK_STATUS(lnn_table_load(&t, path, &o, err, sizeof err), LNN_OK);
    CHECK_STATUS(lnn_table_load(&u, path, &o, err, sizeof err), LNN_OK);
    CHECK_STATUS(lnn_table_prepare(&t, &p, 5, 10, 7, &po, 0, err,
                                   sizeof err), LNN_OK);
    CHECK(seen.calls == 1 && seen.gaps == 4);
    /* z's mean over the first 5 rows of the training part, as the same
     * split orders them */
    CHECK_STATUS(lnn_table_split(&u, 5, 10, 7, err, sizeof err), LNN_OK);
    double mean = 0.0;
    for (size_t j = 0; j < 5; j++)
        mean += u.X[j * 2 + 1] / 5.0;
    CHECK(p.n_raw == 2 && p.shift && p.n_x == 2);
    if (p.shift)
        CHECK_NEAR(p.shift[1], mean, 1e-5);
    for (size_t k = 0; k < t.n_x * t.m; k++)
        CHECK(t.X[k] == t.X[k]);
    lnn_prep_free(&p);
    lnn_table_free(&t);
    lnn_table_free(&u);
    /* more rows than the training part; fitted's own status */
    CHECK_STATUS(lnn_table_load(&t, path, &o, err, sizeof err), LNN_OK);
    po.m_fit = 26;
    CHECK_STATUS(lnn_table_prepare(&t, &p, 5, 10, 7, &po, 0, err,
                                   sizeof err), LNN_ERR_ARG);
    CHECK(strstr(err, "fit on 26 rows, the training part has 25") != NULL);
    lnn_table_free(&t);
    CHECK_STATUS(lnn_table_load(&t, path, &o, err, sizeof err), LNN_OK);
    po.m_fit = 0;
    seen = (fitted_seen){.give = LNN_ERR_FORMAT};
    CHECK_STATUS(lnn_table_prepare(&t, &p, 5, 10, 7, &po, 0, err,
                                   sizeof err), LNN_ERR_FORMAT);
    CHECK(seen.calls == 1 && p.raw == NULL && p.shift == NULL);
    lnn_table_free(&t);
}

/* The format list: names both ways, the endings that tell each format,
 * the scaling lnn train gives it; an IDX file with no labels beside it. */
static void test_formats(void)
{
    static const struct {
        const char *path;
        lnn_format f;
        const char *name;
        lnn_scale scale;
    } cases[] = {
        {"a.csv", LNN_FORMAT_CSV, "csv", LNN_SCALE_STANDARD},
        {"a.TSV.gz", LNN_FORMAT_CSV, "csv", LNN_SCALE_STANDARD},
        {"a.svmlight", LNN_FORMAT_LIBSVM, "libsvm", LNN_SCALE_STANDARD},
        {"d/X.npy", LNN_FORMAT_NPY, "npy", LNN_SCALE_STANDARD},
        {"d/train-images-idx3-ubyte.gz", LNN_FORMAT_IDX, "idx",
         LNN_SCALE_BYTE},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        lnn_format f = LNN_FORMAT_AUTO;
        CHECK(lnn_table_format(cases[k].path) == cases[k].f);
        CHECK(strcmp(lnn_format_name(cases[k].f), cases[k].name) == 0);
        CHECK_STATUS(lnn_format_from_name(cases[k].name, &f), LNN_OK);
        CHECK(f == cases[k].f);
        CHECK(lnn_format_scale(cases[k].f) == cases[k].scale);
    }
    lnn_format f;
    CHECK(lnn_table_format("a.txt") == LNN_FORMAT_AUTO);
    CHECK(lnn_table_format("a.csv.txt") == LNN_FORMAT_AUTO);
    CHECK_STATUS(lnn_format_from_name("auto", &f), LNN_ERR_ARG);
    CHECK(strcmp(lnn_format_name(LNN_FORMAT_AUTO), "unknown") == 0);

    char err[256] = "";
    lnn_table t;
    CHECK_STATUS(lnn_table_load(&t, "a.txt", NULL, err, sizeof err),
                 LNN_ERR_ARG);
    CHECK(strstr(err, "name it .csv, .tsv, .svm, .libsvm, .svmlight, .npy, "
                      "-idx3-ubyte; each also .gz") != NULL);
    CHECK_STATUS(lnn_table_load(&t, "/nonexistent/x-idx3-ubyte", NULL, err,
                                sizeof err), LNN_ERR_ARG);
    CHECK(strstr(err, "without a labels file") != NULL);
    CHECK_STATUS(lnn_table_load(&t, "/nonexistent/train-images-idx3-ubyte",
                                NULL, err, sizeof err), LNN_ERR_IO);
    lnn_table_opts o = lnn_table_opts_default();
    o.format = (lnn_format)9;
    CHECK_STATUS(lnn_table_load(&t, "a.csv", &o, err, sizeof err),
                 LNN_ERR_ARG);
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/lnn-test-tables-%ld.csv",
             (long)getpid());
    test_numbers();
    test_formats();
    test_csv();
    test_column_records();
    test_image_record();
    test_blocks();
    test_split_and_scale();
    test_prepare();
    test_prepare_options();
    unlink(path);
    return check_result("tables");
}
