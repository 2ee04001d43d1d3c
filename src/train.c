/* train.c: the exercise's L_layer_model (full-batch gradient descent and
 * mini-batch SGD), prediction and evaluation over whole data sets. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "net.h"
#include "threads.h"
#include "rng.h"
#include "util.h"

#define LNN_PIXEL_MAX 255.0f /* byte inputs are scaled to [0, 1] */

lnn_train_opts lnn_train_opts_default(void)
{
    return (lnn_train_opts){
        .learning_rate = 0.1f,
        .batch_size = 128,
        .epochs = 10,
        .num_iterations = 0,
        .seed = 1,
        .momentum = 0.9f,
        .beta1 = 0.9f,
        .beta2 = 0.999f,
        .eps = 1e-8f,
        .weight_decay = 0.0f,
        .lr_schedule = LNN_LR_CONSTANT,
        .lr_warmup = 0,
        .lr_step_epochs = 5,
        .lr_gamma = 0.1f,
        .lr_min_frac = 0.0f,
        .progress = NULL,
        .progress_ctx = NULL,
    };
}

/* A data set fits the network: shapes agree, exactly one kind of input. */
static lnn_status check_data(lnn_net *net, const lnn_data *d, bool need_y,
                             const char *what)
{
    size_t count;
    if (!d)
        return lnn__fail(net, LNN_ERR_ARG, "%s is NULL", what);
    if (!d->X == !d->X_u8)
        return lnn__fail(net, LNN_ERR_ARG,
                         "%s: give exactly one of X and X_u8", what);
    if (need_y && !d->Y)
        return lnn__fail(net, LNN_ERR_ARG, "%s: Y is NULL", what);
    if (d->m == 0)
        return lnn__fail(net, LNN_ERR_SHAPE, "%s has no samples", what);
    if (d->n_x != net->dims[0])
        return lnn__fail(net, LNN_ERR_SHAPE,
                         "%s has %zu features per sample, the network's "
                         "input layer has %zu", what, d->n_x, net->dims[0]);
    if (need_y && d->n_y != net->dims[net->L])
        return lnn__fail(net, LNN_ERR_SHAPE,
                         "%s has %zu classes, the network's output layer "
                         "has %zu", what, d->n_y, net->dims[net->L]);
    if (!lnn__mul(d->n_x, d->m, &count) || !lnn__mul(d->n_y, d->m, &count))
        return lnn__fail(net, LNN_ERR_OVERFLOW, "%s is too large", what);
    return LNN_OK;
}

/* Copy samples idx[j0 .. j0+cols) (or j0 .. j0+cols when idx is NULL) into
 * the network's batch buffers X_batch (n_0 x cols, bytes scaled to [0, 1])
 * and Y_batch (n_L x cols, when d->Y is given): one pass per column. */
static void gather(lnn_net *net, const lnn_data *d, const size_t *idx,
                   size_t j0, size_t cols)
{
    const size_t n_x = d->n_x, n_y = d->n_y;
    LNN_OMP(omp parallel for schedule(static) if(lnn__par(n_x * cols)))
    for (size_t k = 0; k < cols; k++) {
        const size_t src = idx ? idx[j0 + k] : j0 + k;
        float *x = net->X_batch + k * n_x;
        if (d->X_u8) {
            const uint8_t *s = d->X_u8 + src * n_x;
            for (size_t i = 0; i < n_x; i++)
                x[i] = (float)s[i] / LNN_PIXEL_MAX;
        } else {
            memcpy(x, d->X + src * n_x, n_x * sizeof *x);
        }
        if (d->Y)
            memcpy(net->Y_batch + k * n_y, d->Y + src * n_y,
                   n_y * sizeof(float));
    }
    net->gathers++;
}

/* Forward over samples j0 .. j0+cols of d in their stored order; *Y gets
 * those columns' targets (NULL if d has none). Float inputs are read in
 * place; byte inputs are gathered first. */
static void forward_columns(lnn_net *net, const lnn_data *d, size_t j0,
                            size_t cols, const float **Y)
{
    const float *X;
    if (d->X_u8) {
        gather(net, d, NULL, j0, cols);
        X = net->X_batch;
        *Y = d->Y ? net->Y_batch : NULL;
    } else {
        X = d->X + j0 * d->n_x;
        *Y = d->Y ? d->Y + j0 * d->n_y : NULL;
    }
    lnn__net_forward(net, X, cols, LNN_PART_ALL);
}

lnn_status lnn_forward_data(lnn_net *net, const lnn_data *d, size_t j0,
                            size_t cols, const float **HL)
{
    if (!net)
        return LNN_ERR_ARG;
    if (!HL)
        return lnn__fail(net, LNN_ERR_ARG, "forward: HL is NULL");
    lnn_status s = check_data(net, d, false, "forward input");
    if (s != LNN_OK)
        return s;
    if (cols == 0 || cols > net->max_batch || j0 > d->m || cols > d->m - j0)
        return lnn__fail(net, LNN_ERR_SHAPE,
                         "forward: samples %zu..%zu of %zu, at most %zu at "
                         "a time", j0, j0 + cols, d->m, net->max_batch);
    const float *Y;
    forward_columns(net, d, j0, cols, &Y);
    *HL = net->layers[net->L].H;
    return LNN_OK;
}

lnn_status lnn_predict(lnn_net *net, const float *X, size_t m, int32_t *pred)
{
    if (!net)
        return LNN_ERR_ARG;
    if (!pred)
        return lnn__fail(net, LNN_ERR_ARG, "predict: pred is NULL");
    const lnn_data d = {.n_x = net->dims[0], .n_y = net->dims[net->L],
                        .m = m, .X = X};
    lnn_status s = check_data(net, &d, false, "predict input");
    if (s != LNN_OK)
        return s;
    const lnn__layer_buf *out = &net->layers[net->L];
    for (size_t j0 = 0; j0 < m; j0 += net->max_batch) {
        const size_t cols = m - j0 < net->max_batch ? m - j0 : net->max_batch;
        const float *Y;
        forward_columns(net, &d, j0, cols, &Y);
        lnn__argmax_cols(pred + j0, out->H, out->n, cols);
    }
    return LNN_OK;
}

lnn_status lnn_evaluate(lnn_net *net, const lnn_data *data, double *loss,
                        double *acc, int32_t *pred)
{
    if (!net)
        return LNN_ERR_ARG;
    lnn_status s = check_data(net, data, true, "evaluation data");
    if (s != LNN_OK)
        return s;
    const lnn__layer_buf *out = &net->layers[net->L];
    double loss_sum = 0.0;
    size_t correct = 0;
    for (size_t j0 = 0; j0 < data->m; j0 += net->max_batch) {
        const size_t rest = data->m - j0;
        const size_t cols = rest < net->max_batch ? rest : net->max_batch;
        const float *Y;
        int32_t *p = pred ? pred + j0 : net->pred_batch;
        forward_columns(net, data, j0, cols, &Y);
        loss_sum += lnn__loss_sum(out->H, Y, out->n, cols);
        lnn__argmax_cols(p, out->H, out->n, cols);
        correct += lnn__count_correct(p, Y, out->n, cols);
    }
    if (loss)
        *loss = loss_sum / (double)data->m;
    if (acc)
        *acc = (double)correct / (double)data->m;
    return LNN_OK;
}

/* One update of the exercise's loop: forward, compute_loss, backward,
 * update_parameters (by the net's optimizer, at rate lr). A non-finite loss
 * stops before the update, so the parameters stay those of the last good
 * step. */
static lnn_status train_step(lnn_net *net, const float *X, const float *Y,
                             size_t m, const lnn_train_opts *opts, float lr,
                             double *loss)
{
    const lnn__layer_buf *out = &net->layers[net->L];
    lnn__net_forward(net, X, m, LNN_PART_ALL);
    *loss = lnn__loss_sum(out->H, Y, out->n, m) / (double)m;
    if (!isfinite(*loss))
        return lnn__fail(net, LNN_ERR_DIVERGED,
                         "loss is %g at iteration %llu (epoch %llu): "
                         "training diverged; try a smaller learning rate",
                         *loss, (unsigned long long)net->state.iteration + 1,
                         (unsigned long long)net->state.epoch + 1);
    lnn__net_backward(net, X, Y, m, LNN_PART_ALL);
    lnn__optim_step(net, opts, lr);
    return LNN_OK;
}

static lnn_status check_opts(lnn_net *net, const lnn_data *train,
                             const lnn_train_opts *opts, size_t *batch,
                             uint64_t *steps)
{
    if (!opts)
        return lnn__fail(net, LNN_ERR_ARG, "training options are NULL");
    if (!lnn__lr_ok(opts->learning_rate))
        return lnn__fail(net, LNN_ERR_ARG,
                         "learning rate %g: must be finite and > 0",
                         (double)opts->learning_rate);
    if (lnn__check_hyper(opts, net->optimizer, net->errmsg,
                         sizeof net->errmsg) != LNN_OK)
        return LNN_ERR_ARG;
    if (opts->epochs == 0 && opts->num_iterations == 0)
        return lnn__fail(net, LNN_ERR_ARG,
                         "epochs and num_iterations are both 0");
    const bool full = opts->batch_size == 0 || opts->batch_size >= train->m;
    *batch = full ? train->m : opts->batch_size;
    if (*batch > net->max_batch)
        return lnn__fail(net, LNN_ERR_SHAPE,
                         "a batch of %zu samples exceeds the network's "
                         "max_batch of %zu", *batch, net->max_batch);
    *steps = (train->m + *batch - 1) / *batch;
    if (net->state.step >= *steps)
        return lnn__fail(net, LNN_ERR_ARG,
                         "resuming at step %llu of an epoch that has %llu "
                         "steps: was the batch size changed?",
                         (unsigned long long)net->state.step,
                         (unsigned long long)*steps);
    return LNN_OK;
}

lnn_status lnn_L_layer_model(lnn_net *net, const lnn_data *train,
                             const lnn_train_opts *opts)
{
    if (!net)
        return LNN_ERR_ARG;
    size_t batch = 0;
    uint64_t steps = 0;
    lnn_status s = check_data(net, train, true, "training data");
    if (s == LNN_OK)
        s = check_opts(net, train, opts, &batch, &steps);
    if (s != LNN_OK)
        return s;

    /* Full batch: one step per epoch over every sample in stored order;
     * byte inputs are converted once, not every iteration. Mini-batch:
     * samples in a fresh order each epoch. */
    const bool full = steps == 1;
    size_t *perm = NULL;
    if (!full && !(perm = malloc(train->m * sizeof *perm)))
        return lnn__fail(net, LNN_ERR_NOMEM,
                         "out of memory for the order of %zu samples",
                         train->m);
    uint64_t perm_epoch = UINT64_MAX; /* the epoch perm was drawn for */
    uint64_t gathered = net->gathers - 1; /* the gather X_batch holds */
    double epoch_loss = 0.0;
    size_t epoch_samples = 0;
    lnn_train_state *st = &net->state;
    /* The run's length, which the cosine schedule spans: epochs x steps,
     * saturating, or num_iterations if that is fewer. */
    uint64_t total = opts->epochs > UINT64_MAX / steps
                         ? UINT64_MAX : opts->epochs * steps;
    if (opts->num_iterations != 0 && opts->num_iterations < total)
        total = opts->num_iterations;

    while (st->epoch < opts->epochs &&
           (opts->num_iterations == 0 || st->iteration < opts->num_iterations)) {
        const float *X = train->X, *Y = train->Y;
        const size_t j0 = (size_t)st->step * batch;
        const size_t cols = train->m - j0 < batch ? train->m - j0 : batch;
        if (!full) {
            if (perm_epoch != st->epoch) {
                lnn_rng rng;
                lnn__rng_seed(&rng, opts->seed, 1 + st->epoch);
                lnn__rng_permutation(&rng, perm, train->m);
                perm_epoch = st->epoch;
            }
            gather(net, train, perm, j0, cols);
            X = net->X_batch;
            Y = net->Y_batch;
        } else if (train->X_u8) {
            /* A progress callback may have used X_batch (an evaluation):
             * gather again only then. */
            if (gathered != net->gathers) {
                gather(net, train, NULL, 0, cols);
                gathered = net->gathers;
            }
            X = net->X_batch;
        }

        const float lr = lnn__lr_at(opts, st->iteration, steps, total);
        double loss;
        s = train_step(net, X, Y, cols, opts, lr, &loss);
        if (s != LNN_OK)
            break;
        epoch_loss += loss * (double)cols;
        epoch_samples += cols;
        const uint64_t epoch_of_step = st->epoch;
        st->iteration++;
        if (++st->step == steps) {
            st->epoch++;
            st->step = 0;
        }
        const bool epoch_done = st->step == 0;

        int stop = 0;
        if (opts->progress) {
            lnn_progress p = {
                .event = LNN_EVENT_STEP,
                .epoch = epoch_of_step,
                .iteration = st->iteration,
                .samples = j0 + cols,
                .samples_per_epoch = train->m,
                .loss = loss,
                .lr = lr,
            };
            stop = opts->progress(&p, opts->progress_ctx);
            if (epoch_done) {
                p.event = LNN_EVENT_EPOCH;
                p.epoch = st->epoch;
                p.loss = epoch_loss / (double)epoch_samples;
                stop |= opts->progress(&p, opts->progress_ctx);
            }
        }
        if (epoch_done) {
            epoch_loss = 0.0;
            epoch_samples = 0;
        }
        if (stop) {
            s = lnn__fail(net, LNN_ERR_STOPPED,
                          "stopped by the caller after iteration %llu",
                          (unsigned long long)st->iteration);
            break;
        }
    }
    free(perm);
    return s;
}
