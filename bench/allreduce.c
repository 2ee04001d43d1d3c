/* lnn-allreduce: how long lnn-mpi's exchange of one training step takes:
 * MPI_Allreduce in place (sum) of a network's flat gradient block,
 * n_params floats, timed on every process. Run it under mpirun; rank 0
 * prints one line per network (docs/scaling.md):
 *   bench=allreduce dims=784-256-128-10 floats=235146 bytes=940584 ranks=2
 *   reps=50 ms_min=... ms_median=... GB_per_s=...
 * GB_per_s is the algorithm bandwidth, bytes / median time.
 * Usage: mpirun -np N lnn-allreduce [REPS] [DIMS...]
 *   DIMS like 784-256-128-10 [784-256-128-10 784-4096-4096-10] */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_REPS 50
#define WARMUP 5

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Floats in the parameter block of the network "n0-n1-...-nL": every
 * W_l (n_l x n_{l-1}) and b_l (n_l). 0 if DIMS is malformed. */
static size_t param_count(const char *dims)
{
    size_t total = 0, prev = 0;
    const char *s = dims;
    while (*s) {
        char *end;
        const unsigned long n = strtoul(s, &end, 10);
        if (end == s || n == 0)
            return 0;
        if (prev)
            total += prev * n + n;
        prev = n;
        s = *end == '-' ? end + 1 : end;
        if (*end && *end != '-')
            return 0;
    }
    return total;
}

static int measure(const char *dims, int reps, int rank, int size)
{
    const size_t n = param_count(dims);
    if (n == 0 || n > (size_t)1 << 30) {
        if (rank == 0)
            fprintf(stderr, "lnn-allreduce: bad network '%s'\n", dims);
        return 1;
    }
    float *g = malloc(n * sizeof *g);
    double *t = malloc((size_t)reps * sizeof *t);
    if (!g || !t)
        return 1;
    for (size_t i = 0; i < n; i++)
        g[i] = 1e-3f * (float)(i % 1000);
    for (int r = -WARMUP; r < reps; r++) {
        MPI_Barrier(MPI_COMM_WORLD);
        const double t0 = MPI_Wtime();
        MPI_Allreduce(MPI_IN_PLACE, g, (int)n, MPI_FLOAT, MPI_SUM,
                      MPI_COMM_WORLD);
        double dt = MPI_Wtime() - t0;
        /* the slowest process's time is the step's */
        MPI_Allreduce(MPI_IN_PLACE, &dt, 1, MPI_DOUBLE, MPI_MAX,
                      MPI_COMM_WORLD);
        if (r >= 0)
            t[r] = dt;
    }
    qsort(t, (size_t)reps, sizeof *t, by_value);
    if (rank == 0)
        printf("bench=allreduce dims=%s floats=%zu bytes=%zu ranks=%d "
               "reps=%d ms_min=%.4f ms_median=%.4f GB_per_s=%.3f\n", dims, n,
               n * sizeof(float), size, reps, 1e3 * t[0], 1e3 * t[reps / 2],
               (double)(n * sizeof(float)) / t[reps / 2] / 1e9);
    free(g);
    free(t);
    return 0;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int reps = argc > 1 ? atoi(argv[1]) : DEFAULT_REPS;
    if (reps < 1)
        reps = DEFAULT_REPS;
    static const char *const defaults[] = {"784-256-128-10",
                                           "784-4096-4096-10"};
    int rc = 0;
    if (argc > 2)
        for (int i = 2; i < argc && !rc; i++)
            rc = measure(argv[i], reps, rank, size);
    else
        for (size_t i = 0; i < 2 && !rc; i++)
            rc = measure(defaults[i], reps, rank, size);
    MPI_Finalize();
    return rc;
}
