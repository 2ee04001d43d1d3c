/* dirpart.h: the directory part of a path, shared by the library (model
 * files are written beside their temporaries, src/io.c) and the lnn
 * command (outputs checked before a run, src/cli/paths.c). It lives in
 * src/common/, the one folder of library code the command includes. */
#ifndef LNN_DIRPART_H
#define LNN_DIRPART_H

#include <stddef.h>

/* The directory part of path into buf: what precedes its last '/', "/"
 * for a name in the root, "." for a name without a '/'. */
void lnn__dir_of(const char *path, char *buf, size_t len);

#endif /* LNN_DIRPART_H */
