/* numparse.h: decimal numbers from text, exactly rounded, without a
 * NUL-terminated copy of the text. */
#ifndef LNN_NUMPARSE_H
#define LNN_NUMPARSE_H

#include <stddef.h>

typedef enum lnn__num {
    LNN_NUM_OK = 0,
    LNN_NUM_BAD,       /* not a decimal number (or empty) */
    LNN_NUM_NONFINITE, /* "nan", "inf", "infinity" in any case */
    LNN_NUM_RANGE      /* a decimal too large for a double (or, from
                          lnn__parse_value, for a float) */
} lnn__num;

/* Parse s[0 .. n) (no surrounding blanks) as [+-]digits[.digits][(e|E)
 * [+-]digits] (at least one digit before or after the point) into *out,
 * correctly rounded to double. Integers and decimals whose digits fit in
 * 53 bits with a power of ten up to 22 are computed exactly in one
 * double operation; the rest go to strtod. */
lnn__num lnn__parse_number(const char *s, size_t n, double *out);

/* A feature value: lnn__parse_number, and LNN_NUM_RANGE beyond float32's
 * range (|x| > FLT_MAX), which every feature is stored in. */
lnn__num lnn__parse_value(const char *s, size_t n, double *out);

/* Why a value was refused, for a message: "is not a number", ... */
const char *lnn__num_why(lnn__num k);

#endif /* LNN_NUMPARSE_H */
