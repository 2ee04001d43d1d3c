/* util.h: small helpers shared by the library's files. */
#ifndef LNN_UTIL_H
#define LNN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LNN_PI 3.14159265358979323846

/* *out = a * b; false (and *out untouched) if the product overflows. */
static inline bool lnn__mul(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b)
        return false;
    *out = a * b;
    return true;
}

/* *out = a + b; false if the sum overflows. */
static inline bool lnn__add(size_t a, size_t b, size_t *out)
{
    if (a > SIZE_MAX - b)
        return false;
    *out = a + b;
    return true;
}

#endif /* LNN_UTIL_H */
