/* threads.h: the one home of lnn's threads: the OpenMP pragma guard, the
 * team that runs a pass, the share rule, the team-size rule, and the BLAS
 * thread settings (threads.c).
 *
 * The arrangement. A forward or backward pass runs in one team of OpenMP
 * threads (lnn__team_pass): each thread takes a share of the batch's columns
 * (or of a gradient's rows) and calls BLAS on its share alone, with the BLAS
 * running each call on its caller's thread. A pass so wakes the threads
 * once, not once per product and once per elementwise sweep.
 *
 * The nesting contract (kept in code, not left to OpenMP's defaults):
 *  1. The team helpers (lnn__team_pass and its two variants) are the only
 *     places that open a team, and they open one only at the top level:
 *     called inside a parallel region (lnn's or the caller's), they run
 *     the whole pass on the calling thread as a team of one (rank 0,
 *     count 1).
 *  2. Code run by a team gets its share as arguments: its columns (j0,
 *     cols), or its rank and the team's count (ggml's ith, nth) to cut
 *     rows with lnn__share; nothing inside a pass asks OpenMP who it is.
 *  3. An elementwise loop parallelises itself only at the top level
 *     (lnn__par(count) is false inside a parallel region), so inside a
 *     team it runs on the thread's share. A kernel a team runs is written
 *     with LNN_ELEMENTS or LNN_COLUMNS, which open no parallel construct
 *     at all inside one: even a region of one thread (a false if()) costs
 *     libgomp a new team, about 3 us a call on the project's machine,
 *     paid per kernel per member per step. Where a bare pragma remains
 *     (kernels run only at the top level) its if() needs the `parallel:`
 *     modifier: a bare if() on a `parallel for simd` applies to the simd
 *     part too (OpenMP 5.0), and a false one turns the vector loop into a
 *     scalar one.
 *  4. BLAS is called inside a team only when it runs each call on its
 *     caller's thread; otherwise lnn__team_size says 1 (no team) and the
 *     BLAS threads each product itself.
 *  5. The arrangement is the library's default, and it is lnn's own: each
 *     public call that runs passes opens a BLAS scope
 *     (lnn__blas_scope_begin) that sets a pthreads OpenBLAS to one thread
 *     for the call and restores the caller's count when it returns.
 *     Nothing else changes a process-wide setting except lnn_set_threads,
 *     the one explicit call.
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

/* for (size_t k = 0; k < n; k++) { body }, an elementwise loop (rule 3):
 * vectorised, and split among a team of its own when par (lnn__par of its
 * size), else on the calling thread with no parallel construct. */
#define LNN_ELEMENTS(par, k, n, ...)                                          \
    do {                                                                      \
        if (par) {                                                            \
            LNN_OMP(omp parallel for simd schedule(static))                   \
            for (size_t k = 0; k < (n); k++) {                                \
                __VA_ARGS__                                                   \
            }                                                                 \
        } else {                                                              \
            LNN_OMP(omp simd)                                                 \
            for (size_t k = 0; k < (n); k++) {                                \
                __VA_ARGS__                                                   \
            }                                                                 \
        }                                                                     \
    } while (0)

/* for (size_t j = 0; j < m; j += step) { body }, a loop over columns (or
 * blocks of them) whose body vectorises itself: the same rule. */
#define LNN_COLUMNS(par, j, m, step, ...)                                     \
    do {                                                                      \
        if (par) {                                                            \
            LNN_OMP(omp parallel for schedule(static))                        \
            for (size_t j = 0; j < (m); j += (step)) {                        \
                __VA_ARGS__                                                   \
            }                                                                 \
        } else {                                                              \
            for (size_t j = 0; j < (m); j += (step)) {                        \
                __VA_ARGS__                                                   \
            }                                                                 \
        }                                                                     \
    } while (0)

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
 * LNN_SHARE_ALIGN (a share may be empty). Rank 0 of 1 gets all of it.
 * Returns true if the share is not empty. */
static inline bool lnn__share(size_t n, size_t rank, size_t count,
                              size_t *lo, size_t *hi)
{
    const size_t units = (n + LNN_SHARE_ALIGN - 1) / LNN_SHARE_ALIGN;
    const size_t a = units * rank / count * LNN_SHARE_ALIGN;
    const size_t b = units * (rank + 1) / count * LNN_SHARE_ALIGN;
    *lo = a < n ? a : n;
    *hi = b < n ? b : n;
    return *lo < *hi;
}

/* A pass's column-wise part: columns j0 .. j0+cols of the batch. */
typedef void (*lnn__cols_fn)(void *ctx, size_t j0, size_t cols);

/* A pass's sums over the batch: share `rank` of a team of `count` (rank 0
 * of 1 does all of it; lnn__share cuts the rows). */
typedef void (*lnn__sums_fn)(void *ctx, size_t rank, size_t count);

/* The team helper: run one pass over m columns in a team of T threads
 * (rule 1: on the calling thread alone when T <= 1 or inside a parallel
 * region). Each member calls cols on its share of the columns (lnn__share;
 * nothing for an empty share); then, if sums is not NULL, once every
 * member's columns are done, sums on its share. The team may have fewer
 * than T members if OpenMP grants fewer threads. */
void lnn__team_pass(int T, size_t m, lnn__cols_fn cols, lnn__sums_fn sums,
                    void *ctx);

/* The same team for a pass that starts with a share of a product's inner
 * dimension: each member calls first on its rank and the team's count,
 * then, once every member's is done, cols on its share of the columns. */
void lnn__team_pass_first(int T, size_t m, lnn__sums_fn first,
                          lnn__cols_fn cols, void *ctx);

/* The same team for work cut by rank alone: each member calls fn on its
 * rank and the team's count (the optimizer's update). */
void lnn__team_ranks(int T, lnn__sums_fn fn, void *ctx);

/* Threads for a team splitting a pass over m columns that does `madds`
 * multiply-adds in its GEMMs: 1 (no team) if the work is small, if a share
 * would be under LNN_SHARE_ALIGN columns, or if the BLAS would thread each
 * call by itself (rule 4); else OpenMP's thread count, capped by m. */
int lnn__team_size(size_t m, double madds);

/* Open lnn's arrangement for one public call (rule 5): if OpenBLAS is its
 * pthreads build set to more than one thread and a team can form (OpenMP
 * has more than one thread, and we are not inside a parallel region), set
 * it to one thread. Returns what lnn__blas_scope_end needs to restore the
 * caller's count: 0 if nothing was changed. Scopes nest (an inner one
 * finds one thread and changes nothing). */
int lnn__blas_scope_begin(void);

/* Close a scope: give OpenBLAS back the count lnn__blas_scope_begin found. */
void lnn__blas_scope_end(int saved);

#endif /* LNN_THREADS_H */
