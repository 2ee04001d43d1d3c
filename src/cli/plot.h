/* plot.h: lnn's pictures of a run, as SVG (svg.h): the learning curves of
 * lnn train --plot and lnn plot, and the confusion matrix of lnn eval
 * --plot. */
#ifndef LNN_CLI_PLOT_H
#define LNN_CLI_PLOT_H

#include <stdbool.h>
#include <stddef.h>

/* What a run reported, one entry per report; NaN where a report has no
 * value (no validation split, a log without that column). */
typedef struct plot_history {
    size_t n, cap;
    double *epoch, *loss, *val_loss, *metric, *lr;
    char metric_name[32]; /* the validation metric's column: "val_acc" */
} plot_history;

/* Append one report; false when out of memory. */
bool plot_history_add(plot_history *h, double epoch, double loss,
                      double val_loss, double metric, double lr);
void plot_history_free(plot_history *h);

/* Read lnn train --log's rows (a .csv with its header row, or .jsonl),
 * by column name: epoch and loss, and val_loss, lr and the validation
 * metric (the first other val_ column) where the log has them. false with
 * a one-line message in err. */
bool plot_history_read(plot_history *h, const char *path, char *err,
                       size_t errlen);

/* Is path a place to write a plot: it ends in .svg, and its directory
 * exists and can be written? false with a message naming option (e.g.
 * "--plot") in err. Checked before a run starts. */
bool plot_path_ok(const char *option, const char *path, char *err,
                  size_t errlen);

/* The learning curves: training loss, validation loss and the validation
 * metric per epoch (the best epoch marked) above, the learning rate below;
 * title names the run. false with a message in err (no file is left). */
bool plot_training(const plot_history *h, const char *title,
                   const char *path, char *err, size_t errlen);

/* The confusion matrix as a heat map: confusion[t * n + p] samples of true
 * class t predicted as p, each cell coloured by its share of the true
 * class; names[i] class i's name, or NULL (indices). */
bool plot_confusion(const size_t *confusion, size_t n, char *const *names,
                    const char *title, const char *path, char *err,
                    size_t errlen);

/* Regression: the predictions P against the true values T (n targets x m
 * rows, in the targets' units), a colour per target named by names (or
 * NULL). */
bool plot_scatter(const float *P, const float *T, size_t n, size_t m,
                  char *const *names, const char *title, const char *path,
                  char *err, size_t errlen);

#endif /* LNN_CLI_PLOT_H */
