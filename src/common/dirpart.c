/* dirpart.c: the directory part of a path (dirpart.h). */
#include "dirpart.h"

#include <stdio.h>
#include <string.h>

void lnn__dir_of(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, len, ".");
    else if (slash == path)
        snprintf(buf, len, "/");
    else
        snprintf(buf, len, "%.*s", (int)(slash - path), path);
}
