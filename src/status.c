/* status.c: status messages (from the one list in lnn.h), failure messages
 * for the caller, and the version. */
#include <stdio.h>

#include "status.h"

const char *lnn_strerror(lnn_status s)
{
    switch (s) {
#define LNN_STATUS_CASE_(name, value, message) case name: return message;
        LNN_STATUS_LIST(LNN_STATUS_CASE_)
#undef LNN_STATUS_CASE_
    }
    return "unknown status";
}

const char *lnn_version(void)
{
    return LNN_VERSION;
}

lnn_status lnn__verr(char *err, size_t errlen, lnn_status s, const char *fmt,
                     va_list ap)
{
    if (err && errlen)
        vsnprintf(err, errlen, fmt, ap);
    return s;
}

lnn_status lnn__err(char *err, size_t errlen, lnn_status s, const char *fmt,
                    ...)
{
    va_list ap;
    va_start(ap, fmt);
    lnn__verr(err, errlen, s, fmt, ap);
    va_end(ap);
    return s;
}
