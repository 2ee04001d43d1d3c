/* parallel.h: OpenMP pragmas that vanish in a build without OpenMP, and the
 * team that splits one pass of a network over its threads. */
#ifndef LNN_PARALLEL_H
#define LNN_PARALLEL_H

#include <stddef.h>

/* An unguarded #pragma omp trips -Wunknown-pragmas when OpenMP is off, so
 * every pragma goes through LNN_OMP. The clauses are stringised whole: a macro
 * parameter inside a _Pragma("...") literal would not be substituted. */
#ifdef _OPENMP
#  include <omp.h>
#  define LNN_OMP(clauses) _Pragma(#clauses)
#else
#  define LNN_OMP(clauses)
#endif

/* Elements below which a loop runs on one thread: waking the team costs a
 * few microseconds, more than a small elementwise pass takes. */
#define LNN_PAR_MIN ((size_t)1 << 14)

/* A team runs a whole forward or backward pass in one parallel region: each
 * thread takes a share of the batch's columns (or of a gradient's rows) and
 * calls BLAS on its share alone, so a pass wakes the threads once rather
 * than once per product and once per elementwise sweep. */

/* Share boundaries fall on multiples of this many columns or rows where they
 * can (OpenBLAS's sgemm kernels work in tiles of 4 to 16). */
#define LNN_SHARE_ALIGN ((size_t)16)

/* This thread's number and the size of its team (0 and 1 outside one). */
static inline size_t lnn__team_rank(void)
{
#ifdef _OPENMP
    return (size_t)omp_get_thread_num();
#else
    return 0;
#endif
}

static inline size_t lnn__team_count(void)
{
#ifdef _OPENMP
    return (size_t)omp_get_num_threads();
#else
    return 1;
#endif
}

/* This thread's share [*lo, *hi) of 0 .. count: contiguous, in rank order,
 * near-equal, cut at multiples of LNN_SHARE_ALIGN (a share may be empty). */
static inline void lnn__share(size_t count, size_t *lo, size_t *hi)
{
    const size_t t = lnn__team_rank(), T = lnn__team_count();
    const size_t units = (count + LNN_SHARE_ALIGN - 1) / LNN_SHARE_ALIGN;
    const size_t a = units * t / T * LNN_SHARE_ALIGN;
    const size_t b = units * (t + 1) / T * LNN_SHARE_ALIGN;
    *lo = a < count ? a : count;
    *hi = b < count ? b : count;
}

#endif /* LNN_PARALLEL_H */
