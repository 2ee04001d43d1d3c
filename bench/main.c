/* main.c: lnn-bench's options, then the run: the sweep, the reports, and
 * the comparison with a baseline (measuring rows that fail again). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ab.h"

/* The defaults: the square sweep and the MNIST network's three layers (its
 * output layer with its softmax); the MNIST network, and a wide one. --quick
 * keeps the shapes where the elementwise kernels weigh most against the
 * GEMMs, and the two networks. */
#define FULL_SIZES \
    "64,128,256,512,1024,2048,4096,784-256,256-128,128-10:softmax"
#define FULL_BATCHES "32,128,512"
#define QUICK_SIZES "64,256,784-256,256-128,128-10:softmax"
#define QUICK_BATCHES "128,512"
#define DEFAULT_NETS \
    "784-256-128-10@128,784-1024-1024-10@256,784-256-128-10@128/adam," \
    "784-256-128-10@128/sgd,1000-256-256-10@32/adam+sparse," \
    "784-256-128-10@128:gelu," \
    "784-256-128-10@128:silu,784-256-128-10@128:tanh," \
    "784-256-128-10@128:leaky_relu,784-256-128-10@128:elu," \
    "784-256-128-10@128+loop,784-256-128-10@128+dropout," \
    "784-256-128-10@128+balanced,784-256-128-10@128+clip," \
    "784-256-128-10@128+bce,784-256-128-10@128+mse"
#define DEFAULT_REPS 30
#define DEFAULT_BLOCK 10
#define DEFAULT_SAMPLE_MS 0.5
#define DEFAULT_WARMUP_MS 10.0
#define FULL_PEAK_N 2048
#define QUICK_PEAK_N 1024
#define DEFAULT_TOLERANCE 0.25
#define DEFAULT_TIME_TOLERANCE 2.0
#define DEFAULT_RETRIES 2

typedef struct options {
    bench_sweep sweep;
    int threads;             /* 0: the library's default */
    bool quick;
    const char *json, *markdown, *svg, *compare;
    double tolerance, time_tolerance;
    size_t retries;
} options;

static void usage(FILE *f)
{
    fprintf(f,
"Usage: lnn-bench [options]\n"
"Time one layer's feedforward and backprop per layer size and batch size,\n"
"whole training steps, and the bare sgemm calls of the same shapes (the\n"
"GEMM bound). Defaults are in brackets.\n"
"\n"
"  -s, --sizes LIST        layers, comma-separated: N (N -> N) or NPREV-N,\n"
"                          each optionally :ACTIVATION (relu, gelu, ...,\n"
"                          softmax)\n"
"                          [" FULL_SIZES "]\n"
"                          [--quick: " QUICK_SIZES "]\n"
"  -b, --batches LIST      batch sizes m [" FULL_BATCHES "; --quick: "
QUICK_BATCHES "]\n"
"  -n, --nets LIST         networks for training-step rows, N0-N1-...-NL@M\n"
"                          (hidden layers relu; @M:ACTIVATION another;\n"
"                          +VARIANT: the training loop's step, +loop, or\n"
"                          it with +dropout, +balanced, +clip, +bce, +mse),\n"
"                          and for long-run rows, N0-...-NL@M/OPTIMIZER (a\n"
"                          whole training of 2000 updates on MNIST-like\n"
"                          images; /OPTIMIZER+sparse on bag-of-words counts,\n"
"                          most features rare); \"long\": the default\n"
"                          list's long-run rows alone; or \"none\"\n"
"                          [" DEFAULT_NETS "]\n"
"  -t, --threads N         threads for lnn (OpenMP) [all OpenMP's threads]\n"
"  -r, --reps N            timed samples per measurement [%d]\n"
"      --block N           samples of one task in a row [%d]\n"
"      --sample-ms MS      length of one sample [%g]\n"
"  -w, --warmup-ms MS      untimed run before each block [%g]\n"
"      --peak N            size of the square sgemm for the peak [%d; "
"--quick: %d]\n"
"  -q, --quick             a small sweep that takes a few seconds (CI)\n"
"      --json FILE         write the results as JSON (bench/README.md)\n"
"      --markdown FILE     write the report as Markdown\n"
"      --svg FILE          write a chart of GFLOP/s and efficiency\n"
"      --compare FILE      compare with a baseline written by --json\n"
"      --tolerance F       a row fails if its efficiency falls by more than\n"
"                          this fraction [%g]\n"
"      --time-tolerance F  in the baseline's setup (CPU, BLAS, threads), a\n"
"                          row fails if its median time rises by more than\n"
"                          this fraction [%g]\n"
"      --retries N         measure a failing row again, up to N times; it\n"
"                          fails if every attempt does [%d]\n"
"  -h, --help              show this and exit\n"
"\n"
"lnn-bench --ab BASE_EXE [options] instead runs this lnn-bench and another\n"
"side by side and says whether this one is slower (--ab BASE --help).\n"
"\n"
"Exit status: 0 ok; 1 --compare found a slower row; 2 an error.\n",
            DEFAULT_REPS, DEFAULT_BLOCK, DEFAULT_SAMPLE_MS, DEFAULT_WARMUP_MS,
            FULL_PEAK_N, QUICK_PEAK_N, DEFAULT_TOLERANCE,
            DEFAULT_TIME_TOLERANCE, DEFAULT_RETRIES);
}

/* A whole decimal number in [1, INT32_MAX] (sizes go to BLAS as int);
 * *end gets what follows it. */
static bool parse_count(const char *s, size_t *out, const char **end)
{
    char *e;
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    const unsigned long long v = strtoull(s, &e, 10);
    if (errno != 0 || v == 0 || v > INT32_MAX)
        return false;
    *out = (size_t)v;
    *end = e;
    return true;
}

static bool parse_whole_count(const char *s, size_t *out)
{
    const char *end;
    return parse_count(s, out, &end) && *end == '\0';
}

static bool parse_nonnegative(const char *s, double *out)
{
    char *end;
    errno = 0;
    const double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < 0.0)
        return false;
    *out = v;
    return true;
}

/* Sizes joined by '-' ("784-256-128-10"): at most max of them. *end gets
 * what follows. Returns the count, or 0 on a syntax error. */
static size_t parse_dims(const char *s, size_t *dims, size_t max,
                         const char **end)
{
    size_t k = 0;
    for (;;) {
        if (k == max || !parse_count(s, &dims[k], &s))
            return 0;
        k++;
        if (*s != '-')
            break;
        s++;
    }
    *end = s;
    return k;
}

/* Any activation of lnn.h's list (a network's hidden layers: not
 * softmax). */
static bool parse_activation(const char *s, lnn_activation *f)
{
    return lnn_activation_from_name(s, f) == LNN_OK;
}

/* One --sizes entry: "N", "NPREV-N", either with ":act". */
static bool parse_shape(const char *s, bench_shape *out)
{
    size_t dims[2];
    const char *end;
    const size_t k = parse_dims(s, dims, 2, &end);
    if (k == 0)
        return false;
    out->n_prev = dims[0];
    out->n = dims[k - 1];
    out->f = LNN_ACT_RELU;
    if (*end == ':')
        return parse_activation(end + 1, &out->f);
    return *end == '\0';
}

/* The name after *s's first character, up to a '+' or the end, into out
 * (size bytes); *s then points at that '+' or end. */
static bool take_name(const char **s, char *out, size_t size)
{
    const size_t len = strcspn(*s + 1, "+");
    if (len >= size)
        return false;
    memcpy(out, *s + 1, len);
    out[len] = '\0';
    *s += 1 + len;
    return true;
}

/* The act column's label: first, then "+second" unless second is "". */
static bool make_label(bench_net_spec *out, const char *first,
                       const char *second)
{
    const int w = snprintf(out->label, sizeof out->label, "%s%s%s", first,
                           *second ? "+" : "", second);
    return w > 0 && (size_t)w < sizeof out->label;
}

/* The step row's ":ACT" (an activation other than softmax; relu if
 * absent) and "+VARIANT" after its batch size, and the act column's label
 * they make ("relu", "gelu+dropout"). */
static bool parse_step_tail(const char *s, bench_net_spec *out)
{
    out->f = LNN_ACT_RELU;
    out->variant = BENCH_EXERCISE;
    char act[BENCH_TEXT_MAX];
    if (*s == ':' &&
        (!take_name(&s, act, sizeof act) || !parse_activation(act, &out->f) ||
         out->f == LNN_ACT_SOFTMAX))
        return false;
    if (*s == '+' && !bench_variant_from_name(s + 1, &out->variant))
        return false;
    if (*s != '+' && *s != '\0')
        return false;
    return make_label(out, lnn_activation_name(out->f),
                      bench_variant_name(out->variant));
}

/* The train row's "/OPT[+DATA]" after its batch size (the images if no
 * DATA), and the act column's label they make ("adam", "adam+sparse"). */
static bool parse_train_tail(const char *s, bench_net_spec *out)
{
    char opt[BENCH_TEXT_MAX];
    if (!take_name(&s, opt, sizeof opt) ||
        lnn_optimizer_from_name(opt, &out->opt) != LNN_OK)
        return false;
    out->data = BENCH_DATA_IMAGES;
    if (*s == '+' && !bench_data_from_name(s + 1, &out->data))
        return false;
    return make_label(out, lnn_optimizer_name(out->opt),
                      bench_data_name(out->data));
}

/* One --nets entry: "N0-...-NL@M[:ACT][+VARIANT]" (a step row) or
 * "N0-...-NL@M/OPT[+DATA]" (a train row). */
static bool parse_net(const char *s, bench_net_spec *out)
{
    const char *end;
    const size_t k = parse_dims(s, out->dims, BENCH_NET_MAX, &end);
    if (k < 2 || *end != '@' || !parse_count(end + 1, &out->m, &end))
        return false;
    out->L = k - 1;
    out->train = *end == '/';
    if (out->train)
        return parse_train_tail(end, out);
    return parse_step_tail(end, out);
}

/* Split a comma-separated list and parse each entry into items (of
 * item_size bytes each, at most BENCH_LIST_MAX). */
static bool parse_list(const char *list, void *items, size_t item_size,
                       size_t *count, bool (*parse)(const char *, void *))
{
    char entry[BENCH_TEXT_MAX];
    *count = 0;
    for (const char *s = list;; s++) {
        const size_t len = strcspn(s, ",");
        if (*count == BENCH_LIST_MAX || len == 0 || len >= sizeof entry)
            return false;
        memcpy(entry, s, len);
        entry[len] = '\0';
        if (!parse(entry, (char *)items + *count * item_size))
            return false;
        ++*count;
        s += len;
        if (*s == '\0')
            return true;
    }
}

/* parse_list's adaptors. */
static bool parse_shape_item(const char *s, void *out)
{
    return parse_shape(s, out);
}

static bool parse_batch_item(const char *s, void *out)
{
    return parse_whole_count(s, out);
}

static bool parse_net_item(const char *s, void *out)
{
    return parse_net(s, out);
}

static int bad_value(const char *option, const char *value)
{
    fprintf(stderr, "lnn-bench: bad value for --%s: '%s' (see --help)\n",
            option, value);
    return -1;
}

enum {
    OPT_SAMPLE_MS = 256, OPT_BLOCK, OPT_PEAK, OPT_JSON, OPT_MARKDOWN, OPT_SVG,
    OPT_COMPARE, OPT_TOLERANCE, OPT_TIME_TOLERANCE, OPT_RETRIES
};

static const struct option longopts[] = {
    {"sizes", required_argument, NULL, 's'},
    {"batches", required_argument, NULL, 'b'},
    {"nets", required_argument, NULL, 'n'},
    {"threads", required_argument, NULL, 't'},
    {"reps", required_argument, NULL, 'r'},
    {"warmup-ms", required_argument, NULL, 'w'},
    {"block", required_argument, NULL, OPT_BLOCK},
    {"sample-ms", required_argument, NULL, OPT_SAMPLE_MS},
    {"peak", required_argument, NULL, OPT_PEAK},
    {"quick", no_argument, NULL, 'q'},
    {"json", required_argument, NULL, OPT_JSON},
    {"markdown", required_argument, NULL, OPT_MARKDOWN},
    {"svg", required_argument, NULL, OPT_SVG},
    {"compare", required_argument, NULL, OPT_COMPARE},
    {"tolerance", required_argument, NULL, OPT_TOLERANCE},
    {"time-tolerance", required_argument, NULL, OPT_TIME_TOLERANCE},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The options as given, before the sweep is built from them. */
typedef struct given {
    const char *sizes, *batches, *nets;
    size_t reps, block, threads, peak;
    double sample_ms, warmup_ms;
} given;

/* One option, c, with its value v: into o or g. 0, or -1 on a bad value
 * (said). */
static int take_option(int c, const char *v, options *o, given *g)
{
    switch (c) {
    case 's': g->sizes = v; return 0;
    case 'b': g->batches = v; return 0;
    case 'n': g->nets = v; return 0;
    case 'q': o->quick = true; return 0;
    case OPT_JSON: o->json = v; return 0;
    case OPT_MARKDOWN: o->markdown = v; return 0;
    case OPT_SVG: o->svg = v; return 0;
    case OPT_COMPARE: o->compare = v; return 0;
    case 't':
        return parse_whole_count(v, &g->threads) ? 0 : bad_value("threads", v);
    case 'r': return parse_whole_count(v, &g->reps) ? 0 : bad_value("reps", v);
    case 'w':
        return parse_nonnegative(v, &g->warmup_ms) ? 0
                                                   : bad_value("warmup-ms", v);
    case OPT_BLOCK:
        return parse_whole_count(v, &g->block) ? 0 : bad_value("block", v);
    case OPT_SAMPLE_MS:
        return parse_nonnegative(v, &g->sample_ms) && g->sample_ms > 0.0
                   ? 0 : bad_value("sample-ms", v);
    case OPT_PEAK:
        return parse_whole_count(v, &g->peak) ? 0 : bad_value("peak", v);
    case OPT_TOLERANCE:
        return parse_nonnegative(v, &o->tolerance) && o->tolerance < 1.0
                   ? 0 : bad_value("tolerance", v);
    case OPT_TIME_TOLERANCE:
        return parse_nonnegative(v, &o->time_tolerance)
                   ? 0 : bad_value("time-tolerance", v);
    case OPT_RETRIES:
        if (strcmp(v, "0") == 0) { /* not a count, but allowed */
            o->retries = 0;
            return 0;
        }
        return parse_whole_count(v, &o->retries) ? 0 : bad_value("retries", v);
    default: return -1;
    }
}

/* --nets long: only the default list's long-run (train) rows. */
static void keep_long_runs(bench_sweep *sw)
{
    size_t kept = 0;
    for (size_t i = 0; i < sw->n_nets; i++)
        if (sw->nets[i].train)
            sw->nets[kept++] = sw->nets[i];
    sw->n_nets = kept;
}

/* The sweep from the options given: the lists parsed, the plan set. 0, or
 * -1 on a bad list (said). */
static int build_sweep(options *o, const given *g)
{
    const char *sizes = g->sizes ? g->sizes
                        : o->quick ? QUICK_SIZES : FULL_SIZES;
    const char *batches = g->batches ? g->batches
                          : o->quick ? QUICK_BATCHES : FULL_BATCHES;
    bench_sweep *sw = &o->sweep;
    if (!parse_list(sizes, sw->shapes, sizeof sw->shapes[0], &sw->n_shapes,
                    parse_shape_item))
        return bad_value("sizes", sizes);
    if (!parse_list(batches, sw->batches, sizeof sw->batches[0],
                    &sw->n_batches, parse_batch_item))
        return bad_value("batches", batches);
    const bool long_only = strcmp(g->nets, "long") == 0;
    const char *nets = long_only ? DEFAULT_NETS : g->nets;
    if (strcmp(nets, "none") != 0 &&
        !parse_list(nets, sw->nets, sizeof sw->nets[0], &sw->n_nets,
                    parse_net_item))
        return bad_value("nets", g->nets);
    if (long_only)
        keep_long_runs(sw);
    o->threads = (int)g->threads;
    sw->plan = (bench_plan){
        .reps = g->reps,
        .block = g->block,
        .sample_s = 1e-3 * g->sample_ms,
        .warmup_s = 1e-3 * g->warmup_ms,
    };
    sw->peak_n = g->peak ? g->peak : o->quick ? QUICK_PEAK_N : FULL_PEAK_N;
    return 0;
}

/* Fill o from argv. Returns 0, 1 after --help, -1 on a bad option (with a
 * message on stderr). */
static int parse_options(int argc, char **argv, options *o)
{
    given g = {.nets = DEFAULT_NETS, .reps = DEFAULT_REPS,
               .block = DEFAULT_BLOCK, .sample_ms = DEFAULT_SAMPLE_MS,
               .warmup_ms = DEFAULT_WARMUP_MS};
    *o = (options){.tolerance = DEFAULT_TOLERANCE,
                   .time_tolerance = DEFAULT_TIME_TOLERANCE,
                   .retries = DEFAULT_RETRIES};
    int c;
    while ((c = getopt_long(argc, argv, "s:b:n:t:r:w:qh", longopts, NULL)) !=
           -1) {
        if (c == 'h') {
            usage(stdout);
            return 1;
        }
        if (c == '?' || c == ':') { /* getopt_long has said what was wrong */
            fprintf(stderr, "Try 'lnn-bench --help'.\n");
            return -1;
        }
        if (take_option(c, optarg, o, &g) != 0)
            return -1;
    }
    if (optind < argc) {
        fprintf(stderr, "lnn-bench: unexpected argument '%s' (see --help)\n",
                argv[optind]);
        return -1;
    }
    return build_sweep(o, &g);
}

/* Measure again, up to o->retries times, the rows that fail the
 * comparison: a row fails only if every attempt does. */
static int retry_slower(const options *o, const bench_baseline *b,
                        bench_report *r)
{
    for (unsigned attempt = 1; attempt <= o->retries; attempt++) {
        for (size_t i = 0; i < r->n_rows; i++) {
            /* a layer's two rows are measured together: once per round */
            if (r->rows[i].attempts == attempt &&
                bench_row_slower(b, &r->rows[i], &r->machine, o->tolerance,
                                 o->time_tolerance) &&
                bench_remeasure(&o->sweep, r, i) != 0)
                return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (bench_ab_requested(argc, argv))
        return bench_ab_main(argc, argv);
    options o;
    const int parsed = parse_options(argc, argv, &o);
    if (parsed != 0)
        return parsed > 0 ? BENCH_EXIT_OK : BENCH_EXIT_ERROR;
    /* lnn's thread arrangement, set for the whole process with the one
     * explicit call (src/threads.h, rule 5): the library's public calls set
     * it only for their own duration, and the bare GEMMs are timed through
     * the library's internal passes, outside any public call. --threads
     * changes the team's size. */
    const int threads = o.threads > 0 ? o.threads : lnn_omp_threads();
    if (lnn_set_threads(threads) != LNN_OK) {
        fprintf(stderr, "lnn-bench: cannot use %d threads\n", threads);
        return BENCH_EXIT_ERROR;
    }

    /* Read the baseline first: a bad one should not cost a whole run. */
    bench_baseline *baseline = NULL;
    if (o.compare && bench_baseline_load(&baseline, o.compare) != 0)
        return BENCH_EXIT_ERROR;

    bench_report r = {.quick = o.quick, .plan = o.sweep.plan};
    bench_machine_probe(&r.machine);
    if (r.machine.forced_kernel)
        fprintf(stderr, "lnn-bench: warning: OPENBLAS_CORETYPE=%s forces "
                "OpenBLAS's %s kernel; a user's machine runs the kernel "
                "OpenBLAS picks for its CPU (unset OPENBLAS_CORETYPE to "
                "measure that)\n", r.machine.forced_kernel,
                r.machine.kernel);
    int status = BENCH_EXIT_ERROR;
    if (bench_run(&o.sweep, &r) != 0 ||
        (baseline && retry_slower(&o, baseline, &r) != 0))
        goto done;
    bench_print_report(stdout, &r);
    if ((o.json && bench_write_file(o.json, bench_emit_json, &r) != 0) ||
        (o.markdown &&
         bench_write_file(o.markdown, bench_emit_markdown, &r) != 0) ||
        (o.svg && bench_write_file(o.svg, bench_emit_svg, &r) != 0))
        goto done;
    status = BENCH_EXIT_OK;
    if (baseline)
        status = bench_compare(stdout, baseline, &r, o.tolerance,
                               o.time_tolerance);
done:
    bench_baseline_free(baseline);
    free(r.rows);
    return status;
}
