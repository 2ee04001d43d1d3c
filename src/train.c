/* train.c: the exercise's L_layer_model (full-batch gradient descent and
 * mini-batch SGD), prediction and evaluation over whole data sets. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "kernels.h"
#include "net.h"
#include "threads.h"
#include "util.h"

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
        .lr_patience = 5,
        .progress = NULL,
        .progress_ctx = NULL,
        .comm = NULL,
        .val = NULL,
        .monitor_default = 1,
        .monitor = LNN_METRIC_LOSS,
        .min_delta = 0.0,
        .patience = 0,
        .restore_best = 0,
        .clip_norm = 0.0f,
        .label_smoothing = 0.0f,
    };
}

/* d's targets are what the head needs: labels (in range) or one-hot Y for
 * classes, Y for the others. */
static lnn_status check_targets(lnn_net *net, const lnn_data *d,
                                const char *what)
{
    const bool classes =
        lnn_loss_target(net->head.loss) == LNN_TARGET_CLASSES;
    if (d->labels && d->Y)
        return lnn__fail(net, LNN_ERR_ARG, "%s: give labels or Y, not both",
                         what);
    if (!d->Y && !(classes && d->labels))
        return lnn__fail(net, LNN_ERR_ARG, "%s: %s", what,
                         classes ? "no targets (labels and Y are NULL)"
                                 : "Y is NULL (this loss needs values)");
    for (size_t j = 0; d->labels && j < d->m; j++)
        if (d->labels[j] < 0 || (size_t)d->labels[j] >= d->n_y)
            return lnn__fail(net, LNN_ERR_ARG,
                             "%s: sample %zu has class %ld, outside "
                             "0..%zu", what, j, (long)d->labels[j],
                             d->n_y - 1);
    return LNN_OK;
}

/* d's sample weights, if any, are finite and >= 0. */
static lnn_status check_weights(lnn_net *net, const lnn_data *d,
                                const char *what)
{
    for (size_t j = 0; d->weights && j < d->m; j++)
        if (!(d->weights[j] >= 0.0f) || !isfinite(d->weights[j]))
            return lnn__fail(net, LNN_ERR_ARG,
                             "%s: sample %zu has weight %g; weights must be "
                             "finite and >= 0", what, j,
                             (double)d->weights[j]);
    return LNN_OK;
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
    if (need_y && (check_targets(net, d, what) != LNN_OK ||
                   check_weights(net, d, what) != LNN_OK))
        return LNN_ERR_ARG;
    if (d->m == 0)
        return lnn__fail(net, LNN_ERR_SHAPE, "%s has no samples", what);
    if (d->n_x != net->dims[0])
        return lnn__fail(net, LNN_ERR_SHAPE,
                         "%s has %zu features per sample, the network's "
                         "input layer has %zu", what, d->n_x, net->dims[0]);
    if (need_y && d->n_y != net->dims[net->L])
        return lnn__fail(net, LNN_ERR_SHAPE,
                         "%s has %zu %s, the network's output layer has %zu",
                         what, d->n_y,
                         lnn_target_name(lnn_loss_target(net->head.loss)),
                         net->dims[net->L]);
    if (!lnn__mul(d->n_x, d->m, &count) || !lnn__mul(d->n_y, d->m, &count))
        return lnn__fail(net, LNN_ERR_OVERFLOW, "%s is too large", what);
    return LNN_OK;
}

/* Forward over samples j0 .. j0+cols of d in their stored order; *T gets
 * those columns' targets (NULL pointers if d has none). Float inputs are
 * read in place; byte inputs are gathered into the network's evaluation
 * buffers first (never the training batch's: lnn__batches owns those). */
static void forward_samples(lnn_net *net, const lnn_data *d, size_t j0,
                            size_t cols, lnn__targets *T)
{
    const float *X;
    if (d->X_u8) {
        lnn__gather(net->X_eval, net->Y_eval, net->labels_eval, d, NULL, j0,
                    cols);
        X = net->X_eval;
        *T = (lnn__targets){.Y = d->Y ? net->Y_eval : NULL,
                            .labels = d->labels ? net->labels_eval : NULL};
    } else {
        X = d->X + j0 * d->n_x;
        *T = lnn__targets_at((lnn__targets){.Y = d->Y, .labels = d->labels},
                             d->n_y, j0);
    }
    lnn__net_forward(net, X, cols, LNN_MODE_EVAL);
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
    lnn__targets T;
    const int scope = lnn__blas_scope_begin();
    forward_samples(net, d, j0, cols, &T);
    lnn__blas_scope_end(scope);
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
    if (lnn_loss_target(net->head.loss) != LNN_TARGET_CLASSES)
        return lnn__fail(net, LNN_ERR_ARG,
                         "predict: a %s model predicts values, not classes "
                         "(lnn_forward_data gives its outputs)",
                         lnn_loss_name(net->head.loss));
    const lnn__layer_buf *out = &net->layers[net->L];
    const int scope = lnn__blas_scope_begin();
    for (size_t j0 = 0; j0 < m; j0 += net->eval_cols) {
        const size_t cols = m - j0 < net->eval_cols ? m - j0 : net->eval_cols;
        lnn__targets T;
        forward_samples(net, &d, j0, cols, &T);
        lnn__argmax_cols(pred + j0, out->H, out->n, cols);
    }
    lnn__blas_scope_end(scope);
    return LNN_OK;
}

/* The head's sums (net->eval_sums, LNN_HEAD_SUMS(n_L)) of an evaluation
 * over samples lo .. hi of data, in chunks of eval_cols columns. pred (may
 * be NULL; classes only) gets the predictions of lo .. hi at pred[lo ..]. */
static void evaluate_range(lnn_net *net, const lnn_data *data, size_t lo,
                           size_t hi, int32_t *pred)
{
    const lnn__layer_buf *out = &net->layers[net->L];
    const int scope = lnn__blas_scope_begin();
    memset(net->eval_sums, 0, LNN_HEAD_SUMS(out->n) * sizeof(double));
    for (size_t j0 = lo; j0 < hi; j0 += net->eval_cols) {
        const size_t rest = hi - j0;
        const size_t cols = rest < net->eval_cols ? rest : net->eval_cols;
        lnn__targets T;
        forward_samples(net, data, j0, cols, &T);
        lnn__head_sums(&net->head, net->eval_sums, out->H, T, out->n, cols,
                       pred ? pred + j0 : net->pred_batch);
    }
    lnn__blas_scope_end(scope);
}

/* The metrics of all data->m samples from the net's sums. */
static void evaluate_results(const lnn_net *net, const lnn_data *data,
                             lnn_metrics *out)
{
    const lnn_prep *prep = net->prep;
    const float *mul = prep && prep->n_targets == net->dims[net->L]
                           ? prep->target_mul : NULL;
    if (out)
        lnn__head_metrics(&net->head, out, net->eval_sums, net->dims[net->L],
                          data->m, mul);
}

lnn_status lnn_evaluate(lnn_net *net, const lnn_data *data, lnn_metrics *out,
                        int32_t *pred)
{
    if (!net)
        return LNN_ERR_ARG;
    lnn_status s = check_data(net, data, true, "evaluation data");
    if (s != LNN_OK)
        return s;
    if (pred && lnn_loss_target(net->head.loss) != LNN_TARGET_CLASSES)
        return lnn__fail(net, LNN_ERR_ARG,
                         "evaluate: a %s model has no class predictions",
                         lnn_loss_name(net->head.loss));
    evaluate_range(net, data, 0, data->m, pred);
    evaluate_results(net, data, out);
    return LNN_OK;
}

/* A comm is usable: a rank within a size >= 1, and every operation. */
static lnn_status check_comm(lnn_net *net, const lnn_comm *comm)
{
    if (comm->size < 1 || comm->rank < 0 || comm->rank >= comm->size)
        return lnn__fail(net, LNN_ERR_ARG,
                         "comm: rank %d of %d processes", comm->rank,
                         comm->size);
    if (!comm->sum_float || !comm->sum_double || !comm->broadcast)
        return lnn__fail(net, LNN_ERR_ARG, "comm: an operation is NULL");
    return LNN_OK;
}

/* Sum x[0 .. n) over the processes (lnn_comm.sum_double). */
static lnn_status comm_sum(lnn_net *net, const lnn_comm *comm, double *x,
                           size_t n, const char *what)
{
    if (comm->sum_double(x, n, comm->ctx) != 0)
        return lnn__fail(net, LNN_ERR_COMM, "comm: summing %s failed", what);
    return LNN_OK;
}

lnn_status lnn_evaluate_sharded(lnn_net *net, const lnn_data *data,
                                const lnn_comm *comm, lnn_metrics *out)
{
    if (!comm)
        return lnn_evaluate(net, data, out, NULL);
    if (!net)
        return LNN_ERR_ARG;
    lnn_status s = check_comm(net, comm);
    if (s == LNN_OK)
        s = check_data(net, data, true, "evaluation data");
    if (s != LNN_OK)
        return s;
    size_t lo, hi;
    lnn__slice(data->m, (size_t)comm->rank, (size_t)comm->size, &lo, &hi);
    evaluate_range(net, data, lo, hi, NULL);
    s = comm_sum(net, comm, net->eval_sums,
                 LNN_HEAD_SUMS(net->dims[net->L]), "the evaluation");
    if (s == LNN_OK)
        evaluate_results(net, data, out);
    return s;
}

/* The seam where gradients are complete: after the backward pass, before
 * the update. On one process the gradients of the batch are already whole;
 * in a data-parallel run each process holds its slice's share (scaled by
 * the whole batch's 1/m), and the sum over the processes of the flat block
 * dW_1 db_1 .. dW_L db_L is the batch's gradient. */
static lnn_status reduce_gradients(lnn_net *net, const lnn_comm *comm)
{
    if (comm && comm->sum_float(net->grads, net->n_params, comm->ctx) != 0)
        return lnn__fail(net, LNN_ERR_COMM,
                         "comm: summing the gradients of iteration %llu "
                         "failed",
                         (unsigned long long)net->state.iteration + 1);
    return LNN_OK;
}

/* The batch's loss summed over its columns: [0], and [1] = 1 if that sum is
 * not finite, each summed over the processes of a data-parallel run (so
 * they all see the same loss and stop together). */
static lnn_status batch_loss(lnn_net *net, const lnn__batch *B,
                             const lnn_comm *comm, double sums[2])
{
    const lnn__layer_buf *out = &net->layers[net->L];
    sums[0] = B->m ? lnn__head_loss_sum(&net->head, out->H, B->T, out->n,
                                        B->m)
                   : 0.0;
    if (!comm)
        return LNN_OK;
    sums[1] = isfinite(sums[0]) ? 0.0 : 1.0;
    return comm_sum(net, comm, sums, 2, "the loss");
}

/* lnn__train_step (batch.h): one update of the exercise's loop: forward,
 * compute_loss, backward, reduce, update_parameters (by the net's
 * optimizer, at rate lr). A
 * non-finite loss stops before the update, so the parameters stay those of
 * the last good step. A process whose slice of the batch is empty
 * contributes zero gradients. A data-parallel run sums the gradients over
 * the processes before any parameter changes. Gradient clipping
 * (clip_norm) scales the complete gradient, after the sum, so every
 * process clips alike; its norm (clip.c) is the same bits on any thread
 * count, summed in the backward or after it. */
lnn_status lnn__train_step(lnn_net *net, const lnn__batch *B,
                           const lnn_train_opts *opts, float lr, double *loss)
{
    const lnn_comm *comm = opts->comm;
    /* dropout's masks: this update's, for this process's columns */
    net->drop_at = (lnn__drop_at){.seed = opts->seed,
                                  .t = net->state.iteration, .g0 = B->lo};
    if (B->m)
        lnn__net_forward(net, B->X, B->m, LNN_MODE_TRAIN);
    double sums[2] = {0.0, 0.0};
    lnn_status s = batch_loss(net, B, comm, sums);
    if (s != LNN_OK)
        return s;
    *loss = sums[0] / (double)B->m_all;
    if (!isfinite(*loss) || sums[1] != 0.0)
        return lnn__fail(net, LNN_ERR_DIVERGED,
                         "loss is %g at iteration %llu (epoch %llu): "
                         "training diverged; try a smaller learning rate",
                         *loss, (unsigned long long)net->state.iteration + 1,
                         (unsigned long long)net->state.epoch + 1);
    /* Clipping's norm: on one process its pieces are summed in the
     * backward, each member its share while in cache; a data-parallel run
     * sums them after the gradients' sum over the processes. */
    const bool clip = opts->clip_norm > 0.0f;
    if (B->m)
        lnn__net_backward_share(net, B->X, B->T, B->m, B->m_all,
                                LNN_MODE_TRAIN |
                                    (clip && !comm ? LNN_MODE_CLIP_SUMS : 0));
    else
        memset(net->grads, 0, net->n_params * sizeof *net->grads);
    s = reduce_gradients(net, comm);
    if (s != LNN_OK)
        return s;
    lnn__step step;
    lnn__optim_begin(net, opts, lr, &step);
    if (clip) {
        if (comm)
            lnn__clip_sums_all(net);
        step.gscale = lnn__clip_scale(net, opts->clip_norm);
    }
    lnn__optim_all(net, &step);
    return LNN_OK;
}

static lnn_status check_opts(lnn_net *net, const lnn_data *train,
                             const lnn_train_opts *opts, lnn_plan *plan)
{
    if (!opts)
        return lnn__fail(net, LNN_ERR_ARG, "training options are NULL");
    if (opts->comm && check_comm(net, opts->comm) != LNN_OK)
        return LNN_ERR_ARG;
    if (!lnn__lr_ok(opts->learning_rate))
        return lnn__fail(net, LNN_ERR_ARG,
                         "learning rate %g: must be finite and > 0",
                         (double)opts->learning_rate);
    if (lnn__check_hyper(opts, net->optimizer, net->errmsg,
                         sizeof net->errmsg) != LNN_OK)
        return LNN_ERR_ARG;
    if (!(opts->clip_norm >= 0.0f) || !isfinite(opts->clip_norm))
        return lnn__fail(net, LNN_ERR_ARG,
                         "clip_norm %g: must be 0 (none) or finite and > 0",
                         (double)opts->clip_norm);
    if (!(opts->label_smoothing >= 0.0f && opts->label_smoothing < 1.0f))
        return lnn__fail(net, LNN_ERR_ARG,
                         "label smoothing %g: must be in [0, 1)",
                         (double)opts->label_smoothing);
    if (opts->label_smoothing > 0.0f && net->head.loss != LNN_LOSS_CE)
        return lnn__fail(net, LNN_ERR_ARG,
                         "label smoothing is for cross-entropy, not %s",
                         lnn_loss_name(net->head.loss));
    if (opts->epochs == 0 && opts->num_iterations == 0)
        return lnn__fail(net, LNN_ERR_ARG,
                         "epochs and num_iterations are both 0");
    *plan = lnn__plan(opts, train->m);
    if (plan->batch > net->max_batch)
        return lnn__fail(net, LNN_ERR_SHAPE,
                         "a batch of %zu samples exceeds the network's "
                         "max_batch of %zu", plan->batch, net->max_batch);
    if (net->state.step >= plan->steps_per_epoch)
        return lnn__fail(net, LNN_ERR_ARG,
                         "resuming at step %llu of an epoch that has %llu "
                         "steps: was the batch size changed?",
                         (unsigned long long)net->state.step,
                         (unsigned long long)plan->steps_per_epoch);
    return LNN_OK;
}

/* true while the run has epochs and iterations left. */
static bool more_to_do(const lnn_train_state *st, const lnn_train_opts *opts)
{
    return st->epoch < opts->epochs &&
           (opts->num_iterations == 0 || st->iteration < opts->num_iterations);
}

/* Count the update just made: the next step, or the next epoch. */
static void advance(lnn_train_state *st, const lnn_plan *plan)
{
    st->iteration++;
    if (++st->step == plan->steps_per_epoch) {
        st->epoch++;
        st->step = 0;
    }
}

/* Validation and early stopping (lnn_train_opts.val): the best epoch so
 * far by the monitored metric, and, for restore_best, its checkpoint. */
typedef struct watch {
    lnn_metric metric;
    int higher;            /* larger is better */
    double best;           /* the best value (valid once best_epoch > 0) */
    uint64_t best_epoch;   /* 0: none yet */
    uint64_t stale;        /* validations since the best */
    lnn_metrics val;       /* the last epoch's */
    float *saved;          /* params then optimizer state, or NULL */
    uint64_t saved_opt_t;
    lnn_train_state saved_state;
} watch;

/* Allocate the checkpoint copy a run with restore_best needs. */
static lnn_status watch_open(lnn_net *net, const lnn_train_opts *opts,
                             watch *w)
{
    *w = (watch){.metric = opts->monitor_default
                               ? lnn_loss_metric(net->head.loss)
                               : opts->monitor};
    w->higher = lnn_metric_higher_is_better(w->metric);
    if (!opts->val || !opts->restore_best)
        return LNN_OK;
    const size_t floats =
        net->n_params * (1 + lnn__opt_slots(net->optimizer));
    w->saved = malloc(floats * sizeof *w->saved);
    if (!w->saved)
        return lnn__fail(net, LNN_ERR_NOMEM,
                         "out of memory for the best checkpoint (%zu MiB)",
                         floats * sizeof(float) >> 20);
    return LNN_OK;
}

/* Copy the network's parameters, optimizer state and position into the
 * checkpoint (to = true) or back. */
static void watch_copy(lnn_net *net, watch *w, bool to)
{
    const size_t n = net->n_params, slots = lnn__opt_slots(net->optimizer);
    if (to) {
        memcpy(w->saved, net->params, n * sizeof(float));
        if (slots)
            memcpy(w->saved + n, net->opt_state, slots * n * sizeof(float));
        w->saved_opt_t = net->opt_t;
        w->saved_state = net->state;
    } else {
        memcpy(net->params, w->saved, n * sizeof(float));
        if (slots)
            memcpy(net->opt_state, w->saved + n, slots * n * sizeof(float));
        net->opt_t = w->saved_opt_t;
        net->state = w->saved_state;
    }
}

/* The end of an epoch: evaluate the validation data, judge it, keep the
 * checkpoint of a new best; fill p's validation fields. */
static lnn_status watch_epoch(lnn_net *net, const lnn_train_opts *opts,
                              watch *w, lnn_progress *p)
{
    lnn_status s = lnn_evaluate_sharded(net, opts->val, opts->comm, &w->val);
    if (s != LNN_OK)
        return s;
    const double v = lnn_metrics_get(&w->val, w->metric);
    const double d = opts->min_delta;
    const bool better = w->best_epoch == 0
                            ? !isnan(v)
                            : (w->higher ? v > w->best + d : v < w->best - d);
    lnn__plateau_judge(net, opts, v, w->higher);
    if (better) {
        w->best = v;
        w->best_epoch = net->state.epoch;
        w->stale = 0;
        if (w->saved)
            watch_copy(net, w, true);
    } else {
        w->stale++;
    }
    p->val = &w->val;
    p->improved = better;
    p->best_epoch = w->best_epoch;
    p->stale = w->stale;
    return LNN_OK;
}

/* true once patience epochs have passed without a better one. */
static bool watch_done(const lnn_train_opts *opts, const watch *w)
{
    return opts->val && opts->patience && w->stale >= opts->patience;
}

/* The losses of the epoch in progress, for its mean. */
typedef struct epoch_sum {
    double loss;    /* sum over samples */
    size_t samples;
} epoch_sum;

/* Tell the progress callback about the update just made from batch B, at
 * rate lr, with loss `loss`, and, if it ended an epoch, about the epoch.
 * LNN_ERR_STOPPED if the callback asks to stop. */
static lnn_status notify(lnn_net *net, const lnn_train_opts *opts,
                         const lnn_plan *plan, epoch_sum *sum, watch *w,
                         const lnn__batch *B, float lr, double loss)
{
    const lnn_train_state *st = &net->state;
    const bool epoch_done = st->step == 0;
    sum->loss += loss * (double)B->m_all;
    sum->samples += B->m_all;
    int stop = 0;
    lnn_progress p = {0};
    const uint64_t every = opts->val_every ? opts->val_every : 1;
    if (epoch_done && opts->val &&
        (st->epoch % every == 0 || !more_to_do(st, opts))) {
        lnn_status s = watch_epoch(net, opts, w, &p);
        if (s != LNN_OK)
            return s;
    } else if (epoch_done && !opts->val) {
        lnn__plateau_judge(net, opts, sum->loss / (double)sum->samples,
                           false);
    }
    if (opts->progress) {
        const lnn_progress step = {
            .event = LNN_EVENT_STEP,
            .epoch = B->epoch,
            .iteration = st->iteration,
            .samples = B->first + B->m_all,
            .samples_per_epoch = plan->samples,
            .loss = loss,
            .lr = lr,
            .cols = B->m_all,
        };
        stop = opts->progress(&step, opts->progress_ctx);
        if (epoch_done) {
            p.event = LNN_EVENT_EPOCH;
            p.iteration = st->iteration;
            p.samples = plan->samples;
            p.samples_per_epoch = plan->samples;
            p.lr = lr;
            p.cols = B->m_all;
            p.epoch = st->epoch;
            p.loss = sum->loss / (double)sum->samples;
            stop |= opts->progress(&p, opts->progress_ctx);
        }
    }
    if (epoch_done)
        *sum = (epoch_sum){0};
    if (opts->comm) {
        /* one process asking to stop stops them all, after this update */
        double stops = stop ? 1.0 : 0.0;
        lnn_status s = comm_sum(net, opts->comm, &stops, 1, "the stop flag");
        if (s != LNN_OK)
            return s;
        stop = stops != 0.0;
    }
    if (stop)
        return lnn__fail(net, LNN_ERR_STOPPED,
                         "stopped by the caller after iteration %llu",
                         (unsigned long long)st->iteration);
    return LNN_OK;
}

/* A data-parallel run starts from rank 0's network: its parameters, its
 * optimizer's state and step count, and its training position (a resumed
 * run continues where rank 0's file says). */
static lnn_status share_state(lnn_net *net, const lnn_comm *comm)
{
    const size_t floats = net->n_params * sizeof(float);
    struct {
        void *buf;
        size_t bytes;
    } const parts[] = {
        {net->params, floats},
        {net->opt_state, lnn__opt_slots(net->optimizer) * floats},
        {&net->opt_t, sizeof net->opt_t},
        {&net->state, sizeof net->state},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (parts[i].bytes &&
            comm->broadcast(parts[i].buf, parts[i].bytes, comm->ctx) != 0)
            return lnn__fail(net, LNN_ERR_COMM,
                             "comm: broadcasting the network from rank 0 "
                             "failed");
    return LNN_OK;
}

lnn_status lnn_L_layer_model(lnn_net *net, const lnn_data *train,
                             const lnn_train_opts *opts)
{
    if (!net)
        return LNN_ERR_ARG;
    lnn_plan plan;
    lnn_status s = check_data(net, train, true, "training data");
    if (s == LNN_OK)
        s = check_opts(net, train, opts, &plan);
    if (s == LNN_OK && opts->val)
        s = check_data(net, opts->val, true, "validation data");
    if (s != LNN_OK)
        return s;
    const lnn_comm *comm = opts->comm;
    if (comm && (s = share_state(net, comm)) != LNN_OK)
        return s;
    watch w;
    if ((s = watch_open(net, opts, &w)) != LNN_OK)
        return s;
    lnn__batches batches;
    if (lnn__batches_open(&batches, train, &plan, opts->seed, net->class_w,
                          comm ? (size_t)comm->rank : 0,
                          comm ? (size_t)comm->size : 1) != LNN_OK) {
        free(w.saved);
        return lnn__fail(net, LNN_ERR_NOMEM,
                         "out of memory for batches of %zu of %zu samples",
                         plan.batch, train->m);
    }

    /* The exercise's L_layer_model: for each iteration, take a batch,
     * forward, loss, backward, update, report. */
    lnn_train_state *st = &net->state;
    epoch_sum sum = {0};
    const int scope = lnn__blas_scope_begin();
    while (more_to_do(st, opts)) {
        lnn__batch B = lnn__batches_get(&batches, *st);
        B.T.smooth = opts->label_smoothing;
        const float lr = lnn__lr_now(net, opts, st->iteration,
                                     plan.steps_per_epoch, plan.total);
        double loss;
        s = lnn__train_step(net, &B, opts, lr, &loss);
        if (s != LNN_OK)
            break;
        advance(st, &plan);
        s = notify(net, opts, &plan, &sum, &w, &B, lr, loss);
        if (s != LNN_OK || watch_done(opts, &w))
            break;
    }
    lnn__blas_scope_end(scope);
    lnn__batches_close(&batches);
    /* the best epoch's checkpoint, unless training failed */
    if (w.saved && w.best_epoch && (s == LNN_OK || s == LNN_ERR_STOPPED))
        watch_copy(net, &w, false);
    free(w.saved);
    return s;
}
