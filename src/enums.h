/* enums.h: what the X-macro lists of lnn.h (activation, optimizer,
 * schedule, init) give the library's files besides the enums. */
#ifndef LNN_ENUMS_H
#define LNN_ENUMS_H

#include <stdbool.h>
#include <stddef.h>

#include "lnn.h"

/* true for a value of the list. */
bool lnn__is_activation(lnn_activation f);
bool lnn__is_optimizer(lnn_optimizer opt);
bool lnn__is_schedule(lnn_lr_schedule schedule);
bool lnn__is_init(lnn_init scheme);
bool lnn__is_scale(lnn_scale s);
bool lnn__is_impute(lnn_impute v);
bool lnn__is_loss(lnn_loss loss);
bool lnn__is_target(lnn_target target);
bool lnn__is_metric(lnn_metric metric);
bool lnn__is_invert(lnn_invert v);
bool lnn__is_format(lnn_format f);

/* true for an activation a hidden layer may use (the list's hidden). */
bool lnn__is_hidden(lnn_activation f);

/* true if the activation's f' needs the pre-activation Z, not H alone
 * (the list's needs Z). */
bool lnn__act_needs_Z(lnn_activation f);

/* The initialisation LNN_INIT_AUTO gives weights that feed f (the list's
 * init); LNN_INIT_XAVIER for an unknown f. */
lnn_init lnn__act_init(lnn_activation f);

/* Blocks of n_params floats of state the optimizer keeps (the list's
 * slots); 0 for an unknown optimizer too. */
size_t lnn__opt_slots(lnn_optimizer opt);

/* The options the optimizer reads, LNN_USES_* (the list's uses). */
unsigned lnn__opt_uses(lnn_optimizer opt);

#endif /* LNN_ENUMS_H */
