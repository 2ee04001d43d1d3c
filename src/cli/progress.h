/* progress.h: how lnn train reports: a live bar on a terminal, one plain
 * key=value line per report otherwise, and an optional CSV/JSONL log. */
#ifndef LNN_CLI_PROGRESS_H
#define LNN_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct report {
    uint64_t epoch, epochs;  /* completed, and the run's total */
    uint64_t iteration;
    double loss;             /* mean training loss since the last report */
    double val_acc;          /* NaN without a validation split */
    double seconds;          /* training time so far (evaluation excluded) */
    double samples_per_s;    /* since the last report */
    double lr;               /* the learning rate of the last update */
} report;

typedef struct progress {
    bool tty;        /* stdout is a terminal: draw a bar */
    bool quiet;
    FILE *log;       /* NULL, or the --log file */
    bool log_json;   /* JSON lines rather than CSV */
    double last_draw;
} progress;

/* Open --log FILE (.csv or .jsonl); false with the message printed. */
bool progress_open_log(progress *pr, const char *path);
void progress_close(progress *pr);

/* Redraw the bar for the epoch in progress (terminal only, at most every
 * 0.1 s, and always at the end of the epoch). */
void progress_step(progress *pr, uint64_t epoch, uint64_t epochs,
                   size_t samples, size_t per_epoch, double loss,
                   double samples_per_s, double eta);

/* Print one report line (and log row). */
void progress_report(progress *pr, const report *r);

#endif /* LNN_CLI_PROGRESS_H */
