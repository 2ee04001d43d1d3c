/* progress.c: lnn train's output. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"

#define BAR_WIDTH 30
#define REDRAW_SECONDS 0.1

CLI_CHOICES_OF_LIST(progress_modes, PROGRESS_MODE_LIST, CLI_NOTE_AT);

void progress_init(progress *pr, progress_mode mode, bool quiet)
{
    /* Under mpirun a process's stdout is a terminal (Open MPI gives it a
     * pty) even when mpirun's own is a file: a bar there would fill the
     * file with escapes. Open MPI sets OMPI_COMM_WORLD_SIZE, MPICH and
     * others PMI_SIZE. */
    if (mode == PROGRESS_AUTO)
        mode = isatty(STDOUT_FILENO) && !getenv("OMPI_COMM_WORLD_SIZE") &&
                       !getenv("PMI_SIZE")
                   ? PROGRESS_BAR
                   : PROGRESS_LINES;
    pr->quiet = quiet;
    pr->bar = !quiet && mode == PROGRESS_BAR;
    pr->reports = !quiet && mode != PROGRESS_NONE;
}

static bool ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* One column of a report: its key, value and format; NaN is a value not
 * measured (left out of the line, an empty CSV cell, a JSON null). */
typedef struct field {
    const char *key;
    double value;
    const char *fmt;
} field;

enum { N_FIELDS = 8 };

/* A report's fields, in their order on the line and in the log (new
 * fields go before seconds, which stays next to last). */
static void report_fields(const progress *pr, const report *r,
                          field f[N_FIELDS])
{
    const field all[N_FIELDS] = {
        {"epoch", (double)r->epoch, "%.0f"},
        {"iteration", (double)r->iteration, "%.0f"},
        {"loss", r->loss, "%.6f"},
        {"val_loss", r->val_loss, "%.6f"},
        {pr->metric, r->val_metric, "%.4f"},
        {"lr", r->lr, "%.9g"},
        {"seconds", r->seconds, "%.3f"},
        {"samples_per_s", r->samples_per_s, "%.0f"},
    };
    memcpy(f, all, sizeof all);
}

const char *progress_metric_key(lnn_metric metric)
{
    static const char *const keys[] = {
#define METRIC_KEY(E, value, name, higher) [E] = "val_" #name,
        LNN_METRIC_LIST(METRIC_KEY)
#undef METRIC_KEY
    };
    return metric == LNN_METRIC_ACCURACY ? "val_acc" : keys[metric];
}

/* The log's column names, comma-separated. */
static void column_list(const progress *pr, char *out, size_t len)
{
    field f[N_FIELDS];
    report_fields(pr, &(report){0}, f);
    out[0] = '\0';
    for (size_t i = 0; i < N_FIELDS; i++)
        snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? "," : "",
                 f[i].key);
}

/* The column names of a log's first line: a CSV header as it is, a JSON
 * object's keys joined by commas. */
static void columns_of(const char *line, bool json, char *out, size_t len)
{
    if (!json) {
        snprintf(out, len, "%.*s", (int)strcspn(line, "\r\n"), line);
        return;
    }
    out[0] = '\0';
    /* every "key": (the rows hold numbers and null, no strings) */
    for (const char *p = strchr(line, '"'); p; p = strchr(p, '"')) {
        const char *end = strchr(p + 1, '"');
        if (!end)
            break;
        if (end[1 + strspn(end + 1, " ")] == ':')
            snprintf(out + strlen(out), len - strlen(out), "%s%.*s",
                     out[0] ? "," : "", (int)(end - p - 1), p + 1);
        p = end + 1;
    }
}

/* --log FILE of a resumed run that already holds rows: true if its
 * columns are this run's, else the message. */
static bool same_columns(const progress *pr, FILE *f, const char *path,
                         bool json)
{
    char line[4096], have[1024], want[1024];
    if (!fgets(line, sizeof line, f))
        return true;
    column_list(pr, want, sizeof want);
    columns_of(line, json, have, sizeof have);
    if (strcmp(have, want) == 0)
        return true;
    cli_error("--log: %s has the columns %s, this run writes %s; give "
              "another file", path, have[0] ? have : "(none)", want);
    return false;
}

/* The iteration of a log row (CSV: its second column; JSON: "iteration"),
 * or 0 if the row holds none. */
static uint64_t row_iteration(const char *line, bool json)
{
    const char *p = json ? strstr(line, "\"iteration\":") : strchr(line, ',');
    if (!p)
        return 0;
    p += json ? strlen("\"iteration\":") : 1;
    return strtoull(p, NULL, 10);
}

/* The rows of a log past iteration `at` (an interrupted run reported
 * beyond the save it is resumed from): *cut is the byte offset of the
 * first of them, the count is returned. */
static size_t rows_past(FILE *f, bool json, uint64_t at, long *cut)
{
    char *line = NULL;
    size_t cap = 0, past = 0;
    long offset = ftell(f);
    while (getline(&line, &cap, f) > 0) {
        if (!past && row_iteration(line, json) > at)
            *cut = offset;
        past += *cut >= 0;
        offset = ftell(f);
    }
    free(line);
    return past;
}

/* A resumed run's log: refused if its columns are not this run's, its
 * rows past iteration `at` dropped. *has_rows: it holds rows to keep. */
static bool resume_log(const progress *pr, const char *path, uint64_t at,
                       bool *has_rows)
{
    FILE *old = fopen(path, "r");
    *has_rows = false;
    if (!old)
        return true;
    long cut = -1;
    const bool ok = same_columns(pr, old, path, pr->log_json);
    if (pr->log_json) /* its first line was a row */
        rewind(old);
    const size_t past = ok ? rows_past(old, pr->log_json, at, &cut) : 0;
    *has_rows = ftell(old) > 0 && cut != 0;
    fclose(old);
    if (!ok)
        return false;
    if (past && truncate(path, cut) != 0) {
        cli_error("--log: cannot drop the rows of %s past iteration %llu",
                  path, (unsigned long long)at);
        return false;
    }
    if (past)
        cli_warn("--log: dropped %zu row%s of %s past iteration %llu, where "
                 "the resumed model was saved", past, past == 1 ? "" : "s",
                 path, (unsigned long long)at);
    return true;
}

bool progress_open_log(progress *pr, const char *path, bool resumed,
                       uint64_t at)
{
    if (ends_with(path, ".jsonl")) {
        pr->log_json = true;
    } else if (!ends_with(path, ".csv")) {
        cli_error("--log: '%s' must end in .csv or .jsonl", path);
        return false;
    }
    bool has_rows = false;
    if (resumed && !resume_log(pr, path, at, &has_rows))
        return false;
    pr->log = fopen(path, has_rows ? "a" : "w");
    if (!pr->log) {
        cli_error("--log: cannot write %s", path);
        return false;
    }
    if (!pr->log_json && !has_rows) {
        char columns[1024];
        column_list(pr, columns, sizeof columns);
        fprintf(pr->log, "%s\n", columns);
    }
    return true;
}

void progress_close(progress *pr)
{
    if (pr->log)
        fclose(pr->log);
    pr->log = NULL;
}

void progress_step(progress *pr, uint64_t epoch, uint64_t epochs,
                   size_t samples, size_t per_epoch, double loss,
                   double samples_per_s, double eta)
{
    if (!pr->bar)
        return;
    const double now = cli_now();
    if (now - pr->last_draw < REDRAW_SECONDS && samples < per_epoch)
        return;
    pr->last_draw = now;
    char bar[BAR_WIDTH + 1];
    const size_t filled = (size_t)((double)BAR_WIDTH * (double)samples /
                                   (double)per_epoch);
    for (size_t i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    printf("\r\033[Kepoch %llu/%llu [%s] %zu/%zu  loss %.4f  %.0f samples/s  "
           "ETA %.1fs", (unsigned long long)epoch + 1,
           (unsigned long long)epochs, bar, samples, per_epoch, loss,
           samples_per_s, eta);
    fflush(stdout);
}

/* One row of the log: the fields f. */
static void log_row(progress *pr, const field *f)
{
    if (pr->log_json)
        fputc('{', pr->log);
    for (size_t i = 0; i < N_FIELDS; i++) {
        if (pr->log_json)
            fprintf(pr->log, "%s\"%s\": ", i ? ", " : "", f[i].key);
        else if (i)
            fputc(',', pr->log);
        if (!isnan(f[i].value))
            fprintf(pr->log, f[i].fmt, f[i].value);
        else if (pr->log_json)
            fputs("null", pr->log);
    }
    fputs(pr->log_json ? "}\n" : "\n", pr->log);
    fflush(pr->log);
}

void progress_report(progress *pr, const report *r)
{
    field f[N_FIELDS];
    report_fields(pr, r, f);
    if (pr->reports) {
        if (pr->bar) {
            printf("\r\033[Kepoch %llu/%llu  iteration %llu  loss %.4f",
                   (unsigned long long)r->epoch,
                   (unsigned long long)r->epochs,
                   (unsigned long long)r->iteration, r->loss);
            if (!isnan(r->val_loss))
                printf("  val_loss %.4f", r->val_loss);
            if (!isnan(r->val_metric))
                printf("  %s %.4f", pr->metric, r->val_metric);
            printf("  %.2fs  %.0f samples/s\n", r->seconds,
                   r->samples_per_s);
        } else {
            /* Stable key=value fields, for scripts. */
            for (size_t i = 0; i < N_FIELDS; i++) {
                if (isnan(f[i].value))
                    continue;
                printf("%s%s=", i ? " " : "", f[i].key);
                printf(f[i].fmt, f[i].value);
            }
            putchar('\n');
        }
        fflush(stdout);
    }
    if (pr->log)
        log_row(pr, f);
}
