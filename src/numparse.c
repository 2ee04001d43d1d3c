/* numparse.c: decimal numbers from text.
 *
 * The fast path is Clinger's: a decimal w x 10^q with w < 2^53 and
 * |q| <= 22 is w * 10^q or w / 10^-q, where both operands are exact
 * doubles, so the one IEEE operation rounds correctly. Everything else
 * (long mantissas, large exponents) is copied into a small buffer and
 * handed to strtod, which rounds correctly too. The grammar is checked
 * here first, so strtod never sees hex floats, "nan" or "inf". */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "numparse.h"

#define LNN_EXACT_POW10_MAX 22          /* 10^22 is the largest exact double */
#define LNN_EXACT_MANTISSA ((uint64_t)1 << 53)
#define LNN_MANTISSA_DIGITS 19          /* digits that always fit in a u64 */
#define LNN_STRTOD_MAX 512              /* longest token strtod is given */

static const double pow10_exact[LNN_EXACT_POW10_MAX + 1] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Is s[0 .. n) "nan", "inf" or "infinity", signed or not, in any case? */
static bool is_nonfinite(const char *s, size_t n)
{
    if (n > 0 && (*s == '+' || *s == '-')) {
        s++;
        n--;
    }
    static const char *const words[] = {"nan", "inf", "infinity"};
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        const size_t k = strlen(words[w]);
        if (n != k)
            continue;
        size_t i = 0;
        while (i < k && tolower((unsigned char)s[i]) == words[w][i])
            i++;
        if (i == k)
            return true;
    }
    return false;
}

lnn__num lnn__parse_number(const char *s, size_t n, double *out)
{
    const char *p = s, *const end = s + n;
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    uint64_t w = 0;         /* the first LNN_MANTISSA_DIGITS significant digits */
    int digits = 0;         /* significant digits seen */
    int dropped = 0;        /* integer digits beyond those (each x10) */
    int frac = 0;           /* fraction digits kept in w */
    bool any = false;
    for (; p < end && (unsigned)(*p - '0') < 10; p++) {
        any = true;
        if (digits < LNN_MANTISSA_DIGITS) {
            w = w * 10 + (uint64_t)(*p - '0');
            digits += w != 0;
        } else {
            dropped++;
        }
    }
    bool inexact = dropped > 0;
    if (p < end && *p == '.') {
        p++;
        for (; p < end && (unsigned)(*p - '0') < 10; p++) {
            any = true;
            if (digits < LNN_MANTISSA_DIGITS) {
                w = w * 10 + (uint64_t)(*p - '0');
                digits += w != 0;
                frac++;
            } else {
                inexact = inexact || *p != '0';
            }
        }
    }
    if (!any)
        return is_nonfinite(s, n) ? LNN_NUM_NONFINITE : LNN_NUM_BAD;
    long e10 = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        if (p == end || (unsigned)(*p - '0') >= 10)
            return LNN_NUM_BAD;
        for (; p < end && (unsigned)(*p - '0') < 10; p++)
            if (e10 < 100000)
                e10 = e10 * 10 + (*p - '0');
        if (eneg)
            e10 = -e10;
    }
    if (p != end)
        return LNN_NUM_BAD;
    const long q = e10 + dropped - frac;
    if (!inexact && w < LNN_EXACT_MANTISSA && q >= -LNN_EXACT_POW10_MAX &&
        q <= LNN_EXACT_POW10_MAX) {
        double v = (double)w;
        v = q < 0 ? v / pow10_exact[-q] : v * pow10_exact[q];
        *out = neg ? -v : v;
        return LNN_NUM_OK;
    }
    if (n >= LNN_STRTOD_MAX)
        return LNN_NUM_BAD;
    char buf[LNN_STRTOD_MAX];
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    const double v = strtod(buf, NULL);
    if (isinf(v))
        return LNN_NUM_RANGE;
    *out = v; /* underflow to 0 or a subnormal is the correct rounding */
    return LNN_NUM_OK;
}

lnn__num lnn__parse_value(const char *s, size_t n, double *out)
{
    const lnn__num k = lnn__parse_number(s, n, out);
    return k == LNN_NUM_OK && fabs(*out) > FLT_MAX ? LNN_NUM_RANGE : k;
}

const char *lnn__num_why(lnn__num k)
{
    return k == LNN_NUM_NONFINITE ? "is not finite"
           : k == LNN_NUM_RANGE   ? "is beyond float32's range (3.4e38)"
                                  : "is not a number";
}
