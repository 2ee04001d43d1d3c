/* parallel.h: OpenMP pragmas that vanish in a build without OpenMP. */
#ifndef LNN_PARALLEL_H
#define LNN_PARALLEL_H

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

#endif /* LNN_PARALLEL_H */
