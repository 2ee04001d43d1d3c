/* task.c: what a table's label column(s) become on the command line: the
 * task (--task, chosen by the data when auto, and said in one line), the
 * loss (--loss, the task's by default), and the targets of the training
 * file, of --val-data and --test-data, and of a file evaluated against a
 * model. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "options.h"

/* Classes a table may have however few rows it has; beyond, more than one
 * class per two rows is refused unless --task classify says it is meant. */
#define CLASSES_FREE 64

/* X(name, target kind, default loss, what it trains) */
#define CLI_TASK_LIST(X)                                                      \
    X(classify, LNN_TARGET_CLASSES, LNN_LOSS_CE, "one class per row")         \
    X(regress, LNN_TARGET_VALUES, LNN_LOSS_MSE, "real values")                \
    X(multilabel, LNN_TARGET_BINARY, LNN_LOSS_BCE, "several 0/1 labels")

#define TASK_NAME(name, target, loss, note) #name,
#define TASK_NOTE(name, target, loss, note) note,
#define TASK_TARGET(name, target, loss, note) target,
#define TASK_LOSS(name, target, loss, note) loss,
static const char *const task_names[] = {"auto", CLI_TASK_LIST(TASK_NAME)};
static const char *const task_notes[] = {"from the label column",
                                         CLI_TASK_LIST(TASK_NOTE)};
static const lnn_target task_targets[] = {LNN_TARGET_CLASSES,
                                          CLI_TASK_LIST(TASK_TARGET)};
static const lnn_loss task_losses[] = {LNN_LOSS_CE, CLI_TASK_LIST(TASK_LOSS)};
#undef TASK_NAME
#undef TASK_NOTE
#undef TASK_TARGET
#undef TASK_LOSS
const cli_choices cli_tasks = CLI_CHOICES(task_names, NULL, task_notes);

#define LOSS_NOTE(E, value, name, act, target, metric, note) [value] = note,
CLI_CHOICES_OF_LIST(cli_losses, LNN_LOSS_LIST, LOSS_NOTE);
#undef LOSS_NOTE

static const char *const scale_target_names[] = {"none", "standard"};
const cli_choices cli_scale_targets =
    CLI_CHOICES(scale_target_names, NULL, NULL);

/* Label columns "a,b,c" into names (at most CLI_MAX_LABELS); 1 for a
 * single column. */
static size_t split_labels(const char *list, char *buf, size_t len,
                           char **names)
{
    snprintf(buf, len, "%s", list);
    size_t n = 0;
    for (char *p = buf, *next; p && n < CLI_MAX_LABELS; p = next) {
        next = strchr(p, ',');
        if (next)
            *next++ = '\0';
        names[n++] = p;
    }
    return n;
}

bool cli_task_multi(const cli_table_args *ta)
{
    return ta->table.label && strchr(ta->table.label, ',');
}

/* The target kind a multi-column label set looks like: labels if every
 * value is 0 or 1, else values. */
static lnn_target guess_multi(const lnn_table *t, char *const *names,
                              size_t n)
{
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; t->columns && i < t->n_x; i++)
            if (strcmp(t->columns[i], names[k]) == 0)
                for (size_t j = 0; j < t->m; j++) {
                    const float v = t->X ? t->X[i + j * t->n_x]
                                         : (float)t->X_u8[i + j * t->n_x];
                    if (v != 0.0f && v != 1.0f)
                        return LNN_TARGET_VALUES;
                }
    return LNN_TARGET_BINARY;
}

/* The loss of a target kind: --loss, else the task's. */
static lnn_loss choose_loss(const cli_table_args *ta, lnn_target target)
{
    lnn_loss loss = LNN_LOSS_CE;
    for (size_t k = 1; k < sizeof task_targets / sizeof *task_targets; k++)
        if (task_targets[k] == target)
            loss = task_losses[k];
    return ta->loss >= 0 ? (lnn_loss)ta->loss : loss;
}

/* A LIBSVM label with a comma: a set of labels ("1,3"), or NULL. */
static const char *some_set(const lnn_table *t, const char *path)
{
    if (lnn_table_format(path) != LNN_FORMAT_LIBSVM || !t->y)
        return NULL;
    for (size_t c = 0; c < t->n_classes; c++)
        if (strchr(t->names[c], ','))
            return t->names[c];
    return NULL;
}

/* Are the training file's labels LIBSVM's label sets? Those with a comma
 * are, unless --task or --loss asks for another kind of target; under
 * --task multilabel, every LIBSVM file's are (--loss bce alone on labels
 * without a comma is one binary label). */
static bool label_sets(const cli_table_args *ta, const lnn_table *t,
                       const char *path)
{
    if (lnn_table_format(path) != LNN_FORMAT_LIBSVM || !t->y)
        return false;
    if (ta->task > 0)
        return task_targets[ta->task] == LNN_TARGET_BINARY;
    if (ta->loss >= 0 &&
        lnn_loss_target((lnn_loss)ta->loss) != LNN_TARGET_BINARY)
        return false;
    return some_set(t, path) != NULL;
}

/* t's labels, LIBSVM's label sets, as one 0/1 target per label: those
 * named (a model's), or all of t's. */
static bool make_sets(lnn_table *t, const char *path, char *const *names,
                      size_t n)
{
    char err[CLI_ERRLEN];
    if (lnn_table_label_sets(t, names, n, err, sizeof err) != LNN_OK) {
        cli_error("%s: %s", path, err);
        return false;
    }
    return true;
}

/* The target kind of the training file: --loss's, --task's, or the
 * data's (said in one line). */
static bool choose_target(const cli_table_args *ta, const lnn_table *t,
                          char *const *names, size_t n, lnn_target *target,
                          const char *set, bool quiet)
{
    char why[160];
    if (ta->loss >= 0) {
        *target = lnn_loss_target((lnn_loss)ta->loss);
        return true;
    }
    if (ta->task > 0) {
        *target = task_targets[ta->task];
        return true;
    }
    if (set) {
        *target = LNN_TARGET_BINARY;
        snprintf(why, sizeof why, "LIBSVM label sets such as \"%.40s\"",
                 set);
    } else if (n > 1) {
        *target = guess_multi(t, names, n);
        snprintf(why, sizeof why, "%zu label columns, %s", n,
                 *target == LNN_TARGET_BINARY ? "every value 0 or 1"
                                              : "not all 0 or 1");
    } else {
        lnn_table_guess_target(t, target, why, sizeof why);
    }
    if (!quiet)
        printf("task: %s (%s; --task to choose)\n",
               *target == LNN_TARGET_CLASSES  ? "classification"
               : *target == LNN_TARGET_VALUES ? "regression"
                                              : "multi-label",
               why);
    return true;
}

/* Make t's targets of kind target: from the label column, or from the
 * columns named. */
static bool make_targets(lnn_table *t, const char *path, lnn_target target,
                         char *const *names, size_t n)
{
    char err[CLI_ERRLEN];
    size_t dropped = 0;
    lnn_status s = n > 1 ? lnn_table_take_targets(t, target, names, n, err,
                                                  sizeof err)
                         : lnn_table_targets(t, target, &dropped, err,
                                             sizeof err);
    if (s != LNN_OK) {
        cli_error("%s: %s", path, err);
        return false;
    }
    if (dropped) /* a note that stays, whatever --quiet says */
        fprintf(stderr, "lnn: %s: %zu rows without a label left out\n",
                path, dropped);
    return true;
}

int cli_task_train(const cli_table_args *ta, lnn_table *t, const char *path,
                   lnn_loss *loss, bool quiet)
{
    char buf[4096], *names[CLI_MAX_LABELS];
    const size_t n = cli_task_multi(ta)
                         ? split_labels(ta->table.label, buf, sizeof buf,
                                        names)
                         : 1;
    lnn_target target;
    if (n == 1 && !t->y) {
        cli_error("%s: no labels to train on (an X.npy needs --labels "
                  "y.npy)", path);
        return EXIT_RUNTIME;
    }
    if (n > 1 && (ta->task == 1 || (ta->loss >= 0 &&
                  lnn_loss_target((lnn_loss)ta->loss) ==
                      LNN_TARGET_CLASSES))) {
        cli_error("--label with several columns: multi-label (0/1) or "
                  "regression, not one class per row");
        return EXIT_USAGE;
    }
    if (ta->loss >= 0 && ta->task > 0 &&
        lnn_loss_target((lnn_loss)ta->loss) != task_targets[ta->task]) {
        cli_error("--loss %s does not fit --task %s (it needs %s targets)",
                  cli_losses.names[ta->loss], task_names[ta->task],
                  lnn_target_name(lnn_loss_target((lnn_loss)ta->loss)));
        return EXIT_USAGE;
    }
    const bool sets = n == 1 && label_sets(ta, t, path);
    if (!choose_target(ta, t, names, n, &target, sets ? some_set(t, path)
                                                       : NULL, quiet))
        return EXIT_RUNTIME;
    if (target == LNN_TARGET_CLASSES && ta->task != 1 &&
        t->n_classes > CLASSES_FREE && t->n_classes > t->m / 2) {
        cli_error("%s: %zu classes in %zu rows: the label looks like an id "
                  "or a number, not a class (--task classify trains on it "
                  "anyway)", path, t->n_classes, t->m);
        return EXIT_USAGE;
    }
    *loss = choose_loss(ta, target);
    if (sets ? !make_sets(t, path, NULL, 0)
             : !make_targets(t, path, target, names, n))
        return EXIT_RUNTIME;
    if (target == LNN_TARGET_CLASSES && t->n_classes < 2) {
        cli_error("%s: every row has the label \"%s\": training needs at "
                  "least 2 classes", path, t->names[0]);
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}

bool cli_task_like(lnn_table *t, const char *path, const lnn_table *first,
                   const cli_table_args *ta, lnn_loss loss)
{
    char buf[4096], *names[CLI_MAX_LABELS];
    const lnn_target target = lnn_loss_target(loss);
    const size_t n = cli_task_multi(ta)
                         ? split_labels(ta->table.label, buf, sizeof buf,
                                        names)
                         : 1;
    char err[CLI_ERRLEN];
    if (n == 1 && !t->y) {
        cli_error("%s: no labels", path);
        return false;
    }
    if (n == 1 && target == LNN_TARGET_BINARY && !first->names)
        return make_sets(t, path, first->targets, first->n_t); /* as the
                                                   training file's sets */
    if (target == LNN_TARGET_VALUES || n > 1)
        return make_targets(t, path, target, names, n);
    /* classes, or one binary label: by the first file's vocabulary */
    if (!make_targets(t, path, LNN_TARGET_CLASSES, NULL, 1))
        return false;
    if (lnn_table_relabel(t, first->names, first->n_classes, err,
                          sizeof err) != LNN_OK) {
        cli_error("%s: %s", path, err);
        return false;
    }
    return target == LNN_TARGET_CLASSES ||
           make_targets(t, path, target, NULL, 1);
}

void cli_task_model_opts(lnn_table_opts *o, const lnn_prep *p)
{
    /* the model's target columns, unless --label says otherwise */
    if (!o->label && p->n_targets == 1 && p->target_names)
        o->label = p->target_names[0];
    o->no_label = p->n_targets > 1;
}

bool cli_task_drop_targets(lnn_table *t, const lnn_prep *p, char *err,
                           size_t errlen)
{
    if (!p || p->n_targets < 2 ||
        t->n_x != (p->raw ? p->n_raw : p->n_x) + p->n_targets)
        return true; /* none, or a file of the features alone */
    /* values: any number is a target here (predict ignores them) */
    if (lnn_table_take_targets(t, LNN_TARGET_VALUES, p->target_names,
                               p->n_targets, err, errlen) != LNN_OK)
        return false;
    for (size_t k = 0; k < t->n_t; k++)
        free(t->targets[k]);
    free(t->targets);
    free(t->T);
    t->targets = NULL;
    t->T = NULL;
    t->n_t = 0;
    return true;
}

bool cli_task_for_model(lnn_table *t, const char *path, const lnn_prep *p,
                        lnn_loss loss)
{
    const lnn_target target = lnn_loss_target(loss);
    char err[CLI_ERRLEN];
    const bool sets = target == LNN_TARGET_BINARY && !p->names &&
                      lnn_table_format(path) == LNN_FORMAT_LIBSVM;
    if (p->n_targets > 1 && !sets)
        return make_targets(t, path, target, p->target_names,
                            p->n_targets);
    if (!t->y) {
        cli_error("%s: no labels to evaluate against", path);
        return false;
    }
    if (sets) /* LIBSVM label sets, by the model's labels */
        return make_sets(t, path, p->target_names, p->n_targets);
    if (target == LNN_TARGET_VALUES)
        return make_targets(t, path, target, NULL, 1);
    if (!p->names) {
        cli_error("%s: the model has no label names to match", path);
        return false;
    }
    if (!make_targets(t, path, LNN_TARGET_CLASSES, NULL, 1))
        return false;
    if (lnn_table_relabel(t, p->names, p->n_classes, err, sizeof err) !=
        LNN_OK) {
        cli_error("%s: %s", path, err);
        return false;
    }
    return target == LNN_TARGET_CLASSES ||
           make_targets(t, path, target, NULL, 1);
}

bool cli_task_standardise(const cli_table_args *ta, lnn_loss loss)
{
    return lnn_loss_target(loss) == LNN_TARGET_VALUES && ta->scale_target != 0;
}
