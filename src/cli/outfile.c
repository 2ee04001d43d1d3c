/* outfile.c: writing an export, removed on failure (outfile.h). */
#define _POSIX_C_SOURCE 200809L

#include "outfile.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "errbuf.h"

FILE *outfile_open(const char *path, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        errbuf_set(err, errlen, "%s: cannot create: %s", path,
                   strerror(errno));
    return fp;
}

bool outfile_close(FILE *fp, bool ok, const char *path, char *err,
                   size_t errlen)
{
    const int write_errno = errno;
    /* only a regular file is ours to remove: never /dev/full, a FIFO, ... */
    struct stat st;
    const bool regular = fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode);
    const bool closed = fclose(fp) == 0;
    if (ok && closed)
        return true;
    const int e = ok ? errno : write_errno;
    if (regular)
        remove(path);
    return errbuf_set(err, errlen, "%s: write failed: %s", path,
                      strerror(e));
}
