/* Every error path of the public API: its code, and a message that names
 * the problem. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "lnn_exercise.h"

static void create_errors(void)
{
    char err[256];
    lnn_net *net = (lnn_net *)&err; /* must be reset to NULL on failure */
    size_t dims[] = {4, 3, 2};
    lnn_net_config cfg = {.L = 2, .dims = dims, .hidden = LNN_ACT_RELU,
                          .max_batch = 8};

    CHECK_STATUS(lnn_net_create(NULL, &cfg, err, sizeof err), LNN_ERR_ARG);
    CHECK_STATUS(lnn_net_create(&net, NULL, err, sizeof err), LNN_ERR_ARG);
    CHECK(net == NULL);

    cfg.L = 0;
    CHECK_STATUS(lnn_net_create(&net, &cfg, err, sizeof err), LNN_ERR_ARG);
    CHECK(strstr(err, "at least 2 layer sizes") != NULL);
    cfg.L = 2;

    dims[1] = 0;
    CHECK_STATUS(lnn_net_create(&net, &cfg, err, sizeof err), LNN_ERR_ARG);
    CHECK(strstr(err, "layer 1 has size 0") != NULL);
    dims[1] = 3;

    cfg.hidden = LNN_ACT_SOFTMAX;
    CHECK_STATUS(lnn_net_create(&net, &cfg, err, sizeof err), LNN_ERR_ARG);
    CHECK(strstr(err, "softmax is not a hidden activation") != NULL);
    cfg.hidden = LNN_ACT_RELU;
    const lnn_activation each = LNN_ACT_SOFTMAX;
    cfg.hidden_each = &each;
    CHECK_STATUS(lnn_net_create(&net, &cfg, err, sizeof err), LNN_ERR_ARG);
    CHECK(strstr(err, "hidden layer 1: softmax") != NULL);
    cfg.hidden_each = NULL;
    cfg.leaky_slope = 1.0f;
    CHECK_STATUS(lnn_net_create(&net, &cfg, err, sizeof err), LNN_ERR_ARG);
    CHECK(strstr(err, "leaky slope 1: must be in [0, 1)") != NULL);
    cfg.leaky_slope = -0.5f;
    CHECK_STATUS(lnn_net_create(&net, &cfg, err, sizeof err), LNN_ERR_ARG);
    cfg.leaky_slope = 0.0f;

    cfg.max_batch = 0;
    CHECK_STATUS(lnn_net_create(&net, &cfg, err, sizeof err), LNN_ERR_ARG);
    CHECK(strstr(err, "max_batch") != NULL);

    /* sizes each fit for BLAS, whose products overflow size_t in bytes */
    const size_t n_max = ((size_t)1 << 31) - 1;
    size_t huge[] = {n_max, n_max, n_max, 2};
    lnn_net_config big = {.L = 3, .dims = huge, .hidden = LNN_ACT_RELU,
                          .max_batch = n_max};
    CHECK_STATUS(lnn_net_create(&net, &big, err, sizeof err),
                 LNN_ERR_OVERFLOW);
    CHECK(strstr(err, "overflow") != NULL);
    size_t wide[] = {(size_t)1 << 32, 2};
    big.L = 1;
    big.dims = wide;
    big.max_batch = 1;
    CHECK_STATUS(lnn_net_create(&net, &big, err, sizeof err),
                 LNN_ERR_OVERFLOW);
    CHECK(net == NULL);

    /* a message buffer is optional */
    CHECK_STATUS(lnn_net_create(&net, &big, NULL, 0), LNN_ERR_OVERFLOW);
}

/* Training and evaluation on a 4-3-2 net of max_batch 8: data that
 * disagree with the network, bad options. */
static void train_errors(lnn_net *net)
{
    float X[4 * 9] = {0}, Y[2 * 9] = {0};
    lnn_train_opts o = lnn_train_opts_default();
    lnn_data d = {.n_x = 4, .n_y = 2, .m = 9, .X = X, .Y = Y};
    CHECK_STATUS(lnn_L_layer_model(net, NULL, &o), LNN_ERR_ARG);
    CHECK_STATUS(lnn_L_layer_model(net, &d, NULL), LNN_ERR_ARG);
    d.n_x = 5;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_ERR_SHAPE);
    CHECK(strstr(lnn_net_errmsg(net), "5 features") != NULL);
    d.n_x = 4;
    d.n_y = 3;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_ERR_SHAPE);
    CHECK(strstr(lnn_net_errmsg(net), "3 classes") != NULL);
    d.n_y = 2;
    const uint8_t Xu[4 * 9] = {0};
    d.X_u8 = Xu;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(net), "exactly one") != NULL);
    d.X_u8 = NULL;
    d.m = 0;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_ERR_SHAPE);
    d.m = 9;
    o.learning_rate = NAN;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_ERR_ARG);
    o.learning_rate = 0.1f;
    o.batch_size = 0; /* full batch of 9 > max_batch 8 */
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_ERR_SHAPE);
    CHECK(strstr(lnn_net_errmsg(net), "exceeds") != NULL);
    o.batch_size = 4;
    o.epochs = 0;
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_ERR_ARG);
    o.epochs = 1;
    lnn_train_state st = {.epoch = 0, .step = 7, .iteration = 7};
    CHECK_STATUS(lnn_net_set_train_state(net, st), LNN_OK);
    CHECK_STATUS(lnn_L_layer_model(net, &d, &o), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(net), "batch size changed") != NULL);
    CHECK_STATUS(lnn_evaluate(net, NULL, NULL, NULL), LNN_ERR_ARG);
    CHECK_STATUS(lnn_evaluate(NULL, &d, NULL, NULL), LNN_ERR_ARG);
}

static void use_errors(void)
{
    size_t dims[] = {4, 3, 2};
    lnn_net_config cfg = {.L = 2, .dims = dims, .hidden = LNN_ACT_SIGMOID,
                          .max_batch = 8};
    lnn_net *net;
    CHECK_STATUS(lnn_net_create(&net, &cfg, NULL, 0), LNN_OK);
    if (!net)
        return;
    CHECK_STATUS(lnn_initialize_parameters(net, (lnn_init)42, 1), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(net), "initialisation") != NULL);
    CHECK_STATUS(lnn_initialize_parameters(NULL, LNN_INIT_HE, 1), LNN_ERR_ARG);

    float X[4 * 9] = {0}, Y[2 * 9] = {0};
    const float *HL;
    CHECK_STATUS(lnn_L_layer_forward(net, NULL, 2, &HL), LNN_ERR_ARG);
    CHECK_STATUS(lnn_L_layer_forward(net, X, 9, &HL), LNN_ERR_SHAPE);
    CHECK(strstr(lnn_net_errmsg(net), "max_batch") != NULL);
    CHECK_STATUS(lnn_L_layer_forward(net, X, 0, &HL), LNN_ERR_SHAPE);
    CHECK_STATUS(lnn_L_layer_backward(net, X, Y, 2), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(net), "without a training forward") != NULL);
    CHECK_STATUS(lnn_L_layer_forward(net, X, 2, &HL), LNN_OK);
    CHECK_STATUS(lnn_L_layer_backward(net, X, Y, 3), LNN_ERR_SHAPE);
    CHECK_STATUS(lnn_L_layer_backward(net, X, NULL, 2), LNN_ERR_ARG);

    CHECK_STATUS(lnn_update_parameters(net, 0.0f), LNN_ERR_ARG);
    CHECK_STATUS(lnn_update_parameters(net, -1.0f), LNN_ERR_ARG);
    CHECK_STATUS(lnn_update_parameters(net, NAN), LNN_ERR_ARG);
    CHECK_STATUS(lnn_update_parameters(net, INFINITY), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(net), "learning rate") != NULL);
    CHECK_STATUS(lnn_update_parameters(NULL, 0.1f), LNN_ERR_ARG);

    int32_t pred[9];
    CHECK_STATUS(lnn_predict(net, X, 9, NULL), LNN_ERR_ARG);
    CHECK_STATUS(lnn_predict(net, NULL, 9, pred), LNN_ERR_ARG);
    CHECK_STATUS(lnn_predict(net, X, 0, pred), LNN_ERR_SHAPE);
    CHECK_STATUS(lnn_predict(net, X, 9, pred), LNN_OK); /* chunked: 8 + 1 */

    lnn_layer ly;
    CHECK_STATUS(lnn_net_layer(net, 0, &ly), LNN_ERR_ARG);
    CHECK_STATUS(lnn_net_layer(net, 3, &ly), LNN_ERR_ARG);
    CHECK_STATUS(lnn_net_layer(net, 2, &ly), LNN_OK);
    CHECK(ly.n == 2 && ly.n_prev == 3);
    train_errors(net);
    lnn_net_destroy(net);
    lnn_net_destroy(NULL); /* a no-op */
}

/* A backward after an evaluation forward (its H is not the training
 * forward's, and it kept no Z) is refused until a training forward. */
static void backward_after_evaluation(void)
{
    const size_t dims[] = {4, 3, 2};
    const lnn_activation each[] = {LNN_ACT_GELU};
    lnn_net_config cfg = {.L = 2, .dims = dims, .hidden = LNN_ACT_GELU,
                          .hidden_each = each, .max_batch = 2};
    lnn_net *net = NULL;
    CHECK_STATUS(lnn_net_create(&net, &cfg, NULL, 0), LNN_OK);
    if (!net)
        return;
    CHECK_STATUS(lnn_initialize_parameters(net, LNN_INIT_AUTO, 3), LNN_OK);
    float X[4 * 2] = {1, 2, 3, 4, -1, 0, 1, 2}, Y[2 * 2] = {1, 0, 0, 1};
    const float *HL;
    int32_t pred[2];
    CHECK_STATUS(lnn_L_layer_forward(net, X, 2, &HL), LNN_OK);
    CHECK_STATUS(lnn_predict(net, X, 2, pred), LNN_OK);
    CHECK_STATUS(lnn_L_layer_backward(net, X, Y, 2), LNN_ERR_ARG);
    CHECK(strstr(lnn_net_errmsg(net), "without a training forward") != NULL);
    CHECK_STATUS(lnn_L_layer_forward(net, X, 2, &HL), LNN_OK);
    CHECK_STATUS(lnn_L_layer_backward(net, X, Y, 2), LNN_OK);
    lnn_net_destroy(net);
}

static void status_strings(void)
{
    CHECK(strcmp(lnn_strerror(LNN_OK), "success") == 0);
    CHECK(strcmp(lnn_strerror(LNN_ERR_SHAPE), "dimension mismatch") == 0);
    CHECK(strcmp(lnn_strerror((lnn_status)1234), "unknown status") == 0);
    CHECK(strcmp(lnn_activation_name((lnn_activation)99), "unknown") == 0);
    CHECK(strcmp(lnn_init_name(LNN_INIT_EXERCISE), "exercise") == 0);
    CHECK(lnn_set_threads(0) == LNN_ERR_ARG);
    CHECK(lnn_version()[0] != '\0');
    CHECK(strcmp(lnn_net_errmsg(NULL), "no network") == 0);
}

/* Every name of every list reads back as its value; the old name of the
 * exercise's initialisation is still accepted; unknown names are errors. */
static void enum_names(void)
{
#define ROUND_TRIP(T, NAME, FROM, E, name)                                    \
    {                                                                         \
        T v;                                                                  \
        CHECK_STATUS(FROM(#name, &v), LNN_OK);                                \
        CHECK(v == E && strcmp(NAME(E), #name) == 0);                         \
    }
#define ACT(E, value, name, ...)                                              \
    ROUND_TRIP(lnn_activation, lnn_activation_name, lnn_activation_from_name, \
               E, name)
#define OPT(E, value, name, ...)                                              \
    ROUND_TRIP(lnn_optimizer, lnn_optimizer_name, lnn_optimizer_from_name, E, \
               name)
#define SCHED(E, value, name, ...)                                            \
    ROUND_TRIP(lnn_lr_schedule, lnn_lr_schedule_name,                         \
               lnn_lr_schedule_from_name, E, name)
#define INIT(E, value, name, ...)                                             \
    ROUND_TRIP(lnn_init, lnn_init_name, lnn_init_from_name, E, name)
    LNN_ACTIVATION_LIST(ACT)
    LNN_OPTIMIZER_LIST(OPT)
    LNN_LR_SCHEDULE_LIST(SCHED)
    LNN_INIT_LIST(INIT)
    lnn_init init;
    CHECK_STATUS(lnn_init_from_name("seed", &init), LNN_OK);
    CHECK(init == LNN_INIT_EXERCISE);
    lnn_optimizer opt;
    CHECK_STATUS(lnn_optimizer_from_name("lion", &opt), LNN_ERR_ARG);
    CHECK_STATUS(lnn_optimizer_from_name(NULL, &opt), LNN_ERR_ARG);
    CHECK(strcmp(lnn_optimizer_name((lnn_optimizer)99), "unknown") == 0);
}

int main(void)
{
    enum_names();
    create_errors();
    use_errors();
    status_strings();
    backward_after_evaluation();
    return check_result("errors");
}
