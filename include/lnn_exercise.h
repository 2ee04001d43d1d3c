/*
 * lnn_exercise.h: the second tier of lnn's public API: the numpy exercise
 * "L-layered Neural Network"'s building blocks, for callers who assemble a
 * training step themselves (lnn.h's lnn_L_layer_model runs the whole loop).
 * Every function of that exercise keeps its name under the lnn_ prefix:
 *
 *     exercise                         lnn                      header
 *     sigmoid, relu, softmax           lnn_sigmoid, lnn_relu,   here
 *                                      lnn_softmax
 *     sigmoid_backward, relu_backward  lnn_sigmoid_backward,    here
 *                                      lnn_relu_backward
 *     layer_forward, layer_backward    lnn_layer_forward,       here
 *                                      lnn_layer_backward
 *     compute_loss                     lnn_compute_loss         here
 *     L_layer_forward, L_layer_backward lnn_L_layer_forward,    here
 *                                      lnn_L_layer_backward
 *     update_parameters                lnn_update_parameters    here
 *     initialize_parameters            lnn_initialize_parameters lnn.h
 *     L_layer_model                    lnn_L_layer_model        lnn.h
 *     load_data, data_wrapper          lnn_load_data,           lnn.h
 *                                      lnn_data_wrapper
 *     (predictions)                    lnn_predict, lnn_accuracy lnn.h
 *
 * One training step from these blocks, as lnn_L_layer_model takes it:
 *
 *     const float *HL;
 *     double loss;
 *     lnn_L_layer_forward(net, X, m, &HL);
 *     lnn_compute_loss(HL, Y, n_L, m, &loss);
 *     lnn_L_layer_backward(net, X, Y, m);
 *     lnn_update_parameters(net, learning_rate);  (or lnn_optim_step)
 *
 * The argument-order and error rules are lnn.h's (its top comment): a
 * function on a network takes it first and records a message there on
 * failure; a kernel on caller buffers takes outputs, inputs, then sizes,
 * and returns its status code alone.
 */
#ifndef LNN_EXERCISE_H
#define LNN_EXERCISE_H

#include "lnn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Activations (the exercise's sigmoid, relu, softmax and their backwards)  */
/* ------------------------------------------------------------------------ */

/**
 * Sigmoid, elementwise: H = 1 / (1 + e^-Z).
 * @param H  out, n x m (may be the same buffer as Z)
 * @param Z  in, n x m
 * @return LNN_OK, LNN_ERR_ARG (NULL, n or m zero), LNN_ERR_OVERFLOW (n m)
 */
LNN_API lnn_status lnn_sigmoid(float *H, const float *Z, size_t n, size_t m);

/** ReLU, elementwise: H = max(0, Z). Arguments as lnn_sigmoid. */
LNN_API lnn_status lnn_relu(float *H, const float *Z, size_t n, size_t m);

/**
 * Softmax of every column: H[:,j] = e^{Z[:,j] - max} / sum e^{Z[:,j] - max}.
 * Subtracting the column maximum keeps e^x finite for any finite input.
 * Arguments as lnn_sigmoid.
 */
LNN_API lnn_status lnn_softmax(float *H, const float *Z, size_t n, size_t m);

/**
 * Sigmoid backward: dZ = dH (.) sigmoid'(Z) = dH (.) H (.) (1 - H).
 * @param dZ  out, n x m (may be the same buffer as dH)
 * @param dH  in, gradient of the loss with respect to H, n x m
 * @param H   in, the forward output sigmoid(Z) (the activation memory)
 * @return as lnn_sigmoid
 */
LNN_API lnn_status lnn_sigmoid_backward(float *dZ, const float *dH,
                                        const float *H, size_t n, size_t m);

/** ReLU backward: dZ = dH (.) [H > 0]. Arguments as lnn_sigmoid_backward. */
LNN_API lnn_status lnn_relu_backward(float *dZ, const float *dH,
                                     const float *H, size_t n, size_t m);

/* ------------------------------------------------------------------------ */
/* One layer                                                                */
/* ------------------------------------------------------------------------ */

/**
 * Forward step of one layer: H = f(W . H_prev + b).
 * @param H       out, n x m
 * @param H_prev  in, n_prev x m (X for the first layer)
 * @param W       in, n x n_prev
 * @param b       in, n
 * @param f       activation (LNN_ACT_SOFTMAX normalises each column)
 * @return LNN_OK, LNN_ERR_ARG (NULL, zero size, unknown f),
 *         LNN_ERR_OVERFLOW (a size too large for BLAS)
 */
LNN_API lnn_status lnn_layer_forward(float *H, const float *H_prev,
                                     const float *W, const float *b,
                                     lnn_activation f,
                                     size_t n, size_t n_prev, size_t m);

/**
 * Backward step of one layer:
 *   dZ = dH (.) f'(Z)                      (for LNN_ACT_SOFTMAX, dH must be
 *                                           dZ_L = P - Y already: dZ = dH)
 *   dW = (1/m) dZ . H_prev^T, db = (1/m) sum over columns of dZ,
 *   dH_prev = W^T . dZ                     (skipped when dH_prev is NULL)
 * @param dH_prev  out, n_prev x m, or NULL (the first layer needs none)
 * @param dW       out, n x n_prev
 * @param db       out, n
 * @param dZ       out, n x m; may be the same buffer as dH
 * @param dH       in, n x m
 * @param H        in, this layer's forward output (the activation memory)
 * @param H_prev   in, n_prev x m
 * @param W        in, n x n_prev
 * @return as lnn_layer_forward; LNN_ERR_ARG also for an activation whose
 *         f' needs Z, not H alone (LNN_ACTIVATION_LIST's needs Z: gelu,
 *         silu; the network keeps Z for those). leaky_relu's slope is
 *         LNN_LEAKY_SLOPE_DEFAULT here.
 */
LNN_API lnn_status lnn_layer_backward(float *dH_prev, float *dW, float *db,
                                      float *dZ, const float *dH,
                                      const float *H, const float *H_prev,
                                      const float *W, lnn_activation f,
                                      size_t n, size_t n_prev, size_t m);

/* ------------------------------------------------------------------------ */
/* Loss                                                                     */
/* ------------------------------------------------------------------------ */

/**
 * Cross-entropy: loss = -(1/m) sum_j sum_i Y[i,j] log HL[i,j], summed in
 * double. Terms with Y == 0 are skipped and probabilities are clamped to
 * FLT_MIN before the log, so a probability that underflowed to 0 gives a
 * large finite loss, never inf or NaN.
 * @param HL    in, n x m predicted probabilities (softmax output)
 * @param Y     in, n x m targets (one-hot columns)
 * @param loss  out
 * @return LNN_OK, LNN_ERR_ARG for NULL pointers or n == 0 or m == 0
 */
LNN_API lnn_status lnn_compute_loss(const float *HL, const float *Y,
                                    size_t n, size_t m, double *loss);

/* ------------------------------------------------------------------------ */
/* The network's passes                                                     */
/* ------------------------------------------------------------------------ */

/**
 * Feedforward through all layers: H_0 = X, H_l = f_l(W_l H_{l-1} + b_l)
 * with layer l's hidden activation, H_L = the loss's output activation
 * (softmax for the exercise's cross-entropy) of W_L H_{L-1} + b_L. A
 * training forward: a backward may follow, so the layers whose f' needs
 * the pre-activation (gelu, silu) keep it. lnn_predict, lnn_evaluate and
 * lnn_forward_data run the evaluation forward instead (H alone, any
 * number of columns; training-only work such as dropout never runs
 * there); after one of them, lnn_L_layer_backward needs this forward
 * again.
 * @param X   in, n_0 x m, borrowed for this call
 * @param m   batch size, 1 <= m <= max_batch
 * @param HL  out (may be NULL): H_L, n_L x m, borrowed from the network and
 *            valid until the next forward or destroy
 * @return LNN_OK, LNN_ERR_ARG (NULL), LNN_ERR_SHAPE (m out of range)
 */
LNN_API lnn_status lnn_L_layer_forward(lnn_net *net, const float *X, size_t m,
                                       const float **HL);

/**
 * Backpropagation through all layers, from the last forward: dZ_L from the
 * network's head (P - Y for the exercise's softmax + cross-entropy), then
 * lnn_layer_backward for l = L..1 (no gradient for X is computed).
 * Gradients are stored (not accumulated) in the network's dW, db.
 * The last forward must be lnn_L_layer_forward's (a training one).
 * @param X  in, n_0 x m: the batch given to the last forward
 * @param Y  in, n_L x m targets: one-hot columns for ce, 0/1 labels for
 *           bce, values for mse, mae and huber
 * @param m  must equal the last forward's m
 * @return LNN_OK, LNN_ERR_ARG (NULL, no training forward since the last
 *         evaluation or ever), LNN_ERR_SHAPE
 */
LNN_API lnn_status lnn_L_layer_backward(lnn_net *net, const float *X,
                                        const float *Y, size_t m);

/**
 * The exercise's plain gradient-descent step, whatever the network's
 * optimizer: W -= learning_rate dW, b -= learning_rate db, for all layers
 * (one loop over the flat parameter block). It keeps no state and applies
 * no weight decay; lnn_optim_step (lnn.h) applies the network's optimizer,
 * as lnn_L_layer_model does.
 * @return LNN_OK, LNN_ERR_ARG (NULL, learning_rate not finite and > 0)
 */
LNN_API lnn_status lnn_update_parameters(lnn_net *net, float learning_rate);

#ifdef __cplusplus
}
#endif

#endif /* LNN_EXERCISE_H */
