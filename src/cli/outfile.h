/* outfile.h: writing an export: a regular file that is removed again when
 * any write or its close fails, so no partial file is left under the name
 * (a device or FIFO given as the output is left alone). */
#ifndef LNN_CLI_OUTFILE_H
#define LNN_CLI_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* fopen(path, "wb"), or NULL with a message in err. */
FILE *outfile_open(const char *path, char *err, size_t errlen);

/* Close fp. If ok is false (a write failed) or the close fails, remove
 * path and put a message in err. Returns whether the file is complete. */
bool outfile_close(FILE *fp, bool ok, const char *path, char *err,
                   size_t errlen);

#endif /* LNN_CLI_OUTFILE_H */
