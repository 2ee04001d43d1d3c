/* problems.h: small synthetic classification problems made in the tests
 * (Gaussian blobs, two spirals), shared by the training tests. */
#ifndef LNN_TEST_PROBLEMS_H
#define LNN_TEST_PROBLEMS_H

#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "lnn.h"
#include "rng.h"

#define BLOB_CLASSES 4
#define BLOB_DIM 2
#define BLOB_M 400

typedef struct problem {
    size_t n_x, n_y, m;
    float *X, *Y;
    uint8_t *X_u8;
} problem;

/* Four Gaussian blobs (std 0.6) centred at (+-2, +-2). */
static inline problem blobs(uint64_t seed)
{
    problem p = {BLOB_DIM, BLOB_CLASSES, BLOB_M, NULL, NULL, NULL};
    p.X = malloc(p.n_x * p.m * sizeof *p.X);
    p.Y = calloc(p.n_y * p.m, sizeof *p.Y);
    lnn_rng r;
    lnn__rng_seed(&r, seed, 0);
    for (size_t j = 0; j < p.m; j++) {
        size_t c = j % BLOB_CLASSES;
        p.X[0 + j * 2] = (c & 1 ? 2.0f : -2.0f) + 0.6f * (float)lnn__rng_normal(&r);
        p.X[1 + j * 2] = (c & 2 ? 2.0f : -2.0f) + 0.6f * (float)lnn__rng_normal(&r);
        p.Y[c + j * p.n_y] = 1.0f;
    }
    return p;
}

/* Two interleaved spirals, one turn and a half each, a little noise. */
static inline problem spirals(uint64_t seed)
{
    problem p = {2, 2, 400, NULL, NULL, NULL};
    p.X = malloc(p.n_x * p.m * sizeof *p.X);
    p.Y = calloc(p.n_y * p.m, sizeof *p.Y);
    lnn_rng r;
    lnn__rng_seed(&r, seed, 0);
    for (size_t j = 0; j < p.m; j++) {
        size_t c = j % 2;
        double t = 0.25 + 2.75 * (double)(j / 2) / (double)(p.m / 2);
        double a = 3.0 * t + (c ? 3.14159265358979 : 0.0);
        p.X[0 + j * 2] = (float)(t * cos(a) + 0.04 * lnn__rng_normal(&r));
        p.X[1 + j * 2] = (float)(t * sin(a) + 0.04 * lnn__rng_normal(&r));
        p.Y[c + j * 2] = 1.0f;
    }
    return p;
}

static inline void problem_free(problem *p)
{
    free(p->X);
    free(p->Y);
    free(p->X_u8);
}

static inline lnn_data as_data(const problem *p)
{
    return (lnn_data){.n_x = p->n_x, .n_y = p->n_y, .m = p->m, .X = p->X,
                      .Y = p->Y};
}

/* A network with initialised parameters (checked; NULL on failure). */
static inline lnn_net *make_net(const size_t *dims, size_t L, lnn_activation f,
                                lnn_optimizer opt, size_t max_batch,
                                uint64_t seed)
{
    lnn_net_config cfg = {.L = L, .dims = dims, .hidden = f,
                          .max_batch = max_batch, .optimizer = opt};
    lnn_net *net = NULL;
    char err[128];
    CHECK_STATUS(lnn_net_create(&net, &cfg, err, sizeof err), LNN_OK);
    if (net)
        CHECK_STATUS(lnn_initialize_parameters(net, LNN_INIT_AUTO, seed),
                     LNN_OK);
    return net;
}

#endif /* LNN_TEST_PROBLEMS_H */
