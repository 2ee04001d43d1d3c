/* paths.h: the files a command reads and writes, checked before any work
 * begins: every output can be written (its directory exists and takes new
 * files, it is not a directory), none is one of the inputs or another
 * output; and a lock on a model being saved, so that two runs never save
 * to one file. */
#ifndef LNN_CLI_PATHS_H
#define LNN_CLI_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#define PATHS_MAX 16 /* inputs, and outputs, a command names at most */

typedef struct paths {
    const char *in[PATHS_MAX];       /* files read (NULL entries skipped) */
    const char *in_opt[PATHS_MAX];   /* the option that named each */
    size_t n_in;
    const char *out[PATHS_MAX];      /* files written */
    const char *out_opt[PATHS_MAX];
    size_t n_out;
} paths;

/* Add a file read (path may be NULL: nothing added) by option opt ("" for
 * an argument). */
void paths_in(paths *p, const char *opt, const char *path);
/* Add a file written. */
void paths_out(paths *p, const char *opt, const char *path);

/* Check every output: 0 if all is well, else an exit status with one
 * line in err (the option, the path, what is wrong): EXIT_RUNTIME when an
 * output cannot be written, EXIT_USAGE when it is an input or another
 * output. */
int paths_check(const paths *p, char *err, size_t errlen);

/* Take the advisory lock of model path `path` (held until *fd is closed,
 * at the latest when the process ends, however it ends): false with a
 * message in err when another process holds it. *fd is -1 where locks
 * are not available (then nothing is refused). */
bool paths_lock(const char *path, int *fd, char *err, size_t errlen);

/* Are a and b the same existing file (device and inode)? */
bool paths_same_file(const char *a, const char *b);

#endif /* LNN_CLI_PATHS_H */
