/* loss_dump: for every head of LNN_LOSS_LIST, random logits Z (n x m),
 * targets of its kind, the head's mean loss and its gradient with respect
 * to Z (the delta / m), printed for tests/test_loss_torch.py to hold
 * against PyTorch's loss modules: plain, with per-sample weights (for ce
 * also class weights, as the batch source combines them), and for ce with
 * label smoothing. Lines: "loss NAME n m DELTA SMOOTH", "Z ...", "T ...",
 * "C ..." (n class weights), "S ..." (m sample weights), "value L",
 * "grad ...". */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernels.h"
#include "rng.h"

static void print_row(const char *key, const float *x, size_t count)
{
    printf("%s", key);
    for (size_t k = 0; k < count; k++)
        printf(" %.9g", (double)x[k]);
    printf("\n");
}

/* What a dump exercises besides the plain loss. */
typedef enum mode { PLAIN, WEIGHTED, SMOOTHED } mode;

/* The m weights the library's batch source would hand the head: each
 * sample's S times its class's C. */
static void draw_weights(float *C, float *S, float *w, const int32_t *labels,
                         size_t n, size_t m, mode md, bool classes,
                         lnn_rng *rng)
{
    for (size_t i = 0; i < n; i++)
        C[i] = md == WEIGHTED && classes
                   ? (float)(0.25 + 2.0 * lnn__rng_uniform(rng)) : 1.0f;
    for (size_t j = 0; j < m; j++) {
        S[j] = md != PLAIN ? (float)(2.0 * lnn__rng_uniform(rng)) : 1.0f;
        w[j] = S[j] * (classes ? C[labels[j]] : 1.0f);
    }
}

static void dump(lnn_loss loss, size_t n, size_t m, mode md, lnn_rng *rng)
{
    float *Z = malloc(n * m * sizeof *Z), *P = malloc(n * m * sizeof *P);
    float *T = calloc(n * m, sizeof *T), *dZ = malloc(n * m * sizeof *dZ);
    float *C = malloc(n * sizeof *C), *S = malloc(m * sizeof *S);
    float *w = malloc(m * sizeof *w);
    int32_t *labels = malloc(m * sizeof *labels);
    const bool classes = lnn_loss_target(loss) == LNN_TARGET_CLASSES;
    for (size_t k = 0; k < n * m; k++)
        Z[k] = (float)(2.0 * lnn__rng_normal(rng));
    for (size_t j = 0; j < m; j++) {
        labels[j] = (int32_t)lnn__rng_below(rng, n);
        for (size_t i = 0; i < n; i++) {
            float *t = &T[i + j * n];
            switch (lnn_loss_target(loss)) {
            case LNN_TARGET_CLASSES: *t = (int32_t)i == labels[j]; break;
            case LNN_TARGET_BINARY: *t = (float)lnn__rng_below(rng, 2); break;
            case LNN_TARGET_VALUES: *t = (float)lnn__rng_normal(rng); break;
            }
        }
    }
    draw_weights(C, S, w, labels, n, m, md, classes, rng);
    const lnn__head h = {.loss = loss, .delta = 0.75f};
    lnn__act_forward(P, NULL, Z, NULL, lnn__act_of(lnn_loss_output(loss), 0.0f),
                     n, m);
    /* classes by index (the library's training path) */
    lnn__targets tg = {.Y = T};
    if (classes)
        tg = (lnn__targets){.labels = labels};
    tg.w = md == PLAIN ? NULL : w;
    tg.smooth = md == SMOOTHED ? 0.15f : 0.0f;
    const double value = lnn__head_loss_sum(&h, P, tg, n, m) / (double)m;
    lnn__head_delta(&h, dZ, P, tg, n, m);
    for (size_t k = 0; k < n * m; k++)
        dZ[k] /= (float)m;
    printf("loss %s %zu %zu %g %g\n", lnn_loss_name(loss), n, m,
           (double)h.delta, (double)tg.smooth);
    print_row("Z", Z, n * m);
    print_row("T", T, n * m);
    print_row("C", C, n);
    print_row("S", S, m);
    printf("value %.17g\n", value);
    print_row("grad", dZ, n * m);
    free(Z);
    free(P);
    free(T);
    free(dZ);
    free(C);
    free(S);
    free(w);
    free(labels);
}

int main(void)
{
    lnn_rng rng;
    lnn__rng_seed(&rng, 11, 0);
    /* 4 outputs; and 1 (binary, one target) where the head has no
     * classes; each plain and weighted; ce smoothed too */
#define DUMP(E, ...)                                                          \
    for (mode md = PLAIN; md <= SMOOTHED; md++) {                             \
        if (md == SMOOTHED && E != LNN_LOSS_CE)                               \
            continue;                                                         \
        dump(E, 4, 6, md, &rng);                                              \
        if (lnn_loss_target(E) != LNN_TARGET_CLASSES)                         \
            dump(E, 1, 9, md, &rng);                                          \
    }
    LNN_LOSS_LIST(DUMP)
#undef DUMP
    return 0;
}
