/* onnx_graph.h: what onnx.c and onnx_prep.c share to build a graph with
 * protobuf-c's structures (onnx.pb-c.h, generated from onnx.proto). */
#ifndef LNN_CLI_ONNX_GRAPH_H
#define LNN_CLI_ONNX_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "onnx.pb-c.h"

#define ONNX_N_IO_DIMS 2 /* [N, n] */
#define ONNX_ML_DOMAIN "ai.onnx.ml"
#define ONNX_ML_OPSET 2  /* LabelEncoder's keys_strings, values_int64s */

/* protobuf-c's structures hold char *, though packing only reads them */
static inline char *onnx_mutable_str(const char *s)
{
    union {
        const char *c;
        char *m;
    } u = {.c = s};
    return u.m;
}

/* A graph input or output: a tensor of elem_type (ONNX__TENSOR_PROTO__
 * DATA_TYPE__*) of shape [N, n]. */
typedef struct onnx_io_value {
    Onnx__ValueInfoProto info;
    Onnx__TypeProto type;
    Onnx__TypeProto__Tensor tensor;
    Onnx__TensorShapeProto shape;
    Onnx__TensorShapeProto__Dimension dim[ONNX_N_IO_DIMS],
        *dim_ptrs[ONNX_N_IO_DIMS];
} onnx_io_value;

Onnx__ValueInfoProto *onnx_io_value_init(onnx_io_value *v, const char *name,
                                         size_t n, int32_t elem_type);

#endif /* LNN_CLI_ONNX_GRAPH_H */
