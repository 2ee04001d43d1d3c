/* Training end to end on small synthetic problems (problems.h): the loss
 * falls and accuracy reaches 95 %, full-batch and mini-batch; training is
 * deterministic, thread-count independent, resumable bit for bit; byte
 * inputs train exactly like their float equivalents; divergence and a stop
 * request are reported. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lnn.h"
#include "net.h"
#include "problems.h"

typedef struct losses {
    double first, last;
    size_t epochs_seen;
    uint64_t stop_at; /* stop after this iteration (0: never) */
} losses;

static int record(const lnn_progress *p, void *ctx)
{
    losses *l = ctx;
    if (p->event == LNN_EVENT_EPOCH) {
        if (l->epochs_seen++ == 0)
            l->first = p->loss;
        l->last = p->loss;
    }
    return l->stop_at != 0 && p->iteration >= l->stop_at;
}

static double accuracy(lnn_net *net, const problem *p)
{
    lnn_data d = as_data(p);
    lnn_metrics e;
    CHECK_STATUS(lnn_evaluate(net, &d, &e, NULL), LNN_OK);
    return e.accuracy;
}

static void learns(const problem *p, const size_t *dims, size_t L,
                   lnn_activation f, size_t batch, uint64_t epochs, float lr,
                   const char *name)
{
    lnn_net *net = make_net(dims, L, f, LNN_OPT_SGD, batch ? batch : p->m, 3);
    if (!net)
        return;
    lnn_data d = as_data(p);
    losses l = {0};
    lnn_train_opts o = lnn_train_opts_default();
    o.batch_size = batch;
    o.epochs = epochs;
    o.learning_rate = lr;
    o.progress = record;
    o.progress_ctx = &l;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_OK);
    double acc = accuracy(net, p);
    printf("%s: loss %.4f -> %.4f over %zu epochs, accuracy %.3f\n", name,
           l.first, l.last, l.epochs_seen, acc);
    CHECK(l.epochs_seen == epochs);
    CHECK(l.last < 0.5 * l.first);
    CHECK(acc >= 0.95);
    lnn_net_destroy(net);
}

/* Train on p and return a copy of the parameters. */
static float *train_params(const lnn_data *d, const size_t *dims, size_t L,
                           uint64_t epochs, losses *stop)
{
    lnn_net *net = make_net(dims, L, LNN_ACT_RELU, LNN_OPT_SGD, 32, 5);
    lnn_train_opts o = lnn_train_opts_default();
    o.batch_size = 32;
    o.epochs = epochs;
    o.seed = 9;
    if (stop) {
        o.progress = record;
        o.progress_ctx = stop;
        CHECK_STATUS(lnn_L_layer_model(net, d, &o), LNN_ERR_STOPPED);
        CHECK(lnn_net_train_state(net).iteration == stop->stop_at);
        stop->stop_at = 0; /* then resume to the end */
    }
    CHECK_STATUS(lnn_L_layer_model(net, d, &o), LNN_OK);
    float *theta = malloc(lnn_net_n_params(net) * sizeof *theta);
    memcpy(theta, lnn_net_params(net), lnn_net_n_params(net) * sizeof *theta);
    lnn_net_destroy(net);
    return theta;
}

static void reproducible(const problem *p)
{
    const size_t dims[] = {2, 16, 4};
    lnn_data d = as_data(p);
    lnn_net *probe = make_net(dims, 2, LNN_ACT_RELU, LNN_OPT_SGD, 32, 5);
    const size_t bytes = lnn_net_n_params(probe) * sizeof(float);
    lnn_net_destroy(probe);

    float *a = train_params(&d, dims, 2, 4, NULL);
    float *b = train_params(&d, dims, 2, 4, NULL);
    CHECK(memcmp(a, b, bytes) == 0);

    /* stopped mid-epoch (iteration 30 of 13-step epochs), then resumed */
    losses stop = {.stop_at = 30};
    float *c = train_params(&d, dims, 2, 4, &stop);
    CHECK(memcmp(a, c, bytes) == 0);

    /* 2 epochs, then 2 more from the saved state */
    lnn_net *net = make_net(dims, 2, LNN_ACT_RELU, LNN_OPT_SGD, 32, 5);
    lnn_train_opts o = lnn_train_opts_default();
    o.batch_size = 32;
    o.seed = 9;
    o.epochs = 2;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_OK);
    CHECK(lnn_net_train_state(net).epoch == 2);
    o.epochs = 4;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_OK);
    CHECK(memcmp(a, lnn_net_params(net), bytes) == 0);
    lnn_net_destroy(net);

    /* bytes in, scaled by 1/255, train exactly like the same floats */
    problem q = *p;
    q.X_u8 = malloc(q.n_x * q.m);
    float *Xf = malloc(q.n_x * q.m * sizeof *Xf);
    for (size_t k = 0; k < q.n_x * q.m; k++) {
        float v = p->X[k] * 40.0f + 128.0f;
        q.X_u8[k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        Xf[k] = (float)q.X_u8[k] / 255.0f;
    }
    lnn_data du = {.n_x = 2, .n_y = 4, .m = q.m, .X_u8 = q.X_u8, .Y = q.Y};
    lnn_data df = {.n_x = 2, .n_y = 4, .m = q.m, .X = Xf, .Y = q.Y};
    float *u = train_params(&du, dims, 2, 2, NULL);
    float *f = train_params(&df, dims, 2, 2, NULL);
    CHECK(memcmp(u, f, bytes) == 0);
    free(q.X_u8);
    free(Xf);
    free(u);
    free(f);
    free(a);
    free(b);
    free(c);
}

/* 1, 2 and 3 threads: the same predictions, and parameters equal to float
 * rounding. (Not to the bit: OpenBLAS may round a product of a team's
 * share of dW's columns differently from the whole product.) */
static void thread_independent(const problem *p)
{
    const size_t dims[] = {2, 64, 64, 2};
    lnn_data d = as_data(p);
    float *params[3];
    int32_t *pred[3];
    for (int t = 0; t < 3; t++) {
        CHECK_STATUS(lnn_set_threads(t + 1), LNN_OK);
        lnn_net *net = make_net(dims, 3, LNN_ACT_RELU, LNN_OPT_SGD, 400, 4);
        lnn_train_opts o = lnn_train_opts_default();
        o.batch_size = 0;
        o.epochs = 50;
        /* the whole batch in one step: a team of t + 1 threads */
        CHECK(lnn__net_team(net, p->m, false) ==
              (lnn_omp_threads() == t + 1 ? t + 1 : 1));
        CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_OK);
        const size_t n = lnn_net_n_params(net);
        params[t] = malloc(n * sizeof *params[t]);
        memcpy(params[t], lnn_net_params(net), n * sizeof *params[t]);
        for (size_t k = 0; t > 0 && k < n; k++)
            CHECK_NEAR(params[t][k], params[0][k],
                       1e-4 * (1.0 + fabs(params[0][k])));
        pred[t] = malloc(p->m * sizeof *pred[t]);
        CHECK_STATUS(lnn_predict(net, p->X, p->m, pred[t]), LNN_OK);
        if (t > 0)
            CHECK(memcmp(pred[0], pred[t], p->m * sizeof *pred[0]) == 0);
        lnn_net_destroy(net);
    }
    for (int t = 0; t < 3; t++) {
        free(params[t]);
        free(pred[t]);
    }
    lnn_set_threads(2);
}

/* A loss that is not finite stops training with its own status, before
 * the update that would use it. */
static void diverges(const problem *p)
{
    const size_t dims[] = {2, 16, 4};
    lnn_net *net = make_net(dims, 2, LNN_ACT_RELU, LNN_OPT_SGD, 400, 5);
    lnn_data d = as_data(p);
    lnn_train_opts o = lnn_train_opts_default();
    o.batch_size = 0;
    o.epochs = 100;
    /* a corrupted output bias: every probability of class 0 is NaN */
    lnn_layer out;
    lnn_net_layer(net, 2, &out);
    out.b[0] = NAN;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_ERR_DIVERGED);
    CHECK(strstr(lnn_net_errmsg(net), "diverged") != NULL);
    CHECK(lnn_net_train_state(net).iteration == 0);
    CHECK(isfinite(out.W[0])); /* no update was applied */

    /* a learning rate so large that logits overflow to inf - inf */
    CHECK_STATUS(lnn_initialize_parameters(net, LNN_INIT_AUTO, 5), LNN_OK);
    lnn_net_layer(net, 1, &out);
    for (size_t k = 0; k < out.n * out.n_prev; k++)
        out.W[k] = 1e30f;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_ERR_DIVERGED);
    lnn_net_destroy(net);
}

/* lnn_batch_plan: the cut of m samples into updates, and the run's
 * length; each step's lnn_progress.cols adds up to the epoch. */
typedef struct cols_seen {
    size_t sum;    /* cols of the epoch's steps */
    bool ok;       /* every EPOCH event saw sum == samples_per_epoch */
} cols_seen;

static int add_cols(const lnn_progress *p, void *ctx)
{
    cols_seen *c = ctx;
    if (p->event == LNN_EVENT_STEP) {
        c->sum += p->cols;
        c->ok = c->ok && p->samples == c->sum;
    } else {
        c->ok = c->ok && c->sum == p->samples_per_epoch;
        c->sum = 0;
    }
    return 0;
}

static void batch_plan(const problem *p)
{
    lnn_train_opts o = lnn_train_opts_default();
    lnn_plan plan;
    o.batch_size = 32;
    o.epochs = 3;
    CHECK_STATUS(lnn_batch_plan(&o, 100, &plan), LNN_OK);
    CHECK(plan.samples == 100 && plan.batch == 32);
    CHECK(plan.steps_per_epoch == 4 && plan.total == 12);
    o.num_iterations = 5;
    CHECK_STATUS(lnn_batch_plan(&o, 100, &plan), LNN_OK);
    CHECK(plan.total == 5);
    o.batch_size = 0;
    o.num_iterations = 0;
    CHECK_STATUS(lnn_batch_plan(&o, 100, &plan), LNN_OK);
    CHECK(plan.batch == 100 && plan.steps_per_epoch == 1 && plan.total == 3);
    o.epochs = UINT64_MAX;
    o.batch_size = 10;
    CHECK_STATUS(lnn_batch_plan(&o, 100, &plan), LNN_OK);
    CHECK(plan.total == UINT64_MAX);
    CHECK_STATUS(lnn_batch_plan(NULL, 100, &plan), LNN_ERR_ARG);
    CHECK_STATUS(lnn_batch_plan(&o, 0, &plan), LNN_ERR_ARG);

    const size_t dims[] = {2, 8, 4};
    lnn_data d = as_data(p);
    lnn_net *net = make_net(dims, 2, LNN_ACT_RELU, LNN_OPT_SGD, 48, 3);
    cols_seen c = {.ok = true};
    o = lnn_train_opts_default();
    o.batch_size = 48;
    o.epochs = 2;
    o.progress = add_cols;
    o.progress_ctx = &c;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_OK);
    CHECK(c.ok);
    lnn_net_destroy(net);
}

/* Evaluating from the progress callback (on byte inputs, which evaluation
 * gathers) leaves full-batch training on byte inputs unchanged: training
 * batches and evaluation have buffers of their own. */
typedef struct eval_ctx {
    lnn_net *net;
    const lnn_data *d;
} eval_ctx;

static int evaluate_each_epoch(const lnn_progress *p, void *ctx)
{
    const eval_ctx *e = ctx;
    if (p->event == LNN_EVENT_EPOCH)
        CHECK_STATUS(lnn_evaluate(e->net, e->d, NULL, NULL), LNN_OK);
    return 0;
}

static void evaluation_apart(const problem *p)
{
    const size_t dims[] = {2, 8, 4};
    uint8_t *X_u8 = malloc(p->n_x * p->m);
    uint8_t *other = malloc(p->n_x * p->m);
    for (size_t k = 0; k < p->n_x * p->m; k++) {
        const float v = p->X[k] * 40.0f + 128.0f;
        X_u8[k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        other[k] = (uint8_t)(255 - X_u8[k]);
    }
    lnn_data d = {.n_x = 2, .n_y = 4, .m = p->m, .X_u8 = X_u8, .Y = p->Y};
    lnn_data e = d;
    e.X_u8 = other;
    float *params[2];
    size_t n = 0;
    for (int run = 0; run < 2; run++) {
        lnn_net *net = make_net(dims, 2, LNN_ACT_RELU, LNN_OPT_SGD, p->m, 4);
        eval_ctx ctx = {.net = net, .d = &e};
        lnn_train_opts o = lnn_train_opts_default();
        o.batch_size = 0;
        o.epochs = 5;
        o.progress = run ? evaluate_each_epoch : NULL;
        o.progress_ctx = &ctx;
        CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_OK);
        n = lnn_net_n_params(net);
        params[run] = malloc(n * sizeof(float));
        memcpy(params[run], lnn_net_params(net), n * sizeof(float));
        lnn_net_destroy(net);
    }
    CHECK(memcmp(params[0], params[1], n * sizeof(float)) == 0);
    free(params[0]);
    free(params[1]);
    free(X_u8);
    free(other);
}

int main(void)
{
    problem b = blobs(1), s = spirals(2);
    const size_t blob_dims[] = {2, 16, 4};
    learns(&b, blob_dims, 2, LNN_ACT_RELU, 0, 200, 0.5f, "blobs full-batch relu");
    learns(&b, blob_dims, 2, LNN_ACT_SIGMOID, 0, 300, 2.0f,
           "blobs full-batch sigmoid");
    learns(&b, blob_dims, 2, LNN_ACT_RELU, 16, 20, 0.1f, "blobs mini-batch relu");
    const size_t spiral_dims[] = {2, 64, 64, 2};
    learns(&s, spiral_dims, 3, LNN_ACT_RELU, 20, 400, 0.2f,
           "spirals mini-batch relu");
    reproducible(&b);
    thread_independent(&s);
    diverges(&b);
    batch_plan(&b);
    evaluation_apart(&b);
    problem_free(&b);
    problem_free(&s);
    return check_result("train");
}
