/* threads.c: the team that runs a pass, the team-size rule, and the thread
 * settings of OpenMP and OpenBLAS together (the contract is in threads.h).
 * <cblas.h> is included here only for OpenBLAS's thread controls
 * (openblas_set_num_threads and friends, which OpenBLAS declares there);
 * every product still goes through blas.c's lnn__gemm. */
#include "threads.h"

#include <cblas.h>

#include "blas.h"
#include "lnn.h"

/* One pass, as lnn__team_pass was given it. */
typedef struct team_pass {
    size_t m;
    lnn__sums_fn first;
    lnn__cols_fn cols;
    lnn__sums_fn sums;
    void *ctx;
} team_pass;

/* What member `rank` of a team of `count` does. */
static void member(const team_pass *p, size_t rank, size_t count)
{
    size_t j0, j1;
    if (p->first) {
        p->first(p->ctx, rank, count);
        if (!p->cols)
            return;
        /* the columns need every member's share of the product */
        if (count > 1) {
            LNN_OMP(omp barrier)
        }
    }
    if (lnn__share(p->m, rank, count, &j0, &j1))
        p->cols(p->ctx, j0, j1 - j0);
    if (!p->sums)
        return;
    /* The sums over the batch need every member's columns. */
    if (count > 1) {
        LNN_OMP(omp barrier)
    }
    p->sums(p->ctx, rank, count);
}

static void run_team(int T, const team_pass *p)
{
#ifdef _OPENMP
    if (T > 1 && !omp_in_parallel()) {
        LNN_OMP(omp parallel num_threads(T))
        member(p, (size_t)omp_get_thread_num(),
               (size_t)omp_get_num_threads());
        return;
    }
#else
    (void)T;
#endif
    member(p, 0, 1);
}

void lnn__team_pass(int T, size_t m, lnn__cols_fn cols, lnn__sums_fn sums,
                    void *ctx)
{
    const team_pass p = {.m = m, .cols = cols, .sums = sums, .ctx = ctx};
    run_team(T, &p);
}

void lnn__team_pass_first(int T, size_t m, lnn__sums_fn first,
                          lnn__cols_fn cols, void *ctx)
{
    const team_pass p = {.m = m, .first = first, .cols = cols, .ctx = ctx};
    run_team(T, &p);
}

void lnn__team_ranks(int T, lnn__sums_fn fn, void *ctx)
{
    const team_pass p = {.first = fn, .ctx = ctx};
    run_team(T, &p);
}

#ifdef _OPENMP
/* true if a GEMM called on several threads at once runs each call on its
 * caller's thread: OpenBLAS's serial and OpenMP builds (the latter inside a
 * parallel region), or its pthreads build set to one thread. A BLAS lnn
 * cannot ask is left to thread each call itself. */
static bool blas_serial_in_team(void)
{
#  ifdef OPENBLAS_VERSION
    return openblas_get_parallel() != OPENBLAS_THREAD ||
           openblas_get_num_threads() == 1;
#  else
    return false;
#  endif
}
#endif

int lnn__team_size(size_t m, double madds)
{
#ifdef _OPENMP
    if (madds < LNN_TEAM_MIN_MADDS || !blas_serial_in_team())
        return 1;
    const size_t by_cols = m / LNN_SHARE_ALIGN;
    const size_t T = (size_t)omp_get_max_threads();
    return (int)(by_cols < 1 ? 1 : by_cols < T ? by_cols : T);
#else
    (void)m;
    (void)madds;
    return 1;
#endif
}

/* true if lnn's passes may form a team here: OpenMP has more than one
 * thread and we are not inside a parallel region (rule 1). */
static bool team_possible(void)
{
#ifdef _OPENMP
    return omp_get_max_threads() > 1 && !omp_in_parallel();
#else
    return false;
#endif
}

/* Why a scope and no "applied once" flag: a flag would be global mutable
 * state of ours and could only go stale, and setting OpenBLAS once for the
 * process took its threads from every other user of it in the process (a
 * numpy sharing the library). The one fact that matters, whether OpenBLAS
 * threads each call itself, is OpenBLAS's own state: the scope reads it,
 * changes it only when it must, and puts it back. Two calls of
 * openblas_set_num_threads per public call: tens of nanoseconds. */
int lnn__blas_scope_begin(void)
{
#ifdef OPENBLAS_VERSION
    if (openblas_get_parallel() != OPENBLAS_THREAD || !team_possible())
        return 0;
    const int saved = openblas_get_num_threads();
    if (saved == 1)
        return 0;
    openblas_set_num_threads(1);
    return saved;
#else
    return 0;
#endif
}

void lnn__blas_scope_end(int saved)
{
#ifdef OPENBLAS_VERSION
    if (saved > 0)
        openblas_set_num_threads(saved);
#else
    (void)saved;
#endif
}

lnn_status lnn_set_threads(int n)
{
    if (n < 1)
        return LNN_ERR_ARG;
#ifdef _OPENMP
    omp_set_num_threads(n);
#endif
#ifdef OPENBLAS_VERSION
    /* The team runs the GEMMs, one per thread: OpenBLAS's pthreads pool
     * would only add a second set of threads competing for the cores. Its
     * OpenMP build follows omp_set_num_threads (and this call sets that
     * too), and runs single-threaded inside the team by itself. */
    openblas_set_num_threads(openblas_get_parallel() == OPENBLAS_THREAD ? 1
                                                                        : n);
#endif
    return LNN_OK;
}

int lnn_omp_threads(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

int lnn_blas_threads(void)
{
#ifdef OPENBLAS_VERSION
    if (openblas_get_parallel() == OPENBLAS_THREAD && team_possible())
        return 1; /* what lnn's scope sets for its calls */
    return openblas_get_num_threads();
#else
    return 1;
#endif
}

const char *lnn_blas_info(void)
{
    if (lnn__gemm_library())
        return lnn__gemm_library();
#ifdef OPENBLAS_VERSION
    return openblas_get_config();
#else
    return "CBLAS";
#endif
}

const char *lnn_blas_threading(void)
{
#ifdef OPENBLAS_VERSION
    switch (openblas_get_parallel()) {
    case OPENBLAS_SEQUENTIAL: return "serial";
    case OPENBLAS_THREAD:     return "pthreads";
    case OPENBLAS_OPENMP:     return "openmp";
    default:                  return "unknown";
    }
#else
    return "unknown";
#endif
}
