/* threads.h: the one home of lnn's threads: the OpenMP pragma guard, the
 * team that runs a pass, the share rule, the team-size rule, and the BLAS
 * thread settings (threads.c).
 *
 * The arrangement. A forward or backward pass runs in one team of OpenMP
 * threads (lnn__team_run): each thread takes a share of the batch's columns
 * (or of a gradient's rows) and calls BLAS on its share alone, with the BLAS
 * running each call on its caller's thread. A pass so wakes the threads
 * once, not once per product and once per elementwise sweep.
 *
 * The nesting contract (kept in code, not left to OpenMP's defaults):
 *  1. lnn__team_run is the only place that opens a team, and it opens one
 *     only at the top level: called inside a parallel region (lnn's or the
 *     caller's), it runs the whole pass on the calling thread as a team of
 *     one (rank 0, count 1).
 *  2. Code run by a team gets its share as arguments (rank, count: ggml's
 *     ith, nth); nothing inside a pass asks OpenMP who it is.
 *  3. An elementwise loop parallelises itself only at the top level: its
 *     LNN_OMP(omp parallel for ... if(lnn__par(count))) is false inside a
 *     parallel region, so inside a team it runs on the thread's share.
 *  4. BLAS is called inside a team only when it runs each call on its
 *     caller's thread; otherwise lnn__team_size says 1 (no team) and the
 *     BLAS threads each product itself.
 *  5. The arrangement is the library's default: lnn_net_create, the
 *     one-layer passes and the thread queries apply it
 *     (lnn__threads_apply), so no caller has to ask for it;
 *     lnn_set_threads changes the team's size.
 */
#ifndef LNN_THREADS_H
#define LNN_THREADS_H

#include <stdbool.h>
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

/* Share boundaries fall on multiples of this many columns or rows where they
 * can (OpenBLAS's sgemm kernels work in tiles of 4 to 16). */
#define LNN_SHARE_ALIGN ((size_t)16)

/* Multiply-adds below which a pass runs on one thread. */
#define LNN_TEAM_MIN_MADDS ((double)(1 << 20))

/* true if an elementwise loop over `count` elements should open its own
 * parallel region: it is large enough, and we are not inside one (rule 3). */
static inline bool lnn__par(size_t count)
{
#ifdef _OPENMP
    return count >= LNN_PAR_MIN && !omp_in_parallel();
#else
    (void)count;
    return false;
#endif
}

/* Share `rank` of a team of `count` of the range 0 .. n: [*lo, *hi),
 * contiguous, in rank order, near-equal, cut at multiples of
 * LNN_SHARE_ALIGN (a share may be empty). Rank 0 of 1 gets all of it. */
static inline void lnn__share(size_t n, size_t rank, size_t count,
                              size_t *lo, size_t *hi)
{
    const size_t units = (n + LNN_SHARE_ALIGN - 1) / LNN_SHARE_ALIGN;
    const size_t a = units * rank / count * LNN_SHARE_ALIGN;
    const size_t b = units * (rank + 1) / count * LNN_SHARE_ALIGN;
    *lo = a < n ? a : n;
    *hi = b < n ? b : n;
}

/* A pass's work for one member of a team: rank in 0 .. count-1. */
typedef void (*lnn__team_fn)(void *ctx, size_t rank, size_t count);

/* Run fn(ctx, rank, count) on a team of T threads, or fn(ctx, 0, 1) on the
 * calling thread when T <= 1 or when called inside a parallel region
 * (rule 1). count may be below T if OpenMP grants fewer threads. */
void lnn__team_run(int T, lnn__team_fn fn, void *ctx);

/* Wait for every member of a team of `count` (a no-op for a team of one):
 * called by all members, between a pass's column-wise part and its sums
 * over the batch. */
void lnn__team_sync(size_t count);

/* Threads for a team splitting a pass over m columns that does `madds`
 * multiply-adds in its GEMMs: 1 (no team) if the work is small, if a share
 * would be under LNN_SHARE_ALIGN columns, or if the BLAS would thread each
 * call by itself (rule 4); else OpenMP's thread count, capped by m. */
int lnn__team_size(size_t m, double madds);

/* Apply lnn's arrangement (rule 5): a pthreads OpenBLAS runs each call on
 * one thread, as the team gives each thread its own calls. Idempotent, and
 * a no-op inside a parallel region; the state it sets is OpenBLAS's own
 * (see threads.c for why there is no flag of ours). */
void lnn__threads_apply(void);

#endif /* LNN_THREADS_H */
