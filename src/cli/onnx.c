/* onnx.c: an lnn network as an ONNX model (onnx.h), encoded by protobuf-c
 * from the structures protoc-c generated out of Debian's onnx.proto.
 *
 *   input [N, n_0] -> Gemm(0.weight, 0.bias, transB=1) -> Z1 -> f_1 -> H1
 *     -> ... -> Gemm(<2(L-1)>.weight, <2(L-1)>.bias) -> ZL -> the head,
 *
 * f_l the nodes of layer l's activation's ONNX form (LNN_ACTIVATION_LIST:
 * Relu; LeakyRelu(alpha); Erf and arithmetic for GELU; Sigmoid, Mul for
 * SiLU; ...), and the head:
 *
 *   ce                      Softmax(axis=-1) -> probabilities [N, n_L]
 *   bce, one binary label   Sigmoid -> P; Concat(1 - P, P) -> probabilities
 *                           [N, 2] (the two classes, as predict --output)
 *   bce, n_L labels         Sigmoid -> probabilities [N, n_L]
 *   mse, mae, huber         Div(target_mul), Add(target_shift) (the target
 *                           scaling undone), or Identity without one ->
 *                           predictions [N, n_L] in the targets' units
 *
 * A table model of prepared columns has its raw columns as the graph's
 * inputs, and the nodes of onnx_prep.c before these, whose output
 * "prepared" takes the place of "input".
 *
 * Gemm computes Y = A . B^T + C: with A = H_{l-1}^T (one sample per row)
 * and B the row-major weight [n_l, n_{l-1}] (lnn's W_l), Y = (W_l H_{l-1} +
 * b_l)^T, the layer's Z_l one sample per row. */
#define _POSIX_C_SOURCE 200809L

#include "onnx.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "errbuf.h"
#include "outfile.h"
#include "onnx_graph.h"
#include "onnx_prep.h"

#define ONNX_PRODUCER "lnn"
#define ONNX_GRAPH_NAME "lnn"
#define ONNX_VALUE_NAME_MAX 24 /* "Z4096" */
#define GEMM_INPUTS 3          /* A, B, C */
#define ONNX_MAX_BYTES ((size_t)INT32_MAX) /* protobuf's message limit */

/* protobuf-c's float_data is float *, though packing only reads it */
static float *mutable_floats(const float *x)
{
    union {
        const float *c;
        float *m;
    } u = {.c = x};
    return u.m;
}

/* The scaling nodes before the first Gemm (Sub, Mul) when the model has
 * an affine scaling (lnn_prep standard or minmax): their initializers. */
#define ONNX_SCALE_NODES 2
#define ONNX_SCALE_SHIFT "scale_shift"
#define ONNX_SCALE_MUL "scale_mul"

/* The head adds at most this many nodes and initializers after the last
 * Gemm's, beyond its output activation. */
#define ONNX_HEAD_EXTRA 2
#define ONNX_ONE "one"
#define ONNX_TARGET_SHIFT "target_shift"
#define ONNX_TARGET_MUL "target_mul"

/* An activation's ONNX form (LNN_ACTIVATION_LIST): nodes separated by
 * spaces, each OP or OP(ARG[,ARG]), an ARG being z (the layer's Z), "."
 * (the previous node's output; a node without operands takes it), a
 * number (a scalar initializer), or NAME=VALUE, a float attribute whose
 * value is a number or "slope" (the net's leaky slope). */
#define ACT_MAX_STEPS 8
#define ACT_TOKEN 24
typedef struct act_step {
    char op[ACT_TOKEN];
    size_t n_in;
    char in[2][ACT_TOKEN];   /* "z", "." or a number */
    char attr[ACT_TOKEN];    /* "" for none */
    char attr_value[ACT_TOKEN];
} act_step;

#define ACT_FORM_AT(E, value, name, hidden, needs_Z, init, onnx, ...)         \
    [value] = onnx,
static const char *const act_forms[] = {LNN_ACTIVATION_LIST(ACT_FORM_AT)};

/* One ARG of a step into st. */
static void step_arg(act_step *st, const char *arg, size_t len)
{
    const char *eq = memchr(arg, '=', len);
    if (eq) {
        snprintf(st->attr, sizeof st->attr, "%.*s", (int)(eq - arg), arg);
        snprintf(st->attr_value, sizeof st->attr_value, "%.*s",
                 (int)(len - (size_t)(eq - arg) - 1), eq + 1);
    } else if (st->n_in < 2) {
        snprintf(st->in[st->n_in++], ACT_TOKEN, "%.*s", (int)len, arg);
    }
}

/* The steps of f's form into steps (ACT_MAX_STEPS); their count. */
static size_t act_steps(lnn_activation f, act_step *steps)
{
    size_t n = 0;
    for (const char *p = act_forms[f]; *p && n < ACT_MAX_STEPS; n++) {
        act_step *st = &steps[n];
        *st = (act_step){.n_in = 0};
        const size_t op = strcspn(p, "( ");
        snprintf(st->op, sizeof st->op, "%.*s", (int)op, p);
        p += op;
        if (*p == '(') {
            for (p++; *p && *p != ')'; p += *p == ',') {
                const size_t len = strcspn(p, ",)");
                step_arg(st, p, len);
                p += len;
            }
            p += *p == ')';
        }
        if (st->n_in == 0)
            snprintf(st->in[st->n_in++], ACT_TOKEN, ".");
        p += strspn(p, " ");
    }
    return n;
}

/* Scalar constants among the steps' operands. */
static size_t act_consts(const act_step *steps, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < steps[i].n_in; j++)
            c += strcmp(steps[i].in[j], "z") && strcmp(steps[i].in[j], ".");
    return c;
}

/* Everything the model's structures point to: n nodes (the scaling's, a
 * Gemm and the activation's nodes per layer, the head's), as many
 * attributes plus L + 1, and i initializers. */
typedef struct graph_mem {
    Onnx__NodeProto *nodes, **node_ptrs;             /* n */
    Onnx__AttributeProto *attrs, **attr_ptrs;        /* n + L + 1 */
    Onnx__TensorProto *inits, **init_ptrs;           /* i */
    int64_t (*init_dims)[2];                         /* i */
    char (*init_names)[ONNX_VALUE_NAME_MAX];         /* i: the constants' */
    float *consts;                                   /* i: their values */
    char *(*inputs)[GEMM_INPUTS];                    /* n */
    char **outputs;                                  /* n */
    char (*values)[ONNX_VALUE_NAME_MAX];             /* n */
    char (*ops)[ACT_TOKEN];                          /* n: activations' */
    char (*attr_names)[ACT_TOKEN];                   /* n + L + 1 */
    size_t n_attrs;                                  /* attributes used */
} graph_mem;

static void graph_mem_free(graph_mem *g)
{
    free(g->nodes);
    free(g->node_ptrs);
    free(g->attrs);
    free(g->attr_ptrs);
    free(g->inits);
    free(g->init_ptrs);
    free(g->init_dims);
    free(g->init_names);
    free(g->consts);
    free(g->inputs);
    free(g->outputs);
    free(g->values);
    free(g->ops);
    free(g->attr_names);
}

/* Nodes and initializers of net's graph after `first` of the scaling. */
static void graph_count(const lnn_net *net, size_t first, size_t *n,
                        size_t *i)
{
    const size_t L = lnn_net_L(net);
    act_step steps[ACT_MAX_STEPS];
    *n = first + 2 * L + ONNX_HEAD_EXTRA;
    *i = first + 2 * L + ONNX_HEAD_EXTRA;
    for (size_t l = 1; l < L; l++) {
        const size_t k = act_steps(lnn_net_activation(net, l), steps);
        *n += k - 1;
        *i += act_consts(steps, k);
    }
}

static bool graph_mem_alloc(graph_mem *g, const lnn_net *net, size_t first)
{
    const size_t L = lnn_net_L(net);
    size_t n, i;
    graph_count(net, first, &n, &i);
    g->nodes = calloc(n, sizeof *g->nodes);
    g->node_ptrs = calloc(n, sizeof *g->node_ptrs);
    g->attrs = calloc(n + L + 1, sizeof *g->attrs);
    g->attr_ptrs = calloc(n + L + 1, sizeof *g->attr_ptrs);
    g->inits = calloc(i, sizeof *g->inits);
    g->init_ptrs = calloc(i, sizeof *g->init_ptrs);
    g->init_dims = calloc(i, sizeof *g->init_dims);
    g->init_names = calloc(i, sizeof *g->init_names);
    g->consts = calloc(i, sizeof *g->consts);
    g->inputs = calloc(n, sizeof *g->inputs);
    g->outputs = calloc(n, sizeof *g->outputs);
    g->values = calloc(n, sizeof *g->values);
    g->ops = calloc(n, sizeof *g->ops);
    g->attr_names = calloc(n + L + 1, sizeof *g->attr_names);
    g->n_attrs = L + 1;
    return g->nodes && g->node_ptrs && g->attrs && g->attr_ptrs && g->inits &&
           g->init_ptrs && g->init_dims && g->init_names && g->consts &&
           g->inputs && g->outputs && g->values && g->ops && g->attr_names;
}

/* A float attribute (alpha). */
static Onnx__AttributeProto **float_attr(graph_mem *g, const char *name,
                                         float value)
{
    Onnx__AttributeProto *a = &g->attrs[g->n_attrs];
    Onnx__AttributeProto **ptr = &g->attr_ptrs[g->n_attrs];
    snprintf(g->attr_names[g->n_attrs], ACT_TOKEN, "%s", name);
    onnx__attribute_proto__init(a);
    a->name = g->attr_names[g->n_attrs++];
    a->has_type = 1;
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
    a->has_f = 1;
    a->f = value;
    *ptr = a;
    return ptr;
}

/* An integer attribute (transB = 1, axis = -1). */
static Onnx__AttributeProto *int_attr(Onnx__AttributeProto *a,
                                      Onnx__AttributeProto **ptr,
                                      const char *name, int64_t value)
{
    onnx__attribute_proto__init(a);
    a->name = onnx_mutable_str(name);
    a->has_type = 1;
    a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
    a->has_i = 1;
    a->i = value;
    *ptr = a;
    return a;
}

/* Node k: op_type over inputs into g->values[k] (or `output`). */
static void node(graph_mem *g, size_t k, const char *op_type,
                 const char *output, size_t n_inputs,
                 Onnx__AttributeProto **attr)
{
    Onnx__NodeProto *nd = &g->nodes[k];
    onnx__node_proto__init(nd);
    nd->op_type = onnx_mutable_str(op_type);
    nd->n_input = n_inputs;
    nd->input = g->inputs[k];
    g->outputs[k] = output ? onnx_mutable_str(output) : g->values[k];
    nd->n_output = 1;
    nd->output = &g->outputs[k];
    nd->n_attribute = attr ? 1 : 0;
    nd->attribute = attr;
    g->node_ptrs[k] = nd;
}

/* A float32 [n] initializer. */
static void vector_init(graph_mem *g, size_t t, const char *name,
                        const float *x, size_t n)
{
    Onnx__TensorProto *init = &g->inits[t];
    onnx__tensor_proto__init(init);
    init->name = onnx_mutable_str(name);
    init->n_dims = 1;
    init->dims = g->init_dims[t];
    init->dims[0] = (int64_t)n;
    init->has_data_type = 1;
    init->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    init->n_float_data = n;
    init->float_data = mutable_floats(x);
    g->init_ptrs[t] = init;
}

/* input' = (input - scale_shift) * scale_mul, broadcast over the batch
 * (input: the graph's, or the preparation's):
 * nodes and initializers 0 and 1; returns the scaled value's name. */
static const char *build_scaling(graph_mem *g, const lnn_net *net,
                                 const seq_state *s, const char *input)
{
    const size_t n_0 = lnn_net_dims(net)[0];
    vector_init(g, 0, ONNX_SCALE_SHIFT, s->shift_v, n_0);
    vector_init(g, 1, ONNX_SCALE_MUL, s->mul_v, n_0);
    snprintf(g->values[0], ONNX_VALUE_NAME_MAX, "input_shifted");
    snprintf(g->values[1], ONNX_VALUE_NAME_MAX, "input_scaled");
    g->inputs[0][0] = onnx_mutable_str(input);
    g->inputs[0][1] = onnx_mutable_str(ONNX_SCALE_SHIFT);
    node(g, 0, "Sub", NULL, 2, NULL);
    g->inputs[1][0] = g->values[0];
    g->inputs[1][1] = onnx_mutable_str(ONNX_SCALE_MUL);
    node(g, 1, "Mul", NULL, 2, NULL);
    return g->values[1];
}

/* Where the next node and initializer go. */
typedef struct cursor {
    size_t k, t;
} cursor;

/* Layer l's activation: its form's nodes from node c.k on (Z_l is node
 * c.k - 1's output), the last one's output H_l, and its constants'
 * initializers from c.t on. */
static cursor build_act(graph_mem *g, const lnn_net *net, size_t l, cursor c)
{
    act_step steps[ACT_MAX_STEPS];
    const size_t n = act_steps(lnn_net_activation(net, l), steps);
    const size_t z = c.k - 1;
    for (size_t i = 0; i < n; i++, c.k++) {
        const act_step *st = &steps[i];
        for (size_t j = 0; j < st->n_in; j++) {
            const char *in = st->in[j];
            if (strcmp(in, "z") == 0 || strcmp(in, ".") == 0) {
                g->inputs[c.k][j] = g->values[in[0] == 'z' ? z : c.k - 1];
                continue;
            }
            snprintf(g->init_names[c.t], ONNX_VALUE_NAME_MAX, "c%zu_%zu", l,
                     i);
            g->consts[c.t] = strtof(in, NULL);
            vector_init(g, c.t, g->init_names[c.t], &g->consts[c.t], 1);
            g->inputs[c.k][j] = g->init_names[c.t++];
        }
        if (i + 1 < n)
            snprintf(g->values[c.k], ONNX_VALUE_NAME_MAX, "A%zu_%zu", l, i);
        else
            snprintf(g->values[c.k], ONNX_VALUE_NAME_MAX, "H%zu", l);
        Onnx__AttributeProto **attr = NULL;
        if (st->attr[0])
            attr = float_attr(g, st->attr,
                              strcmp(st->attr_value, "slope") == 0
                                  ? lnn_net_leaky_slope(net)
                                  : strtof(st->attr_value, NULL));
        snprintf(g->ops[c.k], ACT_TOKEN, "%s", st->op);
        node(g, c.k, g->ops[c.k], NULL, st->n_in, attr);
    }
    return c;
}

/* The nodes and initializers of all layers, after `first` nodes and
 * initializers (the scaling's), from the value named prev; the head's
 * first node (its input Z_L set) and initializer. */
static cursor build_layers(graph_mem *g, const lnn_net *net,
                           const seq_state *s, size_t first, const char *prev)
{
    const size_t L = lnn_net_L(net);
    float *at = s->values; /* the tensors lie in order in s->values */
    for (size_t t = first; t < first + s->n_tensors; t++) {
        const st_out_tensor *src = &s->tensors[t - first];
        Onnx__TensorProto *init = &g->inits[t];
        onnx__tensor_proto__init(init);
        init->name = onnx_mutable_str(src->name);
        init->n_dims = src->rank;
        init->dims = g->init_dims[t];
        size_t count = 1;
        for (size_t k = 0; k < src->rank; k++) {
            init->dims[k] = (int64_t)src->shape[k];
            count *= src->shape[k];
        }
        init->has_data_type = 1;
        init->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
        init->n_float_data = count;
        init->float_data = at;
        at += count;
        g->init_ptrs[t] = init;
    }
    cursor c = {first, first + s->n_tensors};
    for (size_t l = 1; l <= L; l++) {
        const size_t k = c.k++; /* the Gemm */
        snprintf(g->values[k], ONNX_VALUE_NAME_MAX, "Z%zu", l);
        g->inputs[k][0] = onnx_mutable_str(prev);
        g->inputs[k][1] = onnx_mutable_str(s->tensors[2 * (l - 1)].name);
        g->inputs[k][2] = onnx_mutable_str(s->tensors[2 * (l - 1) + 1].name);
        int_attr(&g->attrs[l - 1], &g->attr_ptrs[l - 1], "transB", 1);
        node(g, k, "Gemm", NULL, GEMM_INPUTS, &g->attr_ptrs[l - 1]);
        if (l == L) {
            g->inputs[c.k][0] = g->values[k];
            break;
        }
        c = build_act(g, net, l, c);
        prev = g->values[c.k - 1];
    }
    return c;
}

/* The head's graph output: its name, its width, and the nodes and
 * initializers it added. */
typedef struct head_out {
    const char *name;
    size_t width, n_nodes, n_inits;
} head_out;

/* bce's one output for a label column of two values: both classes'
 * probabilities, 1 - P and P, as predict --output writes them. */
static head_out binary_head(graph_mem *g, size_t L, size_t k, size_t t)
{
    static const float one = 1.0f;
    vector_init(g, t, ONNX_ONE, &one, 1);
    snprintf(g->values[k], ONNX_VALUE_NAME_MAX, "P");
    snprintf(g->values[k + 1], ONNX_VALUE_NAME_MAX, "Q");
    node(g, k, "Sigmoid", NULL, 1, NULL);
    g->inputs[k + 1][0] = onnx_mutable_str(ONNX_ONE);
    g->inputs[k + 1][1] = g->values[k];
    node(g, k + 1, "Sub", NULL, 2, NULL); /* Q = 1 - P */
    g->inputs[k + 2][0] = g->values[k + 1];
    g->inputs[k + 2][1] = g->values[k];
    int_attr(&g->attrs[L], &g->attr_ptrs[L], "axis", 1);
    node(g, k + 2, "Concat", ONNX_OUTPUT, 2, &g->attr_ptrs[L]);
    return (head_out){ONNX_OUTPUT, 2, 3, 1};
}

/* Values in the targets' units: y = Y / target_mul + target_shift, in
 * lnn's order of operations, or Y itself without a target scaling. */
static head_out values_head(graph_mem *g, const seq_state *s, size_t n_L,
                            size_t k, size_t t)
{
    if (!s->target_shift_v) {
        node(g, k, "Identity", ONNX_PREDICTIONS, 1, NULL);
        return (head_out){ONNX_PREDICTIONS, n_L, 1, 0};
    }
    vector_init(g, t, ONNX_TARGET_MUL, s->target_mul_v, n_L);
    vector_init(g, t + 1, ONNX_TARGET_SHIFT, s->target_shift_v, n_L);
    snprintf(g->values[k], ONNX_VALUE_NAME_MAX, "Y_scaled");
    g->inputs[k][1] = onnx_mutable_str(ONNX_TARGET_MUL);
    node(g, k, "Div", NULL, 2, NULL);
    g->inputs[k + 1][0] = g->values[k];
    g->inputs[k + 1][1] = onnx_mutable_str(ONNX_TARGET_SHIFT);
    node(g, k + 1, "Add", ONNX_PREDICTIONS, 2, NULL);
    return (head_out){ONNX_PREDICTIONS, n_L, 2, 2};
}

/* The head from node k on (its input, Z_L, already set) and initializers
 * from t on, by the loss's output activation; n_nodes 0: a head this
 * exporter does not know. */
static head_out build_head(graph_mem *g, const lnn_net *net,
                           const seq_state *s, size_t k, size_t t)
{
    const size_t L = lnn_net_L(net);
    const size_t n_L = lnn_net_dims(net)[L];
    cli_outputs o;
    cli_outputs_init(&o, net, 0.5f);
    switch (lnn_loss_output(lnn_net_loss(net))) {
    case LNN_ACT_SOFTMAX:
        int_attr(&g->attrs[L], &g->attr_ptrs[L], "axis", -1);
        node(g, k, "Softmax", ONNX_OUTPUT, 1, &g->attr_ptrs[L]);
        return (head_out){ONNX_OUTPUT, n_L, 1, 0};
    case LNN_ACT_SIGMOID:
        if (o.binary)
            return binary_head(g, L, k, t);
        node(g, k, "Sigmoid", ONNX_OUTPUT, 1, NULL);
        return (head_out){ONNX_OUTPUT, n_L, 1, 0};
    case LNN_ACT_IDENTITY:
        return values_head(g, s, n_L, k, t);
    default:
        return (head_out){0};
    }
}

Onnx__ValueInfoProto *onnx_io_value_init(onnx_io_value *v, const char *name,
                                         size_t n, int32_t elem_type)
{
    onnx__value_info_proto__init(&v->info);
    onnx__type_proto__init(&v->type);
    onnx__type_proto__tensor__init(&v->tensor);
    onnx__tensor_shape_proto__init(&v->shape);
    for (size_t k = 0; k < ONNX_N_IO_DIMS; k++) {
        onnx__tensor_shape_proto__dimension__init(&v->dim[k]);
        v->dim_ptrs[k] = &v->dim[k];
    }
    v->dim[0].value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
    v->dim[0].dim_param = onnx_mutable_str(ONNX_BATCH);
    v->dim[1].value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
    v->dim[1].dim_value = (int64_t)n;
    v->shape.n_dim = ONNX_N_IO_DIMS;
    v->shape.dim = v->dim_ptrs;
    v->tensor.has_elem_type = 1;
    v->tensor.elem_type = elem_type;
    v->tensor.shape = &v->shape;
    v->type.value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    v->type.tensor_type = &v->tensor;
    v->info.name = onnx_mutable_str(name);
    v->info.type = &v->type;
    return &v->info;
}

/* Pack model into the file at path (whole or not at all). */
static bool write_model(const char *path, const Onnx__ModelProto *model,
                        char *err, size_t errlen)
{
    const size_t len = onnx__model_proto__get_packed_size(model);
    uint8_t *buf = len <= ONNX_MAX_BYTES ? malloc(len) : NULL;
    bool ok = buf != NULL;
    if (len > ONNX_MAX_BYTES)
        errbuf_set(err, errlen, "%s: the model needs %zu bytes, over "
                   "protobuf's 2 GiB limit on ONNX files (export "
                   "safetensors instead)", path, len);
    else if (!ok)
        errbuf_set(err, errlen, "%s: out of memory for %zu bytes", path, len);
    if (ok) {
        onnx__model_proto__pack(model, buf);
        outfile file;
        ok = outfile_open(&file, path, err, errlen) &&
             outfile_close(&file, fwrite(buf, 1, len, file.fp) == len, err,
                           errlen);
    }
    free(buf);
    return ok;
}

/* Each graph input's name is no other input's, value's or
 * initializer's (a table's column may be named "Z1"). */
static bool names_unique(const Onnx__GraphProto *gr, const char *path,
                         char *err, size_t errlen)
{
    for (size_t i = 0; i < gr->n_input; i++) {
        const char *name = gr->input[i]->name;
        size_t same = 0;
        for (size_t k = 0; k < gr->n_input; k++)
            same += strcmp(gr->input[k]->name, name) == 0;
        for (size_t k = 0; k < gr->n_node; k++)
            same += strcmp(gr->node[k]->output[0], name) == 0;
        for (size_t k = 0; k < gr->n_initializer; k++)
            same += strcmp(gr->initializer[k]->name, name) == 0;
        if (same > 1)
            return errbuf_set(err, errlen, "%s: the column \"%.40s\" has "
                              "the name of another value of the graph; "
                              "rename it in the training file", path, name);
    }
    return true;
}

/* Pack graph as a model with s's metadata, importing the default operator
 * set and, if uses_ml, ai.onnx.ml's. */
static bool write_graph(const char *path, Onnx__GraphProto *graph,
                        const seq_state *s, bool uses_ml, char *err,
                        size_t errlen)
{
    Onnx__OperatorSetIdProto opset[2], *opset_ptrs[2] = {&opset[0],
                                                         &opset[1]};
    static const char *const domains[] = {"", ONNX_ML_DOMAIN};
    static const int64_t versions[] = {ONNX_OPSET, ONNX_ML_OPSET};
    for (size_t k = 0; k < 2; k++) {
        onnx__operator_set_id_proto__init(&opset[k]);
        opset[k].domain = onnx_mutable_str(domains[k]);
        opset[k].has_version = 1;
        opset[k].version = versions[k];
    }

    Onnx__StringStringEntryProto props[SEQ_MAX_METADATA];
    Onnx__StringStringEntryProto *prop_ptrs[SEQ_MAX_METADATA];
    for (size_t k = 0; k < s->n_metadata; k++) {
        onnx__string_string_entry_proto__init(&props[k]);
        props[k].key = onnx_mutable_str(s->metadata[k].key);
        props[k].value = onnx_mutable_str(s->metadata[k].value);
        prop_ptrs[k] = &props[k];
    }

    Onnx__ModelProto model;
    onnx__model_proto__init(&model);
    model.has_ir_version = 1;
    model.ir_version = ONNX_IR_VERSION;
    model.n_opset_import = uses_ml ? 2 : 1;
    model.opset_import = opset_ptrs;
    model.producer_name = onnx_mutable_str(ONNX_PRODUCER);
    model.producer_version = onnx_mutable_str(lnn_version());
    model.graph = graph;
    model.n_metadata_props = s->n_metadata;
    model.metadata_props = prop_ptrs;
    return write_model(path, &model, err, errlen);
}

/* The graph of the preparation pg (n_nodes 0: none, one input
 * "input") then the network's nodes and initializers (g: n, i of them,
 * then head's), out the head's output, into a file. */
static bool write_parts(const char *path, const lnn_net *net,
                        const seq_state *s, const onnx_prep_graph *pg,
                        const graph_mem *g, cursor c, head_out head,
                        char *err, size_t errlen)
{
    const size_t n = pg->n_nodes + c.k + head.n_nodes;
    const size_t i = pg->n_inits + c.t + head.n_inits;
    Onnx__NodeProto **nodes = malloc(n * sizeof *nodes);
    Onnx__TensorProto **inits = malloc((i ? i : 1) * sizeof *inits);
    if (!nodes || !inits) {
        free(nodes);
        free(inits);
        return errbuf_set(err, errlen, "%s: out of memory for %zu nodes",
                          path, n);
    }
    if (pg->n_nodes) { /* memcpy takes no NULL, even for 0 bytes */
        memcpy(nodes, pg->nodes, pg->n_nodes * sizeof *nodes);
        memcpy(inits, pg->inits, pg->n_inits * sizeof *inits);
    }
    memcpy(nodes + pg->n_nodes, g->node_ptrs, (n - pg->n_nodes) *
           sizeof *nodes);
    memcpy(inits + pg->n_inits, g->init_ptrs, (i - pg->n_inits) *
           sizeof *inits);

    onnx_io_value in, out;
    Onnx__ValueInfoProto *in_ptr = onnx_io_value_init(
        &in, ONNX_INPUT, lnn_net_dims(net)[0],
        ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
    Onnx__ValueInfoProto *out_ptr = onnx_io_value_init(
        &out, head.name, head.width, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
    Onnx__GraphProto graph;
    onnx__graph_proto__init(&graph);
    graph.name = onnx_mutable_str(ONNX_GRAPH_NAME);
    graph.n_node = n;
    graph.node = nodes;
    graph.n_initializer = i;
    graph.initializer = inits;
    graph.n_input = pg->n_nodes ? pg->n_inputs : 1;
    graph.input = pg->n_nodes ? pg->inputs : &in_ptr;
    graph.n_output = 1;
    graph.output = &out_ptr;
    const bool ok = names_unique(&graph, path, err, errlen) &&
                    write_graph(path, &graph, s, pg->uses_ml, err, errlen);
    free(nodes);
    free(inits);
    return ok;
}

bool onnx_write(const char *path, const lnn_net *net, const seq_state *s,
                onnx_output *output, char *err, size_t errlen)
{
    const size_t L = lnn_net_L(net);
    const lnn_prep *p = lnn_net_prep(net);
    onnx_prep_graph pg = {0};
    const bool raw = p && p->raw && p->n_raw;
    if (raw && !onnx_prep_build(&pg, p, err, errlen))
        return false;
    graph_mem g = {0};
    const size_t first = s->shift_v ? ONNX_SCALE_NODES : 0;
    if (!graph_mem_alloc(&g, net, first)) {
        graph_mem_free(&g);
        onnx_prep_free(&pg);
        return errbuf_set(err, errlen, "%s: out of memory for %zu layers",
                          path, L);
    }
    const char *input = raw ? ONNX_PREPARED : ONNX_INPUT;
    const cursor c = build_layers(&g, net, s, first,
                                  first ? build_scaling(&g, net, s, input)
                                        : input);
    const head_out head = build_head(&g, net, s, c.k, c.t);
    bool ok = head.n_nodes > 0;
    if (!ok)
        errbuf_set(err, errlen, "%s: no ONNX head for loss %s", path,
                   lnn_loss_name(lnn_net_loss(net)));
    else
        ok = write_parts(path, net, s, &pg, &g, c, head, err, errlen);
    *output = (onnx_output){head.name, head.width};
    graph_mem_free(&g);
    onnx_prep_free(&pg);
    return ok;
}
