/* outfile.c: writing a file through a temporary and rename (outfile.h). */
#define _POSIX_C_SOURCE 200809L

#include "outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"

#define OUTFILE_TAG ".tmp-XXXXXX" /* lnn_model_save's pattern */

bool outfile_open(outfile *o, const char *path, char *err, size_t errlen)
{
    *o = (outfile){.path = path};
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (!(o->fp = fopen(path, "wb")))
            return errbuf_set(err, errlen, "%s: cannot write: %s", path,
                              strerror(errno));
        return true;
    }
    const size_t n = strlen(path);
    if (!(o->tmp = malloc(n + sizeof OUTFILE_TAG)))
        return errbuf_set(err, errlen, "%s: out of memory for %zu bytes",
                          path, n + sizeof OUTFILE_TAG);
    memcpy(o->tmp, path, n);
    memcpy(o->tmp + n, OUTFILE_TAG, sizeof OUTFILE_TAG);
    const int fd = mkstemp(o->tmp);
    if (fd < 0 || !(o->fp = fdopen(fd, "wb"))) {
        const int e = errno;
        if (fd >= 0) {
            close(fd);
            unlink(o->tmp);
        }
        free(o->tmp);
        o->tmp = NULL;
        return errbuf_set(err, errlen, "%s: cannot create: %s", path,
                          strerror(e));
    }
    fchmod(fd, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH);
    return true;
}

bool outfile_close(outfile *o, bool ok, char *err, size_t errlen)
{
    const char *path = o->path;
    int e = ok ? 0 : errno ? errno : EIO;
    if (!e && (fflush(o->fp) != 0 || (o->tmp && fsync(fileno(o->fp)) != 0)))
        e = errno;
    if (fclose(o->fp) != 0 && !e)
        e = errno;
    if (!e && o->tmp && rename(o->tmp, o->path) != 0)
        e = errno;
    if (e && o->tmp)
        unlink(o->tmp); /* ours; the file under the name is left alone */
    free(o->tmp);
    *o = (outfile){0};
    return !e || errbuf_set(err, errlen, "%s: write failed: %s", path,
                            strerror(e));
}
