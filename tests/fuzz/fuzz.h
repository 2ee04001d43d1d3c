/* fuzz.h: what the fuzz harnesses share. Each harness defines
 * LLVMFuzzerTestOneInput; it is linked either with libFuzzer (-Dfuzz) or
 * with replay.c, which runs it on saved inputs in the ordinary test suite.
 *
 * The loaders take paths and check that they name regular files of the
 * length they claim, so an input is handed to them as a memfd (a regular
 * file in memory) named through /proc/self/fd: the loaders run exactly as
 * on a file on disk, with no separate in-memory code path to drift. */
#ifndef LNN_FUZZ_H
#define LNN_FUZZ_H

#define _GNU_SOURCE /* memfd_create */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define FUZZ_SLOTS 2

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A path whose file holds data[0..size-1]; slot 0 or 1 (two files at
 * once). The memfd lives for the whole process and is rewritten each call:
 * a harness is single-threaded. */
static inline const char *fuzz_file(int slot, const uint8_t *data,
                                    size_t size)
{
    static int fd[FUZZ_SLOTS] = {-1, -1};
    static char path[FUZZ_SLOTS][64];
    if (fd[slot] < 0) {
        fd[slot] = memfd_create("lnn-fuzz", MFD_CLOEXEC);
        if (fd[slot] < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(path[slot], sizeof path[slot], "/proc/self/fd/%d", fd[slot]);
    }
    if (ftruncate(fd[slot], 0) != 0 ||
        (size && pwrite(fd[slot], data, size, 0) != (ssize_t)size)) {
        perror("writing the memfd");
        abort();
    }
    return path[slot];
}

#endif /* LNN_FUZZ_H */
