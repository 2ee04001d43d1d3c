/* errbuf.h: one-line messages into a caller's buffer, for the functions
 * that report a failure without printing it (the caller adds "lnn: "). */
#ifndef LNN_CLI_ERRBUF_H
#define LNN_CLI_ERRBUF_H

#include <stdbool.h>
#include <stddef.h>

#if defined(__GNUC__)
#  define ERRBUF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#  define ERRBUF_PRINTF(a, b)
#endif

/* snprintf into err (if errlen > 0); returns false, so that a failing
 * check reads `return errbuf_set(err, errlen, "...", ...);`. */
bool errbuf_set(char *err, size_t errlen, const char *fmt, ...)
    ERRBUF_PRINTF(3, 4);

#endif /* LNN_CLI_ERRBUF_H */
