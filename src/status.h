/* status.h: one way to report a failure with a message. */
#ifndef LNN_STATUS_H
#define LNN_STATUS_H

#include <stdarg.h>
#include <stddef.h>

#include "lnn.h"

#if defined(__GNUC__)
#  define LNN_PRINTF(fmt_idx, args_idx) \
      __attribute__((format(printf, fmt_idx, args_idx)))
#else
#  define LNN_PRINTF(fmt_idx, args_idx)
#endif

/* Write a one-line message into err (if err is not NULL and errlen > 0)
 * and return s: `return lnn__err(err, errlen, LNN_ERR_IO, "%s: ...", p);` */
lnn_status lnn__err(char *err, size_t errlen, lnn_status s, const char *fmt,
                    ...) LNN_PRINTF(4, 5);
lnn_status lnn__verr(char *err, size_t errlen, lnn_status s, const char *fmt,
                     va_list ap) LNN_PRINTF(4, 0);

#endif /* LNN_STATUS_H */
