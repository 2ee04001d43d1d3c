/* dropout.c: inverted dropout's masks, drawn from a counter-based stream:
 * unit i of the sample at global index g of the batch of update t, in
 * hidden layer l, is kept or dropped by a hash of (seed, t, l, g, i)
 * alone, so a resumed run, any thread count and any cut of the batch among
 * lnn-mpi's processes draw the same masks. A training forward draws them
 * once, into the layer's K (one byte a unit), which its backward reads:
 * the hash is the cost of dropout (the two 64-bit products of each unit's
 * mix, which vectorise on AVX-512), so it is not computed twice. */
#include "net.h"
#include "util.h"

/* splitmix64's finalizer: a bijection of 64 bits that mixes them well. */
static inline uint64_t mix(uint64_t z)
{
    z += 0x9e3779b97f4a7c15u;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Dropout's stream apart from every other use of the seed. */
#define LNN_DROPOUT_STREAM 0x64726f706f7574u /* "dropout" */

/* The key of layer l's masks in update t. */
static uint64_t layer_key(const lnn__drop_at *at, size_t l)
{
    return mix(mix(mix(at->seed ^ LNN_DROPOUT_STREAM) + at->t) + l);
}

/* Column j's mask, drawn and applied: K[i] = 1 where unit i is kept, else
 * 0; out[i] = x[i] / (1 - p) where kept, else 0; each unit's draw is the
 * top 32 bits of its hash against the threshold p 2^32. */
LNN_VECTOR_CLONES
static void mask_column(float *restrict out, uint8_t *restrict K,
                        const float *restrict x, size_t n, uint64_t key,
                        uint32_t threshold, float scale)
{
    for (size_t i = 0; i < n; i++) {
        const uint32_t u = (uint32_t)(mix(key + i) >> 32);
        const uint8_t kept = u >= threshold;
        K[i] = kept;
        out[i] = kept ? x[i] * scale : 0.0f;
    }
}

void lnn__dropout(float *out, uint8_t *K, const float *x, float p, size_t n,
                  size_t m, const lnn__drop_at *at, size_t l, uint64_t g0)
{
    const uint64_t key = layer_key(at, l);
    const uint32_t threshold = (uint32_t)((double)p * 4294967296.0);
    const float scale = 1.0f / (1.0f - p);
    for (size_t j = 0; j < m; j++)
        mask_column(out + j * n, K + j * n, x + j * n, n,
                    mix(key + g0 + j), threshold, scale);
}

LNN_VECTOR_CLONES
void lnn__dropout_back(float *dH, const uint8_t *K, float p, size_t n,
                       size_t m)
{
    const float scale = 1.0f / (1.0f - p);
    for (size_t k = 0; k < n * m; k++)
        dH[k] = K[k] ? dH[k] * scale : 0.0f;
}
