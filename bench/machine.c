/* machine.c: what a report was measured on: CPU, BLAS, threads, and the
 * peak sgemm rate of a large square product. */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cblas.h> /* openblas_get_corename: the kernel OpenBLAS runs */

#include "bench.h"

#define BENCH_PEAK_SEED 7

/* The first "model name" of /proc/cpuinfo, or "unknown". */
static void cpu_model(char *out, size_t size)
{
    static const char key[] = "model name";
    char line[BENCH_TEXT_MAX];
    snprintf(out, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, sizeof key - 1) != 0)
            continue;
        const char *v = strchr(line, ':');
        if (!v)
            continue;
        v += 1 + strspn(v + 1, " \t");
        snprintf(out, size, "%.*s", (int)strcspn(v, "\n"), v);
        break;
    }
    fclose(f); /* read-only: nothing to lose if this fails */
}

/* "NAME=value ..." for the variables that change how OpenMP and OpenBLAS
 * run their threads, those that are set. */
static void thread_env(char *out, size_t size)
{
    static const char *const names[] = {
        "OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OMP_PROC_BIND", "OMP_PLACES",
        "GOMP_SPINCOUNT", "GOMP_CPU_AFFINITY", "OPENBLAS_NUM_THREADS",
        "GOTO_NUM_THREADS",
    };
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        if (!v || len >= size)
            continue;
        const int w = snprintf(out + len, size - len, "%s%s=%s",
                               len ? " " : "", names[i], v);
        len = w < 0 ? size : len + (size_t)w;
    }
}

/* The kernel OpenBLAS runs ("Cooperlake", "Haswell", ...), or "unknown". */
static const char *blas_kernel(void)
{
#ifdef OPENBLAS_VERSION
    const char *name = openblas_get_corename();
    return name ? name : "unknown";
#else
    return "unknown";
#endif
}

void bench_machine_probe(bench_machine *mach)
{
    mach->kernel = blas_kernel();
    mach->forced_kernel = getenv("OPENBLAS_CORETYPE");
    cpu_model(mach->cpu, sizeof mach->cpu);
    thread_env(mach->env, sizeof mach->env);
    mach->cores = sysconf(_SC_NPROCESSORS_ONLN);
    mach->blas = lnn_blas_info();
    mach->blas_threading = lnn_blas_threading();
    mach->omp_threads = lnn_omp_threads();
    mach->blas_threads = lnn_blas_threads();
    mach->peak_n = 0;
    mach->peak_gflops = 0.0;
}

int bench_machine_peak(bench_machine *mach, size_t N, const bench_plan *plan)
{
    /* C = A B with all three N x N is the forward GEMM of an N -> N layer at
     * m = N. */
    bench_layer *ly;
    if (bench_layer_create(&ly, N, N, N, LNN_ACT_RELU, BENCH_PEAK_SEED) != 0)
        return -1;
    const bench_task task = bench_layer_gemm_task(ly, N);
    double *t = malloc(plan->reps * sizeof *t);
    int rc = -1;
    if (!t)
        fprintf(stderr, "lnn-bench: out of memory\n");
    else if (bench_time(&task, 1, plan, t) == 0)
        rc = 0;
    if (rc == 0) {
        mach->peak_n = N;
        mach->peak_gflops =
            1e-9 * bench_flop_forward(N, N, N) / bench_min(t, plan->reps);
    }
    free(t);
    bench_layer_destroy(ly);
    return rc;
}
