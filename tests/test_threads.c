/* The host keeps its BLAS threads: lnn sets a pthreads OpenBLAS to one
 * thread only for the duration of its own calls and restores the caller's
 * count; creating a network, loading a model or asking lnn_blas_threads sets
 * nothing; lnn_set_threads is the one call that does (docs/threading.md,
 * "The default, and how to change it"). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "lnn_exercise.h"
#include "problems.h"

#define HOST_THREADS 2 /* what the embedding program set */

#ifdef OPENBLAS_VERSION
/* OpenBLAS's count seen inside lnn_L_layer_model (from its progress
 * callback): the most and the fewest. */
typedef struct seen {
    int most, fewest;
} seen;

static int record(const lnn_progress *p, void *ctx)
{
    (void)p;
    seen *s = ctx;
    const int k = openblas_get_num_threads();
    s->most = k > s->most ? k : s->most;
    s->fewest = k < s->fewest ? k : s->fewest;
    return 0;
}

/* After each of lnn's calls, OpenBLAS has the host's count again. */
#define CHECK_HOST(what)                                                      \
    do {                                                                      \
        printf("after %s: OpenBLAS on %d threads\n", what,                    \
               openblas_get_num_threads());                                   \
        CHECK(openblas_get_num_threads() == HOST_THREADS);                    \
    } while (0)

static void host_keeps_threads(void)
{
    openblas_set_num_threads(HOST_THREADS);
    CHECK_HOST("openblas_set_num_threads");
    const int reported = lnn_blas_threads();
    CHECK_HOST("lnn_blas_threads");
    problem b = blobs(1);
    const size_t dims[] = {BLOB_DIM, 64, BLOB_CLASSES};
    lnn_net *net = make_net(dims, 2, LNN_ACT_RELU, LNN_OPT_ADAM, BLOB_M, 1);
    CHECK_HOST("lnn_net_create");
    const lnn_data d = {.n_x = b.n_x, .n_y = b.n_y, .m = b.m, .X = b.X,
                        .Y = b.Y};
    seen s = {0, 1 << 30};
    lnn_train_opts o = lnn_train_opts_default();
    o.learning_rate = 0.01f;
    o.batch_size = 0;
    o.epochs = 3;
    o.progress = record;
    o.progress_ctx = &s;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_OK);
    CHECK_HOST("lnn_L_layer_model");
    /* Inside, lnn's arrangement: one thread per call where a team forms. */
    const int inside = lnn_omp_threads() > 1 ? 1 : HOST_THREADS;
    printf("inside lnn_L_layer_model: OpenBLAS on %d..%d threads; "
           "lnn_blas_threads said %d\n", s.fewest, s.most, reported);
    CHECK(s.most == inside && s.fewest == inside && reported == inside);
    lnn_metrics e;
    CHECK_STATUS(lnn_evaluate(net, &d, &e, NULL), LNN_OK);
    CHECK_HOST("lnn_evaluate");
    const float *HL;
    CHECK_STATUS(lnn_L_layer_forward(net, b.X, b.m, &HL), LNN_OK);
    CHECK_HOST("lnn_L_layer_forward");
    CHECK_STATUS(lnn_L_layer_backward(net, b.X, b.Y, b.m), LNN_OK);
    CHECK_HOST("lnn_L_layer_backward");
    int32_t *pred = malloc(b.m * sizeof *pred);
    if (pred)
        CHECK_STATUS(lnn_predict(net, b.X, b.m, pred), LNN_OK);
    CHECK_HOST("lnn_predict");
    free(pred);
    lnn_net_destroy(net);
    problem_free(&b);
    /* The one explicit call does set it. */
    CHECK_STATUS(lnn_set_threads(lnn_omp_threads()), LNN_OK);
    printf("after lnn_set_threads: OpenBLAS on %d threads\n",
           openblas_get_num_threads());
    CHECK(openblas_get_num_threads() == 1);
}
#endif

int main(void)
{
#ifdef OPENBLAS_VERSION
    if (openblas_get_parallel() == OPENBLAS_THREAD) {
        host_keeps_threads();
        return check_result("threads");
    }
#endif
    printf("SKIP: needs OpenBLAS's pthreads build (the one whose thread "
           "count lnn sets)\n");
    return CHECK_SKIP;
}
