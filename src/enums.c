/* enums.c: names, validity and properties of lnn's enums, each generated
 * from its X-macro list in lnn.h, so none can drift from its list. */
#include "enums.h"

#include <string.h>

/* Each list's rows start (value name, value, name, ...). */
#define NAME_CASE(E, value, name, ...) case E: return #name;
#define FROM_NAME(E, value, name, ...)                                        \
    if (strcmp(s, #name) == 0) {                                              \
        *out = E;                                                             \
        return LNN_OK;                                                        \
    }
#define VALID_CASE(E, ...) case E: return true;

/* name, from_name and is for one list (type T, list L). */
#define ENUM_FUNCTIONS(T, L, NAME, FROM, IS)                                  \
    const char *NAME(T v)                                                     \
    {                                                                         \
        switch (v) {                                                          \
            L(NAME_CASE)                                                      \
        }                                                                     \
        return "unknown";                                                     \
    }                                                                         \
    bool IS(T v)                                                              \
    {                                                                         \
        switch (v) {                                                          \
            L(VALID_CASE)                                                     \
        }                                                                     \
        return false;                                                         \
    }                                                                         \
    static lnn_status FROM##_list(const char *s, T *out)                      \
    {                                                                         \
        L(FROM_NAME)                                                          \
        return LNN_ERR_ARG;                                                   \
    }

ENUM_FUNCTIONS(lnn_activation, LNN_ACTIVATION_LIST, lnn_activation_name,
               lnn_activation_from_name, lnn__is_activation)
ENUM_FUNCTIONS(lnn_optimizer, LNN_OPTIMIZER_LIST, lnn_optimizer_name,
               lnn_optimizer_from_name, lnn__is_optimizer)
ENUM_FUNCTIONS(lnn_lr_schedule, LNN_LR_SCHEDULE_LIST, lnn_lr_schedule_name,
               lnn_lr_schedule_from_name, lnn__is_schedule)
ENUM_FUNCTIONS(lnn_init, LNN_INIT_LIST, lnn_init_name, lnn_init_from_name,
               lnn__is_init)
ENUM_FUNCTIONS(lnn_scale, LNN_SCALE_LIST, lnn_scale_name, lnn_scale_from_name,
               lnn__is_scale)
ENUM_FUNCTIONS(lnn_loss, LNN_LOSS_LIST, lnn_loss_name, lnn_loss_from_name,
               lnn__is_loss)
ENUM_FUNCTIONS(lnn_target, LNN_TARGET_LIST, lnn_target_name,
               lnn_target_from_name, lnn__is_target)
ENUM_FUNCTIONS(lnn_metric, LNN_METRIC_LIST, lnn_metric_name,
               lnn_metric_from_name, lnn__is_metric)

lnn_status lnn_loss_from_name(const char *name, lnn_loss *out)
{
    return name && out ? lnn_loss_from_name_list(name, out) : LNN_ERR_ARG;
}

lnn_status lnn_target_from_name(const char *name, lnn_target *out)
{
    return name && out ? lnn_target_from_name_list(name, out) : LNN_ERR_ARG;
}

lnn_status lnn_metric_from_name(const char *name, lnn_metric *out)
{
    return name && out ? lnn_metric_from_name_list(name, out) : LNN_ERR_ARG;
}

/* One column of the loss list, for a known loss (else `unknown`). */
#define LOSS_COLUMN(fn, type, col, unknown)                                   \
    type fn(lnn_loss loss)                                                    \
    {                                                                         \
        switch (loss) {                                                       \
            LNN_LOSS_LIST(col)                                                \
        }                                                                     \
        return unknown;                                                       \
    }
#define OUTPUT_CASE(E, v, n, act, target, metric, note) case E: return act;
#define TARGET_CASE(E, v, n, act, target, metric, note) case E: return target;
#define METRIC_CASE(E, v, n, act, target, metric, note) case E: return metric;
LOSS_COLUMN(lnn_loss_output, lnn_activation, OUTPUT_CASE, LNN_ACT_SOFTMAX)
LOSS_COLUMN(lnn_loss_target, lnn_target, TARGET_CASE, LNN_TARGET_CLASSES)
LOSS_COLUMN(lnn_loss_metric, lnn_metric, METRIC_CASE, LNN_METRIC_LOSS)
#undef OUTPUT_CASE
#undef TARGET_CASE
#undef METRIC_CASE
#undef LOSS_COLUMN

int lnn_metric_higher_is_better(lnn_metric metric)
{
#define HIGHER_CASE(E, value, name, higher) case E: return higher;
    switch (metric) {
        LNN_METRIC_LIST(HIGHER_CASE)
    }
#undef HIGHER_CASE
    return 0;
}

ENUM_FUNCTIONS(lnn_invert, LNN_INVERT_LIST, lnn_invert_name,
               lnn_invert_from_name, lnn__is_invert)
/* lnn_format: ENUM_FUNCTIONS' three, with AUTO (no row) in each switch */
const char *lnn_format_name(lnn_format v)
{
    switch (v) {
        LNN_FORMAT_LIST(NAME_CASE)
    case LNN_FORMAT_AUTO: break;
    }
    return "unknown";
}

bool lnn__is_format(lnn_format v)
{
    switch (v) {
        LNN_FORMAT_LIST(VALID_CASE)
    case LNN_FORMAT_AUTO: break;
    }
    return false;
}

lnn_status lnn_format_from_name(const char *s, lnn_format *out)
{
    if (!s || !out)
        return LNN_ERR_ARG;
    LNN_FORMAT_LIST(FROM_NAME)
    return LNN_ERR_ARG;
}

lnn_scale lnn_format_scale(lnn_format f)
{
#define SCALE_CASE(E, value, name, endings, scale, note) case E: return scale;
    switch (f) {
        LNN_FORMAT_LIST(SCALE_CASE)
    case LNN_FORMAT_AUTO: break;
    }
#undef SCALE_CASE
    return LNN_SCALE_STANDARD;
}

lnn_status lnn_invert_from_name(const char *name, lnn_invert *out)
{
    return name && out ? lnn_invert_from_name_list(name, out) : LNN_ERR_ARG;
}

lnn_status lnn_scale_from_name(const char *name, lnn_scale *out)
{
    return name && out ? lnn_scale_from_name_list(name, out) : LNN_ERR_ARG;
}

lnn_status lnn_activation_from_name(const char *name, lnn_activation *out)
{
    return name && out ? lnn_activation_from_name_list(name, out)
                       : LNN_ERR_ARG;
}

lnn_status lnn_optimizer_from_name(const char *name, lnn_optimizer *out)
{
    return name && out ? lnn_optimizer_from_name_list(name, out)
                       : LNN_ERR_ARG;
}

lnn_status lnn_lr_schedule_from_name(const char *name, lnn_lr_schedule *out)
{
    return name && out ? lnn_lr_schedule_from_name_list(name, out)
                       : LNN_ERR_ARG;
}

lnn_status lnn_init_from_name(const char *name, lnn_init *out)
{
    if (!name || !out)
        return LNN_ERR_ARG;
#define OLD_NAME(E, value, name_, old, note)                                  \
    if (old && strcmp(name, old ? old : "") == 0) {                           \
        *out = E;                                                             \
        return LNN_OK;                                                        \
    }
    LNN_INIT_LIST(OLD_NAME)
#undef OLD_NAME
    return lnn_init_from_name_list(name, out);
}

bool lnn__is_hidden(lnn_activation f)
{
#define HIDDEN_CASE(E, value, name, hidden, ...) case E: return hidden;
    switch (f) {
        LNN_ACTIVATION_LIST(HIDDEN_CASE)
    }
#undef HIDDEN_CASE
    return false;
}

bool lnn__act_needs_Z(lnn_activation f)
{
#define NEEDS_Z_CASE(E, value, name, hidden, needs_Z, ...)                    \
    case E: return needs_Z;
    switch (f) {
        LNN_ACTIVATION_LIST(NEEDS_Z_CASE)
    }
#undef NEEDS_Z_CASE
    return false;
}

lnn_init lnn__act_init(lnn_activation f)
{
#define INIT_CASE(E, value, name, hidden, needs_Z, init, ...)               \
    case E: return init;
    switch (f) {
        LNN_ACTIVATION_LIST(INIT_CASE)
    }
#undef INIT_CASE
    return LNN_INIT_XAVIER;
}

size_t lnn__opt_slots(lnn_optimizer opt)
{
#define SLOTS_CASE(E, value, name, slots, ...) case E: return slots;
    switch (opt) {
        LNN_OPTIMIZER_LIST(SLOTS_CASE)
    }
#undef SLOTS_CASE
    return 0;
}

unsigned lnn__opt_uses(lnn_optimizer opt)
{
#define USES_CASE(E, value, name, slots, uses, ...) case E: return uses;
    switch (opt) {
        LNN_OPTIMIZER_LIST(USES_CASE)
    }
#undef USES_CASE
    return 0;
}

/* The imputations' names are strings ("most-frequent"). */
#define IMPUTE_NAME_CASE(E, value, token, name, ...) case E: return name;
#define IMPUTE_FROM_NAME(E, value, token, name, ...)                          \
    if (strcmp(s, name) == 0) {                                               \
        *out = E;                                                             \
        return LNN_OK;                                                        \
    }
#define IMPUTE_VALID_CASE(E, ...) case E: return true;

const char *lnn_impute_name(lnn_impute v)
{
    switch (v) {
        LNN_IMPUTE_LIST(IMPUTE_NAME_CASE)
    }
    return "unknown";
}

bool lnn__is_impute(lnn_impute v)
{
    switch (v) {
        LNN_IMPUTE_LIST(IMPUTE_VALID_CASE)
    }
    return false;
}

lnn_status lnn_impute_from_name(const char *s, lnn_impute *out)
{
    if (!s || !out)
        return LNN_ERR_ARG;
    LNN_IMPUTE_LIST(IMPUTE_FROM_NAME)
    return LNN_ERR_ARG;
}
