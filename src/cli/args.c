/* args.c: what the subcommands share: strict parsing of option values,
 * usage errors, loading a model. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* "lnn: <prefix><message>\n" on stderr. */
static void vmessage(const char *prefix, const char *fmt, va_list ap)
{
    fprintf(stderr, "lnn: %s", prefix);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage("warning: ", fmt, ap);
    va_end(ap);
}

double cli_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int cli_common_option(cli_common *co, int c, const char *arg)
{
    uint64_t threads;
    const long cores = sysconf(_SC_NPROCESSORS_ONLN);
    switch (c) {
    case CLI_OPT_MODEL: co->model = arg; return 1;
    case CLI_OPT_DATA: co->data = arg; return 1;
    case CLI_OPT_THREADS:
        if (!cli_parse_u64("--threads", arg, 1, CLI_MAX_THREADS, &threads))
            return -1;
        /* More threads than cores: each team meeting waits for a thread
         * that has no core to run on (--threads 64 on 2 cores: 40x
         * slower). */
        if (cores > 0 && threads > (uint64_t)cores)
            cli_warn("--threads %llu is more than the %ld online cores: "
                     "expect it to be much slower than --threads %ld",
                     (unsigned long long)threads, cores, cores);
        co->threads = (int)threads;
        return 1;
    default: return 0;
    }
}

int cli_common_apply(const cli_common *co, const char *cmd, bool need_model)
{
    if (need_model && !co->model) {
        cli_error("%s: --model FILE is required; see 'lnn %s --help'", cmd,
                  cmd);
        return EXIT_USAGE;
    }
    if (co->threads)
        lnn_set_threads(co->threads);
    return EXIT_OK;
}

lnn_net *cli_model_load(const char *path, lnn_train_opts *opts,
                        size_t max_batch)
{
    char err[CLI_ERRLEN];
    lnn_net *net;
    if (lnn_model_load(&net, opts, path, max_batch, err, sizeof err) ==
        LNN_OK)
        return net;
    cli_error("%s", err);
    return NULL;
}

lnn_net *cli_model_load_chunked(const char *path, size_t batch)
{
    /* One column first, to learn the network's widths. */
    lnn_net *net = cli_model_load(path, NULL, 1);
    if (!net)
        return NULL;
    const size_t L = lnn_net_L(net), *dims = lnn_net_dims(net);
    /* a column of X, Y, predictions, and H and dZ of every layer */
    size_t per_col = dims[0] + dims[L] + 1;
    for (size_t l = 1; l <= L; l++)
        per_col += 2 * dims[l];
    per_col *= sizeof(float);
    if (batch > CLI_BATCH_BYTES / per_col)
        batch = CLI_BATCH_BYTES / per_col ? CLI_BATCH_BYTES / per_col : 1;
    if (batch == 1)
        return net;
    lnn_net_destroy(net);
    return cli_model_load(path, NULL, batch);
}

bool cli_parse_u64(const char *name, const char *s, uint64_t min, uint64_t max,
                   uint64_t *out)
{
    char *end;
    errno = 0;
    /* strtoull accepts "-1" (as a huge number) and leading spaces: refuse
     * anything but digits. */
    if (s[0] < '0' || s[0] > '9') {
        cli_error("%s: '%s' is not a whole number", name, s);
        return false;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0') {
        cli_error("%s: '%s' is not a whole number", name, s);
        return false;
    }
    if (errno == ERANGE || v < min || v > max) {
        cli_error("%s: %s is out of range (%llu to %llu)", name, s,
                  (unsigned long long)min, (unsigned long long)max);
        return false;
    }
    *out = v;
    return true;
}

bool cli_parse_size(const char *name, const char *s, size_t min, size_t max,
                    size_t *out)
{
    uint64_t v;
    if (!cli_parse_u64(name, s, min, max, &v))
        return false;
    *out = (size_t)v;
    return true;
}

bool cli_parse_float(const char *name, const char *s, double min, double max,
                     float *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v)) {
        cli_error("%s: '%s' is not a number", name, s);
        return false;
    }
    if (errno == ERANGE || v < min || v > max) {
        cli_error("%s: %s is out of range (%g to %g)", name, s, min, max);
        return false;
    }
    *out = (float)v;
    return true;
}

#define HIDDEN_NAME_AT(E, value, name, hidden, ...)                           \
    [value] = hidden ? #name : NULL,
static const char *const hidden_names[] = {
    LNN_ACTIVATION_LIST(HIDDEN_NAME_AT)};
#undef HIDDEN_NAME_AT
const cli_choices cli_hidden_activations =
    CLI_CHOICES(hidden_names, NULL, NULL);

bool cli_parse_choice(const char *name, const char *s, const cli_choices *c,
                      int *out)
{
    char list[256] = "";
    for (size_t i = 0; i < c->n; i++) {
        if (!c->names[i])
            continue;
        if (strcmp(s, c->names[i]) == 0 ||
            (c->olds && c->olds[i] && strcmp(s, c->olds[i]) == 0)) {
            *out = (int)i;
            return true;
        }
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
                 list[0] ? ", " : "", c->names[i]);
    }
    cli_error("%s: '%s' is not one of %s", name, s, list);
    return false;
}

bool cli_parse_activations(const char *name, const char *s,
                           lnn_activation *acts, size_t max, size_t *count)
{
    size_t n = 0;
    for (const char *p = s;; p += strcspn(p, ",") + 1) {
        char item[32];
        const size_t len = strcspn(p, ",");
        if (len >= sizeof item) {
            cli_error("%s: '%.*s' is not an activation", name, (int)len, p);
            return false;
        }
        if (n == max) {
            cli_error("%s: more than %zu activations", name, max);
            return false;
        }
        memcpy(item, p, len);
        item[len] = '\0';
        int which;
        if (!cli_parse_choice(name, item, &cli_hidden_activations, &which))
            return false;
        acts[n++] = (lnn_activation)which;
        if (p[len] == '\0')
            break;
    }
    *count = n;
    return true;
}

const char *cli_activations(const lnn_net *net, char *buf, size_t len)
{
    const size_t L = lnn_net_L(net);
    const lnn_activation first =
        L > 1 ? lnn_net_activation(net, 1) : lnn_net_hidden(net);
    bool same = true;
    for (size_t l = 2; l < L; l++)
        same = same && lnn_net_activation(net, l) == first;
    snprintf(buf, len, "%s", lnn_activation_name(first));
    for (size_t l = 2; !same && l < L; l++)
        snprintf(buf + strlen(buf), len - strlen(buf), ",%s",
                 lnn_activation_name(lnn_net_activation(net, l)));
    return buf;
}

bool cli_parse_sizes(const char *name, const char *s, const char *example,
                     size_t max, size_t *dims, size_t *count)
{
    size_t n = 0;
    const char *p = s;
    for (;;) {
        char item[32];
        const size_t len = strcspn(p, ",");
        if (len == 0 || len >= sizeof item) {
            cli_error("%s: '%s' is not a list of layer sizes like %s", name,
                      s, example);
            return false;
        }
        if (n == max) {
            cli_error("%s: more than %zu layer sizes", name, max);
            return false;
        }
        memcpy(item, p, len);
        item[len] = '\0';
        if (!cli_parse_size(name, item, 1, (size_t)1 << 24, &dims[n++]))
            return false;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    *count = n;
    return true;
}

bool cli_parse_layers(const char *name, const char *s, size_t *dims,
                      size_t *count)
{
    size_t n;
    if (!cli_parse_sizes(name, s, "784,256,10", LNN_CLI_MAX_DIMS, dims, &n))
        return false;
    if (n < 2) {
        cli_error("%s: a network needs at least 2 layer sizes (input and "
                  "output), got %zu", name, n);
        return false;
    }
    *count = n;
    return true;
}
