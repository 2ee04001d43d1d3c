/* progress.h: how lnn train reports: a live bar on a terminal, one plain
 * key=value line per report otherwise, and an optional CSV/JSONL log. */
#ifndef LNN_CLI_PROGRESS_H
#define LNN_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"

typedef struct report {
    uint64_t epoch, epochs;  /* completed, and the run's total */
    uint64_t iteration;
    double loss;             /* mean training loss since the last report */
    double val_loss;         /* NaN without a validation split */
    double val_metric;       /* the task's metric (progress.metric), NaN
                                without a validation split */
    double lr;               /* the learning rate of the last update */
    double seconds;          /* training time so far (evaluation excluded) */
    double samples_per_s;    /* since the last report */
} report;

/* --progress: what lnn train prints while it trains. */
#define PROGRESS_MODE_LIST(X)                                                 \
    X(PROGRESS_AUTO, 0, auto, "bar on a terminal, lines when stdout is not "  \
      "one or under mpirun")                                                  \
    X(PROGRESS_BAR, 1, bar, "a live bar, and a line per report")              \
    X(PROGRESS_LINES, 2, lines, "a key=value line per report")                \
    X(PROGRESS_NONE, 3, none, "no line per report")

typedef enum progress_mode {
#define PROGRESS_ENUM_(name, value, ...) name = value,
    PROGRESS_MODE_LIST(PROGRESS_ENUM_)
#undef PROGRESS_ENUM_
} progress_mode;

/* The choices of --progress. */
extern const cli_choices progress_modes;

typedef struct progress {
    bool bar;        /* draw a bar and human lines, not key=value ones */
    bool reports;    /* print a line per report */
    bool quiet;      /* print nothing (then reports is false) */
    FILE *log;       /* NULL, or the --log file */
    bool log_json;   /* JSON lines rather than CSV */
    double last_draw;
    const char *metric;  /* the validation metric's key: "val_acc",
                            "val_rmse", ... (progress_metric_key) */
} progress;

/* The key of a validation metric in reports and logs: val_acc for
 * accuracy, else val_ and its name. */
const char *progress_metric_key(lnn_metric metric);

/* Set up pr to print as mode says (auto: as stdout and the environment
 * say), or nothing if quiet. */
void progress_init(progress *pr, progress_mode mode, bool quiet);

/* Open --log FILE (.csv or .jsonl), its columns those of progress_report
 * (pr->metric set first); false with the message printed. For a run
 * resumed from a model saved at iteration `at`, rows go after those FILE
 * holds, if its columns are this run's (else false); its rows past `at`
 * (reported after that save by the run that was stopped) are dropped, with
 * a warning, so that the log ends as an uninterrupted run's. */
bool progress_open_log(progress *pr, const char *path, bool resumed,
                       uint64_t at);
void progress_close(progress *pr);

/* Redraw the bar for the epoch in progress (terminal only, at most every
 * 0.1 s, and always at the end of the epoch). */
void progress_step(progress *pr, uint64_t epoch, uint64_t epochs,
                   size_t samples, size_t per_epoch, double loss,
                   double samples_per_s, double eta);

/* Print one report line (and log row). */
void progress_report(progress *pr, const report *r);

#endif /* LNN_CLI_PROGRESS_H */
