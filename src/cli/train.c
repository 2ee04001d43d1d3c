/* train.c: lnn train. */
#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "options.h"
#include "paths.h"
#include "plot.h"
#include "progress.h"
#include "sequential.h"

/* Defaults of lnn train (the README says what they reach on MNIST). */
#define DEFAULT_LAYERS "784,256,128,10"
#define DEFAULT_BATCH 128
#define DEFAULT_EPOCHS 4
/* A table without --epochs or --iterations trains until validation stops
 * improving (patience), at most this long, and keeps the best epoch. */
#define TABLE_MAX_EPOCHS 200
#define TABLE_PATIENCE 10
#define DEFAULT_VAL LNN_MNIST_VAL
#define DEFAULT_OPTIMIZER LNN_OPT_ADAM
#define DEFAULT_SCHEDULE LNN_LR_COSINE
/* With --batch full the defaults are the exercise's own. */
#define EXERCISE_LR 0.0075
#define EXERCISE_OPTIMIZER LNN_OPT_SGD
#define EXERCISE_SCHEDULE LNN_LR_CONSTANT
#define FULL_BATCH_PRINT_EVERY 100 /* the exercise prints every 100 */
/* Training data with a value beyond this is reported as too large, not as
 * a learning rate that diverged: products of such values with the weights,
 * and their gradients, pass float32's 3.4e38 within a few updates. */
#define DATA_OVERFLOWS 1e15

/* Set by SIGINT or SIGTERM (which mpirun forwards on Ctrl-C): the training
 * callback finishes the current step and stops. A signal can only talk to
 * the program through such a flag. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* The choices of --activation, --init, --optimizer and --lr-schedule, from
 * lnn.h's lists: entry [value] is that value's name (and note). */
#define INIT_OLD_AT(E, value, name, old, note) [value] = old,
#define INIT_NOTE_AT(E, value, name, old, note) [value] = note,
#define OPT_NOTE_AT(E, value, name, slots, uses, note, lr) [value] = note,
#define OPT_LR_AT(E, value, name, slots, uses, note, lr) [value] = lr,
static const char *const init_names[] = {LNN_INIT_LIST(CLI_NAME_AT)};
static const char *const init_olds[] = {LNN_INIT_LIST(INIT_OLD_AT)};
static const char *const init_notes[] = {LNN_INIT_LIST(INIT_NOTE_AT)};
static const char *const optimizer_names[] = {
    LNN_OPTIMIZER_LIST(CLI_NAME_AT)};
static const char *const optimizer_notes[] = {
    LNN_OPTIMIZER_LIST(OPT_NOTE_AT)};
static const char *const schedule_names[] = {
    LNN_LR_SCHEDULE_LIST(CLI_NAME_AT)};
/* Each optimizer's default --lr (lnn.h's list says how it was chosen). */
static const float default_lr[] = {LNN_OPTIMIZER_LIST(OPT_LR_AT)};
static const cli_choices inits =
    CLI_CHOICES(init_names, init_olds, init_notes);
static const cli_choices optimizers =
    CLI_CHOICES(optimizer_names, NULL, optimizer_notes);
static const char *const monitor_names[] = {"loss", "metric"};
static const char *const monitor_notes[] = {
    "the validation loss", "the task's: accuracy, rmse (regression)"};
static const cli_choices monitors =
    CLI_CHOICES(monitor_names, NULL, monitor_notes);
static const cli_choices schedules = CLI_CHOICES(schedule_names, NULL, NULL);

enum {
    OPT_LAYERS = CLI_OPT_OWN, OPT_ACTIVATION, OPT_INIT, OPT_LR, OPT_EPOCHS,
    OPT_ITERATIONS, OPT_BATCH, OPT_TRAIN_SUBSET, OPT_VAL, OPT_SEED,
    OPT_SAVE, OPT_RESUME, OPT_LOG, OPT_PLOT, OPT_PRINT_EVERY, OPT_QUIET,
    OPT_PROGRESS,
    OPT_OPTIMIZER, OPT_SAVE_BEST, OPT_PATIENCE, OPT_INIT_FROM, OPT_HIDDEN,
    OPT_COMM_TIMEOUT, OPT_CHECK_REPLICAS, OPT_MONITOR, OPT_MIN_DELTA,
    OPT_NEW_DATA, OPT_LEAKY_SLOPE, OPT_CLASS_WEIGHT, OPT_SAMPLE_WEIGHT,
    OPT_DROPOUT,
    /* options that a resumed run takes from its file unless given again */
    OPT_HYPER, OPT_MOMENTUM = OPT_HYPER, OPT_BETA1, OPT_BETA2, OPT_EPS,
    OPT_WEIGHT_DECAY, OPT_LR_SCHEDULE, OPT_WARMUP, OPT_LR_STEP,
    OPT_LR_GAMMA, OPT_LR_MIN, OPT_LR_PATIENCE, OPT_CLIP_NORM, OPT_LABEL_SMOOTHING,
    OPT_HYPER_END,
};

typedef struct train_args {
    int argc;          /* the command line, for the one that continues it */
    char **argv;
    cli_common common; /* --data, --threads */
    const char *save, *resume, *log, *plot;
    bool new_data;         /* --new-data: --resume on other data */
    const char *init_from; /* safetensors state dict to start from */
    const char *class_weight; /* --class-weight balanced|FILE, or NULL */
    float dropout[LNN_CLI_MAX_DIMS]; /* --dropout's rates */
    size_t n_dropout;                /* how many (0: not given) */
    size_t dims[LNN_CLI_MAX_DIMS];
    size_t n_dims;
    int init, optimizer; /* values, indexes of the name lists */
    lnn_activation acts[LNN_CLI_MAX_DIMS]; /* --activation: 1, or one per
                                              hidden layer */
    size_t n_acts;
    const char *activation_arg; /* as given */
    float leaky_slope;     /* --leaky-slope */
    /* given on the command line: a resumed run checks them against the
     * model */
    bool layers_set, activation_set, init_set, optimizer_set, leaky_set;
    lnn_train_opts opts;
    bool lr_set, batch_set, epochs_set, iterations_set, seed_set;
    bool hyper_set[OPT_HYPER_END - OPT_HYPER]; /* given on the command line */
    const char *save_best;
    uint64_t patience;
    bool patience_set;
    int monitor;           /* --monitor: 0 val loss, 1 the task's metric */
    float min_delta;
    size_t train_subset;
    cli_part val;          /* --val: a count or a fraction */
    cli_table_args tab;    /* --data FILE: a table */
    const char *hidden;    /* --hidden LIST */
    uint64_t print_every;
    bool quiet;
    int progress;          /* --progress (progress_mode) */
    double comm_timeout;   /* --comm-timeout, 0 = none */
    bool check_replicas;
    lnn_net *resumed;      /* --resume's model, loaded before the data with
                              a batch of 1; resume_net takes it */
    lnn_train_opts stored; /* the options it stores */
} train_args;

#define STR_(x) #x
#define STR(x) STR_(x)

static const cli_option options[] = {
    {NULL, 0, NULL, 0, "Data:", NULL, NULL},
    {"data", 0, "FILE|DIR", CLI_OPT_DATA, "a table: .csv, .tsv, .svm/.libsvm "
     "(each also .gz) or .npy; an image folder: one sub-folder of PNG/JPEG "
     "files per class, named by the class; or a directory with the four "
     "MNIST-format IDX files (.gz or not)", "$LNN_DATA, else ./data/mnist, else Debian's "
     "/usr/share/datasets/fashion-mnist", NULL},
    {"train-subset", 0, "N", OPT_TRAIN_SUBSET, "train on the first N "
     "training samples", "all but the validation split", NULL},
    {"val", 0, "N|FRACTION", OPT_VAL, "validation samples: IDX, taken after "
     "the training ones [" STR(DEFAULT_VAL) "]; a table, held out by a seeded "
     "stratified shuffle [0.1]", NULL, NULL},
    CLI_OPTIONS_TABLE,
    CLI_OPTIONS_TABLE_TRAIN,
    {NULL, 0, NULL, 0, "Network:", NULL, NULL},
    {"layers", 0, "LIST", OPT_LAYERS, "layer sizes, input to output, checked "
     "against the data", DEFAULT_LAYERS "; without it, the ends are the "
     "data's width and class count", NULL},
    {"hidden", 0, "LIST", OPT_HIDDEN, "the hidden sizes alone; the input and "
     "output sizes come from the data", NULL, NULL},
    {"activation", 0, "NAME[,NAME...]", OPT_ACTIVATION, "hidden activation: "
     "one for every hidden layer, or one per hidden layer", "relu",
     &cli_hidden_activations},
    {"leaky-slope", 0, "F", OPT_LEAKY_SLOPE, "leaky_relu's slope for z < 0, "
     "in (0, 1)", "0.01", NULL},
    {"init", 0, "NAME", OPT_INIT, "", "auto", &inits},
    {"init-from", 0, "FILE", OPT_INIT_FROM, "start from the weights of a "
     ".safetensors state dict (lnn export's, or a PyTorch nn.Sequential's; "
     "see lnn import) with the same --layers and activation", NULL, NULL},
    {NULL, 0, NULL, 0, "Training:", NULL, NULL},
    {"lr", 0, "F", OPT_LR, "learning rate", NULL, NULL},
    {"batch", 0, "N|full", OPT_BATCH, "samples per update; full = the "
     "exercise's full-batch gradient descent, whose defaults are --optimizer "
     "sgd --lr-schedule constant --lr " STR(EXERCISE_LR), STR(DEFAULT_BATCH),
     NULL},
    {"epochs", 0, "N", OPT_EPOCHS, "passes over the training set",
     STR(DEFAULT_EPOCHS), NULL},
    {"iterations", 0, "N", OPT_ITERATIONS, "stop after N updates in all "
     "(instead of --epochs)", NULL, NULL},
    {"seed", 0, "N", OPT_SEED, "seeds initialisation and shuffling", "1",
     NULL},
    CLI_OPTION_THREADS,
    {NULL, 0, NULL, 0, "Optimizer:", NULL, NULL},
    {"optimizer", 0, "NAME", OPT_OPTIMIZER, "", NULL, &optimizers},
    {"momentum", 0, "F", OPT_MOMENTUM, "momentum and nesterov: mu in [0, 1)",
     "0.9", NULL},
    {"beta1", 0, "F", OPT_BETA1, "adam: moment decays in [0, 1)",
     "0.9, 0.999", NULL},
    {"beta2", 0, "F", OPT_BETA2, NULL, NULL, NULL},
    {"eps", 0, "F", OPT_EPS, "adam: added to the root of the second moment",
     "1e-8", NULL},
    {"weight-decay", 0, "F", OPT_WEIGHT_DECAY, "on weights, not biases: L2 "
     "for sgd, momentum and nesterov, decoupled for adam", "0", NULL},
    {"lr-schedule", 0, "NAME", OPT_LR_SCHEDULE, "", NULL, &schedules},
    {"warmup", 0, "N", OPT_WARMUP, "updates of linear warm-up", "0", NULL},
    {"lr-step", 0, "N", OPT_LR_STEP, "step: epochs between decays", "5",
     NULL},
    {"lr-gamma", 0, "F", OPT_LR_GAMMA, "step, plateau: factor per decay",
     "0.1", NULL},
    {"lr-min", 0, "F", OPT_LR_MIN, "cosine: final rate; plateau: the lowest; "
     "as a fraction of --lr", "0", NULL},
    {"lr-patience", 0, "N", OPT_LR_PATIENCE, "plateau: decay after N reports "
     "without a better --monitor value (without validation data: training "
     "loss)", "5", NULL},
    {NULL, 0, NULL, 0, "Regularisation (training only: validation and test "
     "metrics are unweighted and unsmoothed):", NULL, NULL},
    {"class-weight", 0, "balanced|FILE", OPT_CLASS_WEIGHT, "weigh each "
     "sample's loss and gradient by its class: balanced = samples / (classes "
     "x the class's training samples); FILE: lines CLASS WEIGHT (others 1)",
     "none", NULL},
    {"dropout", 0, "P|LIST", OPT_DROPOUT, "inverted dropout in training: "
     "each hidden layer's units dropped with probability P in [0, 1), or "
     "one P per hidden layer", "0", NULL},
    {"sample-weight", 0, "COLUMN", OPT_SAMPLE_WEIGHT, "a table's column of "
     "per-row weights (numbers >= 0; not a feature) that scale each row's "
     "loss and gradient, times its class weight; eval leaves the column out",
     "none", NULL},
    {"clip-norm", 0, "F", OPT_CLIP_NORM, "scale each update's whole "
     "gradient down to L2 norm F when it is larger (F > 0)", "none", NULL},
    {"label-smoothing", 0, "F", OPT_LABEL_SMOOTHING, "cross-entropy: the "
     "target is (1 - F) one-hot + F / classes, F in [0, 1)", "0", NULL},
    {NULL, 0, NULL, 0, "Validation and early stopping:", NULL, NULL},
    {"monitor", 0, "NAME", OPT_MONITOR, "what judges an epoch on the "
     "validation data", "loss", &monitors},
    {"min-delta", 0, "F", OPT_MIN_DELTA, "an improvement must beat the best "
     "by more than F", "0", NULL},
    {"patience", 0, "N", OPT_PATIENCE, "stop after N reports without a "
     "better one, and keep the best one's model", "never; for a table "
     "without --epochs or --iterations, " STR(TABLE_PATIENCE) " (and at "
     "most " STR(TABLE_MAX_EPOCHS) " epochs)", NULL},
    {"save-best", 0, "FILE", OPT_SAVE_BEST, "save the model whenever the "
     "monitored value improves", NULL, NULL},
    {NULL, 0, NULL, 0, "Files and output:", NULL, NULL},
    {"save", 0, "FILE", OPT_SAVE, "save the model after every report and at "
     "the end (atomically: FILE is always a complete model); every output is "
     "checked before training (writable, not an input), and a second run "
     "saving to FILE is refused", "with --resume, the resumed FILE", NULL},
    {"resume", 0, "FILE", OPT_RESUME, "continue the run saved in FILE "
     "exactly, saving back to FILE unless --save names another; its options "
     "apply unless given again (a cosine schedule spans "
     "the run's --epochs: resume an interrupted run, do not extend a finished "
     "one); --layers, --activation, --init and --optimizer may be given only "
     "as the model has them; it is refused on other data than the model's "
     "(a table's size, rows and digest)", NULL, NULL},
    {"new-data", 0, NULL, OPT_NEW_DATA, "with --resume: continue on other "
     "data (its classes and columns must be the model's; its scaling is "
     "fitted anew)", NULL, NULL},
    {"log", 0, "FILE", OPT_LOG, "one row per report, FILE ending in .csv or "
     ".jsonl; a resumed run adds its rows to FILE's (when FILE has this "
     "run's columns), dropping those past the resumed save", NULL, NULL},
    {"plot", 0, "FILE.svg", OPT_PLOT, "draw the learning curves there at "
     "the end: losses and the validation metric per report, the best "
     "marked, the learning rate below (as lnn plot draws a --log)", NULL,
     NULL},
    {"print-every", 0, "N", OPT_PRINT_EVERY, "epochs between reports",
     "1; " STR(FULL_BATCH_PRINT_EVERY) " with --batch full", NULL},
    {"progress", 0, "HOW", OPT_PROGRESS, "", "auto", &progress_modes},
    {"quiet", 'q', NULL, OPT_QUIET, "print only the final result", NULL,
     NULL},
    CLI_OPTION_HELP,
    {NULL, 0, NULL, 0, "Several processes (lnn-mpi under mpirun; --batch is "
     "the batch of all):", NULL, NULL},
    {"comm-timeout", 0, "S", OPT_COMM_TIMEOUT, "end the job if the other "
     "processes do not answer within S seconds", "wait for ever", NULL},
    {"check-replicas", 0, NULL, OPT_CHECK_REPLICAS, "compare the parameters "
     "of all processes at each report and fail if they differ", NULL, NULL},
    CLI_OPTIONS_END,
};

/* --help's text computed from lnn.h's lists: each optimizer's --lr, and
 * the defaults of --optimizer and --lr-schedule. */
static const char *more_help(int id, char *buf, size_t len)
{
    buf[0] = '\0';
    if (id == OPT_OPTIMIZER)
        snprintf(buf, len, "[%s]", lnn_optimizer_name(DEFAULT_OPTIMIZER));
    else if (id == OPT_LR_SCHEDULE)
        snprintf(buf, len, "[%s]", lnn_lr_schedule_name(DEFAULT_SCHEDULE));
    if (id != OPT_LR)
        return buf[0] ? buf : NULL;
    snprintf(buf, len, "[by optimizer:");
    for (size_t k = 0; k < sizeof default_lr / sizeof *default_lr; k++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s %s %g",
                 k ? "," : "", optimizer_names[k], (double)default_lr[k]);
    snprintf(buf + strlen(buf), len - strlen(buf), "; %g with --batch full]",
             EXERCISE_LR);
    return buf;
}

const cli_command cli_train_command = {
    .name = "train",
    .summary = "train a network on a table file, an image folder or an "
               "MNIST-format dataset",
    .synopsis = "[OPTION]...",
    .about =
"Train an L-layer network on a table file, an image folder or an\n"
"MNIST-format dataset, then report its test metrics. The output head\n"
"follows the task (--task, --loss): softmax and cross-entropy for classes,\n"
"sigmoids for yes/no labels, identity and a regression loss for values.\n",
    .options = options,
    .epilogue =
"Exit status: 0 done, 1 failed (data, files, divergence), 2 bad usage,\n"
"130 interrupted (Ctrl-C or SIGTERM: with --save or --resume the model\n"
"is saved first, and the command that continues the run is printed).\n",
    .more = more_help,
};

/* The optimizer's and schedule's numeric options: where each goes in
 * lnn_train_opts and the range the command line accepts (the library
 * checks the exact rules, e.g. momentum < 1). */
typedef struct hyper_option {
    int id;
    const char *name;
    size_t offset;
    bool is_float;
    double min, max;
} hyper_option;

static const hyper_option hyper_options[] = {
    {OPT_MOMENTUM, "--momentum", offsetof(lnn_train_opts, momentum), true, 0, 1},
    {OPT_BETA1, "--beta1", offsetof(lnn_train_opts, beta1), true, 0, 1},
    {OPT_BETA2, "--beta2", offsetof(lnn_train_opts, beta2), true, 0, 1},
    {OPT_EPS, "--eps", offsetof(lnn_train_opts, eps), true, 1e-30, 1},
    {OPT_WEIGHT_DECAY, "--weight-decay", offsetof(lnn_train_opts, weight_decay),
     true, 0, 1e3},
    {OPT_WARMUP, "--warmup", offsetof(lnn_train_opts, lr_warmup), false, 0,
     UINT32_MAX},
    {OPT_LR_STEP, "--lr-step", offsetof(lnn_train_opts, lr_step_epochs), false,
     1, UINT32_MAX},
    {OPT_LR_GAMMA, "--lr-gamma", offsetof(lnn_train_opts, lr_gamma), true,
     1e-30, 1},
    {OPT_LR_MIN, "--lr-min", offsetof(lnn_train_opts, lr_min_frac), true, 0, 1},
    {OPT_LR_PATIENCE, "--lr-patience", offsetof(lnn_train_opts, lr_patience),
     false, 1, UINT32_MAX},
    {OPT_CLIP_NORM, "--clip-norm", offsetof(lnn_train_opts, clip_norm), true,
     0, 1e30},
    {OPT_LABEL_SMOOTHING, "--label-smoothing",
     offsetof(lnn_train_opts, label_smoothing), true, 0, 0.999999},
};
#define N_HYPER (sizeof hyper_options / sizeof hyper_options[0])

/* Parse the value of hyper-parameter option id into a->opts. */
static bool parse_hyper(train_args *a, int id, const char *value)
{
    a->hyper_set[id - OPT_HYPER] = true;
    if (id == OPT_LR_SCHEDULE) {
        int k;
        if (!cli_parse_choice("--lr-schedule", value, &schedules, &k))
            return false;
        a->opts.lr_schedule = (lnn_lr_schedule)k;
        return true;
    }
    for (size_t i = 0; i < N_HYPER; i++) {
        const hyper_option *h = &hyper_options[i];
        if (h->id != id)
            continue;
        unsigned char *field = (unsigned char *)&a->opts + h->offset;
        if (h->is_float) {
            float *f = (float *)(void *)field;
            if (!cli_parse_float(h->name, value, h->min, h->max, f))
                return false;
            if (id == OPT_CLIP_NORM && *f == 0.0f) {
                cli_error("--clip-norm 0: must be > 0 (leave it out for "
                          "none)");
                return false;
            }
            return true;
        }
        return cli_parse_u64(h->name, value, (uint64_t)h->min,
                             (uint64_t)h->max, (uint64_t *)(void *)field);
    }
    return false;
}

/* The options that set a number of lnn_train_opts or train_args: where,
 * its range, and the flag that says it was given. */
typedef struct count_option {
    int id;
    const char *name;
    size_t offset; /* of a uint64_t in train_args */
    uint64_t min, max;
} count_option;

static const count_option count_options[] = {
    {OPT_EPOCHS, "--epochs", offsetof(train_args, opts.epochs), 1,
     UINT32_MAX},
    {OPT_ITERATIONS, "--iterations",
     offsetof(train_args, opts.num_iterations), 1, UINT32_MAX},
    {OPT_SEED, "--seed", offsetof(train_args, opts.seed), 0, UINT64_MAX},
    {OPT_PRINT_EVERY, "--print-every", offsetof(train_args, print_every), 1,
     UINT32_MAX},
    {OPT_PATIENCE, "--patience", offsetof(train_args, patience), 1,
     UINT32_MAX},
};

/* A whole-number option of count_options; false if id is none of them. */
static bool parse_count(train_args *a, int id, const char *value, bool *ok)
{
    for (size_t i = 0; i < sizeof count_options / sizeof *count_options;
         i++) {
        const count_option *k = &count_options[i];
        if (k->id != id)
            continue;
        *ok = cli_parse_u64(k->name, value, k->min, k->max,
                            (uint64_t *)(void *)((unsigned char *)a +
                                                 k->offset));
        a->epochs_set |= id == OPT_EPOCHS;
        a->iterations_set |= id == OPT_ITERATIONS;
        a->seed_set |= id == OPT_SEED;
        a->patience_set |= id == OPT_PATIENCE;
        return true;
    }
    return false;
}

/* --dropout P or P1,P2,...: rates in [0, 1). */
static bool parse_dropout(train_args *a, const char *v)
{
    char buf[1024];
    if (strlen(v) >= sizeof buf) {
        cli_error("--dropout: too long");
        return false;
    }
    snprintf(buf, sizeof buf, "%s", v);
    a->n_dropout = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (a->n_dropout == LNN_CLI_MAX_DIMS ||
            !cli_parse_float("--dropout", tok, 0, 1, &a->dropout[a->n_dropout]))
            return false;
        if (a->dropout[a->n_dropout++] >= 1.0f) {
            cli_error("--dropout %s: each rate must be in [0, 1)", tok);
            return false;
        }
    }
    if (a->n_dropout == 0)
        cli_error("--dropout '%s': give a rate, or one per hidden layer", v);
    return a->n_dropout > 0;
}

/* Take one option of the command line (cli_take_fn). */
static bool take(void *ctx, const cli_given *g)
{
    train_args *a = ctx;
    const char *v = g->value;
    bool ok = true;
    if (parse_count(a, g->id, v, &ok))
        return ok;
    if (g->id >= OPT_HYPER && g->id < OPT_HYPER_END)
        return parse_hyper(a, g->id, v);
    switch (g->id) {
    case OPT_LAYERS:
        a->layers_set = true;
        return cli_parse_layers("--layers", v, a->dims, &a->n_dims);
    case OPT_ACTIVATION:
        a->activation_set = true;
        a->activation_arg = v;
        return cli_parse_activations("--activation", v, a->acts,
                                     LNN_CLI_MAX_DIMS, &a->n_acts);
    case OPT_LEAKY_SLOPE:
        a->leaky_set = true;
        return cli_parse_float("--leaky-slope", v, 1e-6, 0.999999,
                               &a->leaky_slope);
    case OPT_INIT:
        a->init_set = true;
        return cli_parse_choice("--init", v, &inits, &a->init);
    case OPT_OPTIMIZER:
        a->optimizer_set = true;
        return cli_parse_choice("--optimizer", v, &optimizers, &a->optimizer);
    case OPT_LR:
        a->lr_set = true;
        return cli_parse_float("--lr", v, 1e-12, 1e6, &a->opts.learning_rate);
    case OPT_BATCH:
        a->batch_set = true;
        a->opts.batch_size = 0;
        return strcmp(v, "full") == 0 ||
               cli_parse_size("--batch", v, 1, (size_t)1 << 24,
                              &a->opts.batch_size);
    case OPT_TRAIN_SUBSET:
        return cli_parse_size("--train-subset", v, 1, SIZE_MAX,
                              &a->train_subset);
    case OPT_VAL: return cli_parse_part("--val", v, &a->val);
    case OPT_HIDDEN: a->hidden = v; return true;
    case OPT_SAVE: a->save = v; return true;
    case OPT_RESUME: a->resume = v; return true;
    case OPT_NEW_DATA: a->new_data = true; return true;
    case OPT_INIT_FROM: a->init_from = v; return true;
    case OPT_CLASS_WEIGHT: a->class_weight = v; return true;
    case OPT_SAMPLE_WEIGHT: a->tab.sample_weight = v; return true;
    case OPT_DROPOUT: return parse_dropout(a, v);
    case OPT_LOG: a->log = v; return true;
    case OPT_PLOT: a->plot = v; return true;
    case OPT_SAVE_BEST: a->save_best = v; return true;
    case OPT_MONITOR:
        return cli_parse_choice("--monitor", v, &monitors, &a->monitor);
    case OPT_MIN_DELTA:
        return cli_parse_float("--min-delta", v, 0, 1e30, &a->min_delta);
    case OPT_COMM_TIMEOUT: {
        float t;
        ok = cli_parse_float("--comm-timeout", v, 1e-3, 1e6, &t);
        a->comm_timeout = t;
        return ok;
    }
    case OPT_CHECK_REPLICAS: a->check_replicas = true; return true;
    case OPT_QUIET: a->quiet = true; return true;
    case OPT_PROGRESS:
        return cli_parse_choice("--progress", v, &progress_modes,
                                &a->progress);
    default: {
        const int shared = cli_table_option(&a->tab, g->id, v);
        return (shared ? shared : cli_common_option(&a->common, g->id, v)) > 0;
    }
    }
}

/* The defaults that depend on other options, and the checks across
 * options: -1 to go on, else an exit status. */
static int settle(train_args *a)
{
    if (a->opts.batch_size == 0) {
        /* Full batch is the exercise's mode: its update rule and rate. */
        if (!a->optimizer_set)
            a->optimizer = EXERCISE_OPTIMIZER;
        if (!a->hyper_set[OPT_LR_SCHEDULE - OPT_HYPER])
            a->opts.lr_schedule = EXERCISE_SCHEDULE;
    }
    if (!a->lr_set)
        a->opts.learning_rate = a->opts.batch_size == 0 &&
                                        a->optimizer == EXERCISE_OPTIMIZER
                                    ? (float)EXERCISE_LR
                                    : default_lr[a->optimizer];
    if (a->init_from && a->resume) {
        cli_error("train: --init-from starts a new run, --resume continues "
                  "one: give one of them");
        return EXIT_USAGE;
    }
    if ((a->save_best || a->patience) && a->val.set && a->val.count == 0 &&
        !(a->val.frac > 0.0)) {
        cli_error("train: --save-best and --patience need a validation "
                  "split (--val N with N > 0)");
        return EXIT_USAGE;
    }
    return -1;
}

/* Parse argv into a; returns -1 to go on, else an exit status. */
static int parse(int argc, char **argv, train_args *a)
{
    a->opts = lnn_train_opts_default();
    a->opts.batch_size = DEFAULT_BATCH;
    a->opts.epochs = DEFAULT_EPOCHS;
    a->opts.lr_schedule = DEFAULT_SCHEDULE;
    a->optimizer = DEFAULT_OPTIMIZER;
    cli_table_args_init(&a->tab);
    cli_parse_layers("--layers", DEFAULT_LAYERS, a->dims, &a->n_dims);
    a->argc = argc;
    a->argv = argv;
    int first;
    const int rc = cli_options_parse(&cli_train_command, argc, argv, take, a,
                                     &first);
    if (rc >= 0)
        return rc;
    if (first < argc) {
        cli_error("train: unexpected argument '%s'; see 'lnn train --help'",
                  argv[first]);
        return EXIT_USAGE;
    }
    if (a->resume && !a->save)
        a->save = a->resume; /* a resumed run keeps its work */
    return settle(a);
}

/* The command line that continues an interrupted run, being built. */
typedef struct again {
    char **argv;
    int last;        /* the last word of argv written */
    char text[8192];
    size_t used;
} again;

/* Append word to c's text, quoted for the shell if it needs to be. */
static void again_word(again *c, const char *word)
{
    const bool plain = word[0] && strspn(word, "abcdefghijklmnopqrstuvwxyz"
                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                         "_-+=/.,:@%") == strlen(word);
    char *out = c->text + c->used;
    const size_t room = sizeof c->text - c->used;
    size_t n = (size_t)snprintf(out, room, " %s", plain ? word : "'");
    for (const char *p = word; !plain && *p && n < room; p++)
        n += (size_t)(*p == '\'' ? snprintf(out + n, room - n, "'\\''")
                                 : snprintf(out + n, room - n, "%c", *p));
    if (!plain && n < room)
        n += (size_t)snprintf(out + n, room - n, "'");
    c->used += n < room ? n : room - 1;
}

/* Every option but --save, --resume and --init-from (cli_take_fn). */
static bool take_again(void *ctx, const cli_given *g)
{
    again *c = ctx;
    if (g->id == OPT_SAVE || g->id == OPT_RESUME || g->id == OPT_INIT_FROM ||
        g->at <= c->last)
        return true;
    for (int k = 0; k < g->words; k++)
        again_word(c, c->argv[g->at + k]);
    c->last = g->at + g->words - 1;
    return true;
}

/* Say how to continue a run interrupted at iteration it: the command line
 * of this one with --resume FILE, FILE where the model was saved. */
static void say_how_to_continue(const train_args *a, const cli_world *w,
                                uint64_t it)
{
    if (!a->save) {
        cli_error("interrupted at iteration %llu; nothing saved (with "
                  "--save FILE a run can be continued)",
                  (unsigned long long)it);
        return;
    }
    cli_error("interrupted at iteration %llu; model saved to %s",
              (unsigned long long)it, a->save);
    again c = {.argv = a->argv};
    if (w->parallel)
        c.used = (size_t)snprintf(c.text, sizeof c.text, " mpirun -np %d",
                                  w->comm.size);
    again_word(&c, w->program);
    again_word(&c, "train");
    int first;
    cli_options_parse(&cli_train_command, a->argc, a->argv, take_again, &c,
                      &first);
    again_word(&c, "--resume");
    again_word(&c, a->save);
    cli_error("to continue:%s", c.text);
}

/* The options a resumed run keeps from its file unless given again. */
static void merge_resumed(train_args *a, const lnn_train_opts *stored)
{
    if (!a->lr_set)
        a->opts.learning_rate = stored->learning_rate;
    if (!a->batch_set)
        a->opts.batch_size = stored->batch_size;
    if (!a->epochs_set && !a->iterations_set) {
        a->opts.epochs = stored->epochs;
        a->opts.num_iterations = stored->num_iterations;
    }
    if (!a->seed_set)
        a->opts.seed = stored->seed;
    if (!a->hyper_set[OPT_LR_SCHEDULE - OPT_HYPER])
        a->opts.lr_schedule = stored->lr_schedule;
    for (size_t i = 0; i < N_HYPER; i++) {
        const hyper_option *h = &hyper_options[i];
        if (!a->hyper_set[h->id - OPT_HYPER])
            memcpy((unsigned char *)&a->opts + h->offset,
                   (const unsigned char *)stored + h->offset,
                   h->is_float ? sizeof(float) : sizeof(uint64_t));
    }
}

/* A stored option's value against the range the command line takes. */
static bool in_range(const char *resume, const char *name, double v,
                     double lo, double hi)
{
    if (v >= lo && v <= hi)
        return true;
    cli_error("--resume %s: its stored %s is %g, outside the %g..%g the "
              "command line takes (a damaged model?)", resume, name, v, lo,
              hi);
    return false;
}

/* The options a resumed run took from its file are in the command line's
 * ranges: a crafted or damaged model (its CRC made to match) is refused,
 * not trained with a learning rate of 1e30. */
static bool stored_in_range(const train_args *a)
{
    const lnn_train_opts *o = &a->opts;
    if ((!a->lr_set &&
         !in_range(a->resume, "--lr", o->learning_rate, 1e-12, 1e6)) ||
        (!a->batch_set && !in_range(a->resume, "--batch",
                                    (double)o->batch_size, 0, 1 << 24)) ||
        (!a->epochs_set && !a->iterations_set &&
         (!in_range(a->resume, "--epochs", (double)o->epochs, 1,
                    UINT32_MAX) ||
          !in_range(a->resume, "--iterations", (double)o->num_iterations, 0,
                    UINT32_MAX))))
        return false;
    for (size_t i = 0; i < N_HYPER; i++) {
        const hyper_option *h = &hyper_options[i];
        const unsigned char *field = (const unsigned char *)o + h->offset;
        float f;
        uint64_t u;
        memcpy(&f, field, sizeof f);
        memcpy(&u, field, sizeof u);
        const double v = h->is_float ? (double)f : (double)u;
        if (!a->hyper_set[h->id - OPT_HYPER] &&
            !in_range(a->resume, h->name, v, h->min, h->max))
            return false;
    }
    return true;
}

/* Everything the progress callback needs. */
typedef struct run {
    lnn_net *net;
    const train_args *a;
    const cli_dataset *ds;
    const lnn_train_opts *opts;
    bool root;               /* rank 0: the process that prints and saves */
    progress pr;
    uint64_t epochs;         /* epochs of the whole run, for display */
    uint64_t print_every;
    lnn_metric monitor;      /* the validation metric shown and judged */
    double train_seconds;    /* training time before the current stretch */
    double stretch_start;    /* when the current stretch of training began */
    double loss_sum;         /* sum of batch loss x batch size since report */
    size_t samples;          /* samples since the last report */
    double epoch_loss_sum;   /* for the bar: since the epoch began */
    size_t epoch_samples;
    size_t total_samples;    /* trained in this run */
    lnn_metrics best;        /* the best validation's metrics */
    uint64_t best_epoch;     /* 0: no validation yet */
    uint64_t stale;          /* validations since the best (the library's
                                early stopping stops at --patience) */
    bool save_failed;
    bool saved;              /* a save of --save succeeded in this run */
    bool replicas_differ;    /* --check-replicas failed */
    plot_history hist;       /* the reports, for --plot */
} run;

static double seconds_so_far(const run *r)
{
    return r->train_seconds + (cli_now() - r->stretch_start);
}

static bool save(run *r, const char *path)
{
    if (!r->root)
        return true; /* rank 0 saves for all */
    char err[CLI_ERRLEN];
    if (lnn_model_save(r->net, r->opts, path, err, sizeof err) == LNN_OK) {
        r->saved = r->saved || path == r->a->save;
        return true;
    }
    cli_error("%s", err);
    r->save_failed = true;
    return false;
}

/* 64-bit FNV-1a of the parameter block's bytes. */
static uint64_t fingerprint(lnn_net *net)
{
    const unsigned char *b = (const unsigned char *)lnn_net_params(net);
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < lnn_net_n_params(net) * sizeof(float); i++)
        h = (h ^ b[i]) * 0x100000001b3u;
    return h;
}

/* --check-replicas: every process's parameters are rank 0's, to the bit.
 * Collective; false (on every process) if any differs. */
static bool replicas_agree(lnn_net *net, const lnn_comm *comm,
                           uint64_t iteration)
{
    uint64_t h = fingerprint(net), h0 = h;
    double differ = 0.0;
    if (comm->broadcast(&h0, sizeof h0, comm->ctx) != 0)
        return false;
    differ = h != h0;
    if (comm->sum_double(&differ, 1, comm->ctx) != 0)
        return false;
    if (differ != 0.0 && comm->rank == 0)
        cli_error("--check-replicas: the parameters of %.0f of %d processes "
                  "differ from rank 0's after iteration %llu", differ,
                  comm->size, (unsigned long long)iteration);
    return differ == 0.0;
}

static int on_progress(const lnn_progress *p, void *ctx)
{
    run *r = ctx;
    if (p->event == LNN_EVENT_STEP) {
        const size_t cols = p->cols;
        r->loss_sum += p->loss * (double)cols;
        r->samples += cols;
        r->total_samples += cols;
        r->epoch_loss_sum += p->loss * (double)cols;
        r->epoch_samples += cols;
        const double t = seconds_so_far(r);
        const double rate = r->samples / fmax(t - r->train_seconds, 1e-9);
        progress_step(&r->pr, p->epoch, r->epochs, p->samples,
                      p->samples_per_epoch,
                      r->epoch_loss_sum / (double)r->epoch_samples, rate,
                      (double)(p->samples_per_epoch - p->samples) / rate);
        return interrupted;
    }
    /* LNN_EVENT_EPOCH */
    r->epoch_loss_sum = 0.0;
    r->epoch_samples = 0;
    const bool last = p->epoch >= r->opts->epochs ||
                      (r->opts->num_iterations &&
                       p->iteration >= r->opts->num_iterations);
    if (p->epoch % r->print_every != 0 && !last)
        return interrupted;
    const double now = cli_now();
    const double stretch = now - r->stretch_start;
    report rep = {
        .epoch = p->epoch,
        .epochs = r->epochs,
        .iteration = p->iteration,
        .loss = r->loss_sum / (double)r->samples,
        .val_loss = p->val ? p->val->loss : NAN,
        .val_metric = p->val ? lnn_metrics_get(p->val, r->monitor) : NAN,
        .lr = p->lr,
        .seconds = r->train_seconds + stretch,
        .samples_per_s = (double)r->samples / fmax(stretch, 1e-9),
    };
    if (r->a->check_replicas && r->opts->comm &&
        !replicas_agree(r->net, r->opts->comm, p->iteration))
        r->replicas_differ = true;
    progress_report(&r->pr, &rep);
    if (r->a->plot && r->root &&
        !plot_history_add(&r->hist, (double)rep.epoch, rep.loss,
                          rep.val_loss, rep.val_metric, rep.lr))
        cli_warn("--plot: out of memory; the picture will lack epochs");
    if (r->a->save)
        save(r, r->a->save);
    if (p->val && p->improved) {
        r->best = *p->val;
        r->best_epoch = p->epoch;
        if (r->a->save_best)
            save(r, r->a->save_best);
    }
    if (p->val)
        r->stale = p->stale;
    /* Evaluation and saving do not count as training time. */
    r->train_seconds += stretch;
    r->loss_sum = 0.0;
    r->samples = 0;
    r->stretch_start = cli_now();
    return interrupted || r->save_failed || r->replicas_differ;
}

/* In a run of several processes, why training stopped is known where it
 * happened (a signal, a failed save): tell every process. Collective:
 * every process stopped after the same update. */
static void agree_on_stop(run *r, const lnn_comm *comm)
{
    double why[2] = {interrupted ? 1.0 : 0.0, r->save_failed ? 1.0 : 0.0};
    if (comm->sum_double(why, 2, comm->ctx) != 0)
        return;
    if (why[0] != 0.0)
        interrupted = 1;
    r->save_failed = why[1] != 0.0;
}

static lnn_net *create_net(train_args *a, size_t max_batch, lnn_loss loss)
{
    lnn_net_config cfg = {
        .L = a->n_dims - 1,
        .dims = a->dims,
        .hidden = a->acts[0],
        .hidden_each = a->n_acts > 1 ? a->acts : NULL,
        .leaky_slope = a->leaky_slope,
        .max_batch = max_batch,
        .optimizer = (lnn_optimizer)a->optimizer,
        .loss = loss,
        .huber_delta = a->tab.huber_delta,
    };
    char err[CLI_ERRLEN];
    lnn_net *net;
    if (lnn_net_create(&net, &cfg, err, sizeof err) != LNN_OK) {
        cli_error("%s", err);
        return NULL;
    }
    lnn_initialize_parameters(net, (lnn_init)a->init, a->opts.seed);
    if (a->init_from && !seq_init_from(net, a->init_from, err, sizeof err)) {
        cli_error("%s", err);
        lnn_net_destroy(net);
        return NULL;
    }
    return net;
}

/* The samples of one update (the library's batch plan): the max_batch the
 * network needs. */
static size_t plan_batch(const lnn_train_opts *opts, size_t n_train)
{
    lnn_plan plan;
    lnn_batch_plan(opts, n_train, &plan);
    return plan.batch;
}

/* "784,256,10" into buf. */
static const char *format_layers(char *buf, size_t len, const size_t *dims,
                                 size_t count)
{
    buf[0] = '\0';
    for (size_t l = 0; l < count; l++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s%zu", l ? "," : "",
                 dims[l]);
    return buf;
}

/* --activation and --leaky-slope given with --resume: the model's. */
static bool same_acts(const train_args *a, const lnn_net *net)
{
    const size_t L = lnn_net_L(net);
    bool same = !a->activation_set ||
                (a->n_acts == 1 && L == 1 &&
                 a->acts[0] == lnn_net_hidden(net)) ||
                ((a->n_acts == 1 || a->n_acts == L - 1) && L > 1);
    for (size_t l = 1; same && a->activation_set && l < L; l++)
        same = a->acts[a->n_acts == 1 ? 0 : l - 1] ==
               lnn_net_activation(net, l);
    char model[CLI_ACTS_LEN];
    if (!same) {
        cli_error("train: --activation %s, but %s has %s",
                  a->activation_arg, a->resume,
                  cli_activations(net, model, sizeof model));
        return false;
    }
    if (a->leaky_set && a->leaky_slope != lnn_net_leaky_slope(net)) {
        cli_error("train: --leaky-slope %g, but %s has %g",
                  (double)a->leaky_slope, a->resume,
                  (double)lnn_net_leaky_slope(net));
        return false;
    }
    return true;
}

/* The network options given with --resume must be the model's: a usage
 * error names both values otherwise. */
static bool same_as_resumed(const train_args *a, const lnn_net *net)
{
    const size_t L = lnn_net_L(net);
    if (a->layers_set &&
        (a->n_dims != L + 1 ||
         memcmp(a->dims, lnn_net_dims(net), (L + 1) * sizeof *a->dims))) {
        char given[LNN_CLI_MAX_DIMS * 12], model[LNN_CLI_MAX_DIMS * 12];
        cli_error("train: --layers %s, but %s has %s",
                  format_layers(given, sizeof given, a->dims, a->n_dims),
                  a->resume,
                  format_layers(model, sizeof model, lnn_net_dims(net), L + 1));
        return false;
    }
    if (!same_acts(a, net))
        return false;
    /* auto means what it resolved to for the model's activations */
    lnn_init init = (lnn_init)a->init;
    if (init == LNN_INIT_AUTO)
        init = lnn_net_auto_init(net);
    if (a->init_set && init != lnn_net_init(net)) {
        cli_error("train: --init %s, but %s was initialised with %s",
                  init_names[a->init], a->resume,
                  lnn_init_name(lnn_net_init(net)));
        return false;
    }
    if (a->optimizer_set &&
        (lnn_optimizer)a->optimizer != lnn_net_optimizer(net)) {
        cli_error("train: --optimizer %s, but %s has %s",
                  optimizer_names[a->optimizer], a->resume,
                  lnn_optimizer_name(lnn_net_optimizer(net)));
        return false;
    }
    return true;
}

/* --resume's model with the max_batch this run needs (which may depend on
 * the batch size stored in the file): the one resumed_split loaded with a
 * batch of 1 for the stored options, loaded again only if this run needs
 * another max_batch (never the one the file names). NULL with *rc the exit
 * status on failure. */
static lnn_net *resume_net(train_args *a, size_t n_train, int *rc)
{
    *rc = EXIT_RUNTIME;
    lnn_net *net = a->resumed;
    a->resumed = NULL;
    if (!same_as_resumed(a, net)) {
        lnn_net_destroy(net);
        *rc = EXIT_USAGE;
        return NULL;
    }
    merge_resumed(a, &a->stored);
    if (!stored_in_range(a)) {
        lnn_net_destroy(net);
        return NULL;
    }
    const size_t max_batch = plan_batch(&a->opts, n_train);
    if (lnn_net_max_batch(net) != max_batch) {
        lnn_net_destroy(net);
        if (!(net = cli_model_load(a->resume, NULL, max_batch)))
            return NULL;
    }
    const size_t L = lnn_net_L(net);
    a->n_dims = L + 1;
    memcpy(a->dims, lnn_net_dims(net), (L + 1) * sizeof *a->dims);
    return net;
}

/* The header's line on regularisation, if any is on: what it is, and
 * which numbers it changes (the training loss, not validation or test). */
static void print_regularisation(const lnn_net *net, const lnn_train_opts *o,
                                 const char *sample_weight)
{
    const bool by_class = lnn_net_class_weights(net) != NULL;
    const bool weighted = by_class || sample_weight;
    bool dropout = false;
    for (size_t l = 1; l < lnn_net_L(net); l++)
        dropout = dropout || lnn_net_dropout(net, l) > 0.0f;
    if (!weighted && !dropout && o->clip_norm == 0.0f &&
        o->label_smoothing == 0.0f)
        return;
    printf("regularisation:");
    const char *sep = " ";
    if (sample_weight) {
        printf("%ssample weights from column %s", sep, sample_weight);
        sep = ", ";
    }
    if (lnn_net_class_weights(net)) {
        const float *w = lnn_net_class_weights(net);
        const size_t n = lnn_net_dims(net)[lnn_net_L(net)];
        float lo = w[0], hi = w[0];
        for (size_t c = 1; c < n; c++) {
            lo = fminf(lo, w[c]);
            hi = fmaxf(hi, w[c]);
        }
        printf("%sclass weights %.4g..%.4g", sep, (double)lo, (double)hi);
        sep = ", ";
    }
    if (o->label_smoothing > 0.0f) {
        printf("%slabel smoothing %g", sep, (double)o->label_smoothing);
        sep = ", ";
    }
    if (o->clip_norm > 0.0f) {
        printf("%sgradient norm clipped at %g", sep, (double)o->clip_norm);
        sep = ", ";
    }
    for (size_t l = 1; l < lnn_net_L(net); l++)
        if (lnn_net_dropout(net, l) > 0.0f) {
            printf("%sdropout %g in layer %zu", sep,
                   (double)lnn_net_dropout(net, l), l);
            sep = ", ";
        }
    if (weighted || o->label_smoothing > 0.0f)
        printf("; the training loss is %s%s%s, val and test metrics are not",
               weighted ? "weighted" : "",
               weighted && o->label_smoothing > 0.0f ? " and " : "",
               o->label_smoothing > 0.0f ? "smoothed" : "");
    printf("\n");
}

static void print_header(const run *r)
{
    const lnn_net *net = r->net;
    char acts[CLI_ACTS_LEN];
    printf("network: ");
    for (size_t l = 0; l <= lnn_net_L(net); l++)
        printf("%s%zu", l ? "-" : "", lnn_net_dims(net)[l]);
    printf(" %s (%s init), %zu parameters\n",
           cli_activations(net, acts, sizeof acts),
           lnn_init_name(lnn_net_init(net)), lnn_net_n_params(net));
    printf("training: %s, lr %g (%s), ",
           lnn_optimizer_name(lnn_net_optimizer(net)),
           (double)r->opts->learning_rate,
           lnn_lr_schedule_name(r->opts->lr_schedule));
    if (r->opts->batch_size)
        printf("batch %zu, ", r->opts->batch_size);
    else
        printf("full batch, ");
    if (r->opts->num_iterations)
        printf("%llu iterations", (unsigned long long)r->opts->num_iterations);
    else
        printf("%llu epochs", (unsigned long long)r->opts->epochs);
    printf(", seed %llu\n", (unsigned long long)r->opts->seed);
    print_regularisation(net, r->opts, r->a->tab.sample_weight);
    printf("blas: %s (%s); threads: %d OpenMP, %d BLAS\n", lnn_blas_info(),
           lnn_blas_threading(), lnn_omp_threads(), lnn_blas_threads());
    if (r->opts->comm)
        printf("processes: %d, each with a slice of every batch\n",
               r->opts->comm->size);
    fflush(stdout);
}

/* Check the network's ends against the data: a usage error if they differ. */
static bool fits_data(const lnn_net *net, const cli_dataset *ds)
{
    const size_t n_0 = lnn_net_dims(net)[0];
    const size_t n_L = lnn_net_dims(net)[lnn_net_L(net)];
    if (n_0 != ds->splits.train.n_x) {
        cli_error("--layers: the input layer has %zu units, the data (%s) "
                  "has %zu features", n_0, ds->dir, ds->splits.train.n_x);
        return false;
    }
    if (n_L != ds->splits.train.n_y) {
        cli_error("--layers: the output layer has %zu units, the data (%s) "
                  "has %zu %s", n_L, ds->dir, ds->splits.train.n_y,
                  lnn_target_name(lnn_loss_target(ds->loss)));
        return false;
    }
    if (lnn_net_loss(net) != ds->loss) {
        cli_error("the model's loss is %s, the data's task asks for %s (give "
                  "--loss %s, or --task as the model was trained)",
                  lnn_loss_name(lnn_net_loss(net)), lnn_loss_name(ds->loss),
                  lnn_loss_name(lnn_net_loss(net)));
        return false;
    }
    return true;
}

/* --activation's list has one name, or one per hidden layer; a
 * --leaky-slope is for a leaky_relu layer. */
static bool acts_fit(const train_args *a)
{
    const size_t hidden = a->n_dims - 2;
    if (a->n_acts > 1 && a->n_acts != hidden) {
        cli_error("train: --activation lists %zu activations for %zu "
                  "hidden layers: give one, or one per hidden layer",
                  a->n_acts, hidden);
        return false;
    }
    bool leaky = false;
    for (size_t k = 0; k < a->n_acts && hidden > 0; k++)
        leaky = leaky || a->acts[k] == LNN_ACT_LEAKY_RELU;
    if (a->leaky_set && !leaky) {
        cli_error("train: --leaky-slope is for leaky_relu layers, and no "
                  "hidden layer has it");
        return false;
    }
    return true;
}

/* The network's ends from the data unless --layers gave them; --hidden
 * gives the sizes between. */
static bool shape_from_data(train_args *a, const cli_dataset *ds)
{
    if (a->hidden && a->layers_set) {
        cli_error("train: --layers gives every size, --hidden the hidden "
                  "ones: give one of them");
        return false;
    }
    if (a->hidden) {
        size_t n;
        if (!cli_parse_sizes("--hidden", a->hidden, "256,128",
                             LNN_CLI_MAX_DIMS - 2, a->dims + 1, &n))
            return false;
        a->dims[0] = ds->splits.train.n_x;
        a->dims[n + 1] = ds->splits.train.n_y;
        a->n_dims = n + 2;
    } else if (!a->layers_set) {
        a->dims[0] = ds->splits.train.n_x;
        a->dims[a->n_dims - 1] = ds->splits.train.n_y;
    }
    return true;
}

/* The last line: the test part's loss and metric (test_acc, test_rmse,
 * ...), the times and the speed. */
static void print_result(const run *r, const lnn_metrics *test,
                         double train_seconds, double total)
{
    const char *key = progress_metric_key(r->monitor) + strlen("val_");
    const double v = lnn_metrics_get(test, r->monitor);
    const double rate = (double)r->total_samples / train_seconds;
    if (r->pr.bar && test->rows == 0)
        printf("no test split; training %.2fs, total %.2fs, %.0f "
               "samples/s\n", train_seconds, total, rate);
    else if (r->pr.bar)
        printf("test %s %.6g (loss %.4f); training %.2fs, total %.2fs, %.0f "
               "samples/s\n", lnn_metric_name(r->monitor), v, test->loss,
               train_seconds, total, rate);
    else if (test->rows == 0) /* no test split: no test numbers */
        printf("test_samples=0 train_seconds=%.3f total_seconds=%.3f "
               "samples_per_s=%.0f\n", train_seconds, total, rate);
    else
        printf("test_loss=%.6f test_%s=%.*f train_seconds=%.3f "
               "total_seconds=%.3f samples_per_s=%.0f\n", test->loss, key,
               r->monitor == LNN_METRIC_ACCURACY ? 4 : 6, v, train_seconds,
               total, rate);
}

/* --plot: the run's reports as learning curves (rank 0). */
static bool draw_plot(const run *r)
{
    char title[CLI_ERRLEN], err[CLI_ERRLEN], acts[CLI_ACTS_LEN];
    int at = snprintf(title, sizeof title, "lnn train: %s, ", r->ds->dir);
    for (size_t l = 0; l <= lnn_net_L(r->net) && at > 0 &&
                       (size_t)at < sizeof title; l++)
        at += snprintf(title + at, sizeof title - (size_t)at, "%s%zu",
                       l ? "-" : "", lnn_net_dims(r->net)[l]);
    if (at > 0 && (size_t)at < sizeof title)
        snprintf(title + at, sizeof title - (size_t)at, " %s, %s",
                 cli_activations(r->net, acts, sizeof acts),
                 lnn_optimizer_name(lnn_net_optimizer(r->net)));
    if (plot_training(&r->hist, title, r->a->plot, err, sizeof err))
        return true;
    cli_error("%s", err);
    return false;
}

static void unlock(int lock[2])
{
    for (int k = 0; k < 2; k++)
        if (lock[k] >= 0)
            close(lock[k]);
}

/* "a, b, c" of n names (at most 3, then "..."), in buf. */
static const char *some_names(char *const *names, size_t n, char *buf,
                              size_t len)
{
    buf[0] = '\0';
    for (size_t k = 0; k < n && k < 3; k++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s%.20s", k ? ", " : "",
                 names[k]);
    if (n > 3)
        snprintf(buf + strlen(buf), len - strlen(buf), ", ... (%zu)", n);
    return buf;
}

static bool same_names(char *const *a, size_t na, char *const *b, size_t nb)
{
    if (!a || !b)
        return !a && !b;
    for (size_t k = 0; na == nb && k < na; k++)
        if (strcmp(a[k], b[k]) != 0)
            return false;
    return na == nb;
}

/* A resumed run goes on with the model's data: an IDX dataset or a table
 * the model records the id of (size, rows, digest) must be that data,
 * unless --new-data; any table must have the model's classes and columns,
 * so that output i keeps its meaning. */
static bool resumed_data_ok(const train_args *a, const lnn_net *net,
                            const cli_dataset *ds)
{
    const lnn_prep *p = lnn_net_prep(net);
    const lnn_data_id had = lnn_net_data_id(net);
    if (!ds->is_table && had.rows && !cli_same_data(&had, &ds->id) &&
        !a->new_data) {
        char mine[160], theirs[160];
        cli_error("--resume %s: it was trained on %s; %s is %s, other data; "
                  "--new-data continues on it", a->resume,
                  cli_data_said(&had, mine, sizeof mine), ds->dir,
                  cli_data_said(&ds->id, theirs, sizeof theirs));
        return false;
    }
    if (!ds->is_table || !p)
        return true;
    const lnn_table *t = &ds->tab[0];
    char mine[160], theirs[160];
    if (p->data.rows && !cli_same_data(&p->data, &t->id) && !a->new_data) {
        cli_error("--resume %s: it was trained on other data (%llu rows, "
                  "%llu bytes) than %s (%zu rows, %llu bytes); --new-data "
                  "continues on it", a->resume,
                  (unsigned long long)p->data.rows,
                  (unsigned long long)p->data.bytes, ds->dir, t->m,
                  (unsigned long long)t->id.bytes);
        return false;
    }
    if (p->names && !same_names(p->names, p->n_classes, t->names,
                                t->n_classes)) {
        cli_error("--resume %s: its classes are %s; %s has %s", a->resume,
                  some_names(p->names, p->n_classes, mine, sizeof mine),
                  ds->dir, some_names(t->names, t->n_classes, theirs,
                                      sizeof theirs));
        return false;
    }
    if (!same_names(p->columns, p->columns ? p->n_x : 0, t->columns,
                    t->columns ? t->n_x : 0)) {
        cli_error("--resume %s: its feature columns are %s; %s has %s",
                  a->resume,
                  p->columns ? some_names(p->columns, p->n_x, mine,
                                          sizeof mine) : "unnamed",
                  ds->dir, t->columns ? some_names(t->columns, t->n_x, theirs,
                                                   sizeof theirs)
                                      : "no header");
        return false;
    }
    return true;
}

/* lnn-mpi: every process loaded the same data (rank 0's id), else each
 * stops before any update; rank 0 names the first that differs. */
static bool ranks_agree_on_data(const cli_dataset *ds, const lnn_comm *comm)
{
    const lnn_data_id id = ds->is_table ? ds->tab[0].id : ds->id;
    lnn_data_id id0 = id;
    const size_t n = (size_t)comm->size;
    double *rows = calloc(2 * n, sizeof *rows); /* differ[r], rows[r] */
    if (!rows || comm->broadcast(&id0, sizeof id0, comm->ctx) != 0) {
        free(rows);
        cli_error("out of memory, or the processes cannot talk");
        return false;
    }
    const bool differ = !cli_same_data(&id, &id0);
    rows[comm->rank] = differ;
    rows[n + (size_t)comm->rank] = (double)id.rows;
    bool ok = comm->sum_double(rows, 2 * n, comm->ctx) == 0;
    size_t r = 0;
    while (ok && r < n && rows[r] == 0.0)
        r++;
    if (ok && r < n && comm->rank == 0) {
        if (rows[n + r] != (double)id0.rows)
            cli_error("rank %zu's data differs from rank 0's: %llu vs %.0f "
                      "rows", r, (unsigned long long)id0.rows, rows[n + r]);
        else
            cli_error("rank %zu's data differs from rank 0's: %llu rows "
                      "each, other values", r, (unsigned long long)id0.rows);
    }
    free(rows);
    return ok && r == n;
}

/* The largest |x| of the training data. */
static double largest_value(const lnn_data *d)
{
    double big = 0.0;
    const size_t n = d->n_x * d->m;
    for (size_t k = 0; d->X && k < n; k++)
        big = fmax(big, fabs((double)d->X[k]));
    return d->X ? big : 255.0;
}

/* One line for a loss that stopped being finite: data too large for
 * float32 arithmetic is said to be that, not divergence; and what became
 * of --save. */
static void report_divergence(const run *r, const lnn_data *train)
{
    const train_args *a = r->a;
    char saved[CLI_ERRLEN] = "";
    if (a->save)
        snprintf(saved, sizeof saved, r->saved ? "; %s keeps the last model "
                 "saved before that" : a->resume ? "; %s is left as it was"
                 : "; no model was saved to %s", a->save);
    const double big = largest_value(train);
    if (big > DATA_OVERFLOWS)
        cli_error("the loss is not finite at iteration %llu: the training "
                  "data has values up to %.3g, too large for float32 "
                  "arithmetic (scale them: --scale standard)%s",
                  (unsigned long long)lnn_net_train_state(r->net).iteration +
                      1,
                  big, saved);
    else
        cli_error("%s%s", lnn_net_errmsg(r->net), saved);
}

/* Before any data is read: every file the run writes can be written and
 * is none of those it reads (the model of --resume is saved back to), and
 * no other run saves to its models (their locks, held in lock[] until the
 * run ends). -1 to go on, else an exit status. */
static int check_files(const train_args *a, bool root, int lock[2])
{
    paths io = {0};
    if (a->common.data && cli_is_table(a->common.data))
        paths_in(&io, "--data", a->common.data);
    paths_in(&io, "--val-data", a->tab.val_data);
    paths_in(&io, "--test-data", a->tab.test_data);
    paths_in(&io, "--init-from", a->init_from);
    if (a->class_weight && strcmp(a->class_weight, "balanced") != 0)
        paths_in(&io, "--class-weight", a->class_weight);
    paths_out(&io, "--save", a->save);
    paths_out(&io, "--save-best", a->save_best);
    paths_out(&io, "--log", a->log);
    paths_out(&io, "--plot", a->plot);
    char err[CLI_ERRLEN];
    const int rc = paths_check(&io, err, sizeof err);
    if (rc) {
        cli_error("%s", err);
        return rc;
    }
    if (root &&
        ((a->save && !paths_lock(a->save, &lock[0], err, sizeof err)) ||
         (a->save_best && !paths_lock(a->save_best, &lock[1], err,
                                      sizeof err)))) {
        cli_error("%s", err);
        unlock(lock);
        return EXIT_RUNTIME;
    }
    return -1;
}

/* --resume's model is loaded before the data (a->resumed, a->stored). A
 * resumed table model goes on with the split its training file was given:
 * the seed and the counts the model records (not today's default seed or
 * fractions, which would move test rows into training and refit the
 * scaling on other rows); --val and --test given now still count.
 * *split_seed is the seed to split with; false (said) if the model does
 * not load. */
static bool resumed_split(train_args *a, uint64_t *split_seed)
{
    *split_seed = a->opts.seed;
    if (!a->resume)
        return true;
    a->stored = lnn_train_opts_default();
    if (!(a->resumed = cli_model_load(a->resume, &a->stored, 1)))
        return false;
    if (a->new_data || !cli_is_table(a->common.data))
        return true;
    const lnn_prep *p = lnn_net_prep(a->resumed);
    if (p && p->split_m) {
        *split_seed = p->split_seed;
        if (!a->val.set)
            a->val = (cli_part){.count = p->split_val, .set = true};
        if (!a->tab.test.set)
            a->tab.test = (cli_part){.count = p->split_test, .set = true};
    }
    return true;
}

/* Before the network: the output paths checked and locked, the data
 * loaded (and agreed on by every process), the network's ends from it.
 * -1 to go on, else an exit status (with nothing left to free). */
static int setup_data(train_args *a, const lnn_comm *comm, bool root,
                      cli_dataset *ds, int lock[2])
{
    char err[CLI_ERRLEN];
    if (root && a->plot && !plot_path_ok("--plot", a->plot, err, sizeof err)) {
        cli_error("%s", err);
        return EXIT_USAGE;
    }
    int rc = check_files(a, root, lock);
    if (rc >= 0)
        return rc;
    uint64_t split_seed;
    if (!resumed_split(a, &split_seed)) {
        unlock(lock);
        return EXIT_RUNTIME;
    }
    if ((rc = cli_dataset_load(ds, a->common.data, &a->tab, split_seed,
                               a->train_subset, &a->val, a->quiet))) {
        unlock(lock);
        return rc;
    }
    rc = -1;
    if (!ds->is_table && (a->tab.task > 1 || cli_task_multi(&a->tab) ||
                          (a->tab.loss >= 0 && a->tab.loss != LNN_LOSS_CE))) {
        /* never a flag silently ignored: IDX labels are classes */
        cli_error("%s is an IDX dataset: its labels are classes (softmax + "
                  "cross-entropy); --task, --loss and several --label "
                  "columns are for tables", ds->dir);
        rc = EXIT_USAGE;
    } else if (!ds->is_table && a->tab.sample_weight) {
        cli_error("%s is an IDX dataset: --sample-weight takes a column of "
                  "a table", ds->dir);
        rc = EXIT_USAGE;
    } else if (comm && !ranks_agree_on_data(ds, comm))
        /* rank 0 ends the job (MPI_Abort, exit 1); the others wait in
         * MPI_Finalize for it: aborts from every process at once crash
         * Open MPI's mpirun as it merges their messages */
        rc = root ? EXIT_RUNTIME : EXIT_OK;
    else if (!a->resume && (!shape_from_data(a, ds) || !acts_fit(a)))
        rc = EXIT_USAGE;
    if (rc >= 0) {
        cli_dataset_free(ds);
        unlock(lock);
    }
    return rc;
}

/* The training policy of the run: a table's defaults (train until the
 * validation loss stops improving), the reports' cadence, and the
 * validation, monitor and patience the library follows. */
static void setup_policy(run *r, train_args *a, const cli_dataset *ds)
{
    if (a->iterations_set && !a->epochs_set)
        a->opts.epochs = UINT64_MAX; /* the iteration count decides */
    if (ds->is_table && !a->epochs_set && !a->iterations_set && !a->resume) {
        a->opts.epochs = TABLE_MAX_EPOCHS;
        if (!a->patience_set)
            a->patience = TABLE_PATIENCE;
    }
    lnn_plan plan;
    lnn_batch_plan(&a->opts, ds->splits.train.m, &plan);
    const uint64_t steps = plan.steps_per_epoch;
    r->epochs = a->opts.num_iterations
                    ? (a->opts.num_iterations + steps - 1) / steps
                    : a->opts.epochs;
    r->print_every = a->print_every ? a->print_every
                     : steps == 1   ? FULL_BATCH_PRINT_EVERY
                                    : 1;
    r->monitor = lnn_loss_metric(lnn_net_loss(r->net));
    if (ds->splits.val.m > 0) {
        a->opts.val = &ds->splits.val;
        a->opts.val_every = r->print_every;
        a->opts.patience = a->patience;
        a->opts.restore_best = a->patience > 0;
        a->opts.monitor_default = 0;
        a->opts.monitor = a->monitor ? r->monitor : LNN_METRIC_LOSS;
        a->opts.min_delta = a->min_delta;
    }
}

/* --class-weight: the network's class weights from the training part (a
 * resumed run keeps its model's unless given again). */
static bool set_class_weights(lnn_net *net, const train_args *a,
                              const cli_dataset *ds)
{
    const lnn_data *train = &ds->splits.train;
    float *w = malloc(train->n_y * sizeof *w);
    bool ok = w && cli_class_weights(a->class_weight, train,
                                     ds->is_table ? ds->tab[0].names : NULL,
                                     w);
    if (!w)
        cli_error("out of memory");
    if (ok && lnn_net_set_class_weights(net, w) != LNN_OK) {
        cli_error("--class-weight: %s", lnn_net_errmsg(net));
        ok = false;
    }
    free(w);
    return ok;
}

/* --dropout: one rate for every hidden layer, or one each (a resumed run
 * keeps its model's unless given again). */
static bool set_dropout(lnn_net *net, const train_args *a)
{
    const size_t hidden = lnn_net_L(net) - 1;
    float p[LNN_CLI_MAX_DIMS];
    if (a->n_dropout != 1 && a->n_dropout != hidden) {
        cli_error("--dropout: %zu rates for %zu hidden layers (give one, or "
                  "one per hidden layer)", a->n_dropout, hidden);
        return false;
    }
    for (size_t l = 0; l < hidden; l++)
        p[l] = a->dropout[a->n_dropout == 1 ? 0 : l];
    if (lnn_net_set_dropout(net, p) == LNN_OK)
        return true;
    cli_error("--dropout: %s", lnn_net_errmsg(net));
    return false;
}

/* The network (new or resumed), checked against the data, its policy, and
 * the reports' output. EXIT_OK, or an exit status with *r to clean. */
static int setup_run(run *r, train_args *a, const cli_dataset *ds,
                     const lnn_comm *comm)
{
    int rc = EXIT_RUNTIME;
    const size_t n_train = ds->splits.train.m;
    r->net = a->resume ? resume_net(a, n_train, &rc)
                       : create_net(a, plan_batch(&a->opts, n_train),
                                    ds->loss);
    if (!r->net)
        return rc;
    if ((a->resume && !resumed_data_ok(a, r->net, ds)) ||
        !fits_data(r->net, ds))
        return EXIT_USAGE;
    if (ds->is_table && lnn_net_set_prep(r->net, &ds->prep) != LNN_OK) {
        cli_error("out of memory");
        return EXIT_RUNTIME;
    }
    if (!ds->is_table) /* the model knows its dataset */
        lnn_net_set_data_id(r->net, &ds->id);
    if (a->class_weight && !set_class_weights(r->net, a, ds))
        return EXIT_USAGE;
    if (a->n_dropout && !set_dropout(r->net, a))
        return EXIT_USAGE;
    setup_policy(r, a, ds);
    progress_init(&r->pr, (progress_mode)a->progress, a->quiet || !r->root);
    r->pr.metric = progress_metric_key(r->monitor);
    snprintf(r->hist.metric_name, sizeof r->hist.metric_name, "%s",
             r->pr.metric);
    if (r->root && a->log &&
        !progress_open_log(&r->pr, a->log, a->resume,
                           lnn_net_train_state(r->net).iteration))
        return EXIT_USAGE;
    a->opts.comm = comm;
    if (!r->pr.quiet)
        print_header(r);
    return EXIT_OK;
}

/* Train, with Ctrl-C and SIGTERM asking to stop after the update in
 * progress; *seconds is the training time. */
static lnn_status run_training(run *r, train_args *a, double *seconds)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    a->opts.progress = on_progress;
    a->opts.progress_ctx = r;
    r->stretch_start = cli_now();
    const lnn_status s = lnn_L_layer_model(r->net, &r->ds->splits.train,
                                           &a->opts);
    *seconds = seconds_so_far(r);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (r->pr.bar)
        printf("\r\033[K");
    return s;
}

/* Why training stopped, said: -1 to go on to the test (done, or stopped
 * early), else an exit status. */
static int triage(run *r, train_args *a, cli_world *w, lnn_status s)
{
    const lnn_comm *comm = a->opts.comm;
    if (s == LNN_ERR_STOPPED && comm)
        agree_on_stop(r, comm);
    if (s == LNN_ERR_STOPPED && r->replicas_differ)
        return EXIT_RUNTIME;
    if (s == LNN_ERR_STOPPED && interrupted) {
        if (r->root) {
            const lnn_train_state st = lnn_net_train_state(r->net);
            if (a->save && !save(r, a->save))
                a->save = NULL;
            say_how_to_continue(a, w, st.iteration);
        }
        return EXIT_INTERRUPT;
    }
    if (s == LNN_OK && a->patience && r->stale >= a->patience) {
        if (!a->quiet)
            printf("early stop: no better validation %s in %llu "
                   "reports\n", lnn_metric_name(a->opts.monitor),
                   (unsigned long long)a->patience);
        return -1;
    }
    if (s == LNN_ERR_ARG || s == LNN_ERR_SHAPE) {
        /* options the library refused before training began */
        if (r->root)
            cli_error("%s", lnn_net_errmsg(r->net));
        return EXIT_USAGE;
    }
    if (s == LNN_OK)
        return -1;
    /* a failed save has said why already; every process diverges
     * together, but a failed communication is this process's own */
    if (s == LNN_ERR_DIVERGED && r->root)
        report_divergence(r, &r->ds->splits.train);
    else if (s != LNN_ERR_STOPPED && (r->root || s == LNN_ERR_COMM))
        cli_error("%s", lnn_net_errmsg(r->net));
    return EXIT_RUNTIME;
}

/* After training: the model saved, the best epoch said, the test part's
 * metrics printed. An exit status. */
static int report_outcome(run *r, const train_args *a, double train_seconds,
                          double t_start)
{
    if (a->save && !save(r, a->save))
        return EXIT_RUNTIME;
    if (a->save_best && !a->quiet && r->best_epoch)
        printf("best validation %s %.4f after epoch %llu, saved to %s\n",
               lnn_metric_name(a->opts.monitor),
               lnn_metrics_get(&r->best, a->opts.monitor),
               (unsigned long long)r->best_epoch, a->save_best);
    lnn_metrics test = {0};
    if (r->ds->splits.test.m > 0 &&
        lnn_evaluate_sharded(r->net, &r->ds->splits.test, a->opts.comm,
                             &test) != LNN_OK) {
        cli_error("%s", lnn_net_errmsg(r->net));
        return EXIT_RUNTIME;
    }
    print_result(r, &test, train_seconds, cli_now() - t_start);
    return EXIT_OK;
}

int cli_train(int argc, char **argv, cli_world *w)
{
    const double t_start = cli_now();
    train_args a = {0};
    int rc = parse(argc, argv, &a);
    if (rc >= 0)
        return rc;
    if (!a.common.threads)
        a.common.threads = cli_world_threads(w);
    cli_common_apply(&a.common, "train", false);
    w->timeout = a.comm_timeout;
    const lnn_comm *comm = cli_world_comm(w);
    const bool root = !comm || comm->rank == 0;
    int lock[2] = {-1, -1};
    cli_dataset ds;
    if ((rc = setup_data(&a, comm, root, &ds, lock)) >= 0) {
        lnn_net_destroy(a.resumed);
        return rc;
    }
    run r = {.a = &a, .ds = &ds, .opts = &a.opts, .root = root};
    rc = setup_run(&r, &a, &ds, comm);
    if (rc == EXIT_OK) {
        double train_seconds;
        const lnn_status s = run_training(&r, &a, &train_seconds);
        rc = triage(&r, &a, w, s);
        if (rc < 0)
            rc = report_outcome(&r, &a, train_seconds, t_start);
    }
    progress_close(&r.pr);
    if (r.hist.n && !draw_plot(&r) && rc == EXIT_OK)
        rc = EXIT_RUNTIME;
    plot_history_free(&r.hist);
    lnn_net_destroy(r.net);
    lnn_net_destroy(a.resumed);
    cli_dataset_free(&ds);
    unlock(lock);
    return rc;
}
