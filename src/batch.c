/* batch.c: the batch plan, the gather, and the batch source of a training
 * run (batch.h). */
#include "batch.h"

#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "threads.h"
#include "util.h"

#define LNN_PIXEL_MAX 255.0f /* byte inputs are scaled to [0, 1] */

/* The random stream of an epoch's shuffle: 1 + epoch of the training seed
 * (parameter initialisation uses stream 0 of its own seed). */
#define LNN_STREAM_SHUFFLE 1

LNN_VECTOR_CLONES
void lnn__gather(float *X, float *Y, int32_t *labels, const lnn_data *d,
                 const size_t *idx, size_t j0, size_t cols)
{
    const size_t n_x = d->n_x, n_y = d->n_y;
    LNN_OMP(omp parallel for schedule(static)
            if(parallel: lnn__par(n_x * cols)))
    for (size_t k = 0; k < cols; k++) {
        const size_t src = idx ? idx[j0 + k] : j0 + k;
        float *x = X + k * n_x;
        if (d->X_u8) {
            const uint8_t *s = d->X_u8 + src * n_x;
            for (size_t i = 0; i < n_x; i++)
                x[i] = (float)s[i] / LNN_PIXEL_MAX;
        } else {
            memcpy(x, d->X + src * n_x, n_x * sizeof *x);
        }
        if (d->Y && Y)
            memcpy(Y + k * n_y, d->Y + src * n_y, n_y * sizeof(float));
        if (d->labels && labels)
            labels[k] = d->labels[src];
    }
}

/* w[k] = the weight of sample idx[j0 + k] (or j0 + k) of d: its
 * d->weights times its class's class_w (either may be NULL: 1). */
static void weigh(float *w, const lnn_data *d, const float *class_w,
                  const size_t *idx, size_t j0, size_t cols)
{
    for (size_t k = 0; k < cols; k++) {
        const size_t src = idx ? idx[j0 + k] : j0 + k;
        float v = d->weights ? d->weights[src] : 1.0f;
        if (class_w) {
            size_t c = 0;
            if (d->labels)
                c = (size_t)d->labels[src];
            else
                for (size_t i = 1; i < d->n_y; i++)
                    if (d->Y[src * d->n_y + i] > d->Y[src * d->n_y + c])
                        c = i;
            v *= class_w[c];
        }
        w[k] = v;
    }
}

lnn_plan lnn__plan(const lnn_train_opts *opts, size_t m)
{
    lnn_plan p;
    p.samples = m;
    const bool full = opts->batch_size == 0 || opts->batch_size >= m;
    p.batch = full ? m : opts->batch_size;
    p.steps_per_epoch = (m + p.batch - 1) / p.batch;
    /* The run's length, which the cosine schedule spans: epochs x steps,
     * saturating, or num_iterations if that is fewer. */
    p.total = opts->epochs > UINT64_MAX / p.steps_per_epoch
                  ? UINT64_MAX : opts->epochs * p.steps_per_epoch;
    if (opts->num_iterations != 0 && opts->num_iterations < p.total)
        p.total = opts->num_iterations;
    return p;
}

lnn_status lnn_batch_plan(const lnn_train_opts *opts, size_t m,
                          lnn_plan *plan)
{
    if (!opts || !plan || m == 0)
        return LNN_ERR_ARG;
    *plan = lnn__plan(opts, m);
    return LNN_OK;
}

lnn_status lnn__batches_open(lnn__batches *src, const lnn_data *d,
                             const lnn_plan *plan, uint64_t seed,
                             const float *class_w, size_t rank, size_t size)
{
    *src = (lnn__batches){.d = d, .plan = *plan, .seed = seed,
                          .rank = rank, .size = size, .class_w = class_w,
                          .perm_epoch = UINT64_MAX};
    const size_t b = plan->batch;
    if ((d->weights || class_w) && !(src->w = malloc(b * sizeof *src->w)))
        goto nomem;
    if (plan->steps_per_epoch > 1) {
        src->perm = malloc(d->m * sizeof *src->perm);
        src->X = malloc(d->n_x * b * sizeof *src->X);
        if (d->labels)
            src->labels = malloc(b * sizeof *src->labels);
        else
            src->Y = malloc(d->n_y * b * sizeof *src->Y);
        if (!src->perm || !src->X || (!src->Y && !src->labels))
            goto nomem;
    } else if (d->X_u8) {
        src->X = malloc(d->n_x * b * sizeof *src->X);
        if (!src->X)
            goto nomem;
    }
    return LNN_OK;
nomem:
    lnn__batches_close(src);
    return LNN_ERR_NOMEM;
}

lnn__batch lnn__batches_get(lnn__batches *src, lnn_train_state st)
{
    const lnn_data *d = src->d;
    const size_t b = src->plan.batch, j0 = (size_t)st.step * b;
    const size_t m_all = d->m - j0 < b ? d->m - j0 : b;
    /* this process's columns lo .. hi of the batch */
    size_t lo, hi;
    lnn__slice(m_all, src->rank, src->size, &lo, &hi);
    lnn__batch B = {.X = d->X ? d->X + lo * d->n_x : NULL,
                    .T = {.Y = d->Y ? d->Y + lo * d->n_y : NULL,
                          .labels = d->labels ? d->labels + lo : NULL},
                    .m = hi - lo, .m_all = m_all,
                    .epoch = st.epoch, .first = j0, .lo = lo};
    if (src->perm) {
        /* mini-batch: samples perm[j0 + lo .. j0 + hi) of this epoch's
         * order */
        if (src->perm_epoch != st.epoch) {
            lnn_rng rng;
            lnn__rng_seed(&rng, src->seed, LNN_STREAM_SHUFFLE + st.epoch);
            lnn__rng_permutation(&rng, src->perm, d->m);
            src->perm_epoch = st.epoch;
        }
        if (!src->held || src->held_epoch != st.epoch ||
            src->held_step != st.step) {
            lnn__gather(src->X, src->Y, src->labels, d, src->perm, j0 + lo,
                        B.m);
            if (src->w)
                weigh(src->w, d, src->class_w, src->perm, j0 + lo, B.m);
        }
        B.X = src->X;
        B.T = (lnn__targets){.Y = src->Y, .labels = src->labels};
    } else {
        /* the full batch: bytes converted and weights drawn up on the first
         * step only */
        if (src->X && !src->held)
            lnn__gather(src->X, NULL, NULL, d, NULL, lo, B.m);
        if (src->w && !src->held)
            weigh(src->w, d, src->class_w, NULL, lo, B.m);
        if (src->X)
            B.X = src->X;
    }
    B.T.w = src->w;
    src->held = true;
    src->held_epoch = st.epoch;
    src->held_step = st.step;
    return B;
}

void lnn__batches_close(lnn__batches *src)
{
    free(src->perm);
    free(src->X);
    free(src->Y);
    free(src->labels);
    free(src->w);
    *src = (lnn__batches){0};
}
