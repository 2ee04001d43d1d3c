/* rng.c: splitmix64 (Steele, Lea, Flood 2014). One 64-bit counter of state,
 * so a generator is trivially saved, and every stream is reproducible. */
#include <math.h>

#include "rng.h"
#include "util.h"

#define LNN_GOLDEN_GAMMA UINT64_C(0x9e3779b97f4a7c15)

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void lnn__rng_seed(lnn_rng *r, uint64_t seed, uint64_t stream)
{
    /* Mix the stream in, so streams 0, 1, 2 of one seed do not overlap as
     * consecutive counters would. */
    r->s = mix64(seed) ^ mix64(stream * LNN_GOLDEN_GAMMA + UINT64_C(1));
}

uint64_t lnn__rng_next(lnn_rng *r)
{
    r->s += LNN_GOLDEN_GAMMA;
    return mix64(r->s);
}

double lnn__rng_uniform(lnn_rng *r)
{
    return (double)(lnn__rng_next(r) >> 11) * 0x1.0p-53;
}

double lnn__rng_normal(lnn_rng *r)
{
    /* Box-Muller; u1 in (0, 1] keeps the log finite. */
    double u1 = 1.0 - lnn__rng_uniform(r);
    double u2 = lnn__rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * LNN_PI * u2);
}

uint64_t lnn__rng_below(lnn_rng *r, uint64_t n)
{
    /* Reject the top sliver (2^64 mod n values) that would bias x % n. */
    uint64_t threshold = (0 - n) % n;
    uint64_t x;
    do {
        x = lnn__rng_next(r);
    } while (x < threshold);
    return x % n;
}

void lnn__rng_permutation(lnn_rng *r, size_t *perm, size_t m)
{
    for (size_t i = 0; i < m; i++)
        perm[i] = i;
    for (size_t i = m; i > 1; i--) {
        size_t j = (size_t)lnn__rng_below(r, i);
        size_t t = perm[i - 1];
        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}
