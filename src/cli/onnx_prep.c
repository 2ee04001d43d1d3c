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

#define COL_NODES 4  /* at most, per column */
#define COL_ATTRS 6  /* two LabelEncoders' keys, values and default */
#define COL_INITS 2  /* OneHot's depth and values */
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
    Onnx__TensorProto init[COL_INITS], *init_ptrs[COL_INITS];
    int64_t dims[COL_INITS];    /* each a vector */
    char init_name[COL_INITS][COL_VALUE_MAX];
    float floats[2];            /* a number's fill, or OneHot's values */
    int64_t depth;              /* OneHot's */
    ProtobufCBinaryData *keys;  /* a category's LabelEncoders' */
    int64_t *codes;             /* the input each key sets */
    float *missing;             /* 1 for a missing text, for the indicator */
    const char *na;             /* the texts of a missing cell: the graph's */
    size_t n_inits;
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

/* col's next initializer "prep<i>_<what>", a vector of n values of type
 * (FLOAT or INT64) at x. */
static const char *col_init(prep_col *col, size_t i, const char *what,
                            int32_t type, void *x, size_t n)
{
    const size_t k = col->n_inits++;
    Onnx__TensorProto *t = &col->init[k];
    onnx__tensor_proto__init(t);
    snprintf(col->init_name[k], COL_VALUE_MAX, "prep%zu_%s", i, what);
    t->name = col->init_name[k];
    t->n_dims = 1;
    t->dims = &col->dims[k];
    col->dims[k] = (int64_t)n;
    t->has_data_type = 1;
    t->data_type = type;
    if (type == ONNX__TENSOR_PROTO__DATA_TYPE__INT64) {
        t->n_int64_data = n;
        t->int64_data = x;
    } else {
        t->n_float_data = n;
        t->float_data = x;
    }
    col->init_ptrs[k] = t;
    return col->init_name[k];
}

/* A number: IsNaN -> M; Where(M, fill, x); Cast(M, float) its indicator. */
static bool number_build(prep_col *col, const lnn_prep_column *c, size_t i)
{
    col->floats[0] = c->fill;
    const char *fill = col_init(col, i, "fill",
                                ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT,
                                col->floats, 1);
    snprintf(col->value[0], COL_VALUE_MAX, "prep%zu_missing", i);
    snprintf(col->value[1], COL_VALUE_MAX, "prep%zu_filled", i);
    col->in[0][0] = col->input_name;
    col_node(col, 0, "IsNaN", 1);
    col->in[1][0] = col->value[0];
    col->in[1][1] = onnx_mutable_str(fill);
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

/* How many texts a list of them, comma-separated, has. */
static size_t count_texts(const char *list)
{
    size_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    return n;
}

/* LabelEncoder's key: the bytes of s, len of them. */
static ProtobufCBinaryData key_of(const char *s, size_t len)
{
    return (ProtobufCBinaryData){len, (uint8_t *)onnx_mutable_str(s)};
}

/* The keys of a category's LabelEncoders, the input each sets and
 * whether it is missing: its kept categories (input k), then the texts of a
 * missing cell (col->na) that are none of them, each once (the fill's
 * input, `gap`); their count. */
static size_t category_keys(prep_col *col, const lnn_prep_column *c,
                            int64_t gap)
{
    size_t n = 0;
    for (; n < c->n_levels; n++) {
        col->keys[n] = key_of(c->levels[n], strlen(c->levels[n]));
        col->codes[n] = (int64_t)n;
        col->missing[n] = 0.0f;
    }
    for (const char *p = col->na;; p++) {
        const size_t len = strcspn(p, ",");
        bool known = false; /* a kept category's, or a text given twice */
        for (size_t k = 0; k < n; k++)
            known |= col->keys[k].len == len &&
                     memcmp(col->keys[k].data, p, len) == 0;
        if (!known) {
            col->keys[n] = key_of(p, len);
            col->codes[n] = gap;
            col->missing[n++] = 1.0f;
        }
        p += len;
        if (!*p)
            return n;
    }
}

/* A LabelEncoder of col's keys (n of them) from its input into node k's
 * value, to the codes (INT64s, default dflt) or the missing flags
 * (FLOATs, default 0), with attributes from a on. */
static void label_encoder(prep_col *col, size_t k, size_t a, size_t n,
                          bool codes, int64_t dflt)
{
    Onnx__AttributeProto *at = col_attr(
        col, a, "keys_strings", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS);
    at->n_strings = n;
    at->strings = col->keys;
    if (codes) {
        at = col_attr(col, a + 1, "values_int64s",
                      ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
        at->n_ints = n;
        at->ints = col->codes;
        at = col_attr(col, a + 2, "default_int64",
                      ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
        at->has_i = 1;
        at->i = dflt;
    } else {
        at = col_attr(col, a + 1, "values_floats",
                      ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
        at->n_floats = n;
        at->floats = col->missing;
        at = col_attr(col, a + 2, "default_float",
                      ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
        at->has_f = 1;
        at->f = 0.0f;
    }
    col->in[k][0] = col->input_name;
    Onnx__NodeProto *nd = col_node(col, k, "LabelEncoder", 1);
    nd->domain = onnx_mutable_str(ONNX_ML_DOMAIN);
    nd->n_attribute = 3;
    nd->attribute = &col->attr_ptrs[a];
}

/* A category of n_in inputs (kept, other): LabelEncoder(x) -> the input
 * its text sets (a kept category's; other's for one folded or unseen with
 * other; the fill's for a missing text; n_in, none, for one unseen
 * without other or a fill of none); OneHot(., n_in) -> [N, 1, n_in],
 * Flatten; with an indicator, a LabelEncoder of the missing texts to 1. */
static bool category_build(prep_col *col, const lnn_prep_column *c, size_t i)
{
    const size_t n_in = c->n_levels + (size_t)c->other;
    const size_t n_keys_max = c->n_levels + count_texts(col->na);
    col->keys = calloc(n_keys_max, sizeof *col->keys);
    col->codes = calloc(n_keys_max, sizeof *col->codes);
    col->missing = calloc(n_keys_max, sizeof *col->missing);
    if (!col->keys || !col->codes || !col->missing)
        return false;
    const int64_t none = (int64_t)n_in; /* OneHot: all zeros */
    const size_t n_keys = category_keys(
        col, c, c->fill >= 0.0f ? (int64_t)c->fill : none);
    snprintf(col->value[0], COL_VALUE_MAX, "prep%zu_index", i);
    snprintf(col->value[1], COL_VALUE_MAX, "prep%zu_onehot", i);
    snprintf(col->value[2], COL_VALUE_MAX, "prep%zu_inputs", i);
    label_encoder(col, 0, 0, n_keys, true,
                  c->other ? (int64_t)c->n_levels : none);
    col->depth = (int64_t)n_in;
    col->floats[0] = 0.0f;
    col->floats[1] = 1.0f;
    col->in[1][0] = col->value[0];
    col->in[1][1] = onnx_mutable_str(col_init(
        col, i, "depth", ONNX__TENSOR_PROTO__DATA_TYPE__INT64, &col->depth,
        1));
    col->in[1][2] = onnx_mutable_str(col_init(
        col, i, "values", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, col->floats,
        2));
    col_node(col, 1, "OneHot", 3);
    col->in[2][0] = col->value[1];
    col_node(col, 2, "Flatten", 1);
    col->parts[col->n_parts++] = col->value[2];
    if (c->indicator) {
        snprintf(col->value[3], COL_VALUE_MAX, "prep%zu_indicator", i);
        label_encoder(col, 3, 3, n_keys, false, 0);
        col->parts[col->n_parts++] = col->value[3];
    }
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
        free(g->cols[c].keys);
        free(g->cols[c].codes);
        free(g->cols[c].missing);
    }
    free(g->cols);
    free(g->nodes);
    free(g->inits);
    free(g->inputs);
    free(g->parts);
    free(g->na);
    *g = (onnx_prep_graph){0};
}

/* Column i's graph input and nodes, by its kind. */
static bool column_build(onnx_prep_graph *g, const lnn_prep_column *c,
                         size_t i)
{
    prep_col *col = &g->cols[i];
    const prepcol_kind kind = prepcol_kind_of(c);
    col->na = g->na;
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
    for (size_t k = 0; k < col->n_inits; k++)
        g->inits[g->n_inits++] = col->init_ptrs[k];
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
    g->inits = calloc(COL_INITS * n, sizeof *g->inits);
    g->inputs = calloc(n, sizeof *g->inputs);
    g->parts = calloc(COL_MAX_PARTS * n, sizeof *g->parts);
    /* "" and the training file's texts of a gap: a category's missing
     * cell */
    const char *na = p->na_values ? p->na_values : LNN_NA_DEFAULT;
    if ((g->na = malloc(strlen(na) + 2)))
        sprintf(g->na, ",%s", na);
    bool ok = g->cols && g->nodes && g->inits && g->inputs && g->parts &&
              g->na;
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
