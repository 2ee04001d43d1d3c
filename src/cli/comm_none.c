/* comm_none.c: the lnn command runs as one process (cli_world in cli.h);
 * lnn-mpi links comm_mpi.c instead. */
#include "cli.h"

int cli_world_start(cli_world *w, int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    *w = (cli_world){.comm = {.rank = 0, .size = 1}};
    return EXIT_OK;
}

const lnn_comm *cli_world_comm(const cli_world *w)
{
    (void)w;
    return NULL;
}

int cli_world_threads(const cli_world *w)
{
    (void)w;
    return 0;
}

int cli_world_stop(cli_world *w, int rc)
{
    (void)w;
    return rc;
}
