/* onnx_prep.h: the preparation of a table model (lnn_prep.raw) as the
 * first nodes of its ONNX graph: one graph input per raw column, named as
 * the column ("column<k>", counted from 1, in a file without a header),
 * shape [N, 1]:
 *
 *   number    float, NaN = missing:
 *               IsNaN -> M; Where(M, fill, x) -> the input;
 *               Cast(M, float) -> its indicator (if it has one)
 *   category  string, "" and the training file's texts of a gap
 *             (lnn_prep.na_values, or LNN_NA_DEFAULT's) = missing:
 *               ai.onnx.ml LabelEncoder -> the input the text sets (a
 *               kept category's; other's for one folded, or unseen with
 *               other; the fill's for a gap; none, n_in, for one unseen
 *               without other); OneHot(., n_in); Flatten -> its one-hot
 *               inputs; with an indicator, a LabelEncoder of the missing
 *               texts to 1 (others 0)
 *
 * then Concat(axis 1) in the model's input order -> "prepared" [N, n_0],
 * which the scaling and the network take as they take "input". */
#ifndef LNN_CLI_ONNX_PREP_H
#define LNN_CLI_ONNX_PREP_H

#include <stdbool.h>
#include <stddef.h>

#include "lnn.h"
#include "onnx_graph.h"

#define ONNX_PREPARED "prepared"

typedef struct prep_col prep_col;

/* The nodes, initializers and graph inputs of a preparation. */
typedef struct onnx_prep_graph {
    size_t n_nodes, n_inits, n_inputs;
    Onnx__NodeProto **nodes;          /* n_nodes, the last the Concat */
    Onnx__TensorProto **inits;        /* n_inits */
    Onnx__ValueInfoProto **inputs;    /* n_inputs: one per raw column */
    bool uses_ml;                     /* a node of the ai.onnx.ml domain */
    prep_col *cols;                   /* what they point to */
    size_t n_cols;
    char **parts;                     /* the Concat's inputs */
    Onnx__NodeProto concat;
    Onnx__AttributeProto axis, *axis_ptr;
    char *concat_out;
    char *na;                         /* "," and the texts of a gap */
} onnx_prep_graph;

/* The preparation of p (p->raw, n_raw > 0) into g. false with a message in
 * err; onnx_prep_free in both cases. */
bool onnx_prep_build(onnx_prep_graph *g, const lnn_prep *p, char *err,
                     size_t errlen);
void onnx_prep_free(onnx_prep_graph *g);

#endif /* LNN_CLI_ONNX_PREP_H */
