/* report.c: lnn eval's report of a model on one split, by its head:
 * classification (accuracy with a Wilson interval, log loss, balanced
 * accuracy, macro and weighted F1, per-class precision, recall and F1,
 * ROC and PR AUC of a binary task, the confusion matrix), regression
 * (RMSE with a bootstrap interval, MAE, R^2, per target, in the targets'
 * own units) and multi-label (subset accuracy, Hamming loss, micro and
 * macro F1, per label); as text, or as one JSON object (jansson). */
#define _POSIX_C_SOURCE 200809L

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plot.h"

#define Z_95 1.959963984540054 /* the normal quantile of a 95 % interval */
#define BOOTSTRAP_ROUNDS 1000
#define CONFUSION_MAX 30       /* classes of a printed confusion matrix */
#define CONFUSION_CELLS 10     /* else its largest off-diagonal cells */
#define CONFUSION_FULL 1024    /* classes kept as a whole matrix */

/* What one split gives: the outputs P and targets (n x m; values
 * un-scaled), or the classes of each row. */
typedef struct scored {
    const cli_outputs *what;
    size_t n, m, k;   /* outputs, rows, classes (k: 2 for one binary) */
    float *P;         /* n x m outputs */
    float *T;         /* n x m targets (labels, values), or NULL */
    int32_t *truth;   /* m true classes (classes), or NULL */
    lnn_metrics lib;  /* the library's evaluation (its loss) */
} scored;

/* Run the split through the net: P, and the targets as the head needs.
 * false with *status LNN_ERR_NOMEM or the net's failure (a model that does
 * not fit the data). */
static bool score(lnn_net *net, const lnn_data *d, const cli_outputs *what,
                  scored *s, lnn_status *status)
{
    *status = LNN_ERR_NOMEM;
    const size_t n = what->n, m = d->m;
    *s = (scored){.what = what, .n = n, .m = m,
                  .k = what->binary ? 2 : n};
    if ((*status = lnn_evaluate(net, d, &s->lib, NULL)) != LNN_OK)
        return false;
    *status = LNN_ERR_NOMEM;
    s->P = malloc(n * m * sizeof *s->P);
    if (!s->P)
        return false;
    for (size_t j0 = 0; j0 < m; j0 += lnn_net_max_batch(net)) {
        const size_t b = lnn_net_max_batch(net);
        const size_t cols = m - j0 < b ? m - j0 : b;
        const float *HL;
        if ((*status = lnn_forward_data(net, d, j0, cols, &HL)) != LNN_OK)
            return false;
        memcpy(s->P + j0 * n, HL, cols * n * sizeof *s->P);
    }
    *status = LNN_ERR_NOMEM;
    if (what->target == LNN_TARGET_CLASSES || what->binary) {
        if (!(s->truth = malloc(m * sizeof *s->truth)))
            return false;
        for (size_t j = 0; j < m; j++) {
            size_t t = 0; /* one-hot Y's argmax, or the binary label */
            for (size_t i = 1; !d->labels && i < n; i++)
                t = d->Y[i + j * n] > d->Y[t + j * n] ? i : t;
            if (what->binary)
                t = d->Y[j] >= 0.5f;
            s->truth[j] = d->labels ? d->labels[j] : (int32_t)t;
        }
        return true;
    }
    if (!(s->T = malloc(n * m * sizeof *s->T)))
        return false;
    memcpy(s->T, d->Y, n * m * sizeof *s->T);
    if (what->target == LNN_TARGET_VALUES) {
        lnn_prep_unscale_targets(what->prep, s->P, n, m);
        lnn_prep_unscale_targets(what->prep, s->T, n, m);
    }
    return true;
}

static void scored_free(scored *s)
{
    free(s->P);
    free(s->T);
    free(s->truth);
}

/* precision, recall and F1 from counts (0 where undefined, as
 * scikit-learn's zero_division=0). */
static void prf(double tp, double fp, double fn, double out[3])
{
    out[0] = tp + fp > 0 ? tp / (tp + fp) : 0.0;
    out[1] = tp + fn > 0 ? tp / (tp + fn) : 0.0;
    out[2] = out[0] + out[1] > 0 ? 2 * out[0] * out[1] / (out[0] + out[1])
                                 : 0.0;
}

/* The Wilson score interval of a proportion p of n. */
static void wilson(double p, double n, double ci[2])
{
    const double z2 = Z_95 * Z_95, den = 1 + z2 / n;
    const double mid = (p + z2 / (2 * n)) / den;
    const double half = Z_95 * sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / den;
    ci[0] = mid - half;
    ci[1] = mid + half;
}

static json_t *interval(const double ci[2])
{
    return json_pack("[f, f]", ci[0], ci[1]);
}

static const char *class_name(const scored *s, size_t c, char *buf,
                              size_t len)
{
    return cli_name_of(s->what->names, c, buf, len);
}

/* The class probabilities of row j (k of them) into p. */
static void row_probs(const scored *s, size_t j, float *p)
{
    const float *y = s->P + j * s->n;
    if (s->what->binary) {
        p[0] = 1.0f - y[0];
        p[1] = y[0];
    } else {
        memcpy(p, y, s->k * sizeof *p);
    }
}

/* Binary: ROC AUC (the probability a positive outscores a negative, ties
 * half) and PR AUC (average precision), positive = class 1. */
static int by_score_desc(const void *a, const void *b)
{
    const float x = ((const float *)a)[0], y = ((const float *)b)[0];
    return (x < y) - (x > y);
}

static void binary_aucs(const scored *s, double *roc, double *pr)
{
    float (*r)[2] = malloc(s->m * sizeof *r);
    *roc = *pr = NAN;
    if (!r)
        return;
    size_t pos = 0;
    for (size_t j = 0; j < s->m; j++) {
        float p[2];
        row_probs(s, j, p);
        r[j][0] = p[1];
        r[j][1] = (float)(s->truth[j] == 1);
        pos += s->truth[j] == 1;
    }
    qsort(r, s->m, sizeof *r, by_score_desc);
    const double neg = (double)(s->m - pos);
    double tp = 0, fp = 0, area = 0, ap = 0;
    for (size_t j = 0; j < s->m;) {
        double dtp = 0, dfp = 0;
        size_t e = j;
        for (; e < s->m && r[e][0] == r[j][0]; e++)
            *(r[e][1] > 0 ? &dtp : &dfp) += 1;
        area += dfp * (tp + dtp / 2); /* negatives below these positives */
        tp += dtp;
        fp += dfp;
        if (dtp > 0)
            ap += dtp / (double)pos * tp / (tp + fp);
        j = e;
    }
    if (pos > 0 && neg > 0)
        *roc = area / ((double)pos * neg);
    if (pos > 0)
        *pr = ap;
    free(r);
}

/* Counts of a classification: the confusion matrix (k x k, when k is at
 * most CONFUSION_FULL) and per class true positives, predictions and
 * support. */
typedef struct counts {
    size_t *confusion; /* [t * k + p], or NULL */
    size_t *tp, *predicted, *support;
    size_t correct;
    double log_loss;   /* mean -log p(true class) */
} counts;

static bool count_classes(const scored *s, counts *c)
{
    const size_t k = s->k;
    *c = (counts){.tp = calloc(k, sizeof(size_t)),
                  .predicted = calloc(k, sizeof(size_t)),
                  .support = calloc(k, sizeof(size_t))};
    float *p = malloc(k * sizeof *p);
    if (k <= CONFUSION_FULL)
        c->confusion = calloc(k * k, sizeof *c->confusion);
    if (!c->tp || !c->predicted || !c->support || !p ||
        (k <= CONFUSION_FULL && !c->confusion)) {
        free(p);
        return false;
    }
    for (size_t j = 0; j < s->m; j++) {
        row_probs(s, j, p);
        size_t best = 0;
        for (size_t i = 1; i < k; i++)
            best = p[i] > p[best] ? i : best;
        const size_t t = (size_t)s->truth[j];
        c->support[t]++;
        c->predicted[best]++;
        c->tp[t] += best == t;
        c->correct += best == t;
        c->log_loss -= log(fmax((double)p[t], 1e-15));
        if (c->confusion)
            c->confusion[t * k + best]++;
    }
    c->log_loss /= (double)s->m;
    free(p);
    return true;
}

static void counts_free(counts *c)
{
    free(c->confusion);
    free(c->tp);
    free(c->predicted);
    free(c->support);
}

/* The confusion matrix with full class names, while it has at most
 * CONFUSION_MAX classes; else its largest off-diagonal cells. */
static void print_confusion(const scored *s, const counts *c)
{
    const size_t k = s->k;
    char buf[24], b2[24];
    if (!c->confusion)
        return;
    if (k > CONFUSION_MAX) {
        printf("most frequent confusions (true -> predicted: rows)\n");
        for (size_t shown = 0; shown < CONFUSION_CELLS; shown++) {
            size_t best = 0, best_n = 0; /* the largest left, k^2 each */
            for (size_t x = 0; x < k * k; x++)
                if (x / k != x % k && c->confusion[x] > best_n) {
                    best = x;
                    best_n = c->confusion[x];
                }
            if (best_n == 0)
                break;
            printf("  %s -> %s: %zu\n", class_name(s, best / k, buf, 24),
                   class_name(s, best % k, b2, 24), best_n);
            c->confusion[best] = 0; /* printed */
        }
        return;
    }
    size_t w = 6;
    for (size_t i = 0; i < k; i++)
        w = strlen(class_name(s, i, buf, 24)) > w
                ? strlen(class_name(s, i, buf, 24)) : w;
    printf("confusion matrix (rows: true class, columns: predicted)\n");
    printf("%*s", (int)w, "");
    for (size_t p = 0; p < k; p++)
        printf(" %*s", (int)w, class_name(s, p, buf, 24));
    printf("\n");
    for (size_t t = 0; t < k; t++) {
        printf("%*s", (int)w, class_name(s, t, buf, 24));
        for (size_t p = 0; p < k; p++)
            printf(" %*zu", (int)w, c->confusion[t * k + p]);
        printf("\n");
    }
}

/* --plot: the confusion matrix as a heat map. */
static bool draw_confusion(const scored *s, const counts *c, double acc,
                           const cli_report_opts *ro)
{
    char title[CLI_ERRLEN], err[CLI_ERRLEN];
    snprintf(title, sizeof title, "lnn eval: %s, %s split, accuracy %.2f %%",
             ro->model, ro->split, 100.0 * acc);
    if (c->confusion && plot_confusion(c->confusion, s->k, s->what->names,
                                       title, ro->plot, err, sizeof err))
        return true;
    cli_error("%s", c->confusion ? err : "--plot: too many classes to draw");
    return false;
}

/* Classification: the JSON object, and the text when not json. */
static bool report_classes(const scored *s, json_t *o,
                           const cli_report_opts *ro)
{
    const bool json = ro->json;
    counts c;
    if (!count_classes(s, &c)) {
        counts_free(&c);
        return false;
    }
    const size_t k = s->k;
    const double m = (double)s->m, acc = (double)c.correct / m;
    double ci[2], bal = 0, macro = 0, weighted = 0, seen = 0, r[3];
    wilson(acc, m, ci);
    json_t *per = json_object();
    char buf[24];
    for (size_t i = 0; i < k; i++) {
        prf((double)c.tp[i], (double)(c.predicted[i] - c.tp[i]),
            (double)(c.support[i] - c.tp[i]), r);
        json_object_set_new(per, class_name(s, i, buf, sizeof buf),
                            json_pack("{s:f, s:f, s:f, s:I}", "precision",
                                      r[0], "recall", r[1], "f1", r[2],
                                      "support", (json_int_t)c.support[i]));
        if (c.support[i] || c.predicted[i]) {
            seen++;
            macro += r[2];
        }
        bal += c.support[i] ? r[1] : 0;
        weighted += r[2] * (double)c.support[i] / m;
    }
    size_t present = 0;
    for (size_t i = 0; i < k; i++)
        present += c.support[i] > 0;
    bal /= (double)present;
    macro /= seen;
    json_object_set_new(o, "accuracy", json_real(acc));
    json_object_set_new(o, "accuracy_ci", interval(ci));
    json_object_set_new(o, "log_loss", json_real(c.log_loss));
    json_object_set_new(o, "balanced_accuracy", json_real(bal));
    json_object_set_new(o, "macro_f1", json_real(macro));
    json_object_set_new(o, "weighted_f1", json_real(weighted));
    json_object_set_new(o, "per_class", per);
    double roc = NAN, pr = NAN;
    if (k == 2) {
        binary_aucs(s, &roc, &pr);
        json_object_set_new(o, "roc_auc", json_real(roc));
        json_object_set_new(o, "pr_auc", json_real(pr));
    }
    if (!json) {
        printf("loss %.4f  accuracy %.2f%%\n", s->lib.loss, 100.0 * acc);
        printf("95%% interval %.2f%% .. %.2f%% (Wilson); log loss %.4f; "
               "balanced %.4f; macro F1 %.4f; weighted F1 %.4f\n",
               100.0 * ci[0], 100.0 * ci[1], c.log_loss, bal, macro,
               weighted);
        if (k == 2)
            printf("ROC AUC %.4f  PR AUC %.4f (positive: %s)\n", roc, pr,
                   class_name(s, 1, buf, sizeof buf));
    }
    /* drawn before printing, which keeps only the largest cells of a
     * large matrix */
    const bool drawn = !ro->plot || draw_confusion(s, &c, acc, ro);
    if (!json)
        print_confusion(s, &c);
    counts_free(&c);
    return drawn;
}

/* RMSE, MAE and R^2 of target i over the rows idx (m of them; NULL: all). */
static void value_errors(const scored *s, size_t i, const size_t *idx,
                         double out[3])
{
    double sse = 0, sae = 0, sy = 0, syy = 0;
    for (size_t r = 0; r < s->m; r++) {
        const size_t j = idx ? idx[r] : r;
        const double y = s->T[i + j * s->n];
        const double d = (double)s->P[i + j * s->n] - y;
        sse += d * d;
        sae += fabs(d);
        sy += y;
        syy += y * y;
    }
    const double m = (double)s->m, sst = syy - sy * sy / m;
    out[0] = sqrt(sse / m);
    out[1] = sae / m;
    out[2] = sst > 0 ? 1 - sse / sst : sse == 0 ? 1.0 : 0.0;
}

/* The mean RMSE over targets of rows idx. */
static double mean_rmse(const scored *s, const size_t *idx)
{
    double sum = 0, e[3];
    for (size_t i = 0; i < s->n; i++) {
        value_errors(s, i, idx, e);
        sum += e[0];
    }
    return sum / (double)s->n;
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A percentile bootstrap interval of the mean RMSE: BOOTSTRAP_ROUNDS
 * resamples of the rows, drawn by a fixed-seed xorshift (the same interval
 * on every run). */
static bool bootstrap_rmse(const scored *s, double ci[2])
{
    size_t *idx = malloc(s->m * sizeof *idx);
    double *v = malloc(BOOTSTRAP_ROUNDS * sizeof *v);
    if (!idx || !v) {
        free(idx);
        free(v);
        return false;
    }
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (size_t b = 0; b < BOOTSTRAP_ROUNDS; b++) {
        for (size_t r = 0; r < s->m; r++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            idx[r] = (size_t)(x % s->m);
        }
        v[b] = mean_rmse(s, idx);
    }
    qsort(v, BOOTSTRAP_ROUNDS, sizeof *v, by_value);
    ci[0] = v[(size_t)(0.025 * BOOTSTRAP_ROUNDS)];
    ci[1] = v[(size_t)(0.975 * BOOTSTRAP_ROUNDS) - 1];
    free(idx);
    free(v);
    return true;
}

static const char *target_name(const scored *s, size_t i, char *buf,
                               size_t len)
{
    return cli_name_of(s->what->target_names, i, buf, len);
}

/* --plot: predicted against true values. */
static bool draw_values(const scored *s, const cli_report_opts *ro,
                        double rmse)
{
    char title[CLI_ERRLEN], err[CLI_ERRLEN];
    snprintf(title, sizeof title, "lnn eval: %s, %s split, rmse %.4g",
             ro->model, ro->split, rmse);
    if (plot_scatter(s->P, s->T, s->n, s->m, s->what->target_names, title,
                     ro->plot, err, sizeof err))
        return true;
    cli_error("%s", err);
    return false;
}

static bool report_values(const scored *s, json_t *o,
                          const cli_report_opts *ro)
{
    const bool json = ro->json;
    double mean[3] = {0, 0, 0}, e[3], ci[2];
    char buf[24];
    if (!bootstrap_rmse(s, ci))
        return false;
    json_t *per = json_object();
    for (size_t i = 0; i < s->n; i++) {
        value_errors(s, i, NULL, e);
        for (int q = 0; q < 3; q++)
            mean[q] += e[q] / (double)s->n;
        json_object_set_new(per, target_name(s, i, buf, sizeof buf),
                            json_pack("{s:f, s:f, s:f}", "rmse", e[0], "mae",
                                      e[1], "r2", e[2]));
    }
    json_object_set_new(o, "rmse", json_real(mean[0]));
    json_object_set_new(o, "rmse_ci", interval(ci));
    json_object_set_new(o, "mae", json_real(mean[1]));
    json_object_set_new(o, "r2", json_real(mean[2]));
    json_object_set_new(o, "per_target", per);
    if (ro->plot && !draw_values(s, ro, mean[0]))
        return false;
    if (json)
        return true;
    printf("loss %.4f  rmse %.6g  mae %.6g  r2 %.4f\n", s->lib.loss, mean[0],
           mean[1], mean[2]);
    printf("rmse 95%% interval %.6g .. %.6g (bootstrap, %d resamples)\n",
           ci[0], ci[1], BOOTSTRAP_ROUNDS);
    for (size_t i = 0; s->n > 1 && i < s->n; i++) {
        value_errors(s, i, NULL, e);
        printf("  %-20s rmse %.6g  mae %.6g  r2 %.4f\n",
               target_name(s, i, buf, sizeof buf), e[0], e[1], e[2]);
    }
    return true;
}

static bool report_labels(const scored *s, json_t *o, bool json)
{
    const size_t n = s->n;
    const float th = s->what->threshold;
    size_t exact = 0, wrong = 0;
    double TP = 0, FP = 0, FN = 0, macro = 0, r[3], ci[2];
    char buf[24];
    json_t *per = json_object();
    for (size_t i = 0; i < n; i++) {
        double tp = 0, fp = 0, fn = 0, support = 0;
        for (size_t j = 0; j < s->m; j++) {
            const bool p = s->P[i + j * n] >= th, t = s->T[i + j * n] >= 0.5f;
            tp += p && t;
            fp += p && !t;
            fn += !p && t;
            support += t;
        }
        prf(tp, fp, fn, r);
        macro += r[2] / (double)n;
        TP += tp, FP += fp, FN += fn;
        json_object_set_new(per, target_name(s, i, buf, sizeof buf),
                            json_pack("{s:f, s:f, s:f, s:I}", "precision",
                                      r[0], "recall", r[1], "f1", r[2],
                                      "support", (json_int_t)support));
    }
    for (size_t j = 0; j < s->m; j++) {
        size_t w = 0;
        for (size_t i = 0; i < n; i++)
            w += (s->P[i + j * n] >= th) != (s->T[i + j * n] >= 0.5f);
        exact += w == 0;
        wrong += w;
    }
    const double subset = (double)exact / (double)s->m;
    const double hamming = (double)wrong / ((double)s->m * (double)n);
    prf(TP, FP, FN, r);
    wilson(subset, (double)s->m, ci);
    json_object_set_new(o, "subset_accuracy", json_real(subset));
    json_object_set_new(o, "subset_accuracy_ci", interval(ci));
    json_object_set_new(o, "hamming_loss", json_real(hamming));
    json_object_set_new(o, "micro_f1", json_real(r[2]));
    json_object_set_new(o, "macro_f1", json_real(macro));
    json_object_set_new(o, "per_label", per);
    if (!json)
        printf("loss %.4f  subset accuracy %.2f%% (95%% interval %.2f%% .. "
               "%.2f%%)  hamming loss %.4f  micro F1 %.4f  macro F1 %.4f\n",
               s->lib.loss, 100.0 * subset, 100.0 * ci[0], 100.0 * ci[1],
               hamming, r[2], macro);
    return true;
}

int cli_report(lnn_net *net, const lnn_data *d, const cli_report_opts *ro)
{
    const char *model = ro->model;
    const bool json = ro->json;
    cli_outputs what;
    cli_outputs_init(&what, net, 0.5f);
    if (ro->plot && what.target == LNN_TARGET_BINARY && !what.binary) {
        cli_error("--plot: a multi-label model has no picture yet");
        return EXIT_USAGE;
    }
    scored s;
    lnn_status status;
    const bool scored_ok = score(net, d, &what, &s, &status);
    if (!scored_ok && status != LNN_ERR_NOMEM) {
        /* the model does not fit the data: a usage error, named */
        cli_error("%s: %s", model, lnn_net_errmsg(net));
        scored_free(&s);
        return EXIT_USAGE;
    }
    json_t *o = json_pack("{s:s, s:I}", "task",
                          what.target == LNN_TARGET_CLASSES || what.binary
                              ? "classification"
                          : what.target == LNN_TARGET_VALUES ? "regression"
                                                             : "multilabel",
                          "rows", (json_int_t)d->m);
    if (!isfinite(s.lib.loss) && s.lib.rows) {
        cli_error("%s: the network's output is not finite on %s (an input "
                  "too large for the model?)", model, ro->data);
        json_decref(o);
        scored_free(&s);
        return EXIT_RUNTIME;
    }
    bool ok = scored_ok && o;
    if (ok) {
        json_object_set_new(o, "loss", json_real(s.lib.loss));
        ok = what.target == LNN_TARGET_VALUES ? report_values(&s, o, ro)
             : what.target == LNN_TARGET_CLASSES || what.binary
                 ? report_classes(&s, o, ro)
                 : report_labels(&s, o, json);
    }
    if (ok && json) {
        char *text = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
        ok = text != NULL;
        if (text)
            printf("%s\n", text);
        free(text);
    }
    if (!ok)
        cli_error("eval: out of memory for the report of %zu rows", d->m);
    json_decref(o);
    scored_free(&s);
    return ok ? EXIT_OK : EXIT_RUNTIME;
}
