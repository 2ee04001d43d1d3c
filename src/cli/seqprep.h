/* seqprep.h: a table model's preparation in the exports' metadata, key
 * "preparation" (SEQ_KEY_PREPARATION), a JSON object (docs/model-format.md):
 *
 *   {"columns": [{"name": "island", "kind": "category",
 *                 "impute": "most-frequent", "fill": 0, "indicator": false,
 *                 "levels": ["Biscoe", "Dream", "Torgersen"],
 *                 "other": false},
 *                {"name": "bill_length_mm", "kind": "number",
 *                 "impute": "median", "fill": 44.45, "indicator": false},
 *                ...],
 *    "label": "species", "left_out": [], "id": null, "weight": null}
 *
 * the training file's feature columns (lnn_prep.raw) in order, and the
 * columns that are no feature (lnn_prep.label, skipped, id_name,
 * weight_column). */
#ifndef LNN_CLI_SEQPREP_H
#define LNN_CLI_SEQPREP_H

#include <stdbool.h>
#include <stddef.h>

#include "lnn.h"

/* p's preparation as that JSON (malloc'd), or NULL: out of memory. */
char *seqprep_json(const lnn_prep *p);

/* The JSON text into p (whose n_x is the network's inputs; its raw,
 * label, skipped, id_name and weight_column zero): false with a message in
 * err for text that is not such an object, or whose columns make another
 * number of inputs (p then holds what was read: lnn_prep_free). */
bool seqprep_of(lnn_prep *p, const char *text, char *err, size_t errlen);

#endif /* LNN_CLI_SEQPREP_H */
