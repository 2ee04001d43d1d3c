/* sequential.c: an lnn network as an nn.Sequential state dict
 * (sequential.h). */
#define _POSIX_C_SOURCE 200809L

#include "sequential.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "errbuf.h"
#include "seqprep.h"

#define SEQ_WEIGHT "weight"
#define SEQ_BIAS "bias"
#define SEQ_MODULES_PER_LAYER 2 /* Linear, then its activation */
#define SEQ_ERRLEN 400 /* a message before the path is added */

void seq_param_name(char name[SEQ_NAME_MAX], size_t l, bool bias)
{
    snprintf(name, SEQ_NAME_MAX, "%zu.%s", SEQ_MODULES_PER_LAYER * (l - 1),
             bias ? SEQ_BIAS : SEQ_WEIGHT);
}

/* "784,256,10" for dims[0..L] (malloc'd), or NULL. */
static char *layers_string(const size_t *dims, size_t L)
{
    const size_t per = 21; /* digits of a 64-bit size and a comma */
    char *s = malloc((L + 1) * per + 1);
    if (!s)
        return NULL;
    size_t at = 0;
    for (size_t l = 0; l <= L; l++)
        at += (size_t)snprintf(s + at, per + 1, "%s%zu", l ? "," : "", dims[l]);
    return s;
}

/* Each activation's name, and its torch.nn module (lnn.h's list). */
#define ACT_NAME_AT(E, value, name, ...) [value] = #name,
#define ACT_TORCH_AT(E, value, name, hidden, needs_Z, init, onnx, torch, ...) \
    [value] = torch,
static const char *const act_names[] = {LNN_ACTIVATION_LIST(ACT_NAME_AT)};
static const char *const act_torch[] = {LNN_ACTIVATION_LIST(ACT_TORCH_AT)};
#define ACT_HIDDEN_AT(E, value, name, hidden, ...) [value] = hidden,
static const bool act_hidden[] = {LNN_ACTIVATION_LIST(ACT_HIDDEN_AT)};
#define N_ACTS (sizeof act_names / sizeof *act_names)

/* The hidden layers' activations by `names`: one name when they are all
 * the same (the header's without hidden layers), else one per hidden
 * layer, comma-separated; NULL without memory. */
static char *acts_string(const lnn_net *net, const char *const *names)
{
    const size_t L = lnn_net_L(net);
    const lnn_activation first =
        L > 1 ? lnn_net_activation(net, 1) : lnn_net_hidden(net);
    bool same = true;
    size_t len = strlen(names[first]) + 1;
    for (size_t l = 2; l < L; l++) {
        same = same && lnn_net_activation(net, l) == first;
        len += strlen(names[lnn_net_activation(net, l)]) + 1;
    }
    char *s = malloc(len);
    if (!s)
        return NULL;
    strcpy(s, names[first]);
    for (size_t l = 2; !same && l < L; l++) {
        strcat(s, ",");
        strcat(s, names[lnn_net_activation(net, l)]);
    }
    return s;
}

/* The net has a leaky_relu layer. */
static bool has_leaky(const lnn_net *net)
{
    bool leaky = false;
    for (size_t l = 1; l < lnn_net_L(net); l++)
        leaky = leaky || lnn_net_activation(net, l) == LNN_ACT_LEAKY_RELU;
    return leaky;
}

void seq_state_free(seq_state *s)
{
    free(s->acts);
    free(s->torch_acts);
    free(s->tensors);
    free(s->names);
    free(s->values);
    free(s->layers);
    free(s->labels);
    free(s->columns);
    free(s->preparation);
    free(s->shift);
    free(s->mul);
    free(s->targets);
    free(s->target_shift);
    free(s->target_mul);
    memset(s, 0, sizeof *s);
}

/* n floats, "%.9g" (exact for float32), comma-separated (malloc'd). */
static char *floats_string(const float *x, size_t n)
{
    const size_t per = 17; /* "-1.23456789e-38," */
    char *s = malloc(n * per + 1);
    if (!s)
        return NULL;
    size_t at = 0;
    s[0] = '\0';
    for (size_t i = 0; i < n; i++)
        at += (size_t)snprintf(s + at, per + 1, "%s%.9g", i ? "," : "",
                               (double)x[i]);
    return s;
}

/* "input" of a model trained on a table, by its scaling. */
static const char *const input_of[] = {
    [LNN_SCALE_NONE] = "x",
    [LNN_SCALE_STANDARD] = "(x - scale_shift) * scale_mul: standardised by "
                           "the training part's mean and 1/sd",
    [LNN_SCALE_MINMAX] = "(x - scale_shift) * scale_mul: the training "
                         "part's min and 1/(max - min)",
    [LNN_SCALE_BYTE] = "x / 255",
};
#define SEQ_N_SCALES (sizeof input_of / sizeof *input_of)

/* ["name",...] of n names (malloc'd), or NULL: out of memory. */
static char *names_json(char *const *names, size_t n)
{
    json_t *a = json_array();
    for (size_t k = 0; a && k < n; k++)
        if (json_array_append_new(a, json_string(names[k])) != 0) {
            json_decref(a);
            a = NULL;
        }
    char *text = a ? json_dumps(a, JSON_COMPACT) : NULL;
    json_decref(a);
    return text;
}

/* The keys of a model with targets: their names and scaling (the ONNX
 * graph undoes it itself: Div and Add after the last Gemm). */
static bool target_metadata(seq_state *s, const lnn_prep *p, char *err,
                            size_t errlen)
{
    if (p->target_names) {
        if (!(s->targets = names_json(p->target_names, p->n_targets)))
            return errbuf_set(err, errlen, "out of memory");
        s->metadata[s->n_metadata++] = (st_kv){SEQ_KEY_TARGETS, s->targets};
    }
    if (p->target_shift) {
        s->target_shift_v = p->target_shift;
        s->target_mul_v = p->target_mul;
        if (!(s->target_shift = floats_string(p->target_shift,
                                              p->n_targets)) ||
            !(s->target_mul = floats_string(p->target_mul, p->n_targets)))
            return errbuf_set(err, errlen, "out of memory");
        s->metadata[s->n_metadata++] =
            (st_kv){SEQ_KEY_TARGET_SHIFT, s->target_shift};
        s->metadata[s->n_metadata++] =
            (st_kv){SEQ_KEY_TARGET_MUL, s->target_mul};
    }
    return true;
}

/* The keys of a model trained on a table: how its inputs are scaled (the
 * ONNX graph does it itself: Sub and Mul before the first Gemm), its
 * class names, its feature column names and its targets. */
static bool prep_metadata(seq_state *s, const lnn_prep *p, char *err,
                          size_t errlen)
{
    s->metadata[SEQ_N_METADATA - 1].value = input_of[p->scale];
    if (p->shift) {
        s->shift_v = p->shift;
        s->mul_v = p->mul;
        if (!(s->shift = floats_string(p->shift, p->n_x)) ||
            !(s->mul = floats_string(p->mul, p->n_x)))
            return errbuf_set(err, errlen, "out of memory");
        s->metadata[s->n_metadata++] = (st_kv){SEQ_KEY_SHIFT, s->shift};
        s->metadata[s->n_metadata++] = (st_kv){SEQ_KEY_MUL, s->mul};
    }
    if (p->names) {
        if (!(s->labels = names_json(p->names, p->n_classes)))
            return errbuf_set(err, errlen, "out of memory");
        s->metadata[s->n_metadata++] = (st_kv){SEQ_KEY_LABELS, s->labels};
    }
    if (p->columns) {
        if (!(s->columns = names_json(p->columns, p->n_x)))
            return errbuf_set(err, errlen, "out of memory");
        s->metadata[s->n_metadata++] = (st_kv){SEQ_KEY_COLUMNS, s->columns};
    }
    if (p->raw) {
        s->metadata[s->n_metadata++] = (st_kv){SEQ_KEY_PREPARED,
            "the inputs are the training file's columns as lnn prepares "
            "them (text columns one-hot, missing cells filled, indicators): "
            "the ones named in columns, not the file's own columns"};
        if (!(s->preparation = seqprep_json(p)))
            return errbuf_set(err, errlen, "out of memory");
        s->metadata[s->n_metadata++] =
            (st_kv){SEQ_KEY_PREPARATION, s->preparation};
    }
    return target_metadata(s, p, err, errlen);
}

bool seq_state_from_net(seq_state *s, lnn_net *net, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    const size_t L = lnn_net_L(net);
    const size_t *dims = lnn_net_dims(net);
    const lnn_loss loss = lnn_net_loss(net);
    const lnn_prep *p = lnn_net_prep(net);
    if (p && p->n_targets && p->n_targets != dims[L])
        return errbuf_set(err, errlen, "the model has %zu targets and %zu "
                          "outputs: it cannot be exported as it predicts",
                          p->n_targets, dims[L]);
    s->n_tensors = 2 * L;
    s->tensors = calloc(s->n_tensors, sizeof *s->tensors);
    s->names = calloc(s->n_tensors, sizeof *s->names);
    s->values = malloc(lnn_net_n_params(net) * sizeof *s->values);
    s->layers = layers_string(dims, L);
    s->acts = acts_string(net, act_names);
    s->torch_acts = acts_string(net, act_torch);
    if (!s->tensors || !s->names || !s->values || !s->layers || !s->acts ||
        !s->torch_acts)
        return errbuf_set(err, errlen,
                          "out of memory for a copy of %zu parameters",
                          lnn_net_n_params(net));
    float *at = s->values;
    for (size_t l = 1; l <= L; l++) {
        lnn_layer layer;
        lnn_net_layer(net, l, &layer);
        const size_t n = layer.n, n_prev = layer.n_prev;
        st_out_tensor *w = &s->tensors[2 * (l - 1)], *b = w + 1;
        seq_param_name(s->names[2 * (l - 1)], l, false);
        seq_param_name(s->names[2 * (l - 1) + 1], l, true);
        /* weight [n, n_prev] row-major: element (i, k) at i n_prev + k;
         * W column-major: element (i, k) at i + k n */
        *w = (st_out_tensor){s->names[2 * (l - 1)], 2, {n, n_prev}, at};
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < n_prev; k++)
                at[i * n_prev + k] = layer.W[i + k * n];
        at += n * n_prev;
        *b = (st_out_tensor){s->names[2 * (l - 1) + 1], 1, {n, 0}, at};
        memcpy(at, layer.b, n * sizeof *at);
        at += n;
    }
    const st_kv metadata[SEQ_N_METADATA] = {
        {SEQ_KEY_FORMAT, SEQ_EXPORT_FORMAT},
        {SEQ_KEY_LNN_VERSION, lnn_version()},
        {SEQ_KEY_LAYERS, s->layers},
        {SEQ_KEY_ACTIVATION, s->acts},
        {SEQ_KEY_TORCH_ACTIVATION, s->torch_acts},
        {SEQ_KEY_OUTPUT, lnn_activation_name(lnn_loss_output(loss))},
        {SEQ_KEY_LOSS, lnn_loss_name(loss)},
        {SEQ_KEY_INPUT, SEQ_INPUT_PIXELS},
    };
    memcpy(s->metadata, metadata, sizeof metadata);
    s->n_metadata = SEQ_N_METADATA;
    if (has_leaky(net)) {
        snprintf(s->leaky_slope, sizeof s->leaky_slope, "%.9g",
                 (double)lnn_net_leaky_slope(net));
        s->metadata[s->n_metadata++] =
            (st_kv){SEQ_KEY_LEAKY_SLOPE, s->leaky_slope};
    }
    if (loss == LNN_LOSS_HUBER) {
        snprintf(s->huber_delta, sizeof s->huber_delta, "%.9g",
                 (double)lnn_net_huber_delta(net));
        s->metadata[s->n_metadata++] =
            (st_kv){SEQ_KEY_HUBER_DELTA, s->huber_delta};
    }
    return !p || prep_metadata(s, p, err, errlen);
}

/* "<index>.weight" or "<index>.bias" with a decimal index without leading
 * zeros: true with the index and which one. */
static bool parse_name(const char *name, size_t *index, bool *bias)
{
    size_t i = 0, k = 0;
    if (name[0] == '0' && name[1] != '.')
        return false;
    for (; name[k] >= '0' && name[k] <= '9'; k++) {
        if (i > (SIZE_MAX - 9) / 10)
            return false;
        i = 10 * i + (size_t)(name[k] - '0');
    }
    if (k == 0 || name[k] != '.')
        return false;
    *index = i;
    *bias = strcmp(name + k + 1, SEQ_BIAS) == 0;
    return *bias || strcmp(name + k + 1, SEQ_WEIGHT) == 0;
}

/* slot[2(l-1) + bias]: layer l's tensors, once each name is placed */
static bool place_tensors(const st_file *f, size_t L, const st_tensor **slot,
                          char *err, size_t errlen)
{
    for (size_t t = 0; t < f->n_tensors; t++) {
        const char *name = f->tensors[t].name;
        size_t index;
        bool bias;
        if (!parse_name(name, &index, &bias) ||
            index % SEQ_MODULES_PER_LAYER != 0 ||
            index / SEQ_MODULES_PER_LAYER >= L)
            return errbuf_set(err, errlen, "unexpected tensor '%.64s': an "
                        "nn.Sequential of %zu Linear layers has 0.weight, "
                        "0.bias, ..., %zu.weight, %zu.bias", name, L,
                        SEQ_MODULES_PER_LAYER * (L - 1),
                        SEQ_MODULES_PER_LAYER * (L - 1));
        slot[2 * (index / SEQ_MODULES_PER_LAYER) + bias] = &f->tensors[t];
    }
    for (size_t k = 0; k < 2 * L; k++)
        if (!slot[k]) {
            char name[SEQ_NAME_MAX];
            seq_param_name(name, k / 2 + 1, k % 2);
            return errbuf_set(
                err, errlen,
                "no tensor '%s' (an nn.Sequential of %zu "
                "Linear layers has 0.weight, 0.bias, ..., %zu.weight, "
                "%zu.bias)",
                name, L, SEQ_MODULES_PER_LAYER * (L - 1),
                SEQ_MODULES_PER_LAYER * (L - 1));
        }
    return true;
}

/* The shapes chain: weight l [n_l, n_{l-1}], bias l [n_l], sizes >= 1. */
static bool chain_dims(const st_tensor *const *slot, size_t L, size_t *dims,
                       char *err, size_t errlen)
{
    for (size_t l = 1; l <= L; l++) {
        const st_tensor *w = slot[2 * (l - 1)], *b = slot[2 * (l - 1) + 1];
        if (w->rank != 2 || w->shape[0] == 0 || w->shape[1] == 0 ||
            w->shape[0] > SIZE_MAX || w->shape[1] > SIZE_MAX)
            return errbuf_set(err, errlen,
                              "tensor '%s' is not a matrix [out, in] "
                              "with out, in >= 1",
                              w->name);
        if (l > 1 && w->shape[1] != dims[l - 1])
            return errbuf_set(err, errlen,
                              "the layers do not connect: '%s' takes "
                              "%llu inputs, '%s' gives %zu",
                              w->name, (unsigned long long)w->shape[1],
                              slot[2 * (l - 2)]->name, dims[l - 1]);
        dims[l - 1] = (size_t)w->shape[1];
        dims[l] = (size_t)w->shape[0];
        if (b->rank != 1 || b->shape[0] != w->shape[0])
            return errbuf_set(err, errlen,
                              "tensor '%s' is not a vector [%zu] like "
                              "'%s''s %zu outputs",
                              b->name, dims[l], w->name, dims[l]);
    }
    return true;
}

/* The metadata's "layers", where given, must be the tensors' own. */
static bool check_layers(const st_file *f, const seq_layout *s, char *err,
                         size_t errlen)
{
    const char *given = st_metadata(f, SEQ_KEY_LAYERS);
    if (!given)
        return true;
    char *layers = layers_string(s->dims, s->L);
    if (!layers)
        return errbuf_set(err, errlen, "out of memory for %zu layers", s->L);
    const bool same = strcmp(given, layers) == 0;
    if (!same)
        errbuf_set(err, errlen, "metadata \"%s\" says %.64s, the tensors "
                   "%.64s", SEQ_KEY_LAYERS, given, layers);
    free(layers);
    return same;
}

void seq_layout_free(seq_layout *s)
{
    free(s->dims);
    free(s->tensors);
    memset(s, 0, sizeof *s);
}

bool seq_layout_of(seq_layout *s, const st_file *f, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    if (f->n_tensors == 0)
        return errbuf_set(err, errlen, "no tensors");
    /* every layer has two tensors; an odd count misses one */
    const size_t L = (f->n_tensors + 1) / 2;
    if (L > SEQ_MAX_LAYERS)
        return errbuf_set(err, errlen, "%zu tensors: more than %d layers",
                          f->n_tensors, SEQ_MAX_LAYERS);
    s->tensors = calloc(2 * L, sizeof *s->tensors);
    s->dims = malloc((L + 1) * sizeof *s->dims);
    if (!s->tensors || !s->dims)
        return errbuf_set(err, errlen, "out of memory for %zu layers", L);
    s->L = L;
    return place_tensors(f, L, s->tensors, err, errlen) &&
           chain_dims(s->tensors, L, s->dims, err, errlen) &&
           check_layers(f, s, err, errlen);
}

/* The hidden activation called name[0 .. len), or false. */
static bool hidden_named(const char *name, size_t len, lnn_activation *act)
{
    for (size_t k = 0; k < N_ACTS; k++)
        if (act_hidden[k] && strlen(act_names[k]) == len &&
            strncmp(name, act_names[k], len) == 0) {
            *act = (lnn_activation)k;
            return true;
        }
    return false;
}

/* The metadata's leaky slope into *slope (0 without one). */
static bool seq_leaky_slope(const st_file *f, float *slope, char *err,
                            size_t errlen)
{
    const char *v = st_metadata(f, SEQ_KEY_LEAKY_SLOPE);
    char *end;
    *slope = 0.0f;
    if (!v)
        return true;
    const double d = strtod(v, &end);
    if (end == v || *end || !(d > 0.0 && d < 1.0))
        return errbuf_set(err, errlen, "the metadata's \"%s\" '%.32s' is "
                          "not a slope in (0, 1)", SEQ_KEY_LEAKY_SLOPE, v);
    *slope = (float)d;
    return true;
}

bool seq_activations(const st_file *f, const char *name, size_t L,
                     lnn_activation *acts, float *slope, char *err,
                     size_t errlen)
{
    const char *from = "--activation";
    if (!name) {
        name = st_metadata(f, SEQ_KEY_ACTIVATION);
        from = "the metadata's \"" SEQ_KEY_ACTIVATION "\"";
    }
    if (!name)
        return errbuf_set(err, errlen, "no \"%s\" in the metadata: give "
                    "--activation (relu, sigmoid, ...)", SEQ_KEY_ACTIVATION);
    const size_t hidden = L > 1 ? L - 1 : 1;
    size_t n = 0;
    for (const char *p = name;; p += strcspn(p, ",") + 1) {
        const size_t len = strcspn(p, ",");
        if (n < hidden && !hidden_named(p, len, &acts[n]))
            return errbuf_set(err, errlen, "%s '%.*s' is not a hidden "
                              "activation", from, (int)(len < 32 ? len : 32),
                              p);
        n++;
        if (!p[len])
            break;
    }
    if (n != 1 && n != hidden)
        return errbuf_set(err, errlen, "%s names %zu activations for %zu "
                          "hidden layers", from, n, L - 1);
    for (size_t k = n; k < hidden; k++)
        acts[k] = acts[0];
    return seq_leaky_slope(f, slope, err, errlen);
}

static bool all_finite(const float *x, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!isfinite(x[i]))
            return false;
    return true;
}

bool seq_load_params(const seq_layout *s, lnn_net *net, char *err,
                     size_t errlen)
{
    size_t most = 0; /* the largest weight */
    for (size_t l = 1; l <= s->L; l++)
        if (s->dims[l] * s->dims[l - 1] > most)
            most = s->dims[l] * s->dims[l - 1];
    float *tmp = malloc(most * sizeof *tmp);
    if (!tmp)
        return errbuf_set(err, errlen, "out of memory for %zu floats", most);
    for (size_t l = 1; l <= s->L; l++) {
        const st_tensor *w = s->tensors[2 * (l - 1)],
                        *b = s->tensors[2 * (l - 1) + 1];
        lnn_layer layer;
        lnn_net_layer(net, l, &layer);
        const size_t n = layer.n, n_prev = layer.n_prev;
        st_to_f32(w, tmp);
        /* W (i, k) at i + k n from weight (i, k) at i n_prev + k */
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < n_prev; k++)
                layer.W[i + k * n] = tmp[i * n_prev + k];
        st_to_f32(b, layer.b);
        const st_tensor *bad = !all_finite(layer.W, n * n_prev) ? w
                               : !all_finite(layer.b, n)         ? b
                                                                 : NULL;
        if (bad) {
            free(tmp);
            return errbuf_set(err, errlen, "tensor '%s' holds a value that "
                              "is not finite", bad->name);
        }
    }
    free(tmp);
    return true;
}

/* n floats as floats_string writes them into x: false unless s is exactly
 * n finite numbers, comma-separated. */
static bool parse_floats(const char *s, float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *end;
        x[i] = strtof(s, &end);
        if (end == s || !isfinite(x[i]) || *end != (i + 1 < n ? ',' : '\0'))
            return false;
        s = end + 1;
    }
    return true;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names_json value of key: a new array of exactly n distinct,
 * non-empty names (`what` the network has n of), or NULL with a
 * message. */
static char **names_of(const st_file *f, const char *key, size_t n,
                       const char *what, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *a = json_loads(st_metadata(f, key), 0, &jerr);
    char **names = NULL, **sorted = NULL;
    if (!json_is_array(a)) {
        errbuf_set(err, errlen, "metadata \"%s\" is not a JSON array of "
                   "strings", key);
        goto done;
    }
    if (json_array_size(a) != n) {
        errbuf_set(err, errlen, "metadata \"%s\" has %zu names, the network "
                   "%zu %s", key, json_array_size(a), n, what);
        goto done;
    }
    names = calloc(n, sizeof *names);
    sorted = malloc(n * sizeof *sorted);
    if (!names || !sorted) {
        errbuf_set(err, errlen, "out of memory for %zu names", n);
        goto fail;
    }
    for (size_t k = 0; k < n; k++) {
        const char *name = json_string_value(json_array_get(a, k));
        if (!name || !name[0]) {
            errbuf_set(err, errlen, "metadata \"%s\": name %zu is %s", key,
                       k + 1, name ? "empty" : "not a string");
            goto fail;
        }
        if (!(sorted[k] = names[k] = strdup(name))) {
            errbuf_set(err, errlen, "out of memory for %zu names", n);
            goto fail;
        }
    }
    qsort(sorted, n, sizeof *sorted, by_name);
    for (size_t k = 1; k < n; k++)
        if (strcmp(sorted[k - 1], sorted[k]) == 0) {
            errbuf_set(err, errlen, "metadata \"%s\" has \"%.40s\" twice",
                       key, sorted[k]);
            goto fail;
        }
    goto done;
fail:
    for (size_t k = 0; names && k < n; k++)
        free(names[k]);
    free(names);
    names = NULL;
done:
    free(sorted);
    json_decref(a);
    return names;
}

bool seq_loss_of(const st_file *f, lnn_loss *loss, float *huber_delta,
                 char *err, size_t errlen)
{
    const char *name = st_metadata(f, SEQ_KEY_LOSS);
    const char *output = st_metadata(f, SEQ_KEY_OUTPUT);
    const char *delta = st_metadata(f, SEQ_KEY_HUBER_DELTA);
    *loss = LNN_LOSS_CE;
    *huber_delta = 0.0f;
    if (name && lnn_loss_from_name(name, loss) != LNN_OK)
        return errbuf_set(err, errlen, "metadata \"%s\" '%.32s' is not a "
                          "loss of lnn (ce, bce, mse, mae, huber)",
                          SEQ_KEY_LOSS, name);
    const char *want = lnn_activation_name(lnn_loss_output(*loss));
    if (output && strcmp(output, want) != 0)
        return errbuf_set(err, errlen, "metadata \"%s\" '%.32s' is not "
                          "the %s of loss %s", SEQ_KEY_OUTPUT, output, want,
                          lnn_loss_name(*loss));
    if (delta && (*loss != LNN_LOSS_HUBER ||
                  !parse_floats(delta, huber_delta, 1) || *huber_delta <= 0))
        return errbuf_set(err, errlen, "metadata \"%s\" '%.32s' is not a "
                          "huber loss's delta (a number > 0)",
                          SEQ_KEY_HUBER_DELTA, delta);
    return true;
}

/* An affine scaling: the metadata's shift and mul (n floats each, under
 * keys shift_key and mul_key) as new arrays. */
static bool scaling_of(const char *shift, const char *mul,
                       const char *shift_key, const char *mul_key,
                       float **shift_v, float **mul_v, size_t n, char *err,
                       size_t errlen)
{
    *shift_v = malloc(n * sizeof **shift_v);
    *mul_v = malloc(n * sizeof **mul_v);
    if (!*shift_v || !*mul_v)
        return errbuf_set(err, errlen, "out of memory for %zu numbers", n);
    const char *bad = !parse_floats(shift, *shift_v, n) ? shift_key
                      : !parse_floats(mul, *mul_v, n)   ? mul_key
                                                        : NULL;
    if (bad)
        return errbuf_set(err, errlen, "metadata \"%s\" is not %zu finite "
                          "numbers, comma-separated", bad, n);
    return true;
}

/* The targets of a model with a bce or regression loss: their names and
 * scaling, n_L of them. */
static bool targets_of(lnn_prep *p, const st_file *f, size_t n_L,
                       lnn_target target, char *err, size_t errlen)
{
    const char *names = st_metadata(f, SEQ_KEY_TARGETS);
    const char *shift = st_metadata(f, SEQ_KEY_TARGET_SHIFT);
    const char *mul = st_metadata(f, SEQ_KEY_TARGET_MUL);
    if (!names && !shift && !mul)
        return true;
    if (target == LNN_TARGET_CLASSES)
        return errbuf_set(err, errlen, "metadata \"%s\" for a loss of "
                          "classes (ce)", names ? SEQ_KEY_TARGETS
                          : SEQ_KEY_TARGET_SHIFT);
    if ((shift != NULL) != (mul != NULL) ||
        (shift && target != LNN_TARGET_VALUES))
        return errbuf_set(err, errlen, "metadata \"%s\" and \"%s\" go "
                          "together, for a regression loss",
                          SEQ_KEY_TARGET_SHIFT, SEQ_KEY_TARGET_MUL);
    p->n_targets = n_L;
    if (names && !(p->target_names = names_of(f, SEQ_KEY_TARGETS, n_L,
                                              "outputs", err, errlen)))
        return false;
    return !shift || scaling_of(shift, mul, SEQ_KEY_TARGET_SHIFT,
                                SEQ_KEY_TARGET_MUL, &p->target_shift,
                                &p->target_mul, n_L, err, errlen);
}

/* How many class names "labels" has for a loss of that target kind over
 * n_L outputs: one per output (ce), two for one sigmoid output (a binary
 * label), else none. */
static size_t n_labels(lnn_target target, size_t n_L)
{
    return target == LNN_TARGET_CLASSES                 ? n_L
           : target == LNN_TARGET_BINARY && n_L == 1    ? 2
                                                        : 0;
}

bool seq_prep_of(lnn_prep *p, bool *table, const st_file *f,
                 const seq_layout *s, lnn_loss loss, char *err,
                 size_t errlen)
{
    *p = (lnn_prep){0};
    *table = false;
    const char *input = st_metadata(f, SEQ_KEY_INPUT);
    const char *shift = st_metadata(f, SEQ_KEY_SHIFT);
    const char *mul = st_metadata(f, SEQ_KEY_MUL);
    size_t scale = SEQ_N_SCALES;
    for (size_t k = 0; input && k < SEQ_N_SCALES; k++)
        if (strcmp(input, input_of[k]) == 0)
            scale = k;
    static const char *const keys[] = {
        SEQ_KEY_SHIFT,   SEQ_KEY_MUL,          SEQ_KEY_LABELS,
        SEQ_KEY_COLUMNS, SEQ_KEY_TARGETS,      SEQ_KEY_TARGET_SHIFT,
        SEQ_KEY_TARGET_MUL, SEQ_KEY_PREPARATION};
    if (scale == SEQ_N_SCALES) {
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
            if (st_metadata(f, keys[k]))
                return errbuf_set(err, errlen, "metadata \"%s\" without an "
                                  "\"%s\" of a model trained on a table "
                                  "(x, x / 255, or (x - scale_shift) * "
                                  "scale_mul: ...)", keys[k], SEQ_KEY_INPUT);
        return true; /* an IDX model's "pixel / 255", or another tool's */
    }
    /* a model of prepared columns scales its inputs whatever its scale
     * (0/1 inputs by 1, numbers by 1/255 under byte, by 1 under none) */
    const bool affine = scale == LNN_SCALE_STANDARD ||
                        scale == LNN_SCALE_MINMAX ||
                        st_metadata(f, SEQ_KEY_PREPARATION) != NULL;
    if (affine != (shift != NULL) || affine != (mul != NULL))
        return errbuf_set(err, errlen, "metadata \"%s\" '%.40s' %s \"%s\" "
                          "and \"%s\"", SEQ_KEY_INPUT, input,
                          affine ? "needs" : "takes no", SEQ_KEY_SHIFT,
                          SEQ_KEY_MUL);
    const size_t n_x = s->dims[0], n_L = s->dims[s->L];
    const lnn_target target = lnn_loss_target(loss);
    const size_t n_names = n_labels(target, n_L);
    *p = (lnn_prep){.scale = (lnn_scale)scale, .n_x = n_x,
                    .n_classes = n_names};
    bool ok = !affine || scaling_of(shift, mul, SEQ_KEY_SHIFT, SEQ_KEY_MUL,
                                    &p->shift, &p->mul, n_x, err, errlen);
    if (ok && st_metadata(f, SEQ_KEY_LABELS) && !n_names)
        ok = errbuf_set(err, errlen, "metadata \"%s\" for %zu outputs of "
                        "loss %s, which have no classes", SEQ_KEY_LABELS,
                        n_L, lnn_loss_name(loss));
    if (ok && st_metadata(f, SEQ_KEY_LABELS))
        ok = (p->names = names_of(f, SEQ_KEY_LABELS, n_names, "classes",
                                  err, errlen)) != NULL;
    if (ok && st_metadata(f, SEQ_KEY_COLUMNS))
        ok = (p->columns = names_of(f, SEQ_KEY_COLUMNS, n_x, "inputs", err,
                                    errlen)) != NULL;
    if (ok && st_metadata(f, SEQ_KEY_PREPARATION))
        ok = seqprep_of(p, st_metadata(f, SEQ_KEY_PREPARATION), err, errlen);
    ok = ok && targets_of(p, f, n_L, target, err, errlen);
    if (!ok) {
        lnn_prep_free(p);
        return false;
    }
    *table = true;
    return true;
}

lnn_net *seq_net_create(const st_file *f, const char *activation,
                        size_t max_batch, char *err, size_t errlen)
{
    seq_layout s;
    lnn_net *net = NULL;
    lnn_activation *acts = NULL;
    float slope;
    lnn_loss loss;
    float delta;
    lnn_prep p;
    bool table;
    if (seq_layout_of(&s, f, err, errlen) &&
        ((acts = malloc(s.L * sizeof *acts)) ||
         errbuf_set(err, errlen, "out of memory")) &&
        seq_activations(f, activation, s.L, acts, &slope, err, errlen) &&
        seq_loss_of(f, &loss, &delta, err, errlen) &&
        seq_prep_of(&p, &table, f, &s, loss, err, errlen)) {
        const lnn_net_config cfg = {.L = s.L, .dims = s.dims,
                                    .hidden = acts[0], .hidden_each = acts,
                                    .leaky_slope = slope,
                                    .max_batch = max_batch, .loss = loss,
                                    .huber_delta = delta};
        bool ok = lnn_net_create(&net, &cfg, err, errlen) == LNN_OK &&
                  seq_load_params(&s, net, err, errlen);
        if (ok && table && lnn_net_set_prep(net, &p) != LNN_OK)
            ok = errbuf_set(err, errlen, "out of memory");
        if (!ok) {
            lnn_net_destroy(net);
            net = NULL;
        }
        lnn_prep_free(&p);
    }
    free(acts);
    seq_layout_free(&s);
    return net;
}

/* The metadata's activations (`given`) and leaky slope are net's. */
static bool same_activations(const st_file *f, const lnn_net *net,
                             const char *given, char *err, size_t errlen)
{
    const size_t L = lnn_net_L(net);
    lnn_activation *acts = malloc(L * sizeof *acts);
    char *have = acts_string(net, act_names);
    float slope;
    bool ok = acts && have;
    if (!ok)
        errbuf_set(err, errlen, "out of memory");
    ok = ok && seq_activations(f, NULL, L, acts, &slope, err, errlen);
    bool same = !ok || L > 1 || acts[0] == lnn_net_hidden(net);
    for (size_t l = 1; ok && l < L; l++)
        same = same && acts[l - 1] == lnn_net_activation(net, l);
    if (ok && !same)
        ok = errbuf_set(err, errlen, "activation %.64s, the network's is "
                        "%.64s (give --activation %.64s)", given, have,
                        given);
    if (ok && slope > 0.0f && has_leaky(net) &&
        slope != lnn_net_leaky_slope(net))
        ok = errbuf_set(err, errlen, "leaky slope %g, the network's is %g "
                        "(give --leaky-slope %g)", (double)slope,
                        (double)lnn_net_leaky_slope(net), (double)slope);
    free(acts);
    free(have);
    return ok;
}

bool seq_init_from(lnn_net *net, const char *path, char *err, size_t errlen)
{
    st_file f;
    if (!st_load(&f, path, err, errlen))
        return false;
    seq_layout s;
    const char *given = st_metadata(&f, SEQ_KEY_ACTIVATION);
    char why[SEQ_ERRLEN] = "";
    char *want = NULL, *have = NULL;
    bool ok = seq_layout_of(&s, &f, why, sizeof why);
    if (ok && (s.L != lnn_net_L(net) ||
               memcmp(s.dims, lnn_net_dims(net), (s.L + 1) * sizeof *s.dims))) {
        want = layers_string(s.dims, s.L);
        have = layers_string(lnn_net_dims(net), lnn_net_L(net));
        ok = errbuf_set(why, sizeof why, "layers %.64s, the network's are "
                        "%.64s (give --layers %.64s)", want ? want : "?",
                        have ? have : "?", want ? want : "?");
    }
    if (ok && given)
        ok = same_activations(&f, net, given, why, sizeof why);
    ok = ok && seq_load_params(&s, net, why, sizeof why);
    if (!ok)
        errbuf_set(err, errlen, "%s: %s", path, why);
    free(want);
    free(have);
    seq_layout_free(&s);
    st_free(&f);
    return ok;
}
