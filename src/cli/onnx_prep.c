/* onnx_prep.c: a table model's preparation as ONNX nodes (onnx_prep.h).
 * Each raw column's nodes come from its kind's builder (PREPCOL_KIND_LIST)
 * and its own lnn_prep_column: the fill, the kept categories, other, the
 * indicator. */
#define _POSIX_C_SOURCE 200809L

#include "onnx_prep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "prepcol.h"

#define COL_NODES 3  /* at most, per column */
#define COL_ATTRS 3  /* LabelEncoder's keys, values and default */
#define COL_INPUTS 3 /* Where's condition, then and else */
#define COL_VALUE_MAX 40 /* "prep<k>_indicator" */
#define COL_MAX_PARTS 2  /* a number's input and its indicator */

struct prep_col {
    onnx_io_value input;
    char *input_name;           /* the column's name, or unnamed */
    char unnamed[COL_VALUE_MAX]; /* "column<k>" */
    Onnx__NodeProto node[COL_NODES], *node_ptrs[COL_NODES];
    char *in[COL_NODES][COL_INPUTS];
    char *out[COL_NODES];
    char value[COL_NODES][COL_VALUE_MAX];
    Onnx__AttributeProto attr[COL_ATTRS], *attr_ptrs[COL_ATTRS];
    Onnx__TensorProto init;
    int64_t dims[2];
    char init_name[COL_VALUE_MAX];
    float *table;               /* the fill [1], or the rows [rows, width] */
    ProtobufCBinaryData *keys;  /* a category's LabelEncoder */
    int64_t *codes;
    size_t n_nodes;
    const char *parts[COL_MAX_PARTS]; /* its values for the Concat */
    size_t n_parts;
};

typedef bool (*col_build_fn)(prep_col *col, const lnn_prep_column *c,
                             size_t i);

/* Node k of col: op over its n_in inputs (col->in[k]) into col->value[k]. */
static Onnx__NodeProto *col_node(prep_col *col, size_t k, const char *op,
                                 size_t n_in)
{
    Onnx__NodeProto *nd = &col->node[k];
    onnx__node_proto__init(nd);
    nd->op_type = onnx_mutable_str(op);
    nd->n_input = n_in;
    nd->input = col->in[k];
    col->out[k] = col->value[k];
    nd->n_output = 1;
    nd->output = &col->out[k];
    col->node_ptrs[k] = nd;
    col->n_nodes = k + 1;
    return nd;
}

/* Attribute a of col, of type, named name. */
static Onnx__AttributeProto *col_attr(prep_col *col, size_t a,
                                      const char *name,
                                      Onnx__AttributeProto__AttributeType type)
{
    Onnx__AttributeProto *at = &col->attr[a];
    onnx__attribute_proto__init(at);
    at->name = onnx_mutable_str(name);
    at->has_type = 1;
    at->type = type;
    col->attr_ptrs[a] = at;
    return at;
}

/* col's float32 initializer "prep<i>_<what>" of rows x width (rows 0: a
 * vector of width). */
static void col_table(prep_col *col, size_t i, const char *what,
                      size_t rows, size_t width)
{
    Onnx__TensorProto *t = &col->init;
    onnx__tensor_proto__init(t);
    snprintf(col->init_name, sizeof col->init_name, "prep%zu_%s", i, what);
    t->name = col->init_name;
    t->n_dims = rows ? 2 : 1;
    t->dims = col->dims;
    col->dims[0] = (int64_t)(rows ? rows : width);
    col->dims[1] = (int64_t)width;
    t->has_data_type = 1;
    t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    t->n_float_data = (rows ? rows : 1) * width;
    t->float_data = col->table;
}

/* A number: IsNaN -> M; Where(M, fill, x); Cast(M, float) its indicator. */
static bool number_build(prep_col *col, const lnn_prep_column *c, size_t i)
{
    if (!(col->table = malloc(sizeof *col->table)))
        return false;
    col->table[0] = c->fill;
    col_table(col, i, "fill", 0, 1);
    snprintf(col->value[0], COL_VALUE_MAX, "prep%zu_missing", i);
    snprintf(col->value[1], COL_VALUE_MAX, "prep%zu_filled", i);
    col->in[0][0] = col->input_name;
    col_node(col, 0, "IsNaN", 1);
    col->in[1][0] = col->value[0];
    col->in[1][1] = col->init_name;
    col->in[1][2] = col->input_name;
    col_node(col, 1, "Where", 3);
    col->parts[col->n_parts++] = col->value[1];
    if (c->indicator) {
        snprintf(col->value[2], COL_VALUE_MAX, "prep%zu_indicator", i);
        col->in[2][0] = col->value[0];
        Onnx__NodeProto *nd = col_node(col, 2, "Cast", 1);
        Onnx__AttributeProto *to = col_attr(
            col, 0, "to", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
        to->has_i = 1;
        to->i = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
        nd->n_attribute = 1;
        nd->attribute = col->attr_ptrs;
        col->parts[col->n_parts++] = col->value[2];
    }
    return true;
}

/* "" and LNN_NA_DEFAULT's texts: a category column's missing cell */
static const char na_texts[] = "," LNN_NA_DEFAULT;
#define NA_TEXTS_MAX 16 /* texts in na_texts, at most */

/* LabelEncoder's key: the bytes of s, len of them. */
static ProtobufCBinaryData key_of(const char *s, size_t len)
{
    return (ProtobufCBinaryData){len, (uint8_t *)onnx_mutable_str(s)};
}

/* The keys of a category's LabelEncoder and the table rows they choose:
 * its kept categories (row k), then the texts of a missing cell that are
 * none of them (row missing); their count. */
static size_t category_keys(prep_col *col, const lnn_prep_column *c,
                            int64_t missing)
{
    size_t n = 0;
    for (; n < c->n_levels; n++) {
        col->keys[n] = key_of(c->levels[n], strlen(c->levels[n]));
        col->codes[n] = (int64_t)n;
    }
    for (const char *p = na_texts;; p++) {
        const size_t len = strcspn(p, ",");
        bool known = false;
        for (size_t l = 0; l < c->n_levels; l++)
            known |= strlen(c->levels[l]) == len &&
                     memcmp(c->levels[l], p, len) == 0;
        if (!known) {
            col->keys[n] = key_of(p, len);
            col->codes[n++] = missing;
        }
        p += len;
        if (!*p)
            return n;
    }
}

/* The rows a category column's code picks (width w each): its kept
 * categories' one-hot, other's, a missing cell's (the fill's category, -1
 * none, and the indicator), and an unseen category's (zeros). */
static void category_rows(float *T, const lnn_prep_column *c, size_t w)
{
    const size_t n_in = c->n_levels + (size_t)c->other;
    for (size_t k = 0; k < n_in; k++)
        T[k * w + k] = 1.0f;
    float *missing = T + n_in * w;
    if (c->fill >= 0.0f)
        missing[(size_t)c->fill] = 1.0f;
    if (c->indicator)
        missing[w - 1] = 1.0f;
}

/* A category: LabelEncoder(x) -> its row's index, Gather(rows, index) ->
 * [N, 1, w], Flatten -> [N, w]. */
static bool category_build(prep_col *col, const lnn_prep_column *c, size_t i)
{
    const size_t w = lnn_prep_column_width(c);
    const size_t n_in = c->n_levels + (size_t)c->other, rows = n_in + 2;
    col->table = calloc(rows * w, sizeof *col->table);
    col->keys = calloc(c->n_levels + NA_TEXTS_MAX, sizeof *col->keys);
    col->codes = calloc(c->n_levels + NA_TEXTS_MAX, sizeof *col->codes);
    if (!col->table || !col->keys || !col->codes)
        return false;
    category_rows(col->table, c, w);
    col_table(col, i, "table", rows, w);
    const size_t n_keys = category_keys(col, c, (int64_t)n_in);
    Onnx__AttributeProto *a = col_attr(
        col, 0, "keys_strings", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS);
    a->n_strings = n_keys;
    a->strings = col->keys;
    a = col_attr(col, 1, "values_int64s",
                 ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->n_ints = n_keys;
    a->ints = col->codes;
    a = col_attr(col, 2, "default_int64",
                 ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1;
    a->i = (int64_t)(c->other ? c->n_levels : n_in + 1);
    snprintf(col->value[0], COL_VALUE_MAX, "prep%zu_row", i);
    snprintf(col->value[1], COL_VALUE_MAX, "prep%zu_rows", i);
    snprintf(col->value[2], COL_VALUE_MAX, "prep%zu_inputs", i);
    col->in[0][0] = col->input_name;
    Onnx__NodeProto *nd = col_node(col, 0, "LabelEncoder", 1);
    nd->domain = onnx_mutable_str(ONNX_ML_DOMAIN);
    nd->n_attribute = COL_ATTRS;
    nd->attribute = col->attr_ptrs;
    col->in[1][0] = col->init_name;
    col->in[1][1] = col->value[0];
    col_node(col, 1, "Gather", 2);
    col->in[2][0] = col->value[1];
    col_node(col, 2, "Flatten", 1);
    col->parts[col->n_parts++] = col->value[2];
    return true;
}

#define BUILD_AT(E, name, elem_type, token, ml) [E] = token##_build,
static const col_build_fn builders[] = {PREPCOL_KIND_LIST(BUILD_AT)};
#undef BUILD_AT
#define ELEM_AT(E, name, elem_type, token, ml) [E] = elem_type,
static const int32_t elem_types[] = {PREPCOL_KIND_LIST(ELEM_AT)};
#undef ELEM_AT
#define ML_AT(E, name, elem_type, token, ml) [E] = ml,
static const bool kind_uses_ml[] = {PREPCOL_KIND_LIST(ML_AT)};
#undef ML_AT

void onnx_prep_free(onnx_prep_graph *g)
{
    for (size_t c = 0; g->cols && c < g->n_cols; c++) {
        free(g->cols[c].table);
        free(g->cols[c].keys);
        free(g->cols[c].codes);
    }
    free(g->cols);
    free(g->nodes);
    free(g->inits);
    free(g->inputs);
    free(g->parts);
    *g = (onnx_prep_graph){0};
}

/* Column i's graph input and nodes, by its kind. */
static bool column_build(onnx_prep_graph *g, const lnn_prep_column *c,
                         size_t i)
{
    prep_col *col = &g->cols[i];
    const prepcol_kind kind = prepcol_kind_of(c);
    snprintf(col->unnamed, sizeof col->unnamed, "column%zu", i + 1);
    col->input_name = c->name ? onnx_mutable_str(c->name) : col->unnamed;
    g->inputs[g->n_inputs++] = onnx_io_value_init(&col->input,
                                                  col->input_name, 1,
                                                  elem_types[kind]);
    if (!builders[kind](col, c, i))
        return false;
    g->uses_ml |= kind_uses_ml[kind];
    for (size_t k = 0; k < col->n_nodes; k++)
        g->nodes[g->n_nodes++] = col->node_ptrs[k];
    g->inits[g->n_inits++] = &col->init;
    for (size_t k = 0; k < col->n_parts; k++)
        g->parts[g->concat.n_input++] = onnx_mutable_str(col->parts[k]);
    return true;
}

bool onnx_prep_build(onnx_prep_graph *g, const lnn_prep *p, char *err,
                     size_t errlen)
{
    const size_t n = p->n_raw;
    *g = (onnx_prep_graph){0};
    g->cols = calloc(n, sizeof *g->cols);
    g->nodes = calloc(COL_NODES * n + 1, sizeof *g->nodes);
    g->inits = calloc(n, sizeof *g->inits);
    g->inputs = calloc(n, sizeof *g->inputs);
    g->parts = calloc(COL_MAX_PARTS * n, sizeof *g->parts);
    bool ok = g->cols && g->nodes && g->inits && g->inputs && g->parts;
    g->n_cols = ok ? n : 0;
    onnx__node_proto__init(&g->concat);
    for (size_t i = 0; ok && i < n; i++)
        ok = column_build(g, &p->raw[i], i);
    if (!ok) {
        onnx_prep_free(g);
        return errbuf_set(err, errlen, "out of memory for the preparation's "
                          "%zu columns", n);
    }
    g->concat.op_type = onnx_mutable_str("Concat");
    g->concat.input = g->parts;
    g->concat_out = onnx_mutable_str(ONNX_PREPARED);
    g->concat.n_output = 1;
    g->concat.output = &g->concat_out;
    onnx__attribute_proto__init(&g->axis);
    g->axis.name = onnx_mutable_str("axis");
    g->axis.has_type = 1;
    g->axis.type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    g->axis.has_i = 1;
    g->axis.i = 1;
    g->axis_ptr = &g->axis;
    g->concat.n_attribute = 1;
    g->concat.attribute = &g->axis_ptr;
    g->nodes[g->n_nodes++] = &g->concat;
    return true;
}
