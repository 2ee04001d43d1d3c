/* batch.h: where training batches come from: the batch plan, the gather
 * (bytes scaled to [0, 1], samples copied column by column), and the batch
 * source that lnn_L_layer_model draws from. */
#ifndef LNN_BATCH_H
#define LNN_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernels.h"
#include "lnn.h"

/* Copy samples idx[j0 .. j0+cols) (or j0 .. j0+cols when idx is NULL) of d
 * into X (n_x x cols, bytes scaled to [0, 1]) and, when d has them and the
 * buffer is given, their targets into Y (n_y x cols) or labels (cols): one
 * pass per column. */
void lnn__gather(float *X, float *Y, int32_t *labels, const lnn_data *d,
                 const size_t *idx, size_t j0, size_t cols);

/* lnn_batch_plan without checks (opts and m already validated). */
lnn_plan lnn__plan(const lnn_train_opts *opts, size_t m);

/* Process `rank` of `size`'s slice of m columns of a data-parallel batch
 * (lnn_comm): [*lo, *hi) = [m rank / size, m (rank + 1) / size),
 * contiguous, in rank order, sizes differing by at most one; empty when
 * m < size for some ranks. Rank 0 of 1 gets all m. */
static inline void lnn__slice(size_t m, size_t rank, size_t size, size_t *lo,
                              size_t *hi)
{
    *lo = m * rank / size;
    *hi = m * (rank + 1) / size;
}

/* One batch: m columns of inputs and targets, borrowed from the source
 * (or from the data set itself), valid until the source's next batch. In a
 * data-parallel run they are this process's slice of the m_all columns of
 * the batch (possibly none). */
typedef struct lnn__batch {
    const float *X;   /* n_0 x m */
    lnn__targets T;   /* the m columns' targets */
    size_t m;
    size_t m_all;   /* the batch's columns in all processes (= m for one) */
    uint64_t epoch; /* the epoch it belongs to */
    size_t first;   /* its first sample's place in the epoch's order */
    size_t lo;      /* this process's first column among the m_all */
} lnn__batch;

/* One update of lnn_L_layer_model's loop on batch B at rate lr (train.c):
 * forward, the head's loss (*loss, the batch's mean), backward and update,
 * with opts's regularisation; no argument checks (lnn-bench times it). */
lnn_status lnn__train_step(lnn_net *net, const lnn__batch *B,
                           const lnn_train_opts *opts, float lr,
                           double *loss);

/* The batch source of a training run. It owns the order of the samples
 * (stored order for the full batch, a fresh permutation drawn from (seed,
 * epoch) for each mini-batch epoch) and the buffers batches are gathered
 * into, which nothing else writes: so it knows which batch they hold, and
 * gathers only when asked for another. Byte inputs of the full batch are
 * converted once per run; float inputs of the full batch are read in
 * place.
 *
 * This is the seam for other data sources (a new kind of lnn_data) and
 * for data-parallel training: process `rank` of `size` draws the same
 * order and takes its lnn__slice of each batch. */
typedef struct lnn__batches {
    const lnn_data *d;
    lnn_plan plan;
    uint64_t seed;
    size_t rank, size;   /* this process of a data-parallel run (0 of 1) */
    size_t *perm;        /* d->m sample indices; NULL for the full batch */
    float *X;            /* n_0 x plan.batch gathered inputs, or NULL */
    float *Y;            /* n_L x plan.batch gathered targets, or NULL */
    int32_t *labels;     /* plan.batch gathered class indices, or NULL */
    const float *class_w;/* n_y weights per class, or NULL */
    float *w;            /* plan.batch weights of the batch's samples
                            (lnn__weigh), or NULL: none to apply */
    uint64_t perm_epoch; /* the epoch perm was drawn for (UINT64_MAX: none) */
    bool held;           /* X, Y hold the batch of (held_epoch, held_step) */
    uint64_t held_epoch, held_step;
} lnn__batches;

/* Allocate the order and the buffers for d cut by plan (everything the run
 * will need: no batch allocates), for process rank of size (0 of 1 for a
 * run in one process); class_w (d->n_y, or NULL) weighs each sample by its
 * class, times d->weights. LNN_OK or LNN_ERR_NOMEM. */
lnn_status lnn__batches_open(lnn__batches *src, const lnn_data *d,
                             const lnn_plan *plan, uint64_t seed,
                             const float *class_w, size_t rank, size_t size);

/* The batch of step st.step of epoch st.epoch. */
lnn__batch lnn__batches_get(lnn__batches *src, lnn_train_state st);

/* Free what lnn__batches_open allocated. */
void lnn__batches_close(lnn__batches *src);

#endif /* LNN_BATCH_H */
