/* plot_log.c: a run's reports for its plot: kept as lnn train reports
 * them, or read back from its --log (CSV with a header row, or JSON
 * lines), column by column name. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

#define LOG_LINE_MAX 4096
#define LOG_COLUMNS_MAX 32

enum { COL_EPOCH, COL_LOSS, COL_VAL_LOSS, COL_METRIC, COL_LR, N_COLS };

bool plot_history_add(plot_history *h, double epoch, double loss,
                      double val_loss, double metric, double lr)
{
    if (h->n == h->cap) {
        const size_t cap = h->cap ? 2 * h->cap : 64;
        double **cols[N_COLS] = {&h->epoch, &h->loss, &h->val_loss,
                                 &h->metric, &h->lr};
        for (int k = 0; k < N_COLS; k++) {
            double *p = realloc(*cols[k], cap * sizeof *p);
            if (!p)
                return false;
            *cols[k] = p;
        }
        h->cap = cap;
    }
    h->epoch[h->n] = epoch;
    h->loss[h->n] = loss;
    h->val_loss[h->n] = val_loss;
    h->metric[h->n] = metric;
    h->lr[h->n] = lr;
    h->n++;
    return true;
}

void plot_history_free(plot_history *h)
{
    free(h->epoch);
    free(h->loss);
    free(h->val_loss);
    free(h->metric);
    free(h->lr);
    *h = (plot_history){0};
}

/* Which of our columns a log's column is (-1: none), the first val_
 * column other than val_loss being the metric. */
static int column_of(plot_history *h, const char *name, bool *have_metric)
{
    static const char *const fixed[] = {"epoch", "loss", "val_loss"};
    for (int k = 0; k < 3; k++)
        if (strcmp(name, fixed[k]) == 0)
            return k;
    if (strcmp(name, "lr") == 0)
        return COL_LR;
    if (*have_metric && strcmp(name, h->metric_name) == 0)
        return COL_METRIC;
    if (!*have_metric && strncmp(name, "val_", 4) == 0) {
        *have_metric = true;
        snprintf(h->metric_name, sizeof h->metric_name, "%s", name);
        return COL_METRIC;
    }
    return -1;
}

static bool add_row(plot_history *h, const double v[N_COLS], const char *path,
                    size_t line, char *err, size_t errlen)
{
    if (isnan(v[COL_EPOCH])) {
        snprintf(err, errlen, "%s:%zu: no epoch", path, line);
        return false;
    }
    if (!plot_history_add(h, v[COL_EPOCH], v[COL_LOSS], v[COL_VAL_LOSS],
                          v[COL_METRIC], v[COL_LR])) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    return true;
}

/* One CSV data row by the header's columns; an empty field is NaN. */
static bool csv_row(plot_history *h, char *s, const int *col, size_t n_cols,
                    const char *path, size_t line, char *err, size_t errlen)
{
    double v[N_COLS] = {NAN, NAN, NAN, NAN, NAN};
    size_t k = 0;
    for (char *field = s; field; k++) {
        char *comma = strchr(field, ',');
        if (comma)
            *comma = '\0';
        field[strcspn(field, "\r\n")] = '\0';
        if (k < n_cols && col[k] >= 0 && field[0]) {
            char *end;
            const double x = strtod(field, &end);
            if (*end) {
                snprintf(err, errlen, "%s:%zu: field %zu: \"%.40s\" is not "
                         "a number", path, line, k + 1, field);
                return false;
            }
            v[col[k]] = x;
        }
        field = comma ? comma + 1 : NULL;
    }
    if (k != n_cols) {
        snprintf(err, errlen, "%s:%zu: %zu fields, the header has %zu", path,
                 line, k, n_cols);
        return false;
    }
    return add_row(h, v, path, line, err, errlen);
}

static bool read_csv(plot_history *h, FILE *f, const char *path, char *err,
                     size_t errlen)
{
    char buf[LOG_LINE_MAX];
    int col[LOG_COLUMNS_MAX];
    size_t n_cols = 0, line = 1;
    bool have_metric = false;
    if (!fgets(buf, sizeof buf, f)) {
        snprintf(err, errlen, "%s: empty", path);
        return false;
    }
    for (char *name = strtok(buf, ",\r\n"); name && n_cols < LOG_COLUMNS_MAX;
         name = strtok(NULL, ",\r\n"))
        col[n_cols++] = column_of(h, name, &have_metric);
    bool has_epoch = false;
    for (size_t k = 0; k < n_cols; k++)
        has_epoch = has_epoch || col[k] == COL_EPOCH;
    if (!has_epoch) {
        snprintf(err, errlen, "%s: no epoch column in the header (not an "
                 "lnn train --log file)", path);
        return false;
    }
    while (fgets(buf, sizeof buf, f)) {
        line++;
        if (buf[strspn(buf, "\r\n")] == '\0')
            continue;
        if (!csv_row(h, buf, col, n_cols, path, line, err, errlen))
            return false;
    }
    return true;
}

static bool read_jsonl(plot_history *h, FILE *f, const char *path, char *err,
                       size_t errlen)
{
    char buf[LOG_LINE_MAX];
    size_t line = 0;
    bool have_metric = false;
    while (fgets(buf, sizeof buf, f)) {
        line++;
        if (buf[strspn(buf, " \t\r\n")] == '\0')
            continue;
        json_error_t je;
        json_t *o = json_loads(buf, 0, &je);
        if (!json_is_object(o)) {
            snprintf(err, errlen, "%s:%zu: not a JSON object", path, line);
            json_decref(o);
            return false;
        }
        double v[N_COLS] = {NAN, NAN, NAN, NAN, NAN};
        const char *key;
        json_t *value;
        json_object_foreach(o, key, value) {
            const int k = column_of(h, key, &have_metric);
            if (k >= 0 && json_is_number(value))
                v[k] = json_number_value(value);
        }
        json_decref(o);
        if (!add_row(h, v, path, line, err, errlen))
            return false;
    }
    return true;
}

bool plot_history_read(plot_history *h, const char *path, char *err,
                       size_t errlen)
{
    *h = (plot_history){0};
    const size_t n = strlen(path);
    const bool json = n > 6 && strcmp(path + n - 6, ".jsonl") == 0;
    if (!json && !(n > 4 && strcmp(path + n - 4, ".csv") == 0)) {
        snprintf(err, errlen, "%s: a log is a .csv or .jsonl file (lnn train "
                 "--log)", path);
        return false;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    bool ok = json ? read_jsonl(h, f, path, err, errlen)
                   : read_csv(h, f, path, err, errlen);
    if (ok && h->n == 0) {
        snprintf(err, errlen, "%s: no rows", path);
        ok = false;
    }
    fclose(f);
    if (!ok)
        plot_history_free(h);
    return ok;
}
