/* act_dump: for every hidden activation of LNN_ACTIVATION_LIST, inputs Z
 * (a grid over [-12, 12], values near 0 and random ones), H = f(Z) and,
 * for random dH, dZ = dH (.) f'(Z) as a training pass computes them (Z
 * kept where f' needs it, else f' from H), printed for
 * tests/test_act_torch.py to hold against PyTorch's modules. Lines:
 * "act NAME SLOPE COUNT", "Z ...", "H ...", "G ..." (dH), "D ..." (dZ). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "rng.h"

#define GRID 481 /* [-12, 12] in steps of 0.05 */
#define NEAR 40  /* +-1e-k and +-k 1e-4 around 0 */
#define RANDOM 400
#define COUNT (GRID + NEAR + RANDOM)
#define SLOPE 0.03f

static void print_row(const char *key, const float *x, size_t count)
{
    printf("%s", key);
    for (size_t k = 0; k < count; k++)
        printf(" %.9g", (double)x[k]);
    printf("\n");
}

static void dump(lnn_activation f, const float *Z, const float *G)
{
    float *Zb = malloc(COUNT * sizeof *Zb), *H = malloc(COUNT * sizeof *H);
    float *D = malloc(COUNT * sizeof *D);
    const lnn__act act = lnn__act_of(f, SLOPE);
    /* as a layer's training forward: Z + b kept, H = f(Z + b) (b = 0) */
    lnn__act_forward(H, Zb, Z, NULL, act, COUNT, 1);
    lnn__act_backward(D, G, H, lnn__act_needs_Z(f) ? Zb : NULL, act, COUNT,
                      1);
    printf("act %s %.9g %d\n", lnn_activation_name(f), (double)SLOPE, COUNT);
    print_row("Z", Z, COUNT);
    print_row("H", H, COUNT);
    print_row("G", G, COUNT);
    print_row("D", D, COUNT);
    free(Zb);
    free(H);
    free(D);
}

int main(void)
{
    float Z[COUNT], G[COUNT];
    lnn_rng rng;
    lnn__rng_seed(&rng, 26, 0);
    size_t k = 0;
    for (int i = 0; i < GRID; i++)
        Z[k++] = -12.0f + 0.05f * (float)i;
    for (int i = 1; i <= NEAR / 4; i++) {
        const float tiny = 1.0f / (float)(1 << (2 * i));
        Z[k++] = tiny;
        Z[k++] = -tiny;
        Z[k++] = 1e-4f * (float)i;
        Z[k++] = -1e-4f * (float)i;
    }
    while (k < COUNT)
        Z[k++] = (float)(3.0 * lnn__rng_normal(&rng));
    for (k = 0; k < COUNT; k++)
        G[k] = (float)(0.5 + lnn__rng_uniform(&rng));
#define DUMP(E, value, name, hidden, ...)                                     \
    if (hidden)                                                               \
        dump(E, Z, G);
    LNN_ACTIVATION_LIST(DUMP)
#undef DUMP
    return 0;
}
