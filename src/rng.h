/* rng.h: lnn's own PRNG (splitmix64), identical on every machine. */
#ifndef LNN_RNG_H
#define LNN_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct lnn_rng {
    uint64_t s; /* the whole state: one counter */
} lnn_rng;

/* Seed a generator; different streams of one seed are independent. */
void lnn__rng_seed(lnn_rng *r, uint64_t seed, uint64_t stream);
uint64_t lnn__rng_next(lnn_rng *r);
/* Uniform in [0, 1), 53 bits. */
double lnn__rng_uniform(lnn_rng *r);
/* Standard normal, N(0, 1). */
double lnn__rng_normal(lnn_rng *r);
/* Uniform in [0, n), unbiased; n >= 1. */
uint64_t lnn__rng_below(lnn_rng *r, uint64_t n);
/* perm = a uniformly random permutation of 0..m-1 (Fisher-Yates). */
void lnn__rng_permutation(lnn_rng *r, size_t *perm, size_t m);

#endif /* LNN_RNG_H */
