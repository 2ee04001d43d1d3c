/* sequential.h: an lnn network as PyTorch names it,
 *
 *     nn.Sequential(nn.Linear(n_0, n_1), act, nn.Linear(n_1, n_2), act, ...,
 *                   nn.Linear(n_{L-1}, n_L))   (+ the loss's output activation)
 *
 * whose state dict holds, for layer l = 1..L, "<2(l-1)>.weight" [n_l,
 * n_{l-1}] (row-major: lnn's column-major W_l transposed) and
 * "<2(l-1)>.bias" [n_l]; the activations in between have no parameters.
 * Both exports (safetensors, ONNX) use these tensors and this metadata. */
#ifndef LNN_CLI_SEQUENTIAL_H
#define LNN_CLI_SEQUENTIAL_H

#include <stdbool.h>
#include <stddef.h>

#include "lnn.h"
#include "safetensors.h"

#define SEQ_NAME_MAX 32 /* "<index>.weight" */
#define SEQ_MAX_LAYERS 4096 /* the model file's limit on L */
#define SEQ_EXPORT_FORMAT "lnn-sequential-1"

/* Metadata keys (values are strings) */
#define SEQ_KEY_FORMAT "format"         /* SEQ_EXPORT_FORMAT */
#define SEQ_KEY_LNN_VERSION "lnn_version"
#define SEQ_KEY_LAYERS "layers"         /* "784,256,128,10" */
#define SEQ_KEY_ACTIVATION "activation" /* hidden: one lnn name ("relu")
                                           for all, or one per hidden layer
                                           ("gelu,relu") */
#define SEQ_KEY_TORCH_ACTIVATION "torch_activation" /* the same as torch.nn
                                           modules: "ReLU", "GELU,ReLU" */
#define SEQ_KEY_LEAKY_SLOPE "leaky_slope" /* with a leaky_relu layer: its
                                           negative_slope, "%.9g" */
#define SEQ_KEY_OUTPUT "output"         /* the loss's: "softmax", "sigmoid",
                                           "identity" */
#define SEQ_KEY_LOSS "loss"             /* "ce", "bce", "mse", ...; absent:
                                           ce (an export before heads) */
#define SEQ_KEY_HUBER_DELTA "huber_delta" /* huber's delta, "%.9g" */
#define SEQ_KEY_INPUT "input"           /* how inputs are scaled */
#define SEQ_INPUT_PIXELS "pixel / 255"  /* 8-bit IDX/PGM pixels to [0, 1] */
/* A model trained on a table file (its lnn_prep) adds: */
#define SEQ_KEY_LABELS "labels"         /* JSON array of the class names */
#define SEQ_KEY_SHIFT "scale_shift"     /* n_0 floats, comma-separated */
#define SEQ_KEY_MUL "scale_mul"         /* input = (x - shift) * mul */
#define SEQ_KEY_COLUMNS "columns"       /* JSON array of the feature names */
/* ... and a model with targets (bce, or a regression loss): */
#define SEQ_KEY_TARGETS "targets"       /* JSON array of the target names */
#define SEQ_KEY_TARGET_SHIFT "target_shift" /* n_L floats: the network */
#define SEQ_KEY_TARGET_MUL "target_mul" /* predicts (y - shift) * mul */
/* ... and a model of prepared columns (text one-hot, gaps filled): */
#define SEQ_KEY_PREPARED "prepared"     /* what its inputs are: a sentence */
#define SEQ_KEY_PREPARATION "preparation" /* how: JSON (seqprep.h) */
#define SEQ_N_METADATA 8                /* the keys every export has */
#define SEQ_MAX_METADATA 19

/* The 2L tensors of the state dict, with their metadata. */
typedef struct seq_state {
    size_t n_tensors;
    st_out_tensor *tensors;       /* 0.weight, 0.bias, 2.weight, ... */
    char (*names)[SEQ_NAME_MAX];  /* their names */
    float *values;                /* all of them, row-major */
    char *layers;                 /* "784,256,10" */
    char *acts, *torch_acts;      /* the activations' values */
    char leaky_slope[SEQ_NAME_MAX];
    char *labels, *columns;       /* the prep's keys' values, or NULL */
    char *preparation;
    char *shift, *mul;
    char *targets, *target_shift, *target_mul;
    char huber_delta[SEQ_NAME_MAX];
    const float *shift_v, *mul_v; /* n_0 each, borrowed from the net's prep,
                                     or NULL: no affine scaling */
    const float *target_shift_v, *target_mul_v; /* n_L each, borrowed, or
                                     NULL: no target scaling */
    st_kv metadata[SEQ_MAX_METADATA];
    size_t n_metadata;
} seq_state;

/* Layer l's (1-based) weight or bias name: "<2(l-1)>.weight" / ".bias". */
void seq_param_name(char name[SEQ_NAME_MAX], size_t l, bool bias);

/* The state dict of net (a copy, weights transposed). false with a message
 * in err; seq_state_free in both cases. */
bool seq_state_from_net(seq_state *s, lnn_net *net, char *err, size_t errlen);
void seq_state_free(seq_state *s);

/* A safetensors file read as such a state dict. */
typedef struct seq_layout {
    size_t L;
    size_t *dims;              /* L + 1 layer sizes */
    const st_tensor **tensors; /* 2L: layer l's weight at 2(l-1), bias
                                  after it (borrowed from the file) */
} seq_layout;

/* Check that f holds exactly the tensors of such an nn.Sequential, at most
 * SEQ_MAX_LAYERS layers, with shapes that chain. false with a message in
 * err; seq_layout_free in both cases. */
bool seq_layout_of(seq_layout *s, const st_file *f, char *err, size_t errlen);
void seq_layout_free(seq_layout *s);

/* The hidden activations of an L-layer network: from `name` if not NULL,
 * else from f's metadata, one name for all or one per hidden layer, into
 * acts (max(1, L - 1) entries), and the leaky slope from the metadata (0:
 * none there). false with a message if neither names hidden activations,
 * or their count is neither 1 nor L - 1. */
bool seq_activations(const st_file *f, const char *name, size_t L,
                     lnn_activation *acts, float *slope, char *err,
                     size_t errlen);

/* Copy the tensors into net's parameters (net made with s->dims),
 * converted to float32, W transposed back to column-major. false if a
 * value is not finite. */
bool seq_load_params(const seq_layout *s, lnn_net *net, char *err,
                     size_t errlen);

/* The loss that f's metadata names ("loss"; ce without one), checked
 * against its "output" where given, and huber's delta (0: the default).
 * false with a message in err. */
bool seq_loss_of(const st_file *f, lnn_loss *loss, float *huber_delta,
                 char *err, size_t errlen);

/* The prep that f's metadata describes (seq_state_from_net's keys of a
 * model trained on a table) for a network of that loss: *table false, and
 * p zero, when "input" names no table scaling (an IDX model, another
 * tool's file) and none of the prep's keys is there. false with a message
 * in err for metadata that contradicts itself, the loss or the layer sizes
 * (p then needs no lnn_prep_free). */
bool seq_prep_of(lnn_prep *p, bool *table, const st_file *f,
                 const seq_layout *s, lnn_loss loss, char *err,
                 size_t errlen);

/* All of the above: a new network (max_batch columns) holding f's
 * parameters and the prep of its metadata, or NULL with a message in
 * err. */
lnn_net *seq_net_create(const st_file *f, const char *activation,
                        size_t max_batch, char *err, size_t errlen);

/* Set net's parameters from the state dict in the safetensors file at
 * path (lnn train --init-from): its layer sizes must be net's, and its
 * metadata's activation, if any, net's. false with a message in err. */
bool seq_init_from(lnn_net *net, const char *path, char *err, size_t errlen);

#endif /* LNN_CLI_SEQUENTIAL_H */
