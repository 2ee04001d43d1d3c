/* activation.c: the activations of LNN_ACTIVATION_LIST and their
 * derivatives, on n x m column-major blocks: each row's f (<name>_f) and
 * f' (<name>_df) as one element's inline function, swept by one OpenMP loop
 * per activation (<name>_forward, <name>_backward), picked from tables made
 * from the list. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "kernels.h"
#include "threads.h"
#include "util.h"

/* e^x in float, within 1 ulp of the exact value (checked on every 7th
 * float with a normal result), in straight-line code that vectorises
 * (glibc's expf is a call per element). Cody and Waite's reduction
 * x = k ln2 + r, |r| <= ln2 / 2, then Cephes's degree-6 polynomial for e^r,
 * scaled by 2^k in two halves so that every k the clamp allows is a normal
 * float: e^x for x >= 89 overflows to inf, as the exact value does. A
 * result below FLT_MIN (x below about -87.34) is flushed to 0 rather than
 * returned subnormal (lnn__flush): softmax outputs of a confident network
 * would otherwise feed subnormals to the backward pass's GEMMs. NaN stays
 * NaN. */
static inline float exp_f(float x)
{
    const float xc = x > 89.0f ? 89.0f : x < -104.0f ? -104.0f : x;
    const float xs = x == x ? xc : 0.0f;
    /* k = round(xs log2 e): adding 1.5 * 2^23 rounds to an integer */
    const float k = (xs * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    const float r = (xs - k * 0.693359375f) + k * 2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    const int32_t k1 = (int32_t)k / 2, k2 = (int32_t)k - k1;
    union { int32_t i; float f; } s1 = {(k1 + 127) << 23},
                                  s2 = {(k2 + 127) << 23};
    return x == x ? lnn__flush(p * s1.f * s2.f) : x;
}

/* e^x - 1 in float without the cancellation of exp_f(x) - 1 near 0:
 * |x| < 1/2 by its Taylor polynomial of degree 8 (truncation below 1e-8
 * relative), else exp_f(x) - 1 (|result| > 0.39: no cancellation). */
static inline float expm1_f(float x)
{
    float p = 1.0f / 40320.0f;
    p = p * x + 1.0f / 5040.0f;
    p = p * x + 1.0f / 720.0f;
    p = p * x + 1.0f / 120.0f;
    p = p * x + 1.0f / 24.0f;
    p = p * x + 1.0f / 6.0f;
    p = p * x + 0.5f;
    p = p * x * x + x;
    return x > -0.5f && x < 0.5f ? p : exp_f(x) - 1.0f;
}

/* Phi(z) = P(N(0, 1) <= z) = erfc(-z / sqrt 2) / 2, with Numerical
 * Recipes's erfc (a Chebyshev fit in t = 1 / (1 + |x| / 2), relative error
 * below 1.2e-7 for every x), so the lower tail keeps its relative accuracy
 * where 1 + erf(x) would cancel. Straight-line code: it vectorises. */
static inline float Phi_f(float z)
{
    const float x = (z < 0.0f ? -z : z) * 0.70710678118654752f;
    const float t = 1.0f / (1.0f + 0.5f * x);
    float p = 0.17087277f;
    p = p * t - 0.82215223f;
    p = p * t + 1.48851587f;
    p = p * t - 1.13520398f;
    p = p * t + 0.27886807f;
    p = p * t - 0.18628806f;
    p = p * t + 0.09678418f;
    p = p * t + 0.37409196f;
    p = p * t + 1.00002368f;
    const float c = 0.5f * t * exp_f(p * t - 1.26551223f - x * x);
    return z < 0.0f ? c : 1.0f - c;
}

/* Each activation's f(z) and dZ = g f'(z) from g = dH, h = f(z) and, for
 * the rows that need it, z (the others get h again and ignore it); a is
 * the leaky slope. Unused arguments are (void) by name. */
#define UNUSED2(x, y) ((void)(x), (void)(y))

static inline float relu_f(float z, float a)
{
    (void)a;
    return z < 0.0f ? 0.0f : z; /* keeps NaN visible */
}
static inline float relu_df(float g, float h, float z, float a)
{
    UNUSED2(z, a); /* relu'(z) = [z > 0] = [h > 0] */
    return h > 0.0f ? g : 0.0f;
}

static inline float sigmoid_f(float z, float a)
{
    (void)a; /* e^-z = inf -> 0; flushed below FLT_MIN (z < -87.3) */
    return lnn__flush(1.0f / (1.0f + exp_f(-z)));
}
static inline float sigmoid_df(float g, float h, float z, float a)
{
    UNUSED2(z, a);
    return g * h * (1.0f - h);
}

/* softmax only ever ends the network, where dH is already dZ_L (the head
 * folds its Jacobian in): dZ = dH. Its forward is softmax_forward. */
static inline float softmax_df(float g, float h, float z, float a)
{
    UNUSED2(h, z);
    (void)a;
    return g;
}

static inline float identity_f(float z, float a)
{
    (void)a;
    return z;
}
static inline float identity_df(float g, float h, float z, float a)
{
    UNUSED2(h, z);
    (void)a;
    return g;
}

static inline float leaky_relu_f(float z, float a)
{
    return z < 0.0f ? a * z : z;
}
static inline float leaky_relu_df(float g, float h, float z, float a)
{
    (void)z; /* a >= 0: h > 0 exactly where z > 0 */
    return h > 0.0f ? g : a * g;
}

static inline float elu_f(float z, float a)
{
    (void)a;
    return z > 0.0f ? z : expm1_f(z);
}
static inline float elu_df(float g, float h, float z, float a)
{
    UNUSED2(z, a); /* for z <= 0, f'(z) = e^z = h + 1 */
    return h > 0.0f ? g : g * (h + 1.0f);
}

static inline float gelu_f(float z, float a)
{
    (void)a;
    return z * Phi_f(z);
}
static inline float gelu_df(float g, float h, float z, float a)
{
    UNUSED2(h, a); /* phi(z) = e^(-z^2 / 2) / sqrt(2 pi) */
    const float phi = 0.39894228040143268f * exp_f(-0.5f * z * z);
    return g * (Phi_f(z) + z * phi);
}

static inline float silu_f(float z, float a)
{
    return z * sigmoid_f(z, a);
}
static inline float silu_df(float g, float h, float z, float a)
{
    (void)h;
    const float s = sigmoid_f(z, a);
    return g * (s * (1.0f + z * (1.0f - s)));
}

/* tanh |z| = -u / (2 + u) with u = e^(-2|z|) - 1 in (-1, 0]: no overflow,
 * and no cancellation near 0. */
static inline float tanh_f(float z, float a)
{
    (void)a;
    const float u = expm1_f(-2.0f * (z < 0.0f ? -z : z));
    const float t = -u / (2.0f + u);
    return z < 0.0f ? -t : t;
}
static inline float tanh_df(float g, float h, float z, float a)
{
    UNUSED2(z, a);
    return g * (1.0f - h * h);
}

/* Columns per sweep of softmax: a block's e^x is one contiguous loop. */
#define SOFTMAX_COLS ((size_t)64)

/* H = softmax(Z + b) for `cols` columns of n; H may be Z. Each column is
 * shifted by its max first: e^(z - max) <= 1 never overflows, and the
 * ratio is unchanged. */
LNN_VECTOR_CLONES
static void softmax_block(float *H, const float *Z, const float *b, size_t n,
                          size_t cols)
{
    for (size_t j = 0; j < cols; j++) {
        const float *z = Z + j * n;
        float *h = H + j * n;
        float max = -INFINITY;
        for (size_t i = 0; i < n; i++) {
            const float v = z[i] + (b ? b[i] : 0.0f);
            h[i] = v;
            max = v > max ? v : max;
        }
        for (size_t i = 0; i < n; i++)
            h[i] -= max;
    }
    LNN_OMP(omp simd)
    for (size_t k = 0; k < n * cols; k++)
        H[k] = exp_f(H[k]);
    for (size_t j = 0; j < cols; j++) {
        float *h = H + j * n;
        float sum = 0.0f;
        for (size_t i = 0; i < n; i++)
            sum += h[i];
        const float inv = 1.0f / sum;
        for (size_t i = 0; i < n; i++)
            h[i] *= inv;
    }
}

/* h = z + b (b may be NULL: none) for one column of n. */
static inline void add_bias(float *h, const float *z, const float *b,
                            size_t n)
{
    for (size_t i = 0; i < n; i++)
        h[i] = z[i] + (b ? b[i] : 0.0f);
}

/* The forward sweeps: H = f(Z + b), and Zb = Z + b where Zb is not NULL
 * (a training forward keeping Z). Two loops a column: the bias's test
 * would keep a fused one scalar. */
typedef void forward_fn(float *H, float *Zb, const float *Z, const float *b,
                        float a, size_t n, size_t m);

/* The output activation's: kept Z is never asked of it (needs Z = 0). */
static void softmax_forward(float *H, float *Zb, const float *Z,
                            const float *b, float a, size_t n, size_t m)
{
    UNUSED2(Zb, a);
    LNN_COLUMNS(lnn__par(n * m), j0, m, SOFTMAX_COLS,
                softmax_block(H + j0 * n, Z + j0 * n, b, n,
                              m - j0 < SOFTMAX_COLS ? m - j0 : SOFTMAX_COLS););
}

#define ELEMENTWISE_FORWARD(name)                                             \
    LNN_VECTOR_CLONES                                                         \
    static void name##_forward(float *H, float *Zb, const float *Z,           \
                               const float *b, float a, size_t n, size_t m)   \
    {                                                                         \
        LNN_COLUMNS(lnn__par(n * m), j, m, 1,                                 \
            float *h = H + j * n, *t = Zb ? Zb + j * n : h;                   \
            add_bias(t, Z + j * n, b, n);                                     \
            LNN_OMP(omp simd)                                                 \
            for (size_t i = 0; i < n; i++)                                    \
                h[i] = name##_f(t[i], a););                                   \
    }
ELEMENTWISE_FORWARD(relu)
ELEMENTWISE_FORWARD(sigmoid)
ELEMENTWISE_FORWARD(identity)
ELEMENTWISE_FORWARD(leaky_relu)
ELEMENTWISE_FORWARD(elu)
ELEMENTWISE_FORWARD(gelu)
ELEMENTWISE_FORWARD(silu)
ELEMENTWISE_FORWARD(tanh)

/* The backward sweeps, elementwise over the whole block (its columns are
 * contiguous): dZ = dH (.) f'. dZ may be dH (in place). */
typedef void backward_fn(float *dZ, const float *dH, const float *H,
                         const float *Z, float a, size_t count);

#define BACKWARD(E, value, name, hidden, needs_Z, init, onnx, torch, f, df,  \
                 passes)                                                      \
    LNN_VECTOR_CLONES                                                         \
    static void name##_backward(float *dZ, const float *dH, const float *H,   \
                                const float *Z, float a, size_t count)        \
    {                                                                         \
        if (passes && dZ == dH)                                               \
            return;                                                           \
        LNN_ELEMENTS(lnn__par(count), k, count,                               \
                     dZ[k] = name##_df(dH[k], H[k], Z[k], a););               \
    }
LNN_ACTIVATION_LIST(BACKWARD)
#undef BACKWARD

#define FORWARD_AT(E, value, name, ...) [value] = name##_forward,
#define BACKWARD_AT(E, value, name, ...) [value] = name##_backward,
static forward_fn *const forwards[] = {LNN_ACTIVATION_LIST(FORWARD_AT)};
static backward_fn *const backwards[] = {LNN_ACTIVATION_LIST(BACKWARD_AT)};

void lnn__act_forward(float *H, float *Zb, const float *Z, const float *b,
                      lnn__act act, size_t n, size_t m)
{
    forwards[act.f](H, Zb, Z, b, act.a, n, m);
}

void lnn__act_backward(float *dZ, const float *dH, const float *H,
                       const float *Z, lnn__act act, size_t n, size_t m)
{
    backwards[act.f](dZ, dH, H, Z ? Z : H, act.a, n * m);
}

/* Checks shared by the public activation functions. */
static lnn_status check_elementwise(const void *out, const void *in1,
                                    const void *in2, size_t n, size_t m)
{
    size_t count;
    if (!out || !in1 || !in2 || n == 0 || m == 0)
        return LNN_ERR_ARG;
    if (!lnn__mul(n, m, &count))
        return LNN_ERR_OVERFLOW;
    return LNN_OK;
}

static lnn_status forward_checked(float *H, const float *Z, lnn_activation f,
                                  size_t n, size_t m)
{
    lnn_status s = check_elementwise(H, Z, Z, n, m);
    if (s == LNN_OK)
        lnn__act_forward(H, NULL, Z, NULL, lnn__act_of(f, 0.0f), n, m);
    return s;
}

static lnn_status backward_checked(float *dZ, const float *dH, const float *H,
                                   lnn_activation f, size_t n, size_t m)
{
    lnn_status s = check_elementwise(dZ, dH, H, n, m);
    if (s == LNN_OK)
        lnn__act_backward(dZ, dH, H, NULL, lnn__act_of(f, 0.0f), n, m);
    return s;
}

lnn_status lnn_sigmoid(float *H, const float *Z, size_t n, size_t m)
{
    return forward_checked(H, Z, LNN_ACT_SIGMOID, n, m);
}

lnn_status lnn_relu(float *H, const float *Z, size_t n, size_t m)
{
    return forward_checked(H, Z, LNN_ACT_RELU, n, m);
}

lnn_status lnn_softmax(float *H, const float *Z, size_t n, size_t m)
{
    return forward_checked(H, Z, LNN_ACT_SOFTMAX, n, m);
}

lnn_status lnn_sigmoid_backward(float *dZ, const float *dH, const float *H,
                                size_t n, size_t m)
{
    return backward_checked(dZ, dH, H, LNN_ACT_SIGMOID, n, m);
}

lnn_status lnn_relu_backward(float *dZ, const float *dH, const float *H,
                             size_t n, size_t m)
{
    return backward_checked(dZ, dH, H, LNN_ACT_RELU, n, m);
}

