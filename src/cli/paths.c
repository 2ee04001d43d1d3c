/* paths.c: outputs checked before the work, and the save lock (paths.h).
 *
 * The lock is a Unix socket bound to an abstract name (Linux) made of a
 * hash of the model's canonical path: binding a name another process holds
 * fails, and the kernel drops the name when the process ends, however it
 * ends, so there is no lock file to leave behind or to find stale. */
#define _GNU_SOURCE /* realpath, abstract socket names */

#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "dirpart.h"
#include "errbuf.h"

void paths_in(paths *p, const char *opt, const char *path)
{
    if (path && p->n_in < PATHS_MAX) {
        p->in_opt[p->n_in] = opt;
        p->in[p->n_in++] = path;
    }
}

void paths_out(paths *p, const char *opt, const char *path)
{
    if (path && p->n_out < PATHS_MAX) {
        p->out_opt[p->n_out] = opt;
        p->out[p->n_out++] = path;
    }
}

bool paths_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* The canonical name of path, which need not exist: its directory's real
 * path, then its last component. false if the directory does not exist. */
static bool canonical(const char *path, char *buf, size_t len)
{
    char dir[PATH_MAX], real[PATH_MAX];
    lnn__dir_of(path, dir, sizeof dir);
    if (!realpath(dir, real))
        return false;
    const char *slash = strrchr(path, '/');
    snprintf(buf, len, "%s/%s", strcmp(real, "/") ? real : "",
             slash ? slash + 1 : path);
    return true;
}

/* Output i can be written: its directory exists, is one and takes new
 * files; it is not a directory. */
static bool writable(const paths *p, size_t i, char *err, size_t errlen)
{
    const char *path = p->out[i], *opt = p->out_opt[i];
    struct stat st;
    if (!*path)
        return errbuf_set(err, errlen, "%s: an empty file name", opt);
    const size_t n = strlen(path);
    if (path[n - 1] == '/' || (stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
        return errbuf_set(err, errlen, "%s %s: is a directory", opt, path);
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return true; /* a device or FIFO: written in place */
    char dir[PATH_MAX];
    lnn__dir_of(path, dir, sizeof dir);
    if (stat(dir, &st) != 0)
        return errbuf_set(err, errlen, "%s %s: directory %s: %s", opt, path,
                          dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return errbuf_set(err, errlen, "%s %s: %s is not a directory", opt,
                          path, dir);
    if (access(dir, W_OK | X_OK) != 0)
        return errbuf_set(err, errlen, "%s %s: cannot create files in %s: "
                          "%s", opt, path, dir, strerror(errno));
    return true;
}

int paths_check(const paths *p, char *err, size_t errlen)
{
    for (size_t i = 0; i < p->n_out; i++) {
        if (!writable(p, i, err, errlen))
            return EXIT_RUNTIME;
        for (size_t k = 0; k < p->n_in; k++)
            if (paths_same_file(p->out[i], p->in[k]))
                return errbuf_set(err, errlen, "%s %s: is the input %s%s%s; "
                                  "writing it would destroy it",
                                  p->out_opt[i], p->out[i], p->in_opt[k],
                                  *p->in_opt[k] ? " " : "", p->in[k]),
                       EXIT_USAGE;
        char a[2 * PATH_MAX], b[2 * PATH_MAX];
        for (size_t k = 0; k < i; k++)
            if (paths_same_file(p->out[i], p->out[k]) ||
                (canonical(p->out[i], a, sizeof a) &&
                 canonical(p->out[k], b, sizeof b) && strcmp(a, b) == 0))
                return errbuf_set(err, errlen, "%s %s and %s %s are the same "
                                  "file", p->out_opt[k], p->out[k],
                                  p->out_opt[i], p->out[i]),
                       EXIT_USAGE;
    }
    return 0;
}

bool paths_lock(const char *path, int *fd, char *err, size_t errlen)
{
    *fd = -1;
    char name[2 * PATH_MAX];
    if (!canonical(path, name, sizeof name))
        return true; /* paths_check reports a missing directory */
    uint64_t h = 0xcbf29ce484222325u; /* 64-bit FNV-1a of the name */
    for (const char *c = name; *c; c++)
        h = (h ^ (unsigned char)*c) * 0x100000001b3u;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    /* sun_path[0] = '\0': the abstract namespace */
    const int len = snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1,
                             "lnn-save-%016llx", (unsigned long long)h);
    const int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return true;
    if (bind(s, (struct sockaddr *)&sa,
             (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
                         (size_t)len)) == 0) {
        *fd = s;
        return true;
    }
    const int e = errno;
    close(s);
    if (e != EADDRINUSE)
        return true; /* no abstract names here: no lock */
    return errbuf_set(err, errlen, "%s: another lnn process is saving to "
                      "this model; two runs would overwrite each other's",
                      path);
}
