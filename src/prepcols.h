/* prepcols.h: a table's feature columns made into a network's inputs
 * (prepcols.c): fill, one-hot, indicators (lnn_prep.raw). */
#ifndef LNN_PREPCOLS_H
#define LNN_PREPCOLS_H

#include <stdbool.h>

#include "lnn.h"
#include "status.h"

/* Does t need its columns prepared (a category column, a missing cell)? */
bool lnn__raw_needed(const lnn_table *t);
/* Fit p->raw (n_raw = t's columns), p->n_x, the inputs' names (columns)
 * and their scaling (shift, mul: p->scale set) on samples 0 .. m_train-1. */
lnn_status lnn__raw_fit(lnn_prep *p, const lnn_table *t, size_t m_train,
                        const lnn_prep_opts *o, char *err, size_t errlen);
/* t's columns into the model's inputs, unscaled (t->n_unseen set). */
lnn_status lnn__raw_apply(const lnn_prep *p, lnn_table *t, char *err,
                          size_t errlen);
/* The inputs one column makes. */
size_t lnn__raw_width(const lnn_prep_column *c);
void lnn__raw_free(lnn_prep_column *raw, size_t n);
lnn_status lnn__raw_copy(lnn_prep_column **dst, const lnn_prep_column *src,
                         size_t n);

#endif /* LNN_PREPCOLS_H */
