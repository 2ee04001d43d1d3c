/* prepcol.h: the kinds of a table model's raw columns (lnn_prep.raw) as
 * the exports describe them: the metadata's "kind", and the element type
 * of the column's ONNX graph input (onnx.proto's TensorProto.DataType:
 * FLOAT 1, a NaN cell missing; STRING 8, the empty string and the
 * training file's texts of a gap, lnn_prep.na_values or LNN_NA_DEFAULT's,
 * missing). */
#ifndef LNN_CLI_PREPCOL_H
#define LNN_CLI_PREPCOL_H

#include "lnn.h"

/* X(enum, metadata name, ONNX element type, ONNX builder (onnx_prep.c),
 *   whether its nodes use the ai.onnx.ml domain) */
#define PREPCOL_KIND_LIST(X)                                                   \
    X(PREPCOL_NUMBER, "number", 1, number, 0)                                  \
    X(PREPCOL_CATEGORY, "category", 8, category, 1)

#define PREPCOL_ENUM_(E, ...) E,
typedef enum prepcol_kind { PREPCOL_KIND_LIST(PREPCOL_ENUM_) } prepcol_kind;
#undef PREPCOL_ENUM_

/* A column with categories (kept, or an other) is a category column. */
static inline prepcol_kind prepcol_kind_of(const lnn_prep_column *c)
{
    return c->n_levels || c->other ? PREPCOL_CATEGORY : PREPCOL_NUMBER;
}

#endif /* LNN_CLI_PREPCOL_H */
