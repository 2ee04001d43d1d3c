/* comm_mpi.c: lnn-mpi's processes (cli_world in cli.h) on MPI: the
 * library's lnn_comm made of MPI_Allreduce and MPI_Bcast on
 * MPI_COMM_WORLD. Counts above INT_MAX go in chunks; an MPI error comes
 * back as a nonzero return (MPI_ERRORS_RETURN), which the library turns
 * into LNN_ERR_COMM; with --comm-timeout a collective that does not
 * complete in time ends the whole job (MPI_Abort). */
#define _GNU_SOURCE /* sched_getaffinity */

#include <limits.h>
#include <mpi.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

/* Variables a launcher sets in every process it starts: Open MPI's, then
 * PMI's (MPICH, Slurm) and PMIx's. */
static const char *const launcher_vars[] = {"OMPI_COMM_WORLD_SIZE",
                                            "PMI_SIZE", "PMIX_RANK", NULL};

static bool started_by_launcher(void)
{
    for (size_t i = 0; launcher_vars[i]; i++)
        if (getenv(launcher_vars[i]))
            return true;
    return false;
}

/* Wait for req, for at most w->timeout seconds (0: as long as it takes);
 * past that, abort the job: a process stopped answering. */
static int complete(const cli_world *w, MPI_Request *req)
{
    if (w->timeout <= 0.0)
        return MPI_Wait(req, MPI_STATUS_IGNORE);
    const double deadline = cli_now() + w->timeout;
    int done = 0;
    while (!done) {
        const int rc = MPI_Test(req, &done, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS)
            return rc;
        if (!done && cli_now() > deadline) {
            cli_error("rank %d: no answer from the other processes in %g s "
                      "(--comm-timeout); ending the job", w->comm.rank,
                      w->timeout);
            MPI_Abort(MPI_COMM_WORLD, EXIT_RUNTIME);
        }
        if (!done)
            sched_yield();
    }
    return MPI_SUCCESS;
}

/* x[0 .. n) summed over the processes, in place, INT_MAX elements at a
 * time. */
static int sum(void *x, size_t n, MPI_Datatype type, size_t size,
               const cli_world *w)
{
    char *p = x;
    while (n > 0) {
        const int count = n > INT_MAX ? INT_MAX : (int)n;
        int rc;
        if (w->timeout > 0.0) {
            MPI_Request req;
            rc = MPI_Iallreduce(MPI_IN_PLACE, p, count, type, MPI_SUM,
                                MPI_COMM_WORLD, &req);
            if (rc == MPI_SUCCESS)
                rc = complete(w, &req);
        } else {
            rc = MPI_Allreduce(MPI_IN_PLACE, p, count, type, MPI_SUM,
                               MPI_COMM_WORLD);
        }
        if (rc != MPI_SUCCESS)
            return rc;
        p += (size_t)count * size;
        n -= (size_t)count;
    }
    return MPI_SUCCESS;
}

static int sum_float(float *x, size_t n, void *ctx)
{
    return sum(x, n, MPI_FLOAT, sizeof *x, ctx);
}

static int sum_double(double *x, size_t n, void *ctx)
{
    return sum(x, n, MPI_DOUBLE, sizeof *x, ctx);
}

static int broadcast(void *buf, size_t bytes, void *ctx)
{
    const cli_world *w = ctx;
    char *p = buf;
    while (bytes > 0) {
        const int count = bytes > INT_MAX ? INT_MAX : (int)bytes;
        MPI_Request req;
        int rc = MPI_Ibcast(p, count, MPI_BYTE, 0, MPI_COMM_WORLD, &req);
        if (rc == MPI_SUCCESS)
            rc = complete(w, &req);
        if (rc != MPI_SUCCESS)
            return rc;
        p += count;
        bytes -= (size_t)count;
    }
    return MPI_SUCCESS;
}

int cli_world_start(cli_world *w, int *argc, char ***argv)
{
    *w = (cli_world){.comm = {.rank = 0, .size = 1}};
    if (!started_by_launcher())
        return EXIT_OK; /* one process, exactly as lnn */
    int rank, size;
    if (MPI_Init(argc, argv) != MPI_SUCCESS) {
        cli_error("MPI_Init failed");
        return EXIT_RUNTIME;
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    w->parallel = true;
    w->comm = (lnn_comm){.rank = rank, .size = size, .sum_float = sum_float,
                         .sum_double = sum_double, .broadcast = broadcast,
                         .ctx = w};
    /* Only rank 0 prints its results; errors still reach stderr. */
    if (rank != 0 && !freopen("/dev/null", "w", stdout))
        return EXIT_RUNTIME;
    return EXIT_OK;
}

const lnn_comm *cli_world_comm(const cli_world *w)
{
    return w->parallel ? &w->comm : NULL;
}

/* The cores this process owns: its affinity mask if mpirun bound it to
 * fewer than all; otherwise its share of the mask among the processes of
 * its host (MPI_COMM_TYPE_SHARED). */
int cli_world_threads(const cli_world *w)
{
    if (!w->parallel)
        return 0;
    cpu_set_t mask;
    if (sched_getaffinity(0, sizeof mask, &mask) != 0)
        return 0;
    const int owned = CPU_COUNT(&mask);
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (owned < online)
        return owned;
    MPI_Comm host;
    int local = 1;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0,
                            MPI_INFO_NULL, &host) == MPI_SUCCESS) {
        MPI_Comm_size(host, &local);
        MPI_Comm_free(&host);
    }
    return owned / local > 1 ? owned / local : 1;
}

/* A run that ended together (done, or interrupted: every process stops
 * after the same update) finalizes; a failure may be this process's alone,
 * while the others wait for it in a collective: end them all. */
int cli_world_stop(cli_world *w, int rc)
{
    if (!w->parallel)
        return rc;
    if (rc != EXIT_OK && rc != EXIT_INTERRUPT)
        MPI_Abort(MPI_COMM_WORLD, rc);
    MPI_Finalize();
    return rc;
}
