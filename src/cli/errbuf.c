/* errbuf.c: one-line messages into a caller's buffer (errbuf.h). */
#include "errbuf.h"

#include <stdarg.h>
#include <stdio.h>

bool errbuf_set(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return false;
}
