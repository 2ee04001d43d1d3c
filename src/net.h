/* net.h: the network object, shared by the library's files (not installed). */
#ifndef LNN_NET_H
#define LNN_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "enums.h"
#include "kernels.h"
#include "lnn_exercise.h"
#include "status.h"

#define LNN_ERRMSG_MAX 256


/* The plateau schedule's state (lnn_lr_schedule): the factor on the rate,
 * and the best monitored value and the judged reports since it. */
typedef struct lnn__plateau {
    float scale;     /* 1 at the start */
    bool has_best;   /* false: nothing judged yet */
    double best;
    uint64_t stale;
} lnn__plateau;

/* Layer l's buffers: views into the network's blocks. */
typedef struct lnn__layer_buf {
    size_t n, n_prev;
    float *W;  /* n x n_prev, column-major */
    float *b;  /* n */
    float *dW; /* n x n_prev */
    float *db; /* n */
    lnn__act act; /* f and its parameter */
    float *H;  /* n x eval_cols: the forward output, kept for backward */
    float *Z;  /* n x max_batch: Z + b, kept by a training forward for the
                  backward where f' needs it (lnn__act_needs_Z); else NULL */
    float *dZ; /* n x max_batch: dH from layer l+1, turned into dZ in place */
    float p;   /* dropout's rate (hidden layers; 0: none) */
    float *D;  /* n x max_batch: a training forward's H with dropout's mask
                  applied, the next layer's input; NULL without dropout */
    uint8_t *K; /* n x max_batch: that forward's mask, 1 where kept (for
                   the backward); NULL without dropout */
} lnn__layer_buf;

/* Where a training pass draws dropout's masks: the run's seed, the update
 * (its iteration), and the global index (in the batch of all processes)
 * of the pass's first column. */
typedef struct lnn__drop_at {
    uint64_t seed, t, g0;
} lnn__drop_at;

/* out (n x m) = x with inverted dropout at rate p: x / (1 - p) where kept,
 * 0 where dropped, by hidden layer l's masks at *at for the columns of
 * global index g0 .. g0 + m - 1 (dropout.c); K (n x m) gets the masks, 1
 * where kept. */
void lnn__dropout(float *out, uint8_t *K, const float *x, float p, size_t n,
                  size_t m, const lnn__drop_at *at, size_t l, uint64_t g0);

/* dH (n x m) = dD through dropout at rate p, in place: dD / (1 - p) where
 * the mask K of the forward kept the unit, else 0. */
void lnn__dropout_back(float *dH, const uint8_t *K, float p, size_t n,
                       size_t m);

/* Evaluation and prediction run the forward pass on chunks of at least
 * this many columns, whatever max_batch is: on the default network a
 * validation pass of 10000 MNIST images took 0.68x the time in chunks of
 * 512 that it took in chunks of 128 (the GEMMs run nearer their peak and
 * the team meets 4x less often; bench/README.md, "Issue 23"). The forward
 * outputs H and the evaluation buffers are sized for it, as far as they fit
 * in LNN_EVAL_BYTES (a network with a million inputs evaluates 4 columns
 * at a time, or max_batch). */
#define LNN_EVAL_COLS ((size_t)512)
#define LNN_EVAL_BYTES ((size_t)16 << 20)

struct lnn_net {
    size_t L;              /* layers with weights */
    size_t *dims;          /* L + 1 sizes n_0 .. n_L */
    lnn_activation hidden; /* the config's (the model header's) */
    float leaky_slope;     /* leaky_relu's, for every layer that has it */
    size_t max_batch;
    size_t eval_cols;      /* columns of an evaluation's forward:
                              max(max_batch, LNN_EVAL_COLS) */
    size_t n_params;       /* floats in params (and in grads) */
    float *params;         /* W_1 b_1 W_2 b_2 ... W_L b_L, 64-byte aligned */
    float *grads;          /* dW_1 db_1 ... dW_L db_L */
    float *H_block;        /* H_1 .. H_L, each n_l x eval_cols */
    float *dZ_block;       /* dZ_1 .. dZ_L, each n_l x max_batch */
    float *Z_block;        /* Z_l, n_l x max_batch, of the layers whose f'
                              needs it; NULL if none does */
    float *X_eval;         /* n_0 x eval_cols: evaluation's gathered
                              inputs (training batches have their own,
                              lnn__batches) */
    float *Y_eval;         /* n_L x eval_cols */
    int32_t *labels_eval;  /* eval_cols class indices */
    int32_t *pred_batch;   /* eval_cols predictions */
    double *eval_sums;     /* LNN_HEAD_SUMS(n_L): an evaluation's sums */
    lnn__head head;        /* the loss, its output activation, its delta */
    lnn_optimizer optimizer;
    float *opt_state;      /* lnn__opt_slots(optimizer) x n_params: the
                              velocity v, or Adam's moments mom1 then mom2;
                              NULL for SGD */
    uint64_t opt_t;        /* optimizer steps taken (Adam's bias correction) */
    lnn__layer_buf *layers;/* [1..L]; [0] unused */
    size_t m_fwd;          /* columns of the last forward (0: none yet) */
    lnn_train_state state;
    lnn_init init;         /* the scheme that made the parameters */
    uint64_t init_seed;
    lnn_prep *prep;        /* the data's scaling and labels, or NULL */
    lnn_data_id data;      /* without a prep (IDX): the training data's id
                              (rows 0: none); else prep->data holds it */
    float *class_w;        /* n_L training weights per class, or NULL */
    float *D_block;        /* the layers' D (dropout), or NULL */
    uint8_t *K_block;      /* the layers' K (dropout), or NULL */
    lnn__drop_at drop_at;  /* the masks of the next training pass */
    lnn__plateau plateau;  /* the plateau schedule's state */
    double *clip_sq;       /* lnn__clip_units: the gradient's squared norm
                              in clipping's fixed pieces (clip.c) */
    size_t P_parts;        /* partial products of layer 1's split forward
                              (lnn__net_forward) P_block holds: 0, none */
    float *P_block;        /* P_parts x n_1 x max_batch, or NULL */
    char errmsg[LNN_ERRMSG_MAX];
};

/* One optimizer step's constants, the same for every parameter: its rule,
 * the rate, weight decay wd, momentum mu, Adam's betas, eps and bias
 * corrections 1 / (1 - beta^t). */
typedef struct lnn__step {
    lnn_optimizer opt; /* the rule: the net's (lnn__optim_begin) */
    float lr, wd, mu;
    float beta1, beta2, eps;
    float inv_bc1, inv_bc2;
    float gscale; /* the factor on every gradient: 1, or clipping's */
} lnn__step;

/* Record a message for lnn_net_errmsg and return s. */
lnn_status lnn__fail(lnn_net *net, lnn_status s, const char *fmt, ...)
    LNN_PRINTF(3, 4);

/* Threads for the team of a forward (or backward) pass over m columns: the
 * lnn__team_size of the pass's multiply-adds. */
int lnn__net_team(const lnn_net *net, size_t m, bool backward);

/* Forward and backward through all layers, without argument checks, each
 * in one team (lnn__team_pass), in a mode of kernels.h: a backward needs a
 * TRAIN forward of the same columns before it (m <= max_batch). GEMMS runs
 * the products alone: the forward leaves W_l . H_{l-1} in H_l (or the kept
 * Z_l), the backward computes every dH_{l-1} and dW_l from whatever dZ_l
 * holds. */
void lnn__net_forward(lnn_net *net, const float *X, size_t m, lnn__mode mode);
void lnn__net_backward(lnn_net *net, const float *X, lnn__targets T,
                       size_t m, lnn__mode mode);
/* The backward of one process's m columns of a data-parallel batch of
 * m_all columns in all: dW_l, db_l scaled by 1/m_all, so that their sum
 * over the processes is the whole batch's gradient (m_all = m: the
 * backward of the whole batch, lnn__net_backward). */
void lnn__net_backward_share(lnn_net *net, const float *X, lnn__targets T,
                             size_t m, size_t m_all, lnn__mode mode);

/* true if lr is a usable learning rate: finite and > 0. */
bool lnn__lr_ok(float lr);

/* Check the optimizer's hyper-parameters (those opt uses) and the
 * learning-rate schedule; on failure write a message to msg (may be NULL)
 * and return LNN_ERR_ARG. */
lnn_status lnn__check_hyper(const lnn_train_opts *opts, lnn_optimizer opt,
                            char *msg, size_t len);

/* lnn_lr_at without checks: the schedule's rate for step t. */
float lnn__lr_at(const lnn_train_opts *opts, uint64_t t,
                 uint64_t steps_per_epoch, uint64_t total);

/* The rate of the net's update t: lnn__lr_at times the plateau scale
 * under the plateau schedule. */
float lnn__lr_now(const lnn_net *net, const lnn_train_opts *opts, uint64_t t,
                  uint64_t steps_per_epoch, uint64_t total);

/* The plateau schedule judges a report's monitored value v (larger is
 * better if higher): a new best, or one more report without, and after
 * opts->lr_patience of those a decay. Nothing under other schedules. */
void lnn__plateau_judge(lnn_net *net, const lnn_train_opts *opts, double v,
                        bool higher);

/* lnn_optim_step without checks: one update by the net's optimizer
 * (lnn__optim_begin, then lnn__optim_all). */
void lnn__optim_step(lnn_net *net, const lnn_train_opts *opts, float lr);

/* Start an update: count it (opt_t) and fill *step for it. */
void lnn__optim_begin(lnn_net *net, const lnn_train_opts *opts, float lr,
                      lnn__step *step);

/* Update every parameter from its gradient and state by a step (one
 * lnn__optim_begin started, or the exercise's SGD), weights with decay,
 * biases without, in one team: each member the parameters whose gradients
 * its share of the backward computed. Each element's update reads only
 * that element, so any cut ends bit for bit alike. */
void lnn__optim_all(lnn_net *net, const lnn__step *step);

/* Gradient clipping by global norm (clip.c). The pieces of the squared
 * norm of a network of layer sizes dims[0..L]: */
size_t lnn__clip_units(const size_t *dims, size_t L);

/* Sum layer l's pieces of share `rank` of `count` of its gradients (the
 * cut of lnn__layer_grads) into net->clip_sq. */
void lnn__clip_sums(lnn_net *net, size_t l, size_t rank, size_t count);

/* Sum all pieces of all layers (threads of their own at the top level). */
void lnn__clip_sums_all(lnn_net *net);

/* The factor that brings the gradient, whose pieces net->clip_sq holds,
 * to norm clip: clip / norm if the norm is larger, else 1. */
float lnn__clip_scale(const lnn_net *net, float clip);

#endif /* LNN_NET_H */
