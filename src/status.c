/* status.c: status messages (from the one list in lnn.h) and the version. */
#include "lnn.h"

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
