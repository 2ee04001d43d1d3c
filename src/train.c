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
        .progress = NULL,
        .progress_ctx = NULL,
        .comm = NULL,
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

/* Forward over samples j0 .. j0+cols of d in their stored order; *Y gets
 * those columns' targets (NULL if d has none). Float inputs are read in
 * place; byte inputs are gathered into the network's evaluation buffers
 * first (never the training batch's: lnn__batches owns those). */
static void forward_samples(lnn_net *net, const lnn_data *d, size_t j0,
                            size_t cols, const float **Y)
{
    const float *X;
    if (d->X_u8) {
        lnn__gather(net->X_eval, net->Y_eval, d, NULL, j0, cols);
        X = net->X_eval;
        *Y = d->Y ? net->Y_eval : NULL;
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
    const int scope = lnn__blas_scope_begin();
    forward_samples(net, d, j0, cols, &Y);
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
    const lnn__layer_buf *out = &net->layers[net->L];
    const int scope = lnn__blas_scope_begin();
    for (size_t j0 = 0; j0 < m; j0 += net->eval_cols) {
        const size_t cols = m - j0 < net->eval_cols ? m - j0 : net->eval_cols;
        const float *Y;
        forward_samples(net, &d, j0, cols, &Y);
        lnn__argmax_cols(pred + j0, out->H, out->n, cols);
    }
    lnn__blas_scope_end(scope);
    return LNN_OK;
}

/* The sums of an evaluation over samples lo .. hi of data, in chunks of
 * eval_cols columns: [0] the loss summed over samples, [1] the count of
 * correct predictions. pred (may be NULL) gets the predictions of lo .. hi
 * at pred[lo ..]. */
static void evaluate_range(lnn_net *net, const lnn_data *data, size_t lo,
                           size_t hi, int32_t *pred, double sums[2])
{
    const lnn__layer_buf *out = &net->layers[net->L];
    const int scope = lnn__blas_scope_begin();
    double loss_sum = 0.0;
    size_t correct = 0;
    for (size_t j0 = lo; j0 < hi; j0 += net->eval_cols) {
        const size_t rest = hi - j0;
        const size_t cols = rest < net->eval_cols ? rest : net->eval_cols;
        const float *Y;
        int32_t *p = pred ? pred + j0 : net->pred_batch;
        forward_samples(net, data, j0, cols, &Y);
        loss_sum += lnn__loss_sum(out->H, Y, out->n, cols);
        lnn__argmax_cols(p, out->H, out->n, cols);
        correct += lnn__count_correct(p, Y, out->n, cols);
    }
    lnn__blas_scope_end(scope);
    sums[0] = loss_sum;
    sums[1] = (double)correct; /* exact below 2^53 samples */
}

static void evaluate_results(const lnn_data *data, const double sums[2],
                             double *loss, double *acc)
{
    if (loss)
        *loss = sums[0] / (double)data->m;
    if (acc)
        *acc = sums[1] / (double)data->m;
}

lnn_status lnn_evaluate(lnn_net *net, const lnn_data *data, double *loss,
                        double *acc, int32_t *pred)
{
    if (!net)
        return LNN_ERR_ARG;
    lnn_status s = check_data(net, data, true, "evaluation data");
    if (s != LNN_OK)
        return s;
    double sums[2];
    evaluate_range(net, data, 0, data->m, pred, sums);
    evaluate_results(data, sums, loss, acc);
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
                                const lnn_comm *comm, double *loss,
                                double *acc)
{
    if (!comm)
        return lnn_evaluate(net, data, loss, acc, NULL);
    if (!net)
        return LNN_ERR_ARG;
    lnn_status s = check_comm(net, comm);
    if (s == LNN_OK)
        s = check_data(net, data, true, "evaluation data");
    if (s != LNN_OK)
        return s;
    size_t lo, hi;
    lnn__slice(data->m, (size_t)comm->rank, (size_t)comm->size, &lo, &hi);
    double sums[2];
    evaluate_range(net, data, lo, hi, NULL, sums);
    s = comm_sum(net, comm, sums, 2, "the evaluation");
    if (s == LNN_OK)
        evaluate_results(data, sums, loss, acc);
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
    sums[0] = B->m ? lnn__loss_sum(out->H, B->Y, out->n, B->m) : 0.0;
    if (!comm)
        return LNN_OK;
    sums[1] = isfinite(sums[0]) ? 0.0 : 1.0;
    return comm_sum(net, comm, sums, 2, "the loss");
}

/* One update of the exercise's loop: forward, compute_loss, backward,
 * reduce, update_parameters (by the net's optimizer, at rate lr). A
 * non-finite loss stops before the update, so the parameters stay those of
 * the last good step. A process whose slice of the batch is empty
 * contributes zero gradients. On one process (no comm) the update is fused
 * into the backward (lnn__net_backward_update): each thread updates the
 * parameters of its share of the gradients while they are in its cache,
 * with the same result. A data-parallel run keeps the seam: gradients are
 * summed over the processes before any parameter changes. */
static lnn_status train_step(lnn_net *net, const lnn__batch *B,
                             const lnn_train_opts *opts, float lr,
                             double *loss)
{
    const lnn_comm *comm = opts->comm;
    if (B->m)
        lnn__net_forward(net, B->X, B->m, LNN_PART_ALL);
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
    if (!comm) {
        lnn__step step;
        lnn__optim_begin(net, opts, lr, &step);
        lnn__net_backward_update(net, B->X, B->Y, B->m, &step);
        return LNN_OK;
    }
    if (B->m)
        lnn__net_backward_share(net, B->X, B->Y, B->m, B->m_all,
                                LNN_PART_ALL);
    else
        memset(net->grads, 0, net->n_params * sizeof *net->grads);
    s = reduce_gradients(net, comm);
    if (s != LNN_OK)
        return s;
    lnn__optim_step(net, opts, lr);
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

/* The losses of the epoch in progress, for its mean. */
typedef struct epoch_sum {
    double loss;    /* sum over samples */
    size_t samples;
} epoch_sum;

/* Tell the progress callback about the update just made from batch B, at
 * rate lr, with loss `loss`, and, if it ended an epoch, about the epoch.
 * LNN_ERR_STOPPED if the callback asks to stop. */
static lnn_status notify(lnn_net *net, const lnn_train_opts *opts,
                         const lnn_plan *plan, epoch_sum *sum,
                         const lnn__batch *B, float lr, double loss)
{
    const lnn_train_state *st = &net->state;
    const bool epoch_done = st->step == 0;
    sum->loss += loss * (double)B->m_all;
    sum->samples += B->m_all;
    int stop = 0;
    if (opts->progress) {
        lnn_progress p = {
            .event = LNN_EVENT_STEP,
            .epoch = B->epoch,
            .iteration = st->iteration,
            .samples = B->first + B->m_all,
            .samples_per_epoch = plan->samples,
            .loss = loss,
            .lr = lr,
            .cols = B->m_all,
        };
        stop = opts->progress(&p, opts->progress_ctx);
        if (epoch_done) {
            p.event = LNN_EVENT_EPOCH;
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
    if (s != LNN_OK)
        return s;
    const lnn_comm *comm = opts->comm;
    if (comm && (s = share_state(net, comm)) != LNN_OK)
        return s;
    lnn__batches batches;
    if (lnn__batches_open(&batches, train, &plan, opts->seed,
                          comm ? (size_t)comm->rank : 0,
                          comm ? (size_t)comm->size : 1) != LNN_OK)
        return lnn__fail(net, LNN_ERR_NOMEM,
                         "out of memory for batches of %zu of %zu samples",
                         plan.batch, train->m);

    /* The exercise's L_layer_model: for each iteration, take a batch,
     * forward, loss, backward, update, report. */
    lnn_train_state *st = &net->state;
    epoch_sum sum = {0};
    const int scope = lnn__blas_scope_begin();
    while (more_to_do(st, opts)) {
        const lnn__batch B = lnn__batches_get(&batches, *st);
        const float lr = lnn__lr_at(opts, st->iteration, plan.steps_per_epoch,
                                    plan.total);
        double loss;
        s = train_step(net, &B, opts, lr, &loss);
        if (s != LNN_OK)
            break;
        advance(st, &plan);
        s = notify(net, opts, &plan, &sum, &B, lr, loss);
        if (s != LNN_OK)
            break;
    }
    lnn__blas_scope_end(scope);
    lnn__batches_close(&batches);
    return s;
}
