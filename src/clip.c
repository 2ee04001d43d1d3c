/* clip.c: gradient clipping by global norm (lnn_train_opts.clip_norm).
 *
 * The squared norm of the gradient block is summed in double in fixed
 * pieces that do not depend on how a team cuts the work: one piece per
 * column of dW_l where the backward cuts dW_l by columns, one per row where
 * it cuts by rows (lnn__dW_by_columns: layer 1 always by columns), one per
 * entry of db_l. Each piece
 * is summed in one order (a column in 32 fixed lanes), and the pieces are
 * added in one order, so the norm is the same bits on any thread count,
 * on one process as after an lnn-mpi reduction, and on every process of
 * one. The scale min(1, clip / norm) is not a sweep of its own:
 * the optimizer's update multiplies each gradient by it (lnn__step.gscale).
 */
#include <math.h>

#include "net.h"
#include "threads.h"
#include "util.h"

/* Pieces of lnn__clip_sums_all's work: enough for any team. */
#define LNN_CLIP_PIECES ((size_t)64)

/* Layer l's pieces: dW_l's columns or rows, then db_l's entries. */
static size_t layer_units(const size_t *dims, size_t l)
{
    const bool by_columns = lnn__dW_by_columns(dims[l], dims[l - 1], l == 1);
    return (by_columns ? dims[l - 1] : dims[l]) + dims[l];
}

size_t lnn__clip_units(const size_t *dims, size_t L)
{
    size_t units = 0;
    for (size_t l = 1; l <= L; l++)
        units += layer_units(dims, l);
    return units;
}

/* Lanes of sq_sum: four vectors of doubles in flight on AVX-512, so the
 * adds' latency does not bound the sum. */
#define LNN_CLIP_LANES 32

/* sum x[k]^2 over k < n, in LNN_CLIP_LANES lanes of double (lane k mod
 * LNN_CLIP_LANES) added in a fixed tree: the same bits whether the loop is
 * vectorised or not (a float's square is exact in double, so a fused
 * multiply-add changes nothing either). */
static inline double sq_sum(const float *x, size_t n)
{
    double lane[LNN_CLIP_LANES] = {0.0};
    size_t k = 0;
    for (; k + LNN_CLIP_LANES <= n; k += LNN_CLIP_LANES)
        for (size_t i = 0; i < LNN_CLIP_LANES; i++)
            lane[i] += (double)x[k + i] * (double)x[k + i];
    for (size_t i = 0; k + i < n; i++)
        lane[i] += (double)x[k + i] * (double)x[k + i];
    for (size_t w = LNN_CLIP_LANES / 2; w >= 1; w /= 2)
        for (size_t i = 0; i < w; i++)
            lane[i] += lane[i + w];
    return lane[0];
}

/* Layer l's pieces of share `rank` of `count` (the cut of lnn__layer_grads)
 * into sq: dW's pieces, then db's n. (Each clone gives the same bits: the
 * lanes are the code's, not the vector's.) */
LNN_VECTOR_CLONES
static void layer_sums(const lnn__layer_buf *ly, bool first, double *sq,
                       size_t rank, size_t count)
{
    const size_t n = ly->n, n_prev = ly->n_prev;
    size_t lo, hi;
    if (lnn__dW_by_columns(n, n_prev, first)) {
        lnn__share(n_prev, rank, count, &lo, &hi);
        for (size_t c = lo; c < hi; c++)
            sq[c] = sq_sum(ly->dW + c * n, n);
        sq += n_prev;
    } else if (lnn__share(n, rank, count, &lo, &hi)) {
        for (size_t i = lo; i < hi; i++)
            sq[i] = 0.0;
        for (size_t c = 0; c < n_prev; c++)
            for (size_t i = lo; i < hi; i++)
                sq[i] += (double)ly->dW[c * n + i] *
                         (double)ly->dW[c * n + i];
        sq += n;
    } else {
        sq += n;
    }
    lnn__share(n, rank, count, &lo, &hi);
    for (size_t i = lo; i < hi; i++)
        sq[i] = (double)ly->db[i] * (double)ly->db[i];
}

void lnn__clip_sums(lnn_net *net, size_t l, size_t rank, size_t count)
{
    double *sq = net->clip_sq;
    for (size_t k = 1; k < l; k++)
        sq += layer_units(net->dims, k);
    layer_sums(&net->layers[l], l == 1, sq, rank, count);
}

void lnn__clip_sums_all(lnn_net *net)
{
    LNN_OMP(omp parallel for schedule(static)
            if(parallel: lnn__par(net->n_params)))
    for (size_t r = 0; r < LNN_CLIP_PIECES; r++)
        for (size_t l = 1; l <= net->L; l++)
            lnn__clip_sums(net, l, r, LNN_CLIP_PIECES);
}

float lnn__clip_scale(const lnn_net *net, float clip)
{
    const size_t units = lnn__clip_units(net->dims, net->L);
    double total = 0.0;
    for (size_t k = 0; k < units; k++)
        total += net->clip_sq[k];
    const double norm = sqrt(total);
    /* a NaN norm clips nothing */
    return norm > (double)clip ? (float)((double)clip / norm) : 1.0f;
}
