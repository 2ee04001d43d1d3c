/* outputs.c: what a model's outputs say, by its head: the classes and
 * their probabilities, the labels over a threshold, or values in the
 * targets' own units (the model's target scaling undone); as predict's
 * lines and as the columns of predict --output. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include "cli.h"

void cli_outputs_init(cli_outputs *o, const lnn_net *net, float threshold)
{
    const lnn_prep *p = lnn_net_prep(net);
    *o = (cli_outputs){
        .target = lnn_loss_target(lnn_net_loss(net)),
        .n = lnn_net_dims(net)[lnn_net_L(net)],
        .prep = p,
        .names = p ? p->names : NULL,
        .n_names = p ? p->n_classes : 0,
        .target_names = p ? p->target_names : NULL,
        .threshold = threshold,
    };
    /* one sigmoid output for a label column of two values: two classes */
    o->binary = o->target == LNN_TARGET_BINARY && o->n == 1 && o->names &&
                o->n_names == 2;
}

const char *cli_name_of(char *const *names, size_t i, char *buf,
                        size_t len)
{
    if (names)
        return names[i];
    snprintf(buf, len, "%zu", i);
    return buf;
}

/* The probabilities of the classes from the outputs y (n of them). */
static size_t class_probs(const cli_outputs *o, const float *y, float *p)
{
    if (o->binary) {
        p[0] = 1.0f - y[0];
        p[1] = y[0];
        return 2;
    }
    memcpy(p, y, o->n * sizeof *p);
    return o->n;
}

/* s as one CSV cell: quoted if it holds a comma, a quote or a line end. */
static void put_cell(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fprintf(f, ",%s", s);
        return;
    }
    fputs(",\"", f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void cli_outputs_header(const cli_outputs *o, FILE *f)
{
    char buf[24];
    fputs("row", f);
    if (o->id_name)
        put_cell(f, o->id_name);
    switch (o->target) {
    case LNN_TARGET_CLASSES:
    case LNN_TARGET_BINARY:
        if (o->target == LNN_TARGET_CLASSES || o->binary) {
            fputs(",label", f);
            for (size_t i = 0; i < (o->binary ? 2 : o->n); i++)
                fprintf(f, ",%s", cli_name_of(o->names, i, buf, sizeof buf));
            break;
        }
        for (size_t i = 0; i < o->n; i++)
            fprintf(f, ",%s",
                    cli_name_of(o->target_names, i, buf, sizeof buf));
        for (size_t i = 0; i < o->n; i++)
            fprintf(f, ",p_%s",
                    cli_name_of(o->target_names, i, buf, sizeof buf));
        break;
    case LNN_TARGET_VALUES:
        for (size_t i = 0; i < o->n; i++)
            fprintf(f, ",%s",
                    cli_name_of(o->target_names, i, buf, sizeof buf));
        break;
    }
    fputc('\n', f);
}

/* The argmax of p (n), the first on ties. */
static size_t best_of(const float *p, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (p[i] > p[best])
            best = i;
    return best;
}

void cli_outputs_row(const cli_outputs *o, FILE *f, size_t row,
                     const char *id, const float *y, float *scratch)
{
    char buf[24];
    fprintf(f, "%zu", row);
    if (o->id_name)
        put_cell(f, id ? id : "");
    if (o->target == LNN_TARGET_VALUES) {
        memcpy(scratch, y, o->n * sizeof *scratch);
        lnn_prep_unscale_targets(o->prep, scratch, o->n, 1);
        for (size_t i = 0; i < o->n; i++) /* %.9g: the exact float back */
            fprintf(f, ",%.9g", (double)scratch[i]);
    } else if (o->target == LNN_TARGET_CLASSES || o->binary) {
        const size_t k = class_probs(o, y, scratch);
        fprintf(f, ",%s", cli_name_of(o->names, best_of(scratch, k), buf,
                                  sizeof buf));
        for (size_t i = 0; i < k; i++)
            fprintf(f, ",%.9g", (double)scratch[i]);
    } else {
        for (size_t i = 0; i < o->n; i++)
            fprintf(f, ",%d", y[i] >= o->threshold);
        for (size_t i = 0; i < o->n; i++)
            fprintf(f, ",%.9g", (double)y[i]);
    }
    fputc('\n', f);
}

/* "name: class prob[, class prob]...": the top classes by probability
 * (ties: the lower class first). */
static void print_top(const cli_outputs *o, const float *p, size_t n,
                      size_t top)
{
    char buf[24];
    size_t prev = n; /* the class printed last */
    for (size_t k = 0; k < top; k++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            const bool after_prev = prev == n || p[i] < p[prev] ||
                                    (p[i] == p[prev] && i > prev);
            if (after_prev && (best == n || p[i] > p[best]))
                best = i;
        }
        if (best == n)
            break;
        printf("%s %s %.4f", k ? "," : "",
               cli_name_of(o->names, best, buf, sizeof buf), (double)p[best]);
        prev = best;
    }
}

void cli_outputs_line(const cli_outputs *o, const char *name, size_t index,
                      bool indexed, const float *y, size_t top,
                      float *scratch)
{
    char buf[24];
    if (indexed)
        printf("%s[%zu]:", name, index);
    else
        printf("%s:", name);
    if (o->target == LNN_TARGET_VALUES) {
        memcpy(scratch, y, o->n * sizeof *scratch);
        lnn_prep_unscale_targets(o->prep, scratch, o->n, 1);
        for (size_t i = 0; i < o->n && o->n > 1; i++)
            printf("%s %s %.6g", i ? "," : "",
                   cli_name_of(o->target_names, i, buf, sizeof buf),
                   (double)scratch[i]);
        if (o->n == 1)
            printf(" %.6g", (double)scratch[0]);
    } else if (o->target == LNN_TARGET_CLASSES || o->binary) {
        const size_t k = class_probs(o, y, scratch);
        print_top(o, scratch, k, top < k ? top : k);
    } else {
        size_t shown = 0;
        for (size_t i = 0; i < o->n; i++)
            if (y[i] >= o->threshold)
                printf("%s %s %.4f", shown++ ? "," : "",
                       cli_name_of(o->target_names, i, buf, sizeof buf),
                       (double)y[i]);
        if (!shown)
            printf(" (no label)");
    }
    printf("\n");
}
