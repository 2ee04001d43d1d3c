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

#define MODE_NAME_AT(E, value, name, note) [value] = #name,
#define MODE_NOTE_AT(E, value, name, note) [value] = note,
static const char *const mode_names[] = {PROGRESS_MODE_LIST(MODE_NAME_AT)};
static const char *const mode_notes[] = {PROGRESS_MODE_LIST(MODE_NOTE_AT)};
#undef MODE_NAME_AT
#undef MODE_NOTE_AT
const cli_choices progress_modes = CLI_CHOICES(mode_names, NULL, mode_notes);

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

/* The log's columns, in their order: name, and the value's printf format
 * (a NaN value is an empty CSV cell, a JSON null). */
#define LOG_COLUMNS(X)                                                        \
    X(epoch, "%.0f")                                                          \
    X(iteration, "%.0f")                                                      \
    X(loss, "%.6f")                                                           \
    X(val_acc, "%.4f")                                                        \
    X(lr, "%.9g")                                                             \
    X(seconds, "%.3f")                                                        \
    X(samples_per_s, "%.0f")
#define NAME_OF(name, format) #name,
#define FORMAT_OF(name, format) format,
#define VALUE_OF(name, format) (double)r->name,
static const char *const column_names[] = {LOG_COLUMNS(NAME_OF)};
static const char *const column_formats[] = {LOG_COLUMNS(FORMAT_OF)};
#define N_COLUMNS (sizeof column_names / sizeof *column_names)

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
 * columns are this run's (then rows are appended), else the message. */
static bool same_columns(FILE *f, const char *path, bool json)
{
    char line[4096], have[1024], want[1024] = "";
    if (!fgets(line, sizeof line, f))
        return true;
    for (size_t i = 0; i < N_COLUMNS; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s",
                 i ? "," : "", column_names[i]);
    columns_of(line, json, have, sizeof have);
    if (strcmp(have, want) == 0)
        return true;
    cli_error("--log: %s has the columns %s, this run writes %s; give "
              "another file", path, have[0] ? have : "(none)", want);
    return false;
}

bool progress_open_log(progress *pr, const char *path, bool append)
{
    if (ends_with(path, ".jsonl")) {
        pr->log_json = true;
    } else if (!ends_with(path, ".csv")) {
        cli_error("--log: '%s' must end in .csv or .jsonl", path);
        return false;
    }
    FILE *old = append ? fopen(path, "r") : NULL;
    const bool ok = !old || same_columns(old, path, pr->log_json);
    const bool has_rows = old && ftell(old) > 0;
    if (old)
        fclose(old);
    if (!ok)
        return false;
    pr->log = fopen(path, has_rows ? "a" : "w");
    if (!pr->log) {
        cli_error("--log: cannot write %s", path);
        return false;
    }
    if (!pr->log_json && !has_rows)
        for (size_t i = 0; i < N_COLUMNS; i++)
            fprintf(pr->log, "%s%s", column_names[i],
                    i + 1 < N_COLUMNS ? "," : "\n");
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

/* One row of the log. */
static void log_row(progress *pr, const report *r)
{
    const double values[] = {LOG_COLUMNS(VALUE_OF)};
    if (pr->log_json)
        fputc('{', pr->log);
    for (size_t i = 0; i < N_COLUMNS; i++) {
        if (pr->log_json)
            fprintf(pr->log, "%s\"%s\": ", i ? ", " : "", column_names[i]);
        else if (i)
            fputc(',', pr->log);
        if (!isnan(values[i]))
            fprintf(pr->log, column_formats[i], values[i]);
        else if (pr->log_json)
            fputs("null", pr->log);
    }
    fputs(pr->log_json ? "}\n" : "\n", pr->log);
    fflush(pr->log);
}

void progress_report(progress *pr, const report *r)
{
    if (pr->reports) {
        if (pr->bar) {
            printf("\r\033[Kepoch %llu/%llu  iteration %llu  loss %.4f",
                   (unsigned long long)r->epoch,
                   (unsigned long long)r->epochs,
                   (unsigned long long)r->iteration, r->loss);
            if (!isnan(r->val_acc))
                printf("  val %.2f%%", 100.0 * r->val_acc);
            printf("  %.2fs  %.0f samples/s\n", r->seconds, r->samples_per_s);
        } else {
            /* Stable key=value fields, for scripts. */
            printf("epoch=%llu iteration=%llu loss=%.6f",
                   (unsigned long long)r->epoch,
                   (unsigned long long)r->iteration, r->loss);
            if (!isnan(r->val_acc))
                printf(" val_acc=%.4f", r->val_acc);
            printf(" seconds=%.3f samples_per_s=%.0f\n", r->seconds,
                   r->samples_per_s);
        }
        fflush(stdout);
    }
    if (pr->log)
        log_row(pr, r);
}
