/* optim.c: parameter updates over the flat parameter block. */
#include <math.h>

#include "net.h"
#include "parallel.h"

const char *lnn_optimizer_name(lnn_optimizer opt)
{
    switch (opt) {
    case LNN_OPT_SGD:      return "sgd";
    case LNN_OPT_MOMENTUM: return "momentum";
    case LNN_OPT_NESTEROV: return "nesterov";
    case LNN_OPT_ADAM:     return "adam";
    }
    return "unknown";
}

size_t lnn__opt_slots(lnn_optimizer opt)
{
    switch (opt) {
    case LNN_OPT_SGD:      return 0;
    case LNN_OPT_MOMENTUM: return 1;
    case LNN_OPT_NESTEROV: return 1;
    case LNN_OPT_ADAM:     return 2;
    }
    return 0;
}

bool lnn__lr_ok(float lr)
{
    return isfinite(lr) && lr > 0.0f;
}

void lnn__sgd_update(float *params, const float *grads, size_t n, float lr)
{
    /* W -= lr dW, b -= lr db: all layers in one loop, since W_l and b_l lie
     * back to back in the block. */
    LNN_OMP(omp parallel for simd schedule(static) if(n >= LNN_PAR_MIN))
    for (size_t k = 0; k < n; k++)
        params[k] -= lr * grads[k];
}

lnn_status lnn_update_parameters(lnn_net *net, float learning_rate)
{
    if (!net)
        return LNN_ERR_ARG;
    if (!lnn__lr_ok(learning_rate))
        return lnn__fail(net, LNN_ERR_ARG,
                         "learning rate %g: must be finite and > 0",
                         (double)learning_rate);
    lnn__sgd_update(net->params, net->grads, net->n_params, learning_rate);
    return LNN_OK;
}
