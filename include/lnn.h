/*
 * lnn.h: the public API of lnn, an L-layer neural-network trainer: the
 * object API (the network's lifecycle, training, evaluation, prediction,
 * model files, data sets, threads).
 *
 * lnn is the numpy exercise "L-layered Neural Network" made into a C
 * library. The exercise's building blocks (sigmoid ... layer_backward,
 * compute_loss, L_layer_forward/backward, update_parameters), for callers
 * who assemble a training step themselves, are the second tier:
 * lnn_exercise.h, which includes this header and maps the exercise's
 * functions to lnn's.
 *
 * Storage is column-major, features x batch, exactly the exercise's shapes:
 * X is n_0 x m with one sample per contiguous column, W_l is n_l x n_{l-1},
 * b_l has n_l entries, H_l and dZ_l are n_l x m. For l = 1..L:
 *
 *     Z_l = W_l . H_{l-1} + b_l          H_l = f(Z_l)         H_L = g(Z_L)
 *     dZ_L = dLoss/dZ_L (P - Y for ce, bce)   dZ_l = dH_l (.) f'(Z_l)
 *     dW_l = (1/m) dZ_l . H_{l-1}^T       db_l = (1/m) sum over columns of dZ_l
 *     dH_{l-1} = W_l^T . dZ_l
 *
 * The output head (lnn_net_config.loss, LNN_LOSS_LIST) picks the output
 * activation g (softmax, sigmoid or identity) and the loss; the exercise's
 * is softmax + cross-entropy, the default.
 *
 * The exercise's "memory" (what a forward step keeps for the backward step) is
 * H_l, held in buffers the network owns: relu'(Z) = [H > 0] and
 * sigmoid'(Z) = H (1 - H), so Z itself is never stored.
 *
 * Argument order (both headers): a function on an object takes the object
 * first (lnn_net_*, lnn_L_layer_*, lnn_evaluate); a kernel on caller
 * buffers takes its output buffers first, then its inputs, then the sizes
 * n, n_prev, m (llm.c's order: lnn_relu(H, Z, n, m)); results that are
 * not buffers (a loss, an accuracy, a borrowed pointer, a new object)
 * come last, as out-parameters, followed only by an optional message
 * buffer (char *err, size_t errlen).
 *
 * Errors (both headers): every function that can fail returns an
 * lnn_status (LNN_OK == 0) and nothing else; results go through
 * out-parameters. A function given a network records a one-line message
 * about its failure there (lnn_net_errmsg); one that creates an object
 * or loads a file takes an optional err buffer for it; the kernels on
 * caller buffers, which have neither, return their code alone. The
 * library never prints, exits or aborts.
 *
 * Memory: lnn_net_create allocates everything the training loop touches, sized
 * for cfg->max_batch columns (the forward outputs and evaluation's buffers
 * for up to 512, the evaluation chunk, as far as 16 MiB allow). Forward,
 * backward, update and the training loop allocate nothing. Caller buffers
 * are borrowed for the duration of one call.
 *
 * Threads: lnn runs each forward and backward pass in one team of OpenMP
 * threads with BLAS on one thread per call; this is the default, set for
 * the duration of each call and restored after it (lnn_set_threads changes
 * the team's size). See docs/threading.md.
 *
 * Example:
 *
 *     size_t dims[] = {784, 256, 128, 10};
 *     lnn_net_config cfg = {.L = 3, .dims = dims, .hidden = LNN_ACT_RELU,
 *                           .max_batch = 128};
 *     lnn_net *net;
 *     char err[256];
 *     if (lnn_net_create(&net, &cfg, err, sizeof err) != LNN_OK) ...
 *     lnn_initialize_parameters(net, LNN_INIT_AUTO, 42);
 *     lnn_train_opts opts = lnn_train_opts_default();
 *     opts.batch_size = 128;
 *     opts.epochs = 5;
 *     lnn_data train = {.n_x = 784, .n_y = 10, .m = 50000, .X = X, .Y = Y};
 *     lnn_status s = lnn_L_layer_model(net, &train, &opts);
 *     if (s != LNN_OK) fprintf(stderr, "%s\n", lnn_net_errmsg(net));
 *     lnn_net_destroy(net);
 */
#ifndef LNN_H
#define LNN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(LNN_BUILDING) && defined(__GNUC__)
#  define LNN_API __attribute__((visibility("default")))
#else
#  define LNN_API
#endif

/* ------------------------------------------------------------------------ */
/* Status codes                                                             */
/* ------------------------------------------------------------------------ */

/* X(name, value, message): one list makes the enum and lnn_strerror. Values
 * are stable. */
#define LNN_STATUS_LIST(X)                                                    \
    X(LNN_OK,           0, "success")                                         \
    X(LNN_ERR_NOMEM,    1, "out of memory")                                   \
    X(LNN_ERR_ARG,      2, "invalid argument")                                \
    X(LNN_ERR_SHAPE,    3, "dimension mismatch")                              \
    X(LNN_ERR_OVERFLOW, 4, "size overflow")                                   \
    X(LNN_ERR_IO,       5, "I/O error")                                       \
    X(LNN_ERR_FORMAT,   6, "malformed model or data file")                    \
    X(LNN_ERR_DIVERGED, 7, "training diverged (loss is not finite)")          \
    X(LNN_ERR_STOPPED,  8, "stopped by the caller")                          \
    X(LNN_ERR_COMM,     9, "communication between processes failed")

typedef enum lnn_status {
#define LNN_STATUS_ENUM_(name, value, message) name = value,
    LNN_STATUS_LIST(LNN_STATUS_ENUM_)
#undef LNN_STATUS_ENUM_
} lnn_status;

/**
 * Describe a status code.
 * @return a static string; never NULL ("unknown status" for values outside
 *         the list).
 */
LNN_API const char *lnn_strerror(lnn_status s);

/** @return the library version, e.g. "0.1.0" (static string). */
LNN_API const char *lnn_version(void);

/* ------------------------------------------------------------------------ */
/* Threads                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * lnn's thread arrangement, its default: a team of OpenMP threads runs
 * each forward and backward pass, every thread calling BLAS on its own
 * share of the batch, and OpenBLAS runs each call on one thread. Its
 * OpenMP build does that inside a team by itself; its pthreads build is
 * set to 1 thread by each call that runs passes (the training loop,
 * evaluation, prediction, the exercise's forward and backward, the
 * one-layer passes), only while OpenMP has more than one thread, and its
 * own count is restored when the call returns: a program that shares
 * OpenBLAS with lnn (numpy in the same process) keeps its BLAS threads,
 * except inside lnn's calls (a progress callback runs inside one).
 * Nothing else sets a process-wide setting, not lnn_net_create and not a
 * query; lnn_set_threads does, when it is called. The team has OpenMP's
 * thread count (OMP_NUM_THREADS, or all cores). Results may differ from
 * one thread count to another in the last bits of float rounding; for one
 * count they are reproducible.
 */

/**
 * The one call that sets process-wide thread settings: n OpenMP threads
 * for the team (omp_set_num_threads), and OpenBLAS on one thread per call
 * (its pthreads build: 1 thread from now on, until someone sets it
 * otherwise; its OpenMP build: n, which it uses only outside a team).
 * @param n  threads, >= 1
 * @return LNN_OK, or LNN_ERR_ARG for n < 1
 */
LNN_API lnn_status lnn_set_threads(int n);

/** Threads used by the OpenMP kernels (1 in a build without OpenMP). */
LNN_API int lnn_omp_threads(void);

/** Threads OpenBLAS runs each call of lnn's passes on: 1 where lnn's calls
 *  set it so (a pthreads OpenBLAS, OpenMP with more than one thread), else
 *  OpenBLAS's own count (1 for a BLAS that cannot tell). A query: it sets
 *  nothing. */
LNN_API int lnn_blas_threads(void);

/**
 * Describe the BLAS in use, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY
 * Zen MAX_THREADS=64" (OpenBLAS's own build string), or "CBLAS"; in a
 * build whose products go to another library (-Dgemm=blis or libxsmm, for
 * measuring only), that library's name instead.
 * @return a static string; never NULL.
 */
LNN_API const char *lnn_blas_info(void);

/**
 * How the BLAS runs its threads: "pthreads", "openmp", "serial", or
 * "unknown" for a BLAS that cannot tell.
 * @return a static string; never NULL.
 */
LNN_API const char *lnn_blas_threading(void);

/* ------------------------------------------------------------------------ */
/* Enumerations                                                             */
/* ------------------------------------------------------------------------ */

/* Each enum below comes from one X-macro list, as the statuses do: the
 * list makes the enum, its names (lnn_*_name, lnn_*_from_name), its
 * validity checks, and the command line's choices and help. Values are
 * stable (they are stored in model files). */

/* X(value name, value, name, hidden, needs Z, init, ONNX form, PyTorch
 * module, f(z), f'(z)):
 *   hidden   1 if a hidden layer may use it; the output layer's comes from
 *            the loss (LNN_LOSS_LIST);
 *   needs Z  1 if f' needs the pre-activation Z (a training forward keeps
 *            Z for those layers alone), 0 if it follows from H = f(Z);
 *   init     the scheme LNN_INIT_AUTO gives the weights W_l of a layer with
 *            it (He for the ReLU family, Xavier for the rest);
 *   ONNX     the opset-13 nodes that compute it from z, in order, each on
 *            the previous one's output (".") or z, or a constant (lnn
 *            export: docs/model-format.md, "ONNX"); alpha=slope is the
 *            net's leaky slope;
 *   PyTorch  its torch.nn module (safetensors metadata, lnn import);
 *   passes   1 if its backward passes dH through as dZ (f' = 1, or, for
 *            softmax, the head's delta already is dZ): in place, nothing
 *            to do.
 * The kernels are activation.c's <name>_f and <name>_df; a = the leaky
 * slope, elu's alpha is 1. Values are stored in model files. */
#define LNN_ACTIVATION_LIST(X)                                                \
    X(LNN_ACT_RELU,       0, relu,       1, 0, LNN_INIT_HE,     "Relu",       \
      "ReLU",      "max(0, z)", "[z > 0]", 0)                                 \
    X(LNN_ACT_SIGMOID,    1, sigmoid,    1, 0, LNN_INIT_XAVIER, "Sigmoid",    \
      "Sigmoid",   "1 / (1 + e^-z)", "h (1 - h)", 0)                          \
    X(LNN_ACT_SOFTMAX,    2, softmax,    0, 0, LNN_INIT_XAVIER, "Softmax",    \
      "Softmax",   "e^z_i / sum_k e^z_k", "(the head's)", 1)                  \
    X(LNN_ACT_IDENTITY,   3, identity,   1, 0, LNN_INIT_XAVIER, "Identity",   \
      "Identity",  "z", "1", 1)                                               \
    X(LNN_ACT_LEAKY_RELU, 4, leaky_relu, 1, 0, LNN_INIT_HE,                   \
      "LeakyRelu(alpha=slope)", "LeakyReLU", "z > 0 ? z : a z",               \
      "z > 0 ? 1 : a", 0)                                                     \
    X(LNN_ACT_ELU,        5, elu,        1, 0, LNN_INIT_HE, "Elu(alpha=1)",   \
      "ELU",       "z > 0 ? z : e^z - 1", "z > 0 ? 1 : h + 1", 0)             \
    X(LNN_ACT_GELU,       6, gelu,       1, 1, LNN_INIT_HE,                   \
      "Mul(z,0.70710678) Erf Add(.,1) Mul(.,z) Mul(.,0.5)", "GELU",           \
      "z Phi(z)", "Phi(z) + z phi(z)", 0)                                     \
    X(LNN_ACT_SILU,       7, silu,       1, 1, LNN_INIT_HE, "Sigmoid Mul(.,z)",\
      "SiLU",      "z sigmoid(z)", "s (1 + z (1 - s))", 0)                    \
    X(LNN_ACT_TANH,       8, tanh,       1, 0, LNN_INIT_XAVIER, "Tanh",       \
      "Tanh",      "tanh(z)", "1 - h^2", 0)

/* leaky_relu's slope for z < 0 unless set (lnn_net_config.leaky_slope). */
#define LNN_LEAKY_SLOPE_DEFAULT 0.01f

typedef enum lnn_activation {
#define LNN_ENUM_(name, value, ...) name = value,
    LNN_ACTIVATION_LIST(LNN_ENUM_)
} lnn_activation;

/** @return the activation's name in LNN_ACTIVATION_LIST ("relu", ...), or
 *  "unknown"; never NULL. */
LNN_API const char *lnn_activation_name(lnn_activation f);

/**
 * The activation called `name` (as lnn_activation_name writes it).
 * @return LNN_OK, LNN_ERR_ARG (NULL, or no such name)
 */
LNN_API lnn_status lnn_activation_from_name(const char *name,
                                            lnn_activation *out);

/* What a loss compares the network's n_L outputs with, per sample.
 * X(value name, value, name, note). */
#define LNN_TARGET_LIST(X)                                                    \
    X(LNN_TARGET_CLASSES, 0, classes, "one class index in [0, n_L)")          \
    X(LNN_TARGET_BINARY,  1, labels,  "n_L labels, each 0 or 1")              \
    X(LNN_TARGET_VALUES,  2, values,  "n_L real values")

typedef enum lnn_target {
    LNN_TARGET_LIST(LNN_ENUM_)
} lnn_target;

/* What an evaluation measures (lnn_metrics), and which way is better.
 * X(value name, value, name, higher): higher = 1 if larger is better. */
#define LNN_METRIC_LIST(X)                                                    \
    X(LNN_METRIC_LOSS,     0, loss,     0)                                    \
    X(LNN_METRIC_ACCURACY, 1, accuracy, 1)                                    \
    X(LNN_METRIC_RMSE,     2, rmse,     0)                                    \
    X(LNN_METRIC_MAE,      3, mae,      0)                                    \
    X(LNN_METRIC_R2,       4, r2,       1)

typedef enum lnn_metric {
    LNN_METRIC_LIST(LNN_ENUM_)
} lnn_metric;

/* The output head: a loss, the output activation it goes through, the
 * kind of target it needs and the metric that judges it (the default of
 * early stopping's monitor). The loss of a sample is PyTorch's default
 * ("mean" reduction) for one sample: ce -log p_y; the others the mean over
 * the n_L outputs of bce -(y log p + (1-y) log(1-p)), mse (p-y)^2, mae
 * |p-y|, huber (p-y)^2/2 if |p-y| <= delta else delta (|p-y| - delta/2).
 * The loss of a batch is the mean over its samples. Every head's dZ_L is
 * the loss's gradient with respect to Z_L (P - Y for ce and bce, the
 * output activation's Jacobian folded in).
 * X(value name, value, name, output activation, target, metric, note).
 * Adding one is a row here, its cases in src/loss.c (delta, loss sum) and
 * a test (tests/test_loss.c). */
#define LNN_LOSS_LIST(X)                                                      \
    X(LNN_LOSS_CE,    0, ce,    LNN_ACT_SOFTMAX,  LNN_TARGET_CLASSES,         \
      LNN_METRIC_ACCURACY, "softmax + cross-entropy")                         \
    X(LNN_LOSS_BCE,   1, bce,   LNN_ACT_SIGMOID,  LNN_TARGET_BINARY,          \
      LNN_METRIC_ACCURACY, "sigmoid + binary cross-entropy")                  \
    X(LNN_LOSS_MSE,   2, mse,   LNN_ACT_IDENTITY, LNN_TARGET_VALUES,          \
      LNN_METRIC_RMSE, "mean squared error")                                  \
    X(LNN_LOSS_MAE,   3, mae,   LNN_ACT_IDENTITY, LNN_TARGET_VALUES,          \
      LNN_METRIC_MAE, "mean absolute error (L1)")                             \
    X(LNN_LOSS_HUBER, 4, huber, LNN_ACT_IDENTITY, LNN_TARGET_VALUES,          \
      LNN_METRIC_RMSE, "Huber, quadratic within huber_delta")

typedef enum lnn_loss {
    LNN_LOSS_LIST(LNN_ENUM_)
} lnn_loss;

/** @return the list's names ("ce", "classes", "accuracy", ...), or
 *  "unknown"; never NULL. */
LNN_API const char *lnn_loss_name(lnn_loss loss);
LNN_API const char *lnn_target_name(lnn_target target);
LNN_API const char *lnn_metric_name(lnn_metric metric);
/** The entry called `name`. @return LNN_OK, LNN_ERR_ARG */
LNN_API lnn_status lnn_loss_from_name(const char *name, lnn_loss *out);
LNN_API lnn_status lnn_metric_from_name(const char *name, lnn_metric *out);
LNN_API lnn_status lnn_target_from_name(const char *name, lnn_target *out);
/** The loss's row: its output activation, target kind and metric. */
LNN_API lnn_activation lnn_loss_output(lnn_loss loss);
LNN_API lnn_target lnn_loss_target(lnn_loss loss);
LNN_API lnn_metric lnn_loss_metric(lnn_loss loss);
/** 1 if a larger value of the metric is better, else 0. */
LNN_API int lnn_metric_higher_is_better(lnn_metric metric);

/**
 * What an evaluation measured (lnn_evaluate). Metrics that do not apply
 * to the head are NaN.
 */
typedef struct lnn_metrics {
    size_t rows;          /* samples scored */
    double loss;          /* mean loss per sample (the training loss) */
    double accuracy;      /* classes: fraction whose argmax is the class;
                             binary: fraction with every one of the n_L
                             labels right (p >= 0.5 is 1: subset accuracy) */
    double hamming_loss;  /* binary: fraction of the n_L x rows labels
                             wrong */
    double rmse, mae, r2; /* values: means over the n_L targets, in the
                             targets' own units (the model's target
                             scaling, lnn_prep, undone) */
} lnn_metrics;

/** The value of one metric of m (NaN if it does not apply). */
LNN_API double lnn_metrics_get(const lnn_metrics *m, lnn_metric metric);



/* ------------------------------------------------------------------------ */
/* Accuracy                                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Fraction of columns whose predicted class is the argmax of Y's column.
 * @param pred  in, m class indices (from lnn_predict)
 * @param Y     in, n x m targets (one-hot columns)
 * @param acc   out, in [0, 1]
 * @return LNN_OK, LNN_ERR_ARG for NULL pointers or n == 0 or m == 0
 */
LNN_API lnn_status lnn_accuracy(const int32_t *pred, const float *Y,
                                size_t n, size_t m, double *acc);

/* ------------------------------------------------------------------------ */
/* The network                                                              */
/* ------------------------------------------------------------------------ */

typedef struct lnn_net lnn_net;

/* Which optimizer options of lnn_train_opts an optimizer reads (the
 * `uses` column below): only those are checked. weight_decay is read by
 * all. */
#define LNN_USES_MOMENTUM 1u /* momentum */
#define LNN_USES_ADAM     2u /* beta1, beta2, eps */

/* Parameter update rules (lnn_optim_step gives each one's formula).
 * X(value name, value, name, slots, uses, note, lr): slots = blocks of
 * n_params floats of state the network allocates for it, once, at
 * creation; note = what the command line's help says of it; lr = the
 * command line's default learning rate for it (the best of those tried on
 * 3 epochs of MNIST at lnn train's defaults: README, "Optimizers"). Adding
 * one is a line here, its update kernel in src/optim.c (named <name>_run),
 * and its documentation. */
#define LNN_OPTIMIZER_LIST(X)                                                 \
    X(LNN_OPT_SGD,      0, sgd,      0, 0, "the exercise's", 0.4f)            \
    X(LNN_OPT_MOMENTUM, 1, momentum, 1, LNN_USES_MOMENTUM, "", 0.1f)          \
    X(LNN_OPT_NESTEROV, 2, nesterov, 1, LNN_USES_MOMENTUM, "", 0.1f)          \
    X(LNN_OPT_ADAM,     3, adam,     2, LNN_USES_ADAM, "AdamW", 3e-3f)

typedef enum lnn_optimizer {
    LNN_OPTIMIZER_LIST(LNN_ENUM_)
} lnn_optimizer;

/** @return "sgd", "momentum", "nesterov", "adam", or "unknown". */
LNN_API const char *lnn_optimizer_name(lnn_optimizer opt);

/** The optimizer called `name`. @return LNN_OK, LNN_ERR_ARG */
LNN_API lnn_status lnn_optimizer_from_name(const char *name,
                                           lnn_optimizer *out);

typedef struct lnn_net_config {
    size_t L;              /* layers with weights, >= 1 */
    const size_t *dims;    /* L + 1 sizes n_0 (inputs) .. n_L (outputs:
                              classes, labels or targets) */
    lnn_activation hidden; /* every hidden layer's (the list's hidden) */
    const lnn_activation *hidden_each; /* L - 1 activations, one per hidden
                              layer 1 .. L-1 (borrowed), or NULL: all
                              `hidden` */
    float leaky_slope;     /* leaky_relu's slope for z < 0, in [0, 1);
                              0 means LNN_LEAKY_SLOPE_DEFAULT */
    size_t max_batch;      /* the largest m any call will pass, >= 1 */
    lnn_optimizer optimizer; /* LNN_OPT_SGD (0) unless set */
    lnn_loss loss;         /* the output head, LNN_LOSS_CE (0) unless set */
    float huber_delta;     /* huber: > 0; 0 means 1 */
} lnn_net_config;

/** A view of layer l's buffers (pointers into the network, borrowed). */
typedef struct lnn_layer {
    size_t n, n_prev;
    float *W;        /* n x n_prev, column-major */
    float *b;        /* n */
    float *dW;       /* n x n_prev, gradient of the last backward */
    float *db;       /* n */
    const float *H;  /* n x m, output of the last forward */
    const float *dZ; /* n x m, of the last backward */
} lnn_layer;

/**
 * Create a network and allocate everything forward, backward and training
 * use: parameters, gradients, per-layer H and dZ, and a batch buffer, for up
 * to cfg->max_batch columns (H and the evaluation buffers for
 * the evaluation chunk: 512 columns, fewer where they would take more than
 * 16 MiB, never fewer than cfg->max_batch). Parameters start at zero: call
 * lnn_initialize_parameters (or load a model) before training.
 * @param out  out, the new network; NULL on failure
 * @param cfg  in, borrowed
 * @param err  optional buffer for a one-line message on failure (may be NULL)
 * @return LNN_OK, LNN_ERR_ARG (NULL, L < 1, a zero size, a bad activation),
 *         LNN_ERR_OVERFLOW (sizes whose products overflow), LNN_ERR_NOMEM
 */
LNN_API lnn_status lnn_net_create(lnn_net **out, const lnn_net_config *cfg,
                                  char *err, size_t errlen);

/** Free a network and all its buffers. NULL is a no-op. */
LNN_API void lnn_net_destroy(lnn_net *net);

/** The message of the network's last failure ("" if none); never NULL. */
LNN_API const char *lnn_net_errmsg(const lnn_net *net);

LNN_API size_t lnn_net_L(const lnn_net *net);
/** @return L + 1 layer sizes (borrowed). */
LNN_API const size_t *lnn_net_dims(const lnn_net *net);
/** The header's single hidden activation: the config's `hidden` (layer
 *  l's own is lnn_net_activation). */
LNN_API lnn_activation lnn_net_hidden(const lnn_net *net);
/** Layer l's activation, 1 <= l <= L (L: the loss's output activation);
 *  LNN_ACT_IDENTITY for l out of range. */
LNN_API lnn_activation lnn_net_activation(const lnn_net *net, size_t l);
/** leaky_relu's slope (LNN_LEAKY_SLOPE_DEFAULT unless the config set it). */
LNN_API float lnn_net_leaky_slope(const lnn_net *net);
LNN_API lnn_optimizer lnn_net_optimizer(const lnn_net *net);
LNN_API lnn_loss lnn_net_loss(const lnn_net *net);
LNN_API float lnn_net_huber_delta(const lnn_net *net);
/**
 * Weight each class's samples in training (the loss and its gradient of a
 * sample of class c times w[c], times its lnn_data.weights): a classes
 * head only (ce). Kept in the model file; evaluation ignores them.
 * @param w  n_L weights, each finite and > 0, copied; NULL: none (all 1)
 * @return LNN_OK, LNN_ERR_ARG (a weight out of range, not a classes head),
 *         LNN_ERR_NOMEM
 */
LNN_API lnn_status lnn_net_set_class_weights(lnn_net *net, const float *w);
/** The class weights (n_L, borrowed), or NULL for none. */
LNN_API const float *lnn_net_class_weights(const lnn_net *net);
/**
 * Inverted dropout in training: a training pass drops each unit of hidden
 * layer l with probability p[l - 1] and scales the kept ones by
 * 1 / (1 - p); evaluation and prediction never drop. The masks come from a
 * counter-based stream keyed on (lnn_train_opts.seed, the update, l, the
 * sample's place in the batch of all processes, the unit), so a resumed
 * run, any thread count and lnn-mpi draw the same. Kept in the model file.
 * @param p  L - 1 rates, each in [0, 1) (0: none), copied; NULL: none
 * @return LNN_OK, LNN_ERR_ARG (a rate out of range), LNN_ERR_NOMEM
 */
LNN_API lnn_status lnn_net_set_dropout(lnn_net *net, const float *p);
/** Hidden layer l's dropout rate (0 for none, and for other l). */
LNN_API float lnn_net_dropout(const lnn_net *net, size_t l);
LNN_API size_t lnn_net_max_batch(const lnn_net *net);
/** Number of floats in the flat parameter block. */
LNN_API size_t lnn_net_n_params(const lnn_net *net);
/** The flat parameter block: W_1, b_1, W_2, b_2, ... (borrowed). */
LNN_API float *lnn_net_params(lnn_net *net);
/** The flat gradient block, same layout as the parameters (borrowed). */
LNN_API float *lnn_net_grads(lnn_net *net);

/**
 * Get views of layer l's buffers, 1 <= l <= L.
 * @return LNN_OK, LNN_ERR_ARG for NULL or l out of range
 */
LNN_API lnn_status lnn_net_layer(lnn_net *net, size_t l, lnn_layer *out);

/* Initialisation schemes for lnn_initialize_parameters (b = 0 in all; the
 * exercise's draws W ~ 0.1 N(0, 1)).
 * X(value name, value, name, old name or NULL, note): the old name is
 * still accepted by lnn_init_from_name. ("seed" is now only the random
 * seed; the exercise's scheme is called "exercise".) */
#define LNN_INIT_LIST(X)                                                      \
    X(LNN_INIT_AUTO,   0, auto,   NULL, "each activation's: he or xavier")  \
    X(LNN_INIT_HE,     1, he,     NULL, "") /* W ~ N(0, 2 / n_prev) */        \
    X(LNN_INIT_XAVIER, 2, xavier, NULL, "") /* W ~ N(0, 2 / (n_prev + n)) */  \
    X(LNN_INIT_EXERCISE, 3, exercise, "seed", "the exercise's 0.1 N(0,1)")

typedef enum lnn_init {
    LNN_INIT_LIST(LNN_ENUM_)
} lnn_init;

/* The exercise's scheme under its old name. */
#define LNN_INIT_SEED LNN_INIT_EXERCISE

/** @return "auto", "he", "xavier", "exercise", or "unknown"; never NULL. */
LNN_API const char *lnn_init_name(lnn_init scheme);

/** The scheme called `name` (or by its old name). @return LNN_OK,
 *  LNN_ERR_ARG */
LNN_API lnn_status lnn_init_from_name(const char *name, lnn_init *out);

/** What LNN_INIT_AUTO gives this network: one scheme for every layer (the
 *  list's init of the activation each layer's weights feed), or
 *  LNN_INIT_AUTO itself where the layers' schemes differ. */
LNN_API lnn_init lnn_net_auto_init(const lnn_net *net);
/**
 * Initialise every W and b. Deterministic: the same seed gives the same
 * numbers on every machine and thread count (lnn's own PRNG, not rand()).
 * @return LNN_OK, LNN_ERR_ARG for NULL or an unknown scheme
 */
LNN_API lnn_status lnn_initialize_parameters(lnn_net *net, lnn_init scheme,
                                             uint64_t seed);


/**
 * Predicted class of each column: argmax of H_L. Runs the forward pass in
 * chunks of the evaluation chunk (lnn_net_create), so m may be any size.
 * @param X     in, n_0 x m
 * @param pred  out, m class indices in [0, n_L)
 * @return LNN_OK, LNN_ERR_ARG (NULL, m == 0)
 */
LNN_API lnn_status lnn_predict(lnn_net *net, const float *X, size_t m,
                               int32_t *pred);

/* ------------------------------------------------------------------------ */
/* Training                                                                 */
/* ------------------------------------------------------------------------ */

/**
 * A labelled data set, borrowed: inputs either as floats (X) or as bytes
 * (X_u8, scaled by 1/255 as they are gathered into a batch), exactly one of
 * the two non-NULL. Targets as the head needs them (lnn_loss_target):
 * classes as m class indices (labels) or one-hot columns (Y); binary
 * labels and values as Y. Give labels or Y, not both.
 */
typedef struct lnn_data {
    size_t n_x;           /* rows of X: must equal n_0 */
    size_t n_y;           /* rows of Y (or the classes of labels): must
                             equal n_L */
    size_t m;             /* samples (columns) */
    const float *X;       /* n_x x m, column-major, or NULL */
    const uint8_t *X_u8;  /* n_x x m bytes, or NULL */
    const float *Y;       /* n_y x m targets, or NULL */
    const int32_t *labels;/* m class indices in [0, n_y), or NULL */
    const float *weights; /* m per-sample weights (finite, >= 0), or NULL
                             (each 1): training scales each sample's loss
                             and gradient by its weight; evaluation
                             ignores them */
} lnn_data;

typedef enum lnn_event {
    LNN_EVENT_STEP = 0, /* after every parameter update */
    LNN_EVENT_EPOCH = 1 /* after the last update of an epoch */
} lnn_event;

/** What a progress callback is told. */
typedef struct lnn_progress {
    lnn_event event;
    uint64_t epoch;     /* epochs completed (EPOCH) or in progress (STEP) */
    uint64_t iteration; /* parameter updates done in total */
    size_t samples;     /* samples done in this epoch */
    size_t samples_per_epoch;
    double loss;        /* this batch's loss (STEP), the epoch's mean (EPOCH) */
    float lr;           /* the learning rate of this step */
    size_t cols;        /* samples in this step's batch (lnn_batch_plan) */
    /* EPOCH with lnn_train_opts.val, at a validation only: */
    const lnn_metrics *val; /* the validation data's metrics, else NULL */
    int improved;       /* 1 if val's monitored metric is the best yet */
    uint64_t best_epoch;/* the epoch of the best one so far */
    uint64_t stale;     /* validations since it (early stopping's count) */
} lnn_progress;

/**
 * Progress callback, called on the training thread. Return 0 to go on,
 * nonzero to stop: lnn_L_layer_model then returns LNN_ERR_STOPPED with the
 * network in a consistent state (the last update complete).
 */
typedef int (*lnn_progress_fn)(const lnn_progress *p, void *ctx);

/**
 * Learning-rate schedules. The rate of update t (t = 0 for the first) is
 * learning_rate x warm(t) x sched(t): a linear warm-up
 * warm(t) = min(1, (t + 1) / lr_warmup) (1 without warm-up), and sched(t):
 *   constant: 1
 *   step:     lr_gamma^floor(epoch / lr_step_epochs),
 *             epoch = floor(t / steps_per_epoch)
 *   cosine:   f + (1 - f) (1 + cos(pi p)) / 2, f = lr_min_frac,
 *             p = (t - lr_warmup) / (total - lr_warmup) in [0, 1]: from 1
 *             after the warm-up down to f at the end of the run
 *   plateau:  s, the network's plateau scale (lnn_net_lr_scale): 1 at the
 *             start; after lr_patience judged reports without an
 *             improvement of the monitored value (the validation data's
 *             monitored metric by min_delta; without validation data, the
 *             epoch's mean training loss), s = max(s lr_gamma, lr_min_frac).
 *             lnn_lr_at, which has no network, gives it as 1
 * X(value name, value, name, note).
 */
#define LNN_LR_SCHEDULE_LIST(X)                                               \
    X(LNN_LR_CONSTANT, 0, constant, "")                                       \
    X(LNN_LR_STEP,     1, step,     "")                                       \
    X(LNN_LR_COSINE,   2, cosine,   "")                                       \
    X(LNN_LR_PLATEAU,  3, plateau,  "")

typedef enum lnn_lr_schedule {
    LNN_LR_SCHEDULE_LIST(LNN_ENUM_)
} lnn_lr_schedule;
#undef LNN_ENUM_

/** @return "constant", "step", "cosine", or "unknown"; never NULL. */
LNN_API const char *lnn_lr_schedule_name(lnn_lr_schedule schedule);

/** The schedule called `name`. @return LNN_OK, LNN_ERR_ARG */
LNN_API lnn_status lnn_lr_schedule_from_name(const char *name,
                                             lnn_lr_schedule *out);

/**
 * How the processes of a data-parallel run talk (lnn_train_opts.comm):
 * a few collective operations, supplied by the caller (lnn-mpi's are
 * MPI_Allreduce and MPI_Bcast), so that the library itself depends on no
 * communication library. Every process of the run calls each operation in
 * the same order with the same sizes; each returns 0 on success, nonzero
 * on failure (lnn then returns LNN_ERR_COMM).
 *
 * Training with one: every process holds the whole network and the whole
 * training set, and takes its share of each batch: of the m columns of a
 * batch, rank r takes the contiguous columns [r m / size, (r + 1) m / size)
 * of the same seeded order (possibly none). Its gradients, scaled by the
 * batch's 1/m, are summed over the processes before each update, so the
 * update is the one a single process makes from the whole batch, up to
 * float rounding; with size 1 it is the same to the bit.
 */
typedef struct lnn_comm {
    int rank; /* this process, 0 .. size - 1 */
    int size; /* processes in the run, >= 1 */
    /* x[0 .. n) = the sum of every process's x[0 .. n), on every process */
    int (*sum_float)(float *x, size_t n, void *ctx);
    int (*sum_double)(double *x, size_t n, void *ctx);
    /* buf[0 .. bytes) = rank 0's buf[0 .. bytes), on every process */
    int (*broadcast)(void *buf, size_t bytes, void *ctx);
    void *ctx; /* passed to each operation */
} lnn_comm;

typedef struct lnn_train_opts {
    float learning_rate;     /* > 0 and finite: the peak rate */
    size_t batch_size;       /* samples per update; 0 = the full batch */
    uint64_t epochs;         /* train until this many epochs are complete */
    uint64_t num_iterations; /* 0, or stop after this many updates in all */
    uint64_t seed;           /* seeds the per-epoch shuffle */
    /* The optimizer's hyper-parameters (the rule is the network's,
     * lnn_net_config.optimizer; see lnn_optim_step). Each is checked only
     * if that optimizer uses it. */
    float momentum;          /* momentum, nesterov: mu in [0, 1) */
    float beta1;             /* adam: first-moment decay in [0, 1) */
    float beta2;             /* adam: second-moment decay in [0, 1) */
    float eps;               /* adam: > 0, added to sqrt(second moment) */
    float weight_decay;      /* >= 0; weights only, never biases. L2 (added
                                to dW) for sgd, momentum, nesterov;
                                decoupled (W -= lr weight_decay W) for adam.
                                Not part of the reported loss. */
    /* The learning-rate schedule (lnn_lr_schedule, lnn_lr_at); each lr_
     * option is checked only if the schedule uses it. */
    lnn_lr_schedule lr_schedule;
    uint64_t lr_warmup;      /* updates of linear warm-up, 0 = none */
    uint64_t lr_step_epochs; /* step: epochs between decays, >= 1 */
    float lr_gamma;          /* step, plateau: factor per decay, in (0, 1] */
    float lr_min_frac;       /* cosine: final rate / learning_rate; plateau:
                                the lowest; in [0, 1] */
    uint64_t lr_patience;    /* plateau: judged reports without improvement
                                before a decay, >= 1 */
    lnn_progress_fn progress;/* may be NULL */
    void *progress_ctx;
    const lnn_comm *comm;    /* NULL: one process. Otherwise a data-parallel
                                run (lnn_comm); borrowed, not stored in
                                model files */
    /* Validation and early stopping: with val, the library evaluates it
     * after every epoch (lnn_progress.val) and follows `monitor`. */
    const lnn_data *val;     /* NULL: none; borrowed */
    uint64_t val_every;      /* validate after every val_every-th epoch and
                                the last (0 means 1); patience counts
                                these validations */
    int monitor_default;     /* 1: monitor the loss's metric
                                (lnn_loss_metric), ignoring monitor */
    lnn_metric monitor;      /* the metric judged (when not default) */
    double min_delta;        /* >= 0: an improvement must beat the best by
                                more than this */
    uint64_t patience;       /* 0: none; else stop (LNN_OK) after this many
                                validations without an improvement */
    int restore_best;        /* 1: at the end, the network goes back to the
                                best epoch: parameters, optimizer state and
                                training position (a complete checkpoint) */
    /* Regularisation (stored in model files, so that --resume keeps it;
     * evaluation ignores it). The network's class weights
     * (lnn_net_set_class_weights) scale each sample's loss and gradient,
     * times its lnn_data.weights. */
    float clip_norm;         /* 0: none; else > 0: the batch's whole
                                gradient (dW, db of every layer, summed over
                                the processes of a data-parallel run) is
                                scaled to this L2 norm when it is larger */
    float label_smoothing;   /* ce only, in [0, 1): the target of a sample
                                of class y is (1 - e) one-hot(y) + e / n_L */
} lnn_train_opts;

/** Defaults: learning_rate 0.1, batch_size 128, epochs 10, no iteration
 *  limit, seed 1, no callback, one process (comm NULL), no validation data
 *  (monitor: the loss's metric, min_delta 0, no patience, no restore);
 *  momentum 0.9,
 *  beta1 0.9, beta2 0.999, eps 1e-8, weight_decay 0; a constant rate without warm-up (step decay,
 *  if chosen: x 0.1 every 5 epochs; cosine, if chosen: down to 0). With the
 *  default optimizer (sgd) that is the exercise's plain gradient descent. */
LNN_API lnn_train_opts lnn_train_opts_default(void);

/** How lnn_L_layer_model cuts a data set into updates. */
typedef struct lnn_plan {
    size_t samples;           /* samples per epoch: the data set's m */
    size_t batch;             /* samples per update: batch_size, or m for
                                 the full batch (batch_size 0 or >= m); the
                                 last update of an epoch may take fewer */
    uint64_t steps_per_epoch; /* updates per epoch: ceil(m / batch) */
    uint64_t total;           /* updates in the run, which the cosine
                                 schedule spans: epochs x steps_per_epoch
                                 (UINT64_MAX if that overflows), or
                                 num_iterations if nonzero and fewer */
} lnn_plan;

/**
 * The batch plan lnn_L_layer_model uses for a data set of m samples: the
 * one place it is computed, for callers that show or schedule by it.
 * @param opts  batch_size, epochs, num_iterations
 * @param plan  out
 * @return LNN_OK, LNN_ERR_ARG (NULL, m == 0)
 */
LNN_API lnn_status lnn_batch_plan(const lnn_train_opts *opts, size_t m,
                                  lnn_plan *plan);

/**
 * The learning rate of one update under opts' schedule (lnn_lr_schedule):
 * what lnn_L_layer_model uses for each update and reports in
 * lnn_progress.lr.
 * @param opts             learning_rate, lr_schedule and the lr_ options
 *                         that schedule uses
 * @param iteration        updates done before this one (0 for the first)
 * @param steps_per_epoch  updates per epoch, >= 1 (step decay counts
 *                         epochs with it)
 * @param total            updates in the whole run, >= 1 (cosine reaches
 *                         its minimum at iteration == total, and stays there)
 * @param lr               out, the rate
 * @return LNN_OK, LNN_ERR_ARG (NULL, a count of 0, an unknown schedule or
 *         an option out of range; lnn_L_layer_model says which, in its
 *         message)
 */
LNN_API lnn_status lnn_lr_at(const lnn_train_opts *opts, uint64_t iteration,
                             uint64_t steps_per_epoch, uint64_t total,
                             float *lr);

/**
 * One update by the network's optimizer (lnn_net_config.optimizer) from the
 * gradients of the last lnn_L_layer_backward. With g = dW + weight_decay W
 * for sgd, momentum and nesterov (g = dW for biases, and for adam):
 *   sgd:       W -= lr g
 *   momentum:  v = momentum v + g;  W -= lr v
 *   nesterov:  v = momentum v + g;  W -= lr (g + momentum v)
 *   adam:      mom1 = beta1 mom1 + (1 - beta1) g,
 *              mom2 = beta2 mom2 + (1 - beta2) g^2,   t = steps taken,
 *              W -= lr (mom1 / (1 - beta1^t)) / (sqrt(mom2 / (1 - beta2^t))
 *                   + eps) + lr weight_decay W        (biases: no decay)
 * v, mom1 and mom2 (Adam's moments) start at 0 and live in the network, as
 * does the step count t, both reset by lnn_initialize_parameters.
 * @param opts  momentum, beta1, beta2, eps, weight_decay (as the optimizer
 *              uses them); the other fields are not read
 * @param lr    the rate of this update, finite and > 0 (see lnn_lr_at)
 * @return LNN_OK, LNN_ERR_ARG (NULL, lr, or an option out of range; the
 *         message names it)
 */
LNN_API lnn_status lnn_optim_step(lnn_net *net, const lnn_train_opts *opts,
                                  float lr);

/** Where training stands: what a resumed run continues from. */
typedef struct lnn_train_state {
    uint64_t epoch;     /* epochs completed */
    uint64_t step;      /* updates done within the current epoch */
    uint64_t iteration; /* updates done in total */
} lnn_train_state;

/** The network's training position (zero for a new network). */
LNN_API lnn_train_state lnn_net_train_state(const lnn_net *net);
/** Set the training position (for a loaded model). */
LNN_API lnn_status lnn_net_set_train_state(lnn_net *net, lnn_train_state st);
/** The plateau schedule's factor on the learning rate now (1 for a new
 *  network; kept in the model file, so a resumed run continues it). */
LNN_API float lnn_net_lr_scale(const lnn_net *net);

/**
 * Train: the exercise's L_layer_model. Each update runs lnn_L_layer_forward,
 * lnn_compute_loss, lnn_L_layer_backward and lnn_optim_step (with the
 * default sgd optimizer and no weight decay, lnn_update_parameters) at the
 * rate lnn_lr_at gives. The batch plan (lnn_batch_plan) cuts an epoch
 * into ceil(m / batch) updates; the run, which the schedule spans, is
 * epochs of them, or num_iterations updates if that is nonzero and
 * fewer: a resumed run that is given the same epochs and num_iterations
 * continues the same schedule.
 * - batch_size 0 (or >= m): full-batch gradient descent, the exercise's
 *   loop; one update is one epoch.
 * - otherwise mini-batch SGD: every epoch visits the samples in a fresh
 *   order drawn from (seed, epoch), so training is reproducible and a
 *   resumed run continues exactly where it stopped.
 * Training continues from lnn_net_train_state(net) until `epochs` epochs are
 * complete or `num_iterations` updates are done. Parameters must already be
 * initialised (lnn_initialize_parameters) or loaded.
 * @return LNN_OK; LNN_ERR_ARG / LNN_ERR_SHAPE for bad options or data;
 *         LNN_ERR_DIVERGED when a loss is not finite (the update that would
 *         have used it is not applied); LNN_ERR_STOPPED when the callback
 *         asked to stop; LNN_ERR_COMM when opts->comm failed.
 * With opts->comm (lnn_comm), every process of the run calls this with the
 * same data and options. Rank 0's parameters, optimizer state and training
 * position are first copied to all; the progress callback is called on
 * every process with the same lnn_progress (the whole batch's loss and
 * columns); a non-finite loss on any process, or a callback asking to stop
 * on any process, stops all of them after the same update.
 */
LNN_API lnn_status lnn_L_layer_model(lnn_net *net, const lnn_data *train,
                                     const lnn_train_opts *opts);

/**
 * The head's metrics over a whole data set (lnn_metrics), in chunks of up
 * to 512 columns (lnn_net_create; the GEMMs run nearer their peak on wider
 * chunks).
 * @param out   out (may be NULL)
 * @param pred  out (may be NULL): m predicted classes (classes heads only;
 *              LNN_ERR_ARG for others)
 * @return LNN_OK, LNN_ERR_ARG, LNN_ERR_SHAPE
 */
LNN_API lnn_status lnn_evaluate(lnn_net *net, const lnn_data *data,
                                lnn_metrics *out, int32_t *pred);

/**
 * lnn_evaluate shared by the processes of a data-parallel run: each process
 * evaluates its contiguous 1/size of the samples, and the metrics' sums
 * are summed over the processes (collective: every process calls it).
 * Counts (accuracy) are exactly lnn_evaluate's; the others equal it up to
 * the rounding of the sum's order.
 * @param comm  as lnn_train_opts.comm; NULL is lnn_evaluate
 * @param out   out (may be NULL), on every process
 * @return as lnn_evaluate; LNN_ERR_COMM, LNN_ERR_ARG for a bad comm
 */
LNN_API lnn_status lnn_evaluate_sharded(lnn_net *net, const lnn_data *data,
                                        const lnn_comm *comm,
                                        lnn_metrics *out);


/* ------------------------------------------------------------------------ */
/* Data: IDX files (MNIST, Fashion-MNIST, KMNIST, EMNIST)                   */
/* ------------------------------------------------------------------------ */

/** Images and labels loaded from an IDX pair, kept as bytes. */
/**
 * What identifies a data set: eval's "is this the training file?", a
 * resumed run's "is this the model's data?", lnn-mpi's "do all processes
 * hold the same data?". For a table: its file's size, its rows, and a
 * digest of its rows in file order (each row's features as stored, then
 * its label's text), so that a shuffled, edited or extended copy is other
 * data. For IDX: the images' header (count, rows, columns) and a digest of
 * the training images' pixels and labels in order, so that MNIST and
 * Fashion-MNIST (60000 images of 28 x 28 each) differ, and a name for
 * people. The digest is 64-bit FNV-1a over 8-byte words, finished with
 * MurmurHash3's fmix64. All zero: unknown. Two ids are the same data when
 * size, rows and digest agree (the name is not compared).
 */
#define LNN_DATA_NAME_MAX 64
typedef struct lnn_data_id {
    uint64_t bytes;  /* the file's size (0 for IDX) */
    uint64_t rows;
    uint64_t digest;
    char name[LNN_DATA_NAME_MAX]; /* IDX: the dataset's name (lnn sets its
                                     directory's, e.g. "fashion-mnist");
                                     "" for a table */
} lnn_data_id;

typedef struct lnn_dataset {
    size_t m;          /* samples */
    size_t rows, cols; /* image size; n_x = rows * cols */
    size_t n_x;        /* features per sample */
    size_t n_classes;  /* every label is < n_classes */
    uint8_t *X;        /* n_x x m: one image per column, pixels row-major */
    uint8_t *labels;   /* m class indices */
} lnn_dataset;

/**
 * The exercise's load_data: read an IDX image file and its label file, each
 * gzip-compressed or raw (told from the content, not the name). Everything
 * the files say is validated before it is trusted: magic numbers, ranks,
 * dimensions, counts, payload length (truncated or trailing bytes are
 * errors), labels < n_classes, sizes that would overflow, and the gzip
 * stream (its CRC and length, an early end, junk after it). Memory is sized
 * from a header only after checking it against what the file can hold, so
 * a small file claiming billions of images allocates next to nothing.
 * @param out          out, owned by the caller: free with lnn_dataset_free;
 *                     zeroed on failure
 * @param images_path  IDX3 (magic 0x00000803) file, a regular file
 * @param labels_path  IDX1 (magic 0x00000801) file, a regular file
 * @param n_classes    1..256: labels must be below this (10 for MNIST)
 * @param err          optional buffer for a one-line message naming the
 *                     file and the fault, e.g. "train-labels-idx1-ubyte.gz:
 *                     header says 60000 labels, file holds 59999"
 * @return LNN_OK, LNN_ERR_IO (cannot open or read, a directory, a missing
 *         file), LNN_ERR_FORMAT (the content is wrong), LNN_ERR_OVERFLOW
 *         (sizes that do not fit size_t), LNN_ERR_NOMEM, LNN_ERR_ARG (NULL,
 *         n_classes out of range)
 */
LNN_API lnn_status lnn_load_data(lnn_dataset *out, const char *images_path,
                                 const char *labels_path, size_t n_classes,
                                 char *err, size_t errlen);

/** Free a dataset's buffers and zero it. NULL is a no-op. */
LNN_API void lnn_dataset_free(lnn_dataset *d);

/** The id of an IDX training set (lnn_data_id): its header, pixels and
 *  labels; its name is left empty, for the caller. */
LNN_API lnn_data_id lnn_dataset_id(const lnn_dataset *d);

/**
 * Load the four standard files from a directory: train-images-idx3-ubyte,
 * train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
 * each with or without ".gz" (the raw file when both exist: it loads
 * faster). Arguments as lnn_load_data; train and test are zeroed on
 * failure.
 * @return as lnn_load_data; LNN_ERR_IO also when dir is not a directory or
 *         lacks a file (the message lists every missing name)
 */
LNN_API lnn_status lnn_load_data_dir(const char *dir, lnn_dataset *train,
                                     lnn_dataset *test, size_t n_classes,
                                     char *err, size_t errlen);

/** The exercise's split of the 60000 MNIST training images. */
#define LNN_MNIST_TRAIN 50000
#define LNN_MNIST_VAL 10000

/** Train, validation and test views made by lnn_data_wrapper (one-hot Y)
 *  or lnn_data_split (class labels). */
typedef struct lnn_splits {
    lnn_data train; /* X_u8: the first n_train training images */
    lnn_data val;   /* X_u8: the n_val training images after those */
    lnn_data test;  /* X_u8: all the test images */
    float *Y;       /* owns the one-hot Y of all three views, or NULL */
    int32_t *labels;/* owns the class indices of all three, or NULL */
} lnn_splits;

/**
 * The exercise's data_wrapper: split and shape the data. X stays bytes
 * (borrowed from the datasets, which must outlive the splits; scaled to
 * [0, 1] as batches are gathered); Y is one-hot, n_classes x m, all three
 * views' Y in the one block out->Y. With MNIST and the defaults the shapes
 * are the exercise's: train 784 x 50000 and 10 x 50000, val and test
 * 784 x 10000 and 10 x 10000.
 * @param out             out; free with lnn_splits_free; zeroed on failure
 * @param n_train, n_val  train = training images 0 .. n_train-1, val = the
 *                        next n_val; n_train >= 1 and n_train + n_val <=
 *                        train_set->m. n_val = 0 gives an empty val view
 *                        (m = 0, X_u8 = Y = NULL): do not evaluate it.
 * @return LNN_OK, LNN_ERR_ARG (NULL, an unloaded dataset, n_train = 0, a
 *         label >= n_classes in a hand-made dataset), LNN_ERR_SHAPE (sizes,
 *         image shapes or class counts disagree), LNN_ERR_OVERFLOW,
 *         LNN_ERR_NOMEM
 */
LNN_API lnn_status lnn_data_wrapper(lnn_splits *out,
                                    const lnn_dataset *train_set,
                                    const lnn_dataset *test_set,
                                    size_t n_train, size_t n_val,
                                    char *err, size_t errlen);

/**
 * lnn_data_wrapper with class indices instead of one-hot rows: each view's
 * targets are labels (int32, n_y = the class count; all three in the one
 * block out->labels) and Y is NULL: 4 bytes a sample rather than 4 per
 * class, and training and evaluation give the same numbers bit for bit.
 * What lnn train uses. Arguments and errors as lnn_data_wrapper's.
 */
LNN_API lnn_status lnn_data_split(lnn_splits *out,
                                  const lnn_dataset *train_set,
                                  const lnn_dataset *test_set,
                                  size_t n_train, size_t n_val, char *err,
                                  size_t errlen);

/** Free the target block of a split and zero it. NULL is a no-op. */
LNN_API void lnn_splits_free(lnn_splits *s);

/* ------------------------------------------------------------------------ */
/* Model files                                                              */
/* ------------------------------------------------------------------------ */

/** The model file format version lnn writes: 3, whose records name the
 *  output head (loss, target kind) besides the prep. lnn reads 1 and 2
 *  (cross-entropy heads, written before version 3) as well. */
#define LNN_MODEL_VERSION 3
/** The oldest version lnn reads. */
#define LNN_MODEL_VERSION_OLDEST 1

/**
 * Save the network: sizes, activation, initialisation, parameters,
 * optimizer state, the training position and (if opts is given) the
 * training options, so that a resumed run continues exactly
 * (docs/model-format.md). Written atomically: to an unnamed file
 * (O_TMPFILE) in the same directory, flushed to disk, then given the name
 * (a random temporary name renamed over path at once), so path holds
 * either its old complete content or the new one, never a part, and a
 * crash leaves no temporary file. Where O_TMPFILE is missing, a named
 * temporary (path.tmp-XXXXXX) is written and renamed; each save first
 * removes such temporaries that a killed save left (unlocked, 2 s old,
 * this user's, empty or a model). A full disk or file-size limit is LNN_ERR_IO with the reason;
 * the caller should ignore SIGXFSZ so that a size limit is an error, not
 * a signal.
 * @param opts  optional: training options to store (callbacks are not)
 * @return LNN_OK, LNN_ERR_IO (with a message naming the file), LNN_ERR_ARG
 */
LNN_API lnn_status lnn_model_save(const lnn_net *net,
                                  const lnn_train_opts *opts,
                                  const char *path, char *err, size_t errlen);

/** The most memory a max_batch stored in a model file may make
 *  lnn_model_load(..., max_batch = 0, ...) allocate for batch buffers. */
#define LNN_MODEL_BATCH_BYTES_MAX ((uint64_t)1 << 28) /* 256 MiB */

/**
 * Load a network saved by lnn_model_save, checking magic, version, sizes
 * against the file length, and the checksum, before trusting anything.
 * Nothing the file says sizes an allocation beyond what its own length
 * bears out, except max_batch, which is bounded (below).
 * @param out        out, the new network (destroy with lnn_net_destroy)
 * @param opts       optional, in/out: stored training options overwrite
 *                   its fields (start from lnn_train_opts_default())
 * @param max_batch  the new network's max_batch: best the batch the caller
 *                   will use; 0 = the one it was saved with, refused
 *                   (LNN_ERR_FORMAT, naming max_batch and its value) if its
 *                   batch buffers would exceed LNN_MODEL_BATCH_BYTES_MAX
 * @return LNN_OK, LNN_ERR_IO, LNN_ERR_FORMAT (the message says what is
 *         wrong, e.g. "model.lnn: checksum mismatch (file damaged)"),
 *         LNN_ERR_NOMEM, LNN_ERR_ARG
 */
LNN_API lnn_status lnn_model_load(lnn_net **out, lnn_train_opts *opts,
                                  const char *path, size_t max_batch,
                                  char *err, size_t errlen);

/** How the network's parameters were initialised (LNN_INIT_AUTO resolved
 *  to the scheme used), and with which seed. */
LNN_API lnn_init lnn_net_init(const lnn_net *net);
LNN_API uint64_t lnn_net_init_seed(const lnn_net *net);

/**
 * Forward pass over samples j0 .. j0+cols-1 of a data set (bytes are scaled
 * to [0, 1] as in training); Y is not needed.
 * @param cols  1 <= cols <= max_batch, j0 + cols <= d->m
 * @param HL    out: n_L x cols class probabilities, borrowed from the
 *              network, valid until its next forward or destroy
 * @return LNN_OK, LNN_ERR_ARG, LNN_ERR_SHAPE
 */
LNN_API lnn_status lnn_forward_data(lnn_net *net, const lnn_data *d,
                                    size_t j0, size_t cols, const float **HL);

/**
 * Load an IDX image file alone (no labels), gzip-compressed or raw, with
 * the same validation as lnn_load_data. out->labels is NULL and
 * out->n_classes 0.
 */
LNN_API lnn_status lnn_load_images(lnn_dataset *out, const char *path,
                                   char *err, size_t errlen);

/* ------------------------------------------------------------------------ */
/* Tables: CSV/TSV, LIBSVM and NumPy .npy                                   */
/* ------------------------------------------------------------------------ */

/** The file formats lnn_table_load reads, one row each: X(value name,
 *  value, name (its reader is lnn__NAME_load), the name endings that tell
 *  it (space-separated; each also with ".gz"), the scaling lnn train gives
 *  it by default, note). LNN_FORMAT_AUTO (0) tells the format from the
 *  file's name. */
#define LNN_FORMAT_LIST(X)                                                    \
    X(LNN_FORMAT_CSV,    1, csv,    ".csv .tsv",               \
      LNN_SCALE_STANDARD, "CSV or TSV (RFC 4180; ',' '\\t' or ';')")          \
    X(LNN_FORMAT_LIBSVM, 2, libsvm, ".svm .libsvm .svmlight",  \
      LNN_SCALE_STANDARD, "\"label idx:value ...\", 1-based indices")        \
    X(LNN_FORMAT_NPY,    3, npy,    ".npy",                    \
      LNN_SCALE_STANDARD, "NumPy .npy, version 1.0 to 3.0")                   \
    X(LNN_FORMAT_IDX,    4, idx,    "-idx3-ubyte",             \
      LNN_SCALE_BYTE,     "an IDX image file (MNIST's); its labels from "     \
                          "labels_path, else the file named with "           \
                          "labels-idx1 for images-idx3 beside it")

#define LNN_ENUM_(name, value, ...) name = value,
typedef enum lnn_format {
    LNN_FORMAT_AUTO = 0,
    LNN_FORMAT_LIST(LNN_ENUM_)
} lnn_format;
#undef LNN_ENUM_

/** @return "csv", "libsvm", "npy", "idx" or "unknown" (AUTO too); never
 *  NULL */
LNN_API const char *lnn_format_name(lnn_format f);
/** @return LNN_OK, LNN_ERR_ARG (a name of no row) */
LNN_API lnn_status lnn_format_from_name(const char *name, lnn_format *out);
/**
 * A data table: features as column-major samples (one sample is one
 * contiguous column of n_x values), stored once, as bytes when every value
 * of the file is an integer in 0..255, else as float32; and labels as
 * indices into a sorted label vocabulary.
 */
typedef struct lnn_table {
    size_t n_x;         /* features per sample */
    size_t m;           /* samples */
    float *X;           /* n_x x m, or NULL */
    uint8_t *X_u8;      /* n_x x m, or NULL (exactly one of X, X_u8 set) */
    int32_t *y;         /* m class indices into names, or NULL: no labels */
    size_t n_classes;   /* names in the vocabulary */
    char **names;       /* n_classes label names, sorted: integers by value,
                           other strings bytewise */
    char **columns;     /* n_x feature column names from a CSV header row
                           (the label column left out), or NULL */
    char *label;        /* the label column's name (a CSV header's), or
                           NULL */
    size_t n_t;         /* targets per sample (lnn_table_targets), or 0 */
    float *T;           /* n_t x m target values (0/1 labels, or values),
                           or NULL: the labels y are the targets */
    char **targets;     /* n_t target names, or NULL */
    lnn_data_id id;     /* the file's, as lnn_table_load read it */
    size_t *n_levels;   /* n_x: a category column's number of categories,
                           0 for a number column; NULL: all numbers. A
                           category column's X holds the index of its
                           category in levels (NaN: missing) */
    char ***levels;     /* n_x: a category column's names, sorted as
                           labels are; NULL for a number column */
    size_t n_unseen;    /* set by lnn_prep_apply: cells of a category the
                           model's training part did not have (their
                           one-hot inputs are all zero) */
    size_t n_skipped;   /* columns left out (ignore, columns, id) */
    char **skipped;     /* their names (or 1-based indices without a
                           header), or NULL */
    char *id_name;      /* the id column's name (or index), or NULL */
    char **ids;         /* m row names from it, or NULL */
    float *w;           /* m per-row training weights
                           (lnn_table_take_weights), or NULL */
    uint64_t *label_lines; /* n_classes: the line of each label's first
                           row in its file (CSV, LIBSVM), for messages, or
                           NULL */
    size_t label_field; /* the label column, counted from 1 (CSV), or 0 */
} lnn_table;

/** How to read a table; start from lnn_table_opts_default(). */
typedef struct lnn_table_opts {
    lnn_format format;     /* AUTO: from the file name */
    char delimiter;        /* CSV: ',', '\t', ';', or 0 to detect */
    int header;            /* CSV: 1 a header row, 0 none, -1 detect (a
                              first row with a non-numeric cell) */
    const char *label;     /* CSV: the label column's name, or its index
                              counted from 0; NULL: a column named label,
                              class, target or y, else the last */
    size_t n_features;     /* LIBSVM: the feature count (0: the largest
                              index in the file); indices beyond it are
                              errors */
    size_t unlabeled_n_x;  /* CSV: if nonzero, a file of exactly this many
                              columns has no label column (predict) */
    int no_label;          /* CSV: 1 = every column is a feature (targets
                              are then taken from them:
                              lnn_table_take_targets) */
    const char *labels_path; /* NPY: the labels' .npy (1-D, or m x 1), or
                              NULL for none; IDX: the labels' IDX file, or
                              NULL for the one beside the images */
    int missing;           /* CSV: 1 = a missing feature cell (empty, or
                              one of na_values) is read as NaN, for
                              lnn_prep to fill; 0 = it is an error */
    const char *na_values; /* CSV: the comma-separated texts that mean
                              missing besides the empty cell, or NULL:
                              NA, N/A, NaN, nan, ?, null, NULL, None */
    int text;              /* CSV: 1 = a feature column with a cell that
                              is no number is a category column; 0 = such
                              a cell is an error */
    const char *categorical; /* CSV: columns read as categories whatever
                              they hold (lnn_table_pick_columns' COLS), or
                              NULL */
    const char *ignore;    /* CSV: columns left out (COLS), or NULL */
    const char *columns;   /* CSV: the feature columns (COLS; the others
                              but the label's and id's are left out), or
                              NULL: all */
    const char *id;        /* CSV: a column of row names, no feature: its
                              texts into lnn_table.ids; or NULL */
    int soft_columns;      /* CSV: 1 = names in ignore and id that the file
                              lacks are passed over (a model's own) */
} lnn_table_opts;

/** The texts a CSV's missing cell may hold besides the empty cell when
 *  lnn_table_opts.na_values is NULL (comma-separated). */
#define LNN_NA_DEFAULT "NA,N/A,NaN,nan,?,null,NULL,None"
#define LNN_NA_VALUES_MAX 4096 /* bytes of na_values a model keeps */

/** The format a file name says (LNN_FORMAT_LIST's endings: .csv .tsv,
 *  .svm .libsvm .svmlight, .npy, -idx3-ubyte, each also with .gz), or
 *  LNN_FORMAT_AUTO for none. */
LNN_API lnn_format lnn_table_format(const char *path);

/** Defaults: AUTO format, delimiter and header detected, the default label
 *  column, no feature count, labels required. */
LNN_API lnn_table_opts lnn_table_opts_default(void);

/**
 * Read a table, raw or gzip-compressed, streaming: the file's text is never
 * held whole, only a chunk and the growing matrix.
 * @param out   out, owned by the caller (lnn_table_free); zeroed on failure
 * @param path  the file
 * @param opts  how to read it (NULL: the defaults)
 * @param err   optional: one line with the file, the line and field, and
 *              what was wrong ("a.csv:3: field 2: \"abc\" is not a number")
 * @return LNN_OK, LNN_ERR_IO, LNN_ERR_FORMAT, LNN_ERR_NOMEM,
 *         LNN_ERR_OVERFLOW, LNN_ERR_ARG (NULL, a bad option, a --label that
 *         names no column)
 */
LNN_API lnn_status lnn_table_load(lnn_table *out, const char *path,
                                  const lnn_table_opts *opts, char *err,
                                  size_t errlen);

/**
 * Which columns a COLS list names: comma-separated column names, 1-based
 * indices and ranges of them ("2-4"), among n columns (names NULL: a file
 * without a header, indices only). A name is matched before a number.
 * @param opt   the option, for the message ("--ignore")
 * @param pick  out: n flags, set for each column named
 * @return LNN_OK, LNN_ERR_ARG (an entry that names no column: the message
 *         lists the columns)
 */
LNN_API lnn_status lnn_table_pick_columns(const char *cols, const char *opt,
                                          char *const *names, size_t n,
                                          int *pick, char *err,
                                          size_t errlen);

/** Free a table's buffers and zero it. NULL is a no-op. */
LNN_API void lnn_table_free(lnn_table *t);

/**
 * Re-index t's labels by another vocabulary (the training file's, or a
 * model's): every label of t must be one of names.
 * @return LNN_OK, LNN_ERR_FORMAT (a label not in names: the message names
 *         it), LNN_ERR_NOMEM, LNN_ERR_ARG
 */
LNN_API lnn_status lnn_table_relabel(lnn_table *t, char *const *names,
                                     size_t n_classes, char *err,
                                     size_t errlen);

/**
 * Check that t's feature columns are the ones named (the training file's,
 * or a model's lnn_prep.columns), in the same order. Names are compared
 * only when both t and columns have them (LIBSVM, .npy and a CSV without a
 * header row have none); the count always.
 * @param columns  n_x names, or NULL
 * @return LNN_OK, LNN_ERR_SHAPE (the message names both counts, or the
 *         first feature column that differs: its number among the
 *         features, from 1, and both names)
 */
LNN_API lnn_status lnn_table_check_columns(const lnn_table *t,
                                           char *const *columns, size_t n_x,
                                           char *err, size_t errlen);

/**
 * Reorder t's samples into train | val | test by a seeded, stratified
 * shuffle: each class gives its share (largest remainders) of n_val and
 * n_test (a table with targets T and no classes y is one stratum);
 * samples keep their file order within each part. Moves columns in place
 * (no second matrix).
 * @return LNN_OK, LNN_ERR_ARG (no labels, n_val + n_test >= m),
 *         LNN_ERR_NOMEM
 */
LNN_API lnn_status lnn_table_split(lnn_table *t, size_t n_val, size_t n_test,
                                   uint64_t seed, char *err, size_t errlen);

/**
 * A labelled view of samples j0 .. j0+m-1 of t, for training and
 * evaluation, borrowed from t: X or X_u8, and the targets T (n_y = n_t)
 * if t has them, else the class indices y (labels, n_y = n_classes).
 */
LNN_API lnn_data lnn_table_view(const lnn_table *t, size_t j0, size_t m);

/** *Y = t's labels one-hot, a new n_classes x m block (free it).
 *  @return LNN_OK, LNN_ERR_ARG (no labels), LNN_ERR_NOMEM, LNN_ERR_OVERFLOW */
LNN_API lnn_status lnn_table_one_hot(const lnn_table *t, float **Y,
                                     char *err, size_t errlen);

/**
 * Whether a label column looks like classes or values (for a task chosen
 * automatically): classes if any label is text; values if the labels are
 * numbers with a fraction, or integers with more than 50 distinct values
 * or more distinct values than a fifth of the rows. Missing labels
 * (lnn_is_missing) are not counted.
 * @param why  out: one line saying why ("214 distinct integers in 442
 *             rows")
 * @return LNN_OK, LNN_ERR_ARG (no labels)
 */
LNN_API lnn_status lnn_table_guess_target(const lnn_table *t,
                                          lnn_target *out, char *why,
                                          size_t whylen);

/** 1 if a cell's text means "missing": empty, NA, N/A, NaN, nan, ?, null,
 *  NULL, None. */
LNN_API int lnn_is_missing(const char *s);

/**
 * Make t's label column the targets of a head of kind `target`: rows whose
 * label is missing are dropped (*dropped of them); then classes keep the
 * labels (y, names); labels (one binary output) need exactly two classes
 * and give T = 1 for the second (in sorted order) and keep y; values parse
 * every label as a number into T (y and names are freed).
 * @return LNN_OK, LNN_ERR_FORMAT (a label that is not a number, out of
 *         float range; not two classes for labels: the message names the
 *         row and the value), LNN_ERR_NOMEM, LNN_ERR_ARG
 */
LNN_API lnn_status lnn_table_targets(lnn_table *t, lnn_target target,
                                     size_t *dropped, char *err,
                                     size_t errlen);

/**
 * Take the feature column `name` (a header's name, or an index from 0) out
 * of the features as each row's training weight (lnn_table.w, which
 * lnn_table_view hands on as lnn_data.weights), as lnn train
 * --sample-weight does.
 * @return LNN_OK, LNN_ERR_ARG (no such column, the only one, a weight that
 *         is not a number >= 0, weights already taken), LNN_ERR_NOMEM
 */
LNN_API lnn_status lnn_table_take_weights(lnn_table *t, const char *name,
                                          char *err, size_t errlen);

/**
 * Move the feature columns named (a CSV header's names, or indices from 0
 * counted among all columns) out of X into the targets T, in the order
 * given (a table read with lnn_table_opts.no_label). For labels every
 * value must be 0 or 1.
 * @return LNN_OK, LNN_ERR_ARG (a name that is no column: the message lists
 *         them; every column taken), LNN_ERR_FORMAT (a label not 0/1),
 *         LNN_ERR_NOMEM
 */
LNN_API lnn_status lnn_table_take_targets(lnn_table *t, lnn_target target,
                                          char *const *names, size_t n,
                                          char *err, size_t errlen);

/**
 * LIBSVM's multi-label rows ("1,3 idx:value ...", as scikit-learn's
 * dump_svmlight_file(multilabel=True) writes them; a row without labels
 * starts with a blank): each of t's labels is a comma-separated set, and
 * becomes n_t 0/1 targets T, one per label: the names given (a model's),
 * or every label in t, sorted as classes are (integers by value, other
 * text bytewise). The labels (y, names) are freed.
 * @param names, n  the labels to use, or NULL and 0: t's own
 * @return LNN_OK, LNN_ERR_FORMAT (an empty label in a set, a label not
 *         among names: the message quotes it and names its row; no label
 *         at all), LNN_ERR_NOMEM, LNN_ERR_ARG (no labels, T already made)
 */
LNN_API lnn_status lnn_table_label_sets(lnn_table *t, char *const *names,
                                        size_t n, char *err, size_t errlen);

/** Feature scaling, fitted on the training part and kept in the model.
 *  x' = (x - shift) * mul per feature. X(value name, value, name, note). */
#define LNN_SCALE_LIST(X)                                                     \
    X(LNN_SCALE_NONE,     0, none,     "")                                    \
    X(LNN_SCALE_STANDARD, 1, standard, "(x - mean) / sd")                     \
    X(LNN_SCALE_MINMAX,   2, minmax,   "(x - min) / (max - min)")             \
    X(LNN_SCALE_BYTE,     3, byte,     "x / 255")

#define LNN_ENUM_(name, value, ...) name = value,
typedef enum lnn_scale {
    LNN_SCALE_LIST(LNN_ENUM_)
} lnn_scale;
#undef LNN_ENUM_

/** @return "none", "standard", "minmax", "byte" or "unknown"; never NULL */
LNN_API const char *lnn_scale_name(lnn_scale s);
/** @return LNN_OK, LNN_ERR_ARG */
LNN_API lnn_status lnn_scale_from_name(const char *name, lnn_scale *out);
/** The scaling lnn train gives a table format by default
 *  (LNN_FORMAT_LIST's scale column): standard for CSV, LIBSVM and .npy,
 *  byte for IDX images; standard for AUTO or an unknown value. */
LNN_API lnn_scale lnn_format_scale(lnn_format f);

/** How a column's missing cells are filled, fitted on the training part.
 *  X(value name, value, token, name, a category column's way, note). */
#define LNN_IMPUTE_LIST(X)                                                    \
    X(LNN_IMPUTE_ERROR,         0, error,         "error",                    \
      LNN_IMPUTE_ERROR,         "a missing cell is an error")                 \
    X(LNN_IMPUTE_MEDIAN,        1, median,        "median",                   \
      LNN_IMPUTE_MOST_FREQUENT, "the median; text: the most frequent")       \
    X(LNN_IMPUTE_MEAN,          2, mean,          "mean",                     \
      LNN_IMPUTE_MOST_FREQUENT, "the mean; text: the most frequent")         \
    X(LNN_IMPUTE_MOST_FREQUENT, 3, most_frequent, "most-frequent",            \
      LNN_IMPUTE_MOST_FREQUENT, "the most frequent value")                    \
    X(LNN_IMPUTE_ZERO,          4, zero,          "zero",                     \
      LNN_IMPUTE_ZERO,          "0; text: no category, all zeros")

#define LNN_ENUM_(name, value, ...) name = value,
typedef enum lnn_impute {
    LNN_IMPUTE_LIST(LNN_ENUM_)
} lnn_impute;
#undef LNN_ENUM_

/** @return "error", "median", "mean", "most-frequent", "zero" or
 *  "unknown"; never NULL */
LNN_API const char *lnn_impute_name(lnn_impute v);
/** @return LNN_OK, LNN_ERR_ARG */
LNN_API lnn_status lnn_impute_from_name(const char *name, lnn_impute *out);

/** A feature column of the training file as the model reads it: a number
 *  (one input) or a category (one 0/1 input per kept category, and one
 *  for the rest when some were folded), its gaps filled, and after it a
 *  0/1 input saying the cell was missing if it has an indicator. */
typedef struct lnn_prep_column {
    char *name;        /* its name in the training file, or NULL */
    size_t n_levels;   /* a category column's kept categories, 0: a number */
    char **levels;     /* n_levels names, sorted as labels are */
    int other;         /* 1: one more input, for the categories folded */
    lnn_impute impute; /* how its gaps are filled */
    float fill;        /* a number column's fill; a category column's: the
                          index of its category (n_levels: other), -1
                          none (all zeros) */
    int indicator;     /* 1: a "was missing" input follows its inputs */
} lnn_prep_column;

/** The network inputs column c makes: 1 for a number, one per kept
 *  category and one for other for a category, and 1 more for its
 *  indicator. */
LNN_API size_t lnn_prep_column_width(const lnn_prep_column *c);

/**
 * What a model knows of its data beyond the network: the label vocabulary,
 * the scaling and the split of its training file. Stored in the model file
 * (format version 2) and applied by eval and predict.
 */
typedef struct lnn_prep {
    lnn_scale scale;
    size_t n_x;         /* features (length of shift and mul) */
    float *shift;       /* n_x: mean (standard) or min (minmax); else NULL */
    float *mul;         /* n_x: 1/sd or 1/(max-min), 1 for a constant
                           feature; else NULL */
    size_t n_classes;
    char **names;       /* n_classes label names, or NULL (class indices) */
    char **columns;     /* n_x feature column names of the training file,
                           or NULL (it had none) */
    uint64_t split_seed;/* the split of a single training file: */
    size_t split_m;     /* its samples (0: no split recorded) */
    size_t split_val, split_test; /* samples in its val and test parts */
    /* Targets of a binary-label or value head (the loss's target kind;
     * n_targets 0 for classes): their names (the label columns) and, for
     * values, their scaling y' = (y - target_shift) target_mul, fitted on
     * the training part; the network predicts y', lnn un-scales. */
    size_t n_targets;
    char **target_names; /* n_targets, or NULL */
    float *target_shift; /* n_targets, or NULL (no scaling) */
    float *target_mul;   /* n_targets, or NULL */
    size_t image_width, image_height; /* a model of images (n_x = width x
                           height grey pixels, row-major), or 0: none
                           recorded (an IDX model's are 28 x 28) */
    lnn_data_id data;   /* the training file's id (rows 0: not recorded) */
    /* The training file's feature columns, when its inputs are not they
     * (n_raw 0: they are): categories one-hot, gaps filled, indicators;
     * shift and mul then scale the number columns' inputs, and leave the
     * 0/1 ones (shift 0, mul 1). */
    size_t n_raw;
    lnn_prep_column *raw; /* n_raw, or NULL */
    char *label;        /* the label column's name in the training file (a
                           model of prepared columns: raw), or NULL */
    size_t n_skipped;   /* the training file's columns left out (--ignore,
                           --columns, --id), by name (or 1-based index) */
    char **skipped;     /* n_skipped, or NULL */
    char *id_name;      /* its id column (predict carries it), or NULL */
    char *weight_column;/* the training file's per-row weight column (lnn
                           train --sample-weight), not a feature: eval
                           leaves it out; or NULL */
    char *na_values;    /* the training file's texts of a missing cell
                           (lnn_table_opts.na_values, comma-separated), which
                           eval, predict and the ONNX graph take too; NULL:
                           LNN_NA_DEFAULT's */
} lnn_prep;

/** How lnn_prep_fit_table prepares a table. */
typedef struct lnn_prep_opts {
    lnn_scale scale;
    int impute;             /* an lnn_impute for every column, or -1: the
                               median for numbers, the most frequent
                               category for text */
    int missing_indicators; /* 1: a 0/1 input for each column that has
                               gaps in the training part */
    size_t max_categories;  /* 0: every category of the training part;
                               else its N most frequent, the rest folded
                               into one "other" input */
    /* lnn_table_prepare's alone (lnn_prep_fit_table ignores them): */
    size_t m_fit;           /* fit on the first m_fit rows of the training
                               part (lnn train --train-subset), 0: all */
    lnn_status (*fitted)(const lnn_prep *p, const lnn_table *t, void *ctx);
                            /* called once p is fitted and before it is
                               applied to t (a client's report of the fill,
                               which applying removes), or NULL; a status
                               but LNN_OK stops lnn_table_prepare with it */
    void *ctx;              /* fitted's last argument */
} lnn_prep_opts;

/**
 * Prepare a loaded table for training, in the one order every client
 * should use (lnn train's too): split it (lnn_table_split: train | val |
 * test by a seeded, stratified shuffle), fit the preparation on the
 * training part, or its first o->m_fit rows (lnn_prep_fit_table; and the
 * targets' names, standardised when standardise_targets, for a table with
 * targets T), record the split, call o->fitted, and apply it to the whole
 * table (lnn_prep_apply). t keeps its three parts in order;
 * lnn_table_view gives them. Other files of the same columns (a separate
 * validation or test file) take p with lnn_prep_apply.
 * @param p  out, free with lnn_prep_free; zeroed on failure
 * @return as the calls it makes, LNN_ERR_ARG (m_fit over the training
 *         part), or fitted's status
 */
LNN_API lnn_status lnn_table_prepare(lnn_table *t, lnn_prep *p, size_t n_val,
                                     size_t n_test, uint64_t seed,
                                     const lnn_prep_opts *o,
                                     int standardise_targets, char *err,
                                     size_t errlen);

/** scale, the default imputation, no indicators, every category. */
LNN_API lnn_prep_opts lnn_prep_opts_default(lnn_scale scale);

/**
 * Fit the preparation of t on its samples 0 .. m_train-1: when t has
 * category columns or missing cells (NaN), each column's fill and kept
 * categories (lnn_prep.raw), and the scaling of the inputs they make;
 * else as lnn_prep_fit. Copies the vocabulary and column names.
 * @return LNN_OK, LNN_ERR_ARG, LNN_ERR_NOMEM, LNN_ERR_FORMAT (a column
 *         all missing in the training part; a missing cell under
 *         LNN_IMPUTE_ERROR; a category column with more distinct values
 *         than half the training rows, without max_categories: the message
 *         names the column)
 */
LNN_API lnn_status lnn_prep_fit_table(lnn_prep *out, const lnn_table *t,
                                      size_t m_train,
                                      const lnn_prep_opts *o, char *err,
                                      size_t errlen);

/**
 * Fit scaling on samples 0 .. m_train-1 of t (statistics in double) and
 * copy t's vocabulary and column names. A feature whose training values are all equal gets
 * mul = 1: it is shifted, never divided by zero.
 * @param out  out, free with lnn_prep_free
 * @return LNN_OK, LNN_ERR_ARG, LNN_ERR_NOMEM
 */
LNN_API lnn_status lnn_prep_fit(lnn_prep *out, const lnn_table *t,
                                size_t m_train, lnn_scale scale, char *err,
                                size_t errlen);

/**
 * Prepare t in place as p says: with p->raw, t's columns must be the
 * training file's (count, and names where both have them): gaps are
 * filled, categories one-hot (t->n_unseen counts those the model does not
 * know), indicators added, so that t's features become the network's
 * inputs. Then scaling: bytes stay bytes under LNN_SCALE_BYTE
 * (divided by 255 as batches are gathered) and become float32 under
 * standard and minmax. Checks t's feature count against p's, and its
 * column names where both have them (lnn_table_check_columns).
 * @return LNN_OK, LNN_ERR_SHAPE (the message names both counts, or the
 *         first column that differs), LNN_ERR_NOMEM
 */
LNN_API lnn_status lnn_prep_apply(const lnn_prep *p, lnn_table *t, char *err,
                                  size_t errlen);

/**
 * Copy t's target names into p and, if standardise, fit their scaling on
 * samples 0 .. m_train-1 (mean and 1/sd in double; a constant target gets
 * mul = 1), for a values head; lnn_prep_apply then scales a table's T.
 * @return LNN_OK, LNN_ERR_ARG (t has no targets), LNN_ERR_NOMEM
 */
LNN_API lnn_status lnn_prep_fit_targets(lnn_prep *p, const lnn_table *t,
                                        size_t m_train, int standardise,
                                        char *err, size_t errlen);

/** Undo p's target scaling in place: Y (n x m) = Y / mul + shift; a no-op
 *  without one (or for another n). */
LNN_API void lnn_prep_unscale_targets(const lnn_prep *p, float *Y, size_t n,
                                      size_t m);

/** Free what a prep owns and zero it. NULL is a no-op. */
LNN_API void lnn_prep_free(lnn_prep *p);

/** Give the network a deep copy of p (NULL: none), saved with it by
 *  lnn_model_save. @return LNN_OK, LNN_ERR_NOMEM, LNN_ERR_ARG */
LNN_API lnn_status lnn_net_set_prep(lnn_net *net, const lnn_prep *p);

/** The network's prep (from lnn_net_set_prep or its model file), borrowed,
 *  or NULL (an IDX-trained model: bytes / 255, classes by index). */
LNN_API const lnn_prep *lnn_net_prep(const lnn_net *net);

/** Record the id of the data the network is trained on, saved with it by
 *  lnn_model_save (a table model's goes into its prep, whose data field it
 *  is; an IDX model keeps it beside the network). @return LNN_OK,
 *  LNN_ERR_ARG */
LNN_API lnn_status lnn_net_set_data_id(lnn_net *net, const lnn_data_id *id);

/** The id of the data the network was trained on, or all zero (rows 0):
 *  none recorded (a model saved before lnn recorded it). */
LNN_API lnn_data_id lnn_net_data_id(const lnn_net *net);

/* ------------------------------------------------------------------------ */
/* Images: PNG and JPEG files (libpng, libjpeg)                             */
/* ------------------------------------------------------------------------ */

/** Which images have their grey levels turned over (v -> 255 - v), so that
 *  strokes are light on a dark background as in MNIST.
 *  X(value name, value, name, note). */
#define LNN_INVERT_LIST(X)                                                    \
    X(LNN_INVERT_NO,   0, no,   "none")                                       \
    X(LNN_INVERT_YES,  1, yes,  "every image")                                \
    X(LNN_INVERT_AUTO, 2, auto, "dark on light: its border is lighter than "  \
                                "mid-grey")

#define LNN_ENUM_(name, value, ...) name = value,
typedef enum lnn_invert {
    LNN_INVERT_LIST(LNN_ENUM_)
} lnn_invert;
#undef LNN_ENUM_

/** @return "no", "yes", "auto" or "unknown"; never NULL */
LNN_API const char *lnn_invert_name(lnn_invert v);
/** @return LNN_OK, LNN_ERR_ARG */
LNN_API lnn_status lnn_invert_from_name(const char *name, lnn_invert *out);

/** How an image becomes a sample: grey (ITU-R 601 luma; transparency over
 *  white), resized by area averaging to width x height (stretched: the
 *  aspect ratio is not kept), then inverted as `invert` says. */
typedef struct lnn_image_opts {
    size_t width, height; /* 1 .. 4096 each */
    lnn_invert invert;
} lnn_image_opts;

/** 1 if the first n bytes of a file start a PNG or JPEG image, else 0. */
LNN_API int lnn_image_sniff(const unsigned char *head, size_t n);

/**
 * Read a PNG or JPEG image of any size and colour into out: width x height
 * grey bytes, row-major (o says how).
 * @param err  optional: one line naming the file and the fault
 *             ("a.png: not a PNG or JPEG image", "b.jpg: Premature end of
 *             JPEG file", "c.png: lnn was built without libpng")
 * @return LNN_OK, LNN_ERR_IO (cannot open), LNN_ERR_FORMAT (not an image,
 *         undecodable, or larger than 32768 on a side or 2^28 pixels),
 *         LNN_ERR_ARG (a bad o, or the decoder not built in),
 *         LNN_ERR_NOMEM
 */
LNN_API lnn_status lnn_image_read(const char *path, const lnn_image_opts *o,
                                  uint8_t *out, char *err, size_t errlen);

/** What lnn_table_load_images left out: files in the class folders that
 *  are not PNG or JPEG by their first bytes, and files that are but cannot
 *  be decoded (the first of each named, its path from dir). */
typedef struct lnn_image_skips {
    size_t not_images, undecodable;
    char first_not_image[512];
    char first_undecodable[512]; /* lnn_image_read's message */
} lnn_image_skips;

/**
 * Read an image folder as a table: dir holds one sub-folder per class (its
 * name the label; names starting with '.' are ignored, as are files
 * directly in dir), each holding PNG or JPEG files; every image becomes a
 * column of width x height bytes (lnn_image_read), decoded once, files in
 * parallel (lnn_omp_threads). Samples come class by class (the vocabulary's
 * order), and by file name within a class. Files that are not images, or
 * cannot be decoded, are skipped and counted in *skips.
 * @param out  out, owned by the caller (lnn_table_free); zeroed on failure
 * @return LNN_OK; LNN_ERR_IO (dir unreadable); LNN_ERR_FORMAT (no class
 *         folder, a class folder without an image, fewer than 2 classes);
 *         LNN_ERR_ARG, LNN_ERR_NOMEM, LNN_ERR_OVERFLOW
 */
LNN_API lnn_status lnn_table_load_images(lnn_table *out, const char *dir,
                                         const lnn_image_opts *o,
                                         lnn_image_skips *skips, char *err,
                                         size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* LNN_H */
