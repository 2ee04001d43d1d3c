/* cli.h: what the lnn command's files share. */
#ifndef LNN_CLI_H
#define LNN_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
/* "lnn: warning: <message>\n" on stderr. */
void cli_warn(const char *fmt, ...) CLI_PRINTF(1, 2);

/* Strict parsers for option values: the whole string must be the number.
 * On failure they print "lnn: --name: ..." and return false. */
bool cli_parse_u64(const char *name, const char *s, uint64_t min, uint64_t max,
                   uint64_t *out);
bool cli_parse_size(const char *name, const char *s, size_t min, size_t max,
                    size_t *out);
bool cli_parse_float(const char *name, const char *s, double min, double max,
                     float *out);
/* The values an option may name: names[i] is value i's name (NULL: not
 * offered); olds, if given, an older name of value i still accepted (or
 * NULL); notes, if given, what --help says of it ("" for nothing). The
 * train command's come from lnn.h's X-macro lists (cli/train.c). */
typedef struct cli_choices {
    const char *const *names;
    const char *const *olds;
    const char *const *notes;
    size_t n;
} cli_choices;

/* The initializer of choices from arrays (olds and notes may be NULL). */
#define CLI_CHOICES(names, olds, notes)                                       \
    {(names), (olds), (notes), sizeof(names) / sizeof((names)[0])}

/* Rows X(E, value, name, ...) of an X-macro list as array entries
 * [value] = "name"; rows X(E, value, name, note) as [value] = note. */
#define CLI_NAME_AT(E, value, name, ...) [value] = #name,
#define CLI_NOTE_AT(E, value, name, note) [value] = note,

/* Define `const cli_choices var`, one choice per row of the X-macro list
 * LIST: its names from CLI_NAME_AT, its notes from NOTE_AT (CLI_NOTE_AT,
 * or the list's own when the note is not the fourth field). */
#define CLI_CHOICES_OF_LIST(var, LIST, NOTE_AT)                               \
    static const char *const var##_names_[] = {LIST(CLI_NAME_AT)};            \
    static const char *const var##_notes_[] = {LIST(NOTE_AT)};                \
    const cli_choices var = CLI_CHOICES(var##_names_, NULL, var##_notes_)

/* The hidden activations (lnn.h's list, those a hidden layer may have). */
extern const cli_choices cli_hidden_activations;

/* --activation's "gelu,relu": 1..max hidden activations, *count of them
 * into acts. */
bool cli_parse_activations(const char *name, const char *s,
                           lnn_activation *acts, size_t max, size_t *count);

/* The network's hidden activations as --activation gives them: one name
 * when every hidden layer has it (the header's without hidden layers), else
 * one per hidden layer ("gelu,relu"), in buf. */
const char *cli_activations(const lnn_net *net, char *buf, size_t len);

/* Room for cli_activations's text. */
#define CLI_ACTS_LEN 1024

/* One of the choices; *out is its value (its index). */
bool cli_parse_choice(const char *name, const char *s, const cli_choices *c,
                      int *out);

/* The options the subcommands share, parsed in one place: each command
 * lists those it takes (options.h's CLI_OPTION_*) in its table, and hands
 * every option its own take function does not know to cli_common_option. */
enum { CLI_OPT_MODEL = 1000, CLI_OPT_DATA, CLI_OPT_THREADS };

typedef struct cli_common {
    const char *model; /* --model FILE, or NULL */
    const char *data;  /* --data DIR, or NULL */
    int threads;       /* --threads N, or 0 */
} cli_common;

/* Take option c (value arg) if it is a shared one: 1 taken, -1 a bad
 * value (the message is printed), 0 not a shared option. */
int cli_common_option(cli_common *co, int c, const char *arg);

/* After the options of subcommand cmd: a usage error if need_model and
 * no --model was given; then --threads applied. EXIT_OK or EXIT_USAGE. */
int cli_common_apply(const cli_common *co, const char *cmd, bool need_model);

/* "784,256,10": 2..LNN_CLI_MAX_DIMS positive sizes. */
#define LNN_CLI_MAX_DIMS 64
bool cli_parse_layers(const char *name, const char *s, size_t *dims,
                      size_t *count);
/* "256,128": 1..max positive sizes into dims (example: a list like it,
 * for the message). */
bool cli_parse_sizes(const char *name, const char *s, const char *example,
                     size_t max, size_t *dims, size_t *count);

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

/* The options of table files (tables.c), shared by train, eval and
 * predict: each lists options.h's CLI_OPTIONS_TABLE in its table and hands
 * options to cli_table_option. */
enum { CLI_OPT_LABELS = 1100, CLI_OPT_DELIMITER, CLI_OPT_HEADER,
       CLI_OPT_NO_HEADER, CLI_OPT_LABEL, CLI_OPT_FEATURES, CLI_OPT_TEST_DATA,
       CLI_OPT_VAL_DATA, CLI_OPT_TEST, CLI_OPT_SCALE, CLI_OPT_TASK,
       CLI_OPT_LOSS, CLI_OPT_SCALE_TARGET, CLI_OPT_HUBER_DELTA, CLI_OPT_INVERT,
       CLI_OPT_IMAGE_SIZE, CLI_OPT_NA_VALUES, CLI_OPT_IMPUTE,
       CLI_OPT_MISSING_INDICATORS, CLI_OPT_MAX_CATEGORIES,
       CLI_OPT_CATEGORICAL, CLI_OPT_IGNORE, CLI_OPT_COLUMNS, CLI_OPT_ID };

/* A part of a file: a count (`500`) or a fraction of its rows (`0.2`). */
typedef struct cli_part {
    size_t count;
    double frac; /* used when count is 0 and frac > 0 */
    bool set;
} cli_part;
bool cli_parse_part(const char *name, const char *s, cli_part *out);
/* The part's samples of m. */
size_t cli_part_of(const cli_part *p, size_t m);

typedef struct cli_table_args {
    lnn_table_opts table;   /* --labels --delimiter --header --label
                               --features */
    const char *test_data;  /* --test-data FILE */
    const char *val_data;   /* --val-data FILE */
    cli_part val, test;     /* --val, --test */
    int scale;              /* --scale (lnn_scale), -1: by the data */
    int task;               /* --task: 0 auto, else cli_tasks' index */
    int loss;               /* --loss (lnn_loss), -1: the task's */
    int scale_target;       /* --scale-target: 1 standard, 0 none */
    float huber_delta;      /* --huber-delta, 0: the library's 1 */
    lnn_image_opts image;   /* --image-size, --invert: images and image
                               folders */
    lnn_prep_opts prep;     /* --impute, --missing-indicators,
                               --max-categories (scale: --scale's) */
    const char *sample_weight; /* train --sample-weight COLUMN, or NULL */
} cli_table_args;

/* What a model's outputs mean, by its head (outputs.c). */
typedef struct cli_outputs {
    lnn_target target;
    size_t n;                 /* outputs, n_L */
    const lnn_prep *prep;     /* the target scaling, or NULL */
    char *const *names;       /* class names, or NULL: indices */
    size_t n_names;
    char *const *target_names;/* label or target names, or NULL */
    float threshold;          /* a label is 1 from this probability on */
    bool binary;              /* one sigmoid output of two classes */
    const char *id_name;      /* predict --output's id column (--id), or
                                 NULL */
} cli_outputs;

void cli_outputs_init(cli_outputs *o, const lnn_net *net, float threshold);
/* The name of class (or label, or target) i: names[i], else "i" in buf. */
const char *cli_name_of(char *const *names, size_t i, char *buf,
                        size_t len);
/* predict --output's header and one row from the outputs y (n of them;
 * id: the row's id, with o->id_name); scratch holds n + 2 floats. */
void cli_outputs_header(const cli_outputs *o, FILE *f);
void cli_outputs_row(const cli_outputs *o, FILE *f, size_t row,
                     const char *id, const float *y, float *scratch);
/* predict's line: the top classes, the labels set, or the values. */
void cli_outputs_line(const cli_outputs *o, const char *name, size_t index,
                      bool indexed, const float *y, size_t top,
                      float *scratch);

/* lnn eval's report of net on d (report.c): text, or one JSON object on
 * stdout. An exit status. */
typedef struct cli_report_opts {
    const char *model, *data, *split; /* named in messages and the plot */
    bool json;
    const char *plot;  /* --plot FILE.svg, or NULL */
} cli_report_opts;
int cli_report(lnn_net *net, const lnn_data *d, const cli_report_opts *ro);

/* Label columns --label may name at once (several outputs). */
#define CLI_MAX_LABELS 256

/* The choices of --task, --loss, --scale-target (task.c). */
extern const cli_choices cli_tasks, cli_losses, cli_scale_targets;

/* --label names several columns ("a,b,c"). */
bool cli_task_multi(const cli_table_args *ta);
/* Reading a table for a model: its gaps, category columns and columns
 * left out as in training, and with no_weights its --sample-weight column
 * too where a file has it (predict; eval takes it out itself, so that the
 * training file keeps its id) (*cats: lists the caller frees after
 * loading). */
bool cli_table_model_opts(lnn_table_opts *o, const lnn_prep *p,
                          bool no_weights, char **cats);
/* The one-line note of a prepared table's unseen categories, if any. */
void cli_table_unseen(const lnn_table *t, const char *path);
/* The training file's targets: decide the task (said in one line unless
 * quiet; --task, --loss, or the data), set *loss and turn t's labels or
 * label columns into its targets. Prints the error itself; an exit
 * status (usage: options that contradict each other). */
int cli_task_train(const cli_table_args *ta, lnn_table *t, const char *path,
                   lnn_loss *loss, bool quiet);
/* A --val-data or --test-data file's targets, as the training file's. */
bool cli_task_like(lnn_table *t, const char *path, const lnn_table *first,
                   const cli_table_args *ta, lnn_loss loss);
/* How to read a file for a model: its target columns. */
void cli_task_model_opts(lnn_table_opts *o, const lnn_prep *p);
/* Predict: a file that has the model's several target columns besides its
 * features loses them (false with the message in err). */
bool cli_task_drop_targets(lnn_table *t, const lnn_prep *p, char *err,
                           size_t errlen);
/* A file's targets as the model (its prep, its loss) has them. */
bool cli_task_for_model(lnn_table *t, const char *path, const lnn_prep *p,
                        lnn_loss loss);
/* Whether the targets are standardised (lnn_table_prepare's
 * standardise_targets): values, unless --scale-target none. */
bool cli_task_standardise(const cli_table_args *ta, lnn_loss loss);

/* The defaults (to be called before parsing). */
void cli_table_args_init(cli_table_args *t);
/* As cli_common_option, for the table options. */
int cli_table_option(cli_table_args *t, int c, const char *arg);

/* A loaded dataset and its train/val/test views. */
typedef struct cli_dataset {
    char dir[4096];     /* where it was found */
    const char *source; /* why that directory: "--data", "$LNN_DATA", ... */
    lnn_dataset train_set, test_set;
    lnn_splits splits;
    /* a table file (--data FILE) rather than an IDX directory: */
    bool is_table;
    lnn_table tab[3];   /* the file, --val-data, --test-data */
    lnn_prep prep;      /* train: fitted on the training part */
    lnn_loss loss;      /* the head the data asks for (IDX: ce) */
    lnn_data_id id;     /* IDX: the training images' id, named by the
                           directory (a table's is tab[0].id) */
} cli_dataset;

/* --class-weight SPEC: w (train->n_y) gets each class's training weight:
 * "balanced" (m / (classes x the class's count) over train), or from the
 * file SPEC of "CLASS WEIGHT" lines, CLASS one of names (n_y of them; NULL:
 * classes are 0 .. n_y - 1), other classes 1. False with the message
 * printed. */
bool cli_class_weights(const char *spec, const lnn_data *train,
                       char *const *names, float *w);

/* Is path a table file (a regular file) or an image folder (a directory
 * with a sub-directory), not an IDX directory? */
bool cli_is_table(const char *path);
/* The image size of a model: its record, else 28x28 for a model of 784
 * inputs; false (the message, naming the image at path, printed) if it has
 * neither. */
bool cli_model_image(const lnn_net *net, const char *path, lnn_image_opts *o);

/* Find the dataset (--data DIR, else $LNN_DATA, else data/mnist/, else
 * Debian's Fashion-MNIST), load it and split it: n_train samples for
 * training (0 = all but n_val), n_val after them for validation. A --data
 * FILE is a table (cli_dataset_load_table). Prints the error itself;
 * returns an exit status. */
int cli_dataset_load(cli_dataset *d, const char *data_opt,
                     const cli_table_args *ta, uint64_t seed, size_t n_train,
                     const cli_part *val, bool quiet);
/* Training from a table file: load it (and --val-data, --test-data), split
 * it by a stratified shuffle from seed, fit the scaling on the training
 * part and apply it everywhere. */
int cli_dataset_load_table(cli_dataset *d, const char *path,
                           const cli_table_args *ta, uint64_t seed,
                           size_t n_train, const cli_part *val, bool quiet);
/* Evaluating a model with a prep and a loss on a table file: its targets
 * (vocabulary, target columns and scaling) and scaling; its recorded split
 * when the file is the one it was trained on (the same id: size, rows and
 * digest; for a model without one, the same number of rows), else every
 * row in splits.test. */
int cli_dataset_for_model(cli_dataset *d, const char *path,
                          const cli_table_args *ta, const lnn_prep *p,
                          lnn_loss loss);
void cli_dataset_free(cli_dataset *d);
/* Are a and b the ids of the same data (lnn_data_id)? */
bool cli_same_data(const lnn_data_id *a, const lnn_data_id *b);
/* An IDX data id for people, into buf: "mnist" (60000 images). */
const char *cli_data_said(const lnn_data_id *id, char *buf, size_t len);
/* The prep of a model without one (IDX-trained, format version 1): inputs
 * bytes / 255, class i named "i". false (the message printed) when out
 * of memory. */
bool cli_idx_prep(lnn_prep *p, const lnn_net *net);

/* The processes of this run: one for lnn (src/cli/comm_none.c); for lnn-mpi
 * (src/cli/comm_mpi.c), those mpirun started, or one when it was started
 * without mpirun. */
typedef struct cli_world {
    lnn_comm comm;      /* the library's interface to the other processes */
    bool parallel;      /* started by mpirun: comm is in use */
    double timeout;     /* seconds a collective may wait, 0 = for ever */
    const char *program; /* argv[0]: how lnn was started */
} cli_world;

/* Start: MPI_Init for lnn-mpi under mpirun (argc, argv as MPI_Init takes
 * them). Returns an exit status (EXIT_OK to go on). */
int cli_world_start(cli_world *w, int *argc, char ***argv);
/* The comm for lnn_train_opts.comm: NULL for one process. */
const lnn_comm *cli_world_comm(const cli_world *w);
/* Threads this process should use by default (the cores it owns), or 0
 * for lnn's own default. */
int cli_world_threads(const cli_world *w);
/* End: MPI_Finalize. Returns rc. */
int cli_world_stop(cli_world *w, int rc);

/* The subcommands */
int cli_train(int argc, char **argv, cli_world *w);
int cli_eval(int argc, char **argv);
int cli_predict(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_plot(int argc, char **argv);

#endif /* LNN_CLI_H */
