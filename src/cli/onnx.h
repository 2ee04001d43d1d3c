/* onnx.h: an lnn network as an ONNX model (opset 13): input "input"
 * [N, n_0] float32, then per layer Gemm (transB = 1, the state dict's
 * row-major weights) and Relu or Sigmoid, then the loss's head: what
 * predict --output writes, "probabilities" [N, classes or labels] (Softmax;
 * Sigmoid; for one binary label both classes' 1 - p, p) or "predictions"
 * [N, n_L] in the targets' units (the target scaling undone). A table
 * model of prepared columns takes its raw columns instead of "input" and
 * prepares them in the graph first (onnx_prep.h). */
#ifndef LNN_CLI_ONNX_H
#define LNN_CLI_ONNX_H

#include <stdbool.h>
#include <stddef.h>

#include "sequential.h"

#define ONNX_OPSET 13
#define ONNX_IR_VERSION 8 /* onnx 1.12 (Debian 12) reads up to 8 */
#define ONNX_INPUT "input"
#define ONNX_OUTPUT "probabilities"
#define ONNX_PREDICTIONS "predictions" /* a regression head's output */
#define ONNX_BATCH "N" /* the symbolic batch dimension */
#define ONNX_PACKAGES "protobuf-c-compiler libprotobuf-c-dev libonnx-dev"

/* The graph's output: "probabilities" or "predictions", [N, width]. */
typedef struct onnx_output {
    const char *name;
    size_t width;
} onnx_output;

/* Write net's graph, with s (its state dict) as the initializers and s's
 * metadata as metadata_props; *out says what it outputs. false with a
 * message in err; in a build without ONNX support, says which packages to
 * install. */
bool onnx_write(const char *path, const lnn_net *net, const seq_state *s,
                onnx_output *out, char *err, size_t errlen);

#endif /* LNN_CLI_ONNX_H */
