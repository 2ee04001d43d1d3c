/* progress.c: lnn train's output. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <string.h>

#include "cli.h"
#include "progress.h"

#define BAR_WIDTH 30
#define REDRAW_SECONDS 0.1

static bool ends_with(const char *s, const char *suffix)
{
    const size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* One field of a report: its key, value and format; NaN is a value not
 * measured (left out of the line, empty in CSV, null in JSON). */
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
        {"lr", r->lr, "%.6g"},
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

bool progress_open_log(progress *pr, const char *path)
{
    if (ends_with(path, ".jsonl")) {
        pr->log_json = true;
    } else if (!ends_with(path, ".csv")) {
        cli_error("--log: '%s' must end in .csv or .jsonl", path);
        return false;
    }
    pr->log = fopen(path, "w");
    if (!pr->log) {
        cli_error("--log: cannot write %s", path);
        return false;
    }
    if (!pr->log_json) {
        field f[N_FIELDS];
        report_fields(pr, &(report){0}, f);
        for (size_t i = 0; i < N_FIELDS; i++)
            fprintf(pr->log, "%s%s", i ? "," : "", f[i].key);
        fputc('\n', pr->log);
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
    if (!pr->tty || pr->quiet)
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

/* The log row of f: CSV or JSON lines. */
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
    if (!pr->quiet) {
        if (pr->tty) {
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
