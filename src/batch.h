/* batch.h: where training batches come from: the batch plan, the gather
 * (bytes scaled to [0, 1], samples copied column by column), and the batch
 * source that lnn_L_layer_model draws from. */
#ifndef LNN_BATCH_H
#define LNN_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lnn.h"

/* Copy samples idx[j0 .. j0+cols) (or j0 .. j0+cols when idx is NULL) of d
 * into X (n_x x cols, bytes scaled to [0, 1]) and, when d->Y and Y are
 * given, into Y (n_y x cols): one pass per column. */
void lnn__gather(float *X, float *Y, const lnn_data *d, const size_t *idx,
                 size_t j0, size_t cols);

/* lnn_batch_plan without checks (opts and m already validated). */
lnn_plan lnn__plan(const lnn_train_opts *opts, size_t m);

/* One batch: m columns of inputs and targets, borrowed from the source
 * (or from the data set itself), valid until the source's next batch. */
typedef struct lnn__batch {
    const float *X; /* n_0 x m */
    const float *Y; /* n_L x m */
    size_t m;
    uint64_t epoch; /* the epoch it belongs to */
    size_t first;   /* its first sample's place in the epoch's order */
} lnn__batch;

/* The batch source of a training run. It owns the order of the samples
 * (stored order for the full batch, a fresh permutation drawn from (seed,
 * epoch) for each mini-batch epoch) and the buffers batches are gathered
 * into, which nothing else writes: so it knows which batch they hold, and
 * gathers only when asked for another. Byte inputs of the full batch are
 * converted once per run; float inputs of the full batch are read in
 * place.
 *
 * This is the seam for other data sources (a new kind of lnn_data) and
 * for data-parallel training (a rank would take its share of each batch
 * here). */
typedef struct lnn__batches {
    const lnn_data *d;
    lnn_plan plan;
    uint64_t seed;
    size_t *perm;        /* d->m sample indices; NULL for the full batch */
    float *X;            /* n_0 x plan.batch gathered inputs, or NULL */
    float *Y;            /* n_L x plan.batch gathered targets, or NULL */
    uint64_t perm_epoch; /* the epoch perm was drawn for (UINT64_MAX: none) */
    bool held;           /* X, Y hold the batch of (held_epoch, held_step) */
    uint64_t held_epoch, held_step;
} lnn__batches;

/* Allocate the order and the buffers for d cut by plan (everything the run
 * will need: no batch allocates). LNN_OK or LNN_ERR_NOMEM. */
lnn_status lnn__batches_open(lnn__batches *src, const lnn_data *d,
                             const lnn_plan *plan, uint64_t seed);

/* The batch of step st.step of epoch st.epoch. */
lnn__batch lnn__batches_get(lnn__batches *src, lnn_train_state st);

/* Free what lnn__batches_open allocated. */
void lnn__batches_close(lnn__batches *src);

#endif /* LNN_BATCH_H */
