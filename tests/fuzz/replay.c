/* replay.c: run a fuzz harness on saved inputs, without libFuzzer: every
 * file named, and every file in every directory named. The ordinary test
 * suite (and its sanitizer build) replays the seed corpus and every input
 * a fuzzer ever found to crash, leak, hang or exhaust memory. Exit 0 if all
 * ran (a crash or a sanitizer report ends the process), 1 if an input
 * could not be read or the peak memory passed REPLAY_RSS_LIMIT_MB (as
 * libFuzzer's -rss_limit_mb: the loaders' allocations are zeroed, so they
 * count). */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#define REPLAY_RSS_LIMIT_MB 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    uint8_t *b = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? 2 * cap : 4096;
            uint8_t *p = realloc(b, cap);
            if (!p) {
                free(b);
                fclose(f);
                return 1;
            }
            b = p;
        }
        const size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(b, n);
    free(b);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0 &&
        ru.ru_maxrss > (long)REPLAY_RSS_LIMIT_MB * 1024) {
        fprintf(stderr, "%s: peak memory %ld MiB, over the %d MiB limit\n",
                path, ru.ru_maxrss / 1024, REPLAY_RSS_LIMIT_MB);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int bad = 0, runs = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            bad = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            bad |= run_file(argv[i]);
            runs++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        struct dirent *e;
        while (d && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            bad |= run_file(path);
            runs++;
        }
        if (d)
            closedir(d);
    }
    printf("replayed %d inputs\n", runs);
    return bad;
}
