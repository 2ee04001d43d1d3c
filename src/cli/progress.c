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
    if (!pr->log_json)
        fprintf(pr->log,
                "epoch,iteration,loss,val_acc,lr,seconds,samples_per_s\n");
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

void progress_report(progress *pr, const report *r)
{
    if (!pr->quiet) {
        if (pr->tty) {
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
    if (!pr->log)
        return;
    if (pr->log_json) {
        fprintf(pr->log, "{\"epoch\": %llu, \"iteration\": %llu, "
                "\"loss\": %.6f, \"val_acc\": ", (unsigned long long)r->epoch,
                (unsigned long long)r->iteration, r->loss);
        if (isnan(r->val_acc))
            fputs("null", pr->log);
        else
            fprintf(pr->log, "%.4f", r->val_acc);
        fprintf(pr->log, ", \"lr\": %.9g, \"seconds\": %.3f, "
                "\"samples_per_s\": %.0f}\n", r->lr, r->seconds,
                r->samples_per_s);
    } else {
        fprintf(pr->log, "%llu,%llu,%.6f,", (unsigned long long)r->epoch,
                (unsigned long long)r->iteration, r->loss);
        if (!isnan(r->val_acc))
            fprintf(pr->log, "%.4f", r->val_acc);
        fprintf(pr->log, ",%.9g,%.3f,%.0f\n", r->lr, r->seconds,
                r->samples_per_s);
    }
    fflush(pr->log);
}
