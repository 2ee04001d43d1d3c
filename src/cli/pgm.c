/* pgm.c: PGM (netpbm greyscale) images, the format any image tool exports:
 * "P5" or "P2", width, height, maxval (whitespace and # comments between),
 * then the pixels: bytes (maxval < 256) or big-endian pairs for P5, decimal
 * numbers for P2. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "pgm.h"

#define PGM_MAXVAL_LIMIT 65535

bool pgm_sniff(const unsigned char *head, size_t n)
{
    return n >= 2 && head[0] == 'P' && (head[1] == '5' || head[1] == '2');
}

/* Next decimal number of the header or a P2 body, skipping whitespace and
 * comments; false at EOF or on anything else. */
static bool read_number(FILE *f, unsigned long *out)
{
    int c = fgetc(f);
    for (;;) {
        while (c != EOF && isspace(c))
            c = fgetc(f);
        if (c != '#')
            break;
        while (c != EOF && c != '\n')
            c = fgetc(f);
    }
    if (c == EOF || !isdigit(c))
        return false;
    unsigned long v = 0;
    while (c != EOF && isdigit(c)) {
        if (v > PGM_MAXVAL_LIMIT * 1000UL)
            return false; /* far beyond any valid field */
        v = v * 10 + (unsigned long)(c - '0');
        c = fgetc(f);
    }
    if (c != EOF && !isspace(c))
        return false;
    *out = v;
    return true;
}

bool pgm_read(const char *path, float *x, size_t n, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    bool ok = false;
    unsigned char magic[2];
    unsigned long w, h, maxval;
    if (fread(magic, 1, 2, f) != 2 || !pgm_sniff(magic, 2)) {
        snprintf(err, errlen, "%s: not a PGM image (P5 or P2)", path);
        goto done;
    }
    const bool binary = magic[1] == '5';
    if (!read_number(f, &w) || !read_number(f, &h) ||
        !read_number(f, &maxval) || w == 0 || h == 0 || maxval == 0 ||
        maxval > PGM_MAXVAL_LIMIT) {
        snprintf(err, errlen, "%s: malformed PGM header", path);
        goto done;
    }
    if (n % w != 0 || n / w != h) { /* w * h != n, without overflow */
        snprintf(err, errlen, "%s: %lux%lu image, the model takes %zu "
                 "pixels (28x28 for MNIST)", path, w, h, n);
        goto done;
    }
    /* read_number consumed the single whitespace byte after maxval */
    for (size_t i = 0; i < n; i++) {
        unsigned long v;
        if (binary) {
            int hi = maxval > 255 ? fgetc(f) : 0, lo = fgetc(f);
            if (hi == EOF || lo == EOF) {
                snprintf(err, errlen, "%s: truncated: %zu of %zu pixels",
                         path, i, n);
                goto done;
            }
            v = ((unsigned long)hi << 8) | (unsigned long)lo;
        } else if (!read_number(f, &v)) {
            snprintf(err, errlen, "%s: pixel %zu of %zu is missing or not a "
                     "number", path, i + 1, n);
            goto done;
        }
        if (v > maxval) {
            snprintf(err, errlen, "%s: pixel %zu is %lu, above maxval %lu",
                     path, i + 1, v, maxval);
            goto done;
        }
        x[i] = (float)v / (float)maxval;
    }
    ok = true;
done:
    fclose(f);
    return ok;
}
