/* cli.h: what the lnn command's files share. */
#ifndef LNN_CLI_H
#define LNN_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lnn.h"

/* Exit statuses */
#define EXIT_OK 0
#define EXIT_RUNTIME 1     /* the command could not do its job */
#define EXIT_USAGE 2       /* bad flags or arguments */
#define EXIT_INTERRUPT 130 /* 128 + SIGINT */

#define CLI_ERRLEN 512
#define CLI_MAX_THREADS 1024 /* the largest --threads accepted */

#if defined(__GNUC__)
#  define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#  define CLI_PRINTF(a, b)
#endif

/* "lnn: <message>\n" on stderr. */
void cli_error(const char *fmt, ...) CLI_PRINTF(1, 2);

/* Strict parsers for option values: the whole string must be the number.
 * On failure they print "lnn: --name: ..." and return false. */
bool cli_parse_u64(const char *name, const char *s, uint64_t min, uint64_t max,
                   uint64_t *out);
bool cli_parse_size(const char *name, const char *s, size_t min, size_t max,
                    size_t *out);
bool cli_parse_float(const char *name, const char *s, double min, double max,
                     float *out);
/* One of `choices` (a NULL-terminated list); *out is its index. */
bool cli_parse_choice(const char *name, const char *s,
                      const char *const *choices, int *out);
/* "784,256,10": 2..LNN_CLI_MAX_DIMS positive sizes. */
#define LNN_CLI_MAX_DIMS 64
bool cli_parse_layers(const char *name, const char *s, size_t *dims,
                      size_t *count);

/* Report getopt_long's failure c ('?' unknown option, ':' missing value;
 * the option strings start with ':' and opterr is 0, so getopt itself
 * prints nothing) for subcommand cmd; returns EXIT_USAGE. */
int cli_getopt_error(const char *cmd, int c, char *const *argv);

/* lnn_model_load, printing its message on failure (NULL then). */
lnn_net *cli_model_load(const char *path, lnn_train_opts *opts,
                        size_t max_batch);

/* The most memory the batch buffers of eval and predict may take. */
#define CLI_BATCH_BYTES ((size_t)64 << 20)

/* cli_model_load for inference in chunks of at most `batch` columns, fewer
 * when the network is so wide that the chunk's buffers would exceed
 * CLI_BATCH_BYTES: the size of a file does not choose the memory used. */
lnn_net *cli_model_load_chunked(const char *path, size_t batch);

/* Monotonic wall-clock seconds. */
double cli_now(void);

/* A loaded dataset and its train/val/test views. */
typedef struct cli_dataset {
    char dir[4096];     /* where it was found */
    const char *source; /* why that directory: "--data", "$LNN_DATA", ... */
    lnn_dataset train_set, test_set;
    lnn_splits splits;
} cli_dataset;

/* Find the dataset (--data DIR, else $LNN_DATA, else data/mnist/, else
 * Debian's Fashion-MNIST), load it and split it: n_train samples for
 * training (0 = all but n_val), n_val after them for validation. Prints
 * the error itself; returns an exit status. */
int cli_dataset_load(cli_dataset *d, const char *data_opt, size_t n_train,
                     size_t n_val, bool quiet);
void cli_dataset_free(cli_dataset *d);

/* The subcommands */
int cli_train(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_predict(int argc, char **argv);

#endif /* LNN_CLI_H */
