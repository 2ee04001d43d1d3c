/* Data-parallel training through lnn_comm, without MPI: an in-process fake
 * of the interface (N threads, one replica of the network each, sums in a
 * fixed rank order, a shared barrier). One replica equals training without
 * a comm to the bit; 2 and 4 replicas stay within LNN_TEST_RTOL of one
 * process after 50 updates for sgd, momentum and adam (also with a batch
 * smaller than the replica count, so that some slices are empty); a stop
 * request or a non-finite loss on one replica stops all after the same
 * update; sharded evaluation equals lnn_evaluate. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lnn.h"
#include "problems.h"

#define MAX_RANKS 4
#define STEPS 50
/* The bound: 1 thread vs 2 threads already differ by this much. */
#define LNN_TEST_RTOL 1e-5
#define EVAL_LOSS_RTOL 1e-12

/* What the replicas share: the buffer each one passes to the operation in
 * progress, and a barrier. */
typedef struct fake_world {
    int size;
    pthread_barrier_t barrier;
    void *bufs[MAX_RANKS];
} fake_world;

/* One replica: its network, options and outcome. */
typedef struct replica {
    fake_world *world;
    lnn_comm comm;
    lnn_net *net;
    lnn_data data;
    lnn_train_opts opts;
    uint64_t stop_at;    /* ask to stop after this iteration (0: never) */
    uint64_t poison_at;  /* after this iteration, make data.X NaN */
    float *own_X;        /* this replica's copy of X, for poison_at */
    lnn_status status;
    bool evaluate;       /* then lnn_evaluate_sharded on data */
    lnn_status eval_status;
    lnn_metrics eval;
} replica;

static void sync_world(fake_world *w)
{
    pthread_barrier_wait(&w->barrier);
}

/* x = x_0 + x_1 + ... + x_{size-1}, added by rank 0 in rank order (so the
 * result does not depend on timing), then copied to every rank. */
static int fake_sum(void *x, size_t n, bool is_double, replica *r)
{
    fake_world *w = r->world;
    w->bufs[r->comm.rank] = x;
    sync_world(w);
    if (r->comm.rank == 0) {
        for (int k = 1; k < w->size; k++) {
            for (size_t i = 0; i < n; i++) {
                if (is_double)
                    ((double *)x)[i] += ((const double *)w->bufs[k])[i];
                else
                    ((float *)x)[i] += ((const float *)w->bufs[k])[i];
            }
        }
    }
    sync_world(w);
    if (r->comm.rank != 0)
        memcpy(x, w->bufs[0], n * (is_double ? sizeof(double) : sizeof(float)));
    sync_world(w);
    return 0;
}

static int fake_sum_float(float *x, size_t n, void *ctx)
{
    return fake_sum(x, n, false, ctx);
}

static int fake_sum_double(double *x, size_t n, void *ctx)
{
    return fake_sum(x, n, true, ctx);
}

static int fake_broadcast(void *buf, size_t bytes, void *ctx)
{
    replica *r = ctx;
    fake_world *w = r->world;
    w->bufs[r->comm.rank] = buf;
    sync_world(w);
    if (r->comm.rank != 0)
        memcpy(buf, w->bufs[0], bytes);
    sync_world(w);
    return 0;
}

static int on_progress(const lnn_progress *p, void *ctx)
{
    replica *r = ctx;
    if (p->event != LNN_EVENT_STEP)
        return 0;
    if (r->poison_at && p->iteration == r->poison_at)
        for (size_t i = 0; i < r->data.n_x * r->data.m; i++)
            r->own_X[i] = NAN;
    return r->stop_at && p->iteration == r->stop_at;
}

static void *replica_main(void *arg)
{
    replica *r = arg;
    r->status = lnn_L_layer_model(r->net, &r->data, &r->opts);
    if (r->evaluate)
        r->eval_status = lnn_evaluate_sharded(r->net, &r->data, &r->comm,
                                              &r->eval);
    return NULL;
}

/* Run the n replicas as one data-parallel run, each on its own thread. */
static void run_world(replica *reps, int n)
{
    fake_world w = {.size = n};
    pthread_barrier_init(&w.barrier, NULL, (unsigned)n);
    pthread_t threads[MAX_RANKS];
    for (int k = 0; k < n; k++) {
        replica *r = &reps[k];
        r->world = &w;
        r->comm = (lnn_comm){.rank = k, .size = n,
                             .sum_float = fake_sum_float,
                             .sum_double = fake_sum_double,
                             .broadcast = fake_broadcast, .ctx = r};
        r->opts.comm = &r->comm;
        r->opts.progress = on_progress;
        r->opts.progress_ctx = r;
        pthread_create(&threads[k], NULL, replica_main, r);
    }
    for (int k = 0; k < n; k++)
        pthread_join(threads[k], NULL);
    pthread_barrier_destroy(&w.barrier);
}

static const size_t dims[] = {BLOB_DIM, 16, BLOB_CLASSES};
#define L_LAYERS 2

static lnn_train_opts options(lnn_optimizer opt, size_t batch)
{
    lnn_train_opts o = lnn_train_opts_default();
    o.learning_rate = opt == LNN_OPT_ADAM ? 0.01f : 0.1f;
    o.batch_size = batch;
    o.epochs = 1000;
    o.num_iterations = STEPS;
    o.seed = 3;
    return o;
}

/* n replicas, each with its own network: rank 0's initialised with seed
 * 7, the others' with other seeds (the run must start from rank 0's). */
static void make_replicas(replica *reps, int n, const problem *p,
                          lnn_optimizer opt, size_t batch)
{
    for (int k = 0; k < n; k++) {
        reps[k] = (replica){.data = as_data(p), .opts = options(opt, batch)};
        reps[k].net = make_net(dims, L_LAYERS, LNN_ACT_RELU, opt,
                               batch ? batch : p->m, 7 + (uint64_t)k);
    }
}

static void free_replicas(replica *reps, int n)
{
    for (int k = 0; k < n; k++) {
        lnn_net_destroy(reps[k].net);
        free(reps[k].own_X);
    }
}

/* max |a - b| / max |b| over the parameters */
static double param_rel_diff(lnn_net *a, lnn_net *b)
{
    const float *pa = lnn_net_params(a), *pb = lnn_net_params(b);
    double diff = 0.0, scale = 0.0;
    for (size_t i = 0; i < lnn_net_n_params(a); i++) {
        diff = fmax(diff, fabs((double)pa[i] - (double)pb[i]));
        scale = fmax(scale, fabs((double)pb[i]));
    }
    return diff / scale;
}

static bool same_params(lnn_net *a, lnn_net *b)
{
    return memcmp(lnn_net_params(a), lnn_net_params(b),
                  lnn_net_n_params(a) * sizeof(float)) == 0;
}

/* One process, then 1, 2 and 4 replicas, from the same start. */
static void matches_one_process(const problem *p, lnn_optimizer opt,
                                size_t batch)
{
    lnn_net *ref = make_net(dims, L_LAYERS, LNN_ACT_RELU, opt,
                            batch ? batch : p->m, 7);
    lnn_data d = as_data(p);
    lnn_train_opts o = options(opt, batch);
    CHECK_STATUS(lnn_L_layer_model(ref, &d, &o), LNN_OK);
    for (int n = 1; n <= MAX_RANKS; n *= 2) {
        replica reps[MAX_RANKS];
        make_replicas(reps, n, p, opt, batch);
        run_world(reps, n);
        for (int k = 0; k < n; k++) {
            CHECK_STATUS(reps[k].status, LNN_OK);
            CHECK(lnn_net_train_state(reps[k].net).iteration == STEPS);
            CHECK(same_params(reps[k].net, reps[0].net));
        }
        const double rel = param_rel_diff(reps[0].net, ref);
        printf("%-8s batch %3zu, %d replicas: max |dW| / max |W| = %.3g\n",
               lnn_optimizer_name(opt), batch, n, rel);
        if (n == 1)
            CHECK(same_params(reps[0].net, ref));
        else
            CHECK(rel <= LNN_TEST_RTOL);
        free_replicas(reps, n);
    }
    lnn_net_destroy(ref);
}

/* Every replica returned `status` after `iteration` updates, with the same
 * parameters. */
static void all_ended(replica *reps, int n, lnn_status status,
                      uint64_t iteration)
{
    for (int k = 0; k < n; k++) {
        CHECK_STATUS(reps[k].status, status);
        CHECK(lnn_net_train_state(reps[k].net).iteration == iteration);
        CHECK(same_params(reps[k].net, reps[0].net));
    }
}

/* One replica's callback asks to stop after iteration 7: all stop there. */
static void stop_stops_all(const problem *p)
{
    replica reps[3];
    make_replicas(reps, 3, p, LNN_OPT_SGD, 20);
    reps[1].stop_at = 7;
    run_world(reps, 3);
    all_ended(reps, 3, LNN_ERR_STOPPED, 7);
    free_replicas(reps, 3);
}

/* One replica's data turns NaN after iteration 5: every replica reports
 * divergence at iteration 6 and keeps the parameters of iteration 5. */
static void nan_stops_all(const problem *p)
{
    replica reps[2];
    make_replicas(reps, 2, p, LNN_OPT_MOMENTUM, 20);
    reps[1].own_X = malloc(p->n_x * p->m * sizeof(float));
    memcpy(reps[1].own_X, p->X, p->n_x * p->m * sizeof(float));
    reps[1].data.X = reps[1].own_X;
    reps[1].poison_at = 5;
    run_world(reps, 2);
    all_ended(reps, 2, LNN_ERR_DIVERGED, 5);
    free_replicas(reps, 2);
}

/* Evaluation shared by 3 replicas (400 samples: slices of 133 and 134)
 * after a short run equals lnn_evaluate on one. */
static void sharded_evaluation(const problem *p)
{
    replica reps[3];
    make_replicas(reps, 3, p, LNN_OPT_ADAM, 32);
    for (int k = 0; k < 3; k++)
        reps[k].evaluate = true;
    run_world(reps, 3);
    lnn_data d = as_data(p);
    lnn_metrics one;
    CHECK_STATUS(lnn_evaluate(reps[0].net, &d, &one, NULL), LNN_OK);
    for (int k = 0; k < 3; k++) {
        CHECK_STATUS(reps[k].eval_status, LNN_OK);
        CHECK(reps[k].eval.accuracy == one.accuracy);
        CHECK(reps[k].eval.rows == one.rows);
        CHECK_NEAR(reps[k].eval.loss, one.loss, EVAL_LOSS_RTOL * one.loss);
    }
    lnn_metrics zero;
    CHECK_STATUS(lnn_evaluate_sharded(reps[0].net, &d, NULL, &zero), LNN_OK);
    CHECK(zero.loss == one.loss && zero.accuracy == one.accuracy);
    free_replicas(reps, 3);
}

/* A comm with a rank outside its size, or a missing operation. */
static void bad_comm(const problem *p)
{
    lnn_net *net = make_net(dims, L_LAYERS, LNN_ACT_RELU, LNN_OPT_SGD, 32, 7);
    lnn_data d = as_data(p);
    lnn_train_opts o = options(LNN_OPT_SGD, 32);
    lnn_comm c = {.rank = 2, .size = 2, .sum_float = fake_sum_float,
                  .sum_double = fake_sum_double, .broadcast = fake_broadcast};
    o.comm = &c;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_ERR_ARG);
    c.rank = 0;
    c.broadcast = NULL;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_ERR_ARG);
    CHECK_STATUS(lnn_evaluate_sharded(net, &d, &c, NULL), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(net), "comm") != NULL);
    CHECK(lnn_strerror(LNN_ERR_COMM)[0] != '\0');
    lnn_net_destroy(net);
}

int main(void)
{
    /* one thread per replica: the replicas are the parallelism here */
    lnn_set_threads(1);
    problem p = blobs(11);
    const lnn_optimizer opts[] = {LNN_OPT_SGD, LNN_OPT_MOMENTUM, LNN_OPT_ADAM};
    for (size_t i = 0; i < 3; i++) {
        matches_one_process(&p, opts[i], 30); /* last batch 10: 2-3 each */
        matches_one_process(&p, opts[i], 3);  /* 4 replicas: one empty */
    }
    matches_one_process(&p, LNN_OPT_SGD, 0); /* the full batch */
    stop_stops_all(&p);
    nan_stops_all(&p);
    sharded_evaluation(&p);
    bad_comm(&p);
    problem_free(&p);
    return check_result("test_comm");
}
