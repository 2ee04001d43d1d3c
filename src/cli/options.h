/* options.h: each command's options as one table, from which come its
 * parsing, its --help, the "did you mean" of an unknown option, the bash
 * completion (lnn completion) and, through --help, the man pages. */
#ifndef LNN_CLI_OPTIONS_H
#define LNN_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "cli.h"

/* One entry of a command's table. An entry with a name is an option; one
 * without a name but with help is a heading of --help ("Training:"); one
 * with neither ends the table. An option whose help is NULL is described
 * together with the one before it ("--beta1 F, --beta2 F  ..."). */
typedef struct cli_option {
    const char *name;   /* long name, without "--" */
    char letter;        /* short name (-q), or 0 */
    const char *value;  /* what its value is called in --help ("N",
                           "FILE"); NULL: it takes none */
    int id;             /* what the command's take function is handed */
    const char *help;   /* what it does, wrapped by --help */
    const char *def;    /* its default, shown as [def]; NULL: none */
    const cli_choices *choices; /* the values it takes: listed in --help,
                                   offered by the completion */
} cli_option;

/* The options several commands share (cli.h's ids); a command whose
 * --help says more of one writes its own entry with the same id. */
#define CLI_OPTION_MODEL                                                      \
    {"model", 0, "FILE", CLI_OPT_MODEL, "the model (from lnn train --save)",  \
     NULL, NULL}
#define CLI_OPTION_THREADS                                                    \
    {"threads", 0, "N", CLI_OPT_THREADS, "threads; more than the cores is "   \
     "much slower", "all cores", NULL}
/* The options of table files (tables.c). */
#define CLI_OPTIONS_TABLE                                                     \
    {"labels", 0, "FILE", CLI_OPT_LABELS,                                     \
     "the labels of an X.npy file: a y.npy; of an IDX images file: its "     \
     "labels file [the one named labels-idx1 beside it]", NULL, NULL},       \
    {"delimiter", 0, "C", CLI_OPT_DELIMITER, "CSV: ',', ';', '|' or 'tab'",   \
     "from the first line; tab for .tsv", NULL},                              \
    {"header", 0, NULL, CLI_OPT_HEADER, "CSV: the first row is (not) column " \
     "names", "a first row with a non-numeric cell is a header", NULL},       \
    {"no-header", 0, NULL, CLI_OPT_NO_HEADER, NULL, NULL, NULL},              \
    {"label", 0, "NAME|INDEX[,...]", CLI_OPT_LABEL, "CSV: the label column, " \
     "by name or index counted from 0 (unlike the 1-based indices of "       \
     "--ignore, --columns, --categorical; train says which column an index " \
     "took); several (a,b,c) for multi-label or several targets",            \
     "a column named label, class, target or y, else the last",              \
     NULL},                                                                   \
    {"features", 0, "N", CLI_OPT_FEATURES, "LIBSVM: the feature count",       \
     "the largest index", NULL},                                              \
    {"id", 0, "COL", CLI_OPT_ID, "CSV: a column of row names, no feature; "   \
     "predict --output carries it (kept in the model)", NULL, NULL},          \
    {"na-values", 0, "LIST", CLI_OPT_NA_VALUES, "CSV: the texts that mean "   \
     "a missing cell besides the empty one, comma-separated (kept in the "    \
     "model: eval, predict and its ONNX graph take them)",                    \
     "NA,N/A,NaN,nan,?,null,NULL,None", NULL},                                \
    {"invert", 0, "WHICH", CLI_OPT_INVERT, "PNG/JPEG images whose grey "      \
     "levels are turned over (255 - v), for strokes light on dark as in "     \
     "MNIST", "no", &cli_inverts}
#define CLI_OPTIONS_TABLE_TRAIN                                               \
    {"test-data", 0, "FILE", CLI_OPT_TEST_DATA, "test on this file instead "  \
     "of a part of --data", NULL, NULL},                                      \
    {"val-data", 0, "FILE", CLI_OPT_VAL_DATA, "validate on this file "        \
     "instead of a part of --data", NULL, NULL},                              \
    {"test", 0, "N|FRACTION", CLI_OPT_TEST, "test rows held out of a --data " \
     "FILE, by a seeded stratified shuffle", "0.1", NULL},                    \
    {"scale", 0, "NAME", CLI_OPT_SCALE, "fitted on the training part, kept "  \
     "in the model", "standard for a table, byte (x/255) for "  \
     "images", &cli_scales},                                   \
    {"task", 0, "NAME", CLI_OPT_TASK, "what the label column(s) are; auto "   \
     "says in one line what it chose and why", "auto", &cli_tasks},           \
    {"loss", 0, "NAME", CLI_OPT_LOSS, "the output head (it sets the task)",   \
     "ce for classify, mse for regress, bce for multilabel", &cli_losses},    \
    {"huber-delta", 0, "F", CLI_OPT_HUBER_DELTA, "huber: where the loss "     \
     "turns from quadratic to linear (in standardised target units)", "1",    \
     NULL},                                                                   \
    {"scale-target", 0, "NAME", CLI_OPT_SCALE_TARGET, "regression targets, "  \
     "fitted on the training part, kept in the model; every number shown "    \
     "is in the target's own units", "standard", &cli_scale_targets},         \
    {"image-size", 0, "WxH", CLI_OPT_IMAGE_SIZE, "an image folder's images "  \
     "are resized to this (area averaging), kept in the model", "28x28",     \
     NULL},                                                                   \
    {"ignore", 0, "COLS", CLI_OPT_IGNORE, "CSV: columns left out (names, "    \
     "1-based indices, ranges 2-4), kept in the model", NULL, NULL},          \
    {"columns", 0, "COLS", CLI_OPT_COLUMNS, "CSV: the feature columns, the "  \
     "others left out (but the label and --id), kept in the model", "all",   \
     NULL},                                                                   \
    {"impute", 0, "NAME", CLI_OPT_IMPUTE, "CSV: how missing cells are "       \
     "filled, fitted on the training part, kept in the model",               \
     "median for numbers, most-frequent for text", &cli_imputes},             \
    {"missing-indicators", 0, NULL, CLI_OPT_MISSING_INDICATORS, "CSV: one "   \
     "more 0/1 input per column with gaps in the training part", NULL, NULL}, \
    {"categorical", 0, "COLS", CLI_OPT_CATEGORICAL, "CSV: columns that are "  \
     "categories though they hold numbers (names, 1-based indices, ranges "   \
     "2-4); a column holding text always is one (one-hot)", NULL, NULL},      \
    {"max-categories", 0, "N", CLI_OPT_MAX_CATEGORIES, "CSV: a category "     \
     "column keeps its N most frequent categories, the rest share one "       \
     "\"other\" input", "all", NULL}

/* The choices of --scale, --invert and --impute (lnn.h's lists). */
extern const cli_choices cli_scales, cli_inverts, cli_imputes;

/* The ids every command shares (a command's own start at CLI_OPT_OWN). */
enum { CLI_OPT_HELP = 1, CLI_OPT_OWN = 256 };
#define CLI_OPTION_HELP                                                       \
    {"help", 'h', NULL, CLI_OPT_HELP, "show this help", NULL, NULL}
#define CLI_OPTIONS_END {NULL, 0, NULL, 0, NULL, NULL, NULL}

typedef struct cli_command {
    const char *name;      /* "train" */
    const char *summary;   /* one line for lnn --help and the man page */
    const char *synopsis;  /* after "Usage: lnn NAME " */
    const char *about;     /* the text under Usage */
    const cli_option *options;
    const char *epilogue;  /* after the options (exit status), or NULL */
    /* more help for option id, appended to its text (a list computed from
     * the library's tables), or NULL; may be NULL itself */
    const char *(*more)(int id, char *buf, size_t len);
} cli_command;

/* An option found on the command line: argv[at], one word or two. */
typedef struct cli_given {
    int id;
    const char *value; /* NULL for a flag */
    int at, words;
} cli_given;

/* Take option g: false when its value is bad (the message printed). */
typedef bool cli_take_fn(void *ctx, const cli_given *g);

/* Parse argv[1..argc-1] by cmd's table, handing each option to take:
 * "--name VALUE", "--name=VALUE", a unique prefix of a name, "-q". The
 * operands (other words, and all after "--") are moved to the end in
 * their order, from argv[*first]. Returns -1 to go on, EXIT_OK after
 * printing --help, EXIT_USAGE after printing why. */
int cli_options_parse(const cli_command *cmd, int argc, char **argv,
                      cli_take_fn *take, void *ctx, int *first);

/* text from column col, its words wrapped before column 77 onto lines
 * that start at column indent; then a newline. */
void cli_wrap(FILE *to, const char *text, size_t col, size_t indent);

/* The command's --help. */
void cli_options_usage(const cli_command *cmd, FILE *to);

/* The nearest of names[0..n-1] to word, or NULL if none is near. */
const char *cli_nearest(const char *word, const char *const *names,
                        size_t n);

/* The commands of lnn, in the order lnn --help lists them. */
extern const cli_command cli_train_command, cli_eval_command,
    cli_predict_command, cli_export_command, cli_import_command,
    cli_plot_command, cli_completion_command;

/* A bash completion script for the commands cmds[0..n-1] of lnn. */
void cli_completion_bash(FILE *to, const cli_command *const *cmds, size_t n);

#endif /* LNN_CLI_OPTIONS_H */
