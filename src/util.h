/* util.h: small helpers shared by the library's files. */
#ifndef LNN_UTIL_H
#define LNN_UTIL_H

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LNN_PI 3.14159265358979323846

/* An elementwise kernel compiled three times, for the baseline x86-64
 * (SSE2), AVX2 and AVX-512 (x86-64-v4); the library picks the one this CPU
 * can run when it loads (GCC's target_clones, an ifunc): 4, 8 or 16 floats
 * an instruction from one portable binary. Every clone gives the same
 * bits: the kernels use +, -, *, /, sqrt, compares and conversions, each
 * exact or correctly rounded at any width, and meson.build turns off FMA
 * contraction. A static function the clone calls without inlining needs
 * its own clones (activation.c's softmax_block). Elsewhere (clang, other
 * CPUs) a plain function. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    defined(__linux__)
#  define LNN_VECTOR_CLONES \
      __attribute__((target_clones("default", "avx2", "arch=x86-64-v4")))
#else
#  define LNN_VECTOR_CLONES
#endif

/* x, or 0 where x is subnormal (0 < |x| < FLT_MIN); NaN and inf pass.
 * The kernels whose values decay or underflow systematically store their
 * results through it (optimizer state and weights, e^x), so no later
 * operation reads a subnormal operand: on Intel cores each costs a
 * microcode assist of about 100 cycles (docs/threading.md, "Subnormal
 * floats"). A compare and a mask: it vectorises, and every clone gives the
 * same bits. */
static inline float lnn__flush(float x)
{
    return fabsf(x) < FLT_MIN ? 0.0f : x;
}

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
