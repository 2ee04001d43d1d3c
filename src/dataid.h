/* dataid.h: the ids of data sets (dataid.c). */
#ifndef LNN_DATAID_H
#define LNN_DATAID_H

#include "lnn.h"

/* The id of table t, loaded from path (its size from the file system). */
lnn_data_id lnn__table_id(const lnn_table *t, const char *path);

#endif /* LNN_DATAID_H */
