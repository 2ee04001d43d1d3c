/* check.h: a tiny test harness. Each CHECK prints file:line and what was
 * expected on failure and counts it; a test's main returns check_result(),
 * nonzero if anything failed. Exit 77 tells meson the test was skipped. */
#ifndef LNN_CHECK_H
#define LNN_CHECK_H

#include <math.h>
#include <stdio.h>

#define CHECK_SKIP 77

static int check_failures;
static int check_count;

#define CHECK(cond)                                                           \
    do {                                                                      \
        check_count++;                                                        \
        if (!(cond)) {                                                        \
            check_failures++;                                                 \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                   \
        }                                                                     \
    } while (0)

/* |got - want| <= tol, printing both on failure. */
#define CHECK_NEAR(got, want, tol)                                            \
    do {                                                                      \
        double check_g_ = (double)(got), check_w_ = (double)(want);           \
        check_count++;                                                        \
        if (!(fabs(check_g_ - check_w_) <= (double)(tol))) {                  \
            check_failures++;                                                 \
            fprintf(stderr, "%s:%d: %s = %.9g, expected %.9g (tol %g)\n",     \
                    __FILE__, __LINE__, #got, check_g_, check_w_,             \
                    (double)(tol));                                           \
        }                                                                     \
    } while (0)

/* A status equals the expected one. */
#define CHECK_STATUS(expr, want)                                              \
    do {                                                                      \
        int check_s_ = (int)(expr), check_e_ = (int)(want);                   \
        check_count++;                                                        \
        if (check_s_ != check_e_) {                                           \
            check_failures++;                                                 \
            fprintf(stderr, "%s:%d: %s returned %d, expected %d\n", __FILE__, \
                    __LINE__, #expr, check_s_, check_e_);                     \
        }                                                                     \
    } while (0)

static inline int check_result(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures != 0;
}

#endif /* LNN_CHECK_H */
