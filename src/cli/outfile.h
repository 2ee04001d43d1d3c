/* outfile.h: writing an export or a predictions file as lnn_model_save
 * writes a model: into a new temporary file beside the target, synced,
 * then renamed over it. A failure at any point removes the temporary, and
 * nothing else: the previous file under the name stays as it was. A device
 * or FIFO given as the output is written in place. */
#ifndef LNN_CLI_OUTFILE_H
#define LNN_CLI_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct outfile {
    FILE *fp;         /* write here */
    const char *path; /* the name it gets */
    char *tmp;        /* the temporary's name; NULL: path written in place */
} outfile;

/* Open for writing, or false with a message in err. */
bool outfile_open(outfile *o, const char *path, char *err, size_t errlen);

/* Close o. If ok (every write succeeded) and the close and sync succeed,
 * the file gets its name; else the temporary is removed and err says why.
 * Returns whether the file is complete under its name. */
bool outfile_close(outfile *o, bool ok, char *err, size_t errlen);

#endif /* LNN_CLI_OUTFILE_H */
