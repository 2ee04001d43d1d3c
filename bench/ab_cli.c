/* ab_cli.c: lnn-bench --ab BASE_EXE [options]: its options, the run, the
 * reports it writes and its exit status. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ab.h"

#define AB_DEFAULT_REPS 5
#define AB_DEFAULT_SAMPLE_MS 0.5
#define AB_DEFAULT_WARMUP_MS 2.0
#define AB_DEFAULT_ROUNDS 30
#define AB_DEFAULT_MAX_ROUNDS 90
#define AB_DEFAULT_STEP_ROUNDS 10
#define AB_DEFAULT_TIME_LIMIT_S 120.0
#define AB_DEFAULT_THRESHOLD 0.05
#define AB_DEFAULT_OVERALL_THRESHOLD 0.02
#define AB_DEFAULT_LEVEL 0.95
#define AB_DEFAULT_RESAMPLES 4000
#define AB_DEFAULT_SEED 1
#define AB_ROUNDS_MAX 100000
#define AB_RESAMPLES_MAX 1000000

static void usage(FILE *f)
{
    fprintf(f,
"Usage: lnn-bench --ab BASE_EXE [options]\n"
"Run this lnn-bench (the candidate) and BASE_EXE (the base; any lnn-bench\n"
"from commit 42a5ba7 on, or a script that runs one) side by side, in short\n"
"rounds of one child process each in a random order, and say per row and\n"
"overall whether the candidate is faster, the same, slower, or whether the\n"
"run could not tell. Defaults are in brackets.\n"
"\n"
"      --ab BASE_EXE       the base executable\n"
"      --ab-candidate EXE  the candidate [this lnn-bench]\n"
"      --threshold F       practical threshold: slower only when the whole\n"
"                          interval of a row's ratio lies above 1 + F [%g]\n"
"      --overall-threshold F  the same for the median over rows [%g]\n"
"      --level F           confidence over all rows together [%g]\n"
"      --rounds N          rounds before the first verdict [%d]\n"
"      --max-rounds N      rounds at most, re-measuring undecided rows [%d]\n"
"      --step-rounds N     rounds per re-measurement [%d]\n"
"      --time-limit S      start no round after S seconds [%g]\n"
"      --resamples N       bootstrap resamples [%d]\n"
"      --seed N            seed of the order and the bootstrap [%d]\n"
"  -s, --sizes LIST        the children's rows, as for lnn-bench [--quick's]\n"
"  -b, --batches LIST      (idem)\n"
"  -n, --nets LIST         (idem)\n"
"  -t, --threads N         passed on to both children\n"
"  -r, --reps N            samples per row in one child [%d]\n"
"      --sample-ms MS      the children's sample length [%g]\n"
"  -w, --warmup-ms MS      the children's warm-up [%g]\n"
"      --json FILE         write the verdicts as JSON\n"
"      --markdown FILE     write the report as Markdown (also appended to\n"
"                          $GITHUB_STEP_SUMMARY when that is set)\n"
"      --junit FILE        write JUnit XML: a test case per row\n"
"  -h, --help              show this and exit\n"
"\n"
"Exit status: 0 same or faster; 1 slower; 2 an error; 3 inconclusive.\n",
            AB_DEFAULT_THRESHOLD, AB_DEFAULT_OVERALL_THRESHOLD,
            AB_DEFAULT_LEVEL, AB_DEFAULT_ROUNDS,
            AB_DEFAULT_MAX_ROUNDS, AB_DEFAULT_STEP_ROUNDS,
            AB_DEFAULT_TIME_LIMIT_S, AB_DEFAULT_RESAMPLES, AB_DEFAULT_SEED,
            AB_DEFAULT_REPS, AB_DEFAULT_SAMPLE_MS, AB_DEFAULT_WARMUP_MS);
}

bool bench_ab_requested(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--ab") == 0 ||
            strncmp(argv[i], "--ab=", 5) == 0)
            return true;
    return false;
}

/* A number in [lo, hi]; whole: an integer. */
static bool parse_number(const char *s, double lo, double hi, bool whole,
                         double *out)
{
    char *end;
    errno = 0;
    const double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi) ||
        (whole && v != floor(v)))
        return false;
    *out = v;
    return true;
}

/* The numeric options, in the order of num_opts. */
enum {
    NUM_THRESHOLD, NUM_OVERALL_THRESHOLD, NUM_LEVEL, NUM_ROUNDS, NUM_MAX_ROUNDS, NUM_STEP_ROUNDS,
    NUM_TIME_LIMIT, NUM_RESAMPLES, NUM_SEED, NUM_REPS, NUM_SAMPLE_MS,
    NUM_WARMUP_MS, N_NUM
};

/* Codes of the other options (getopt_long's val). */
enum { OPT_AB = 256, OPT_CAND, OPT_JSON, OPT_MARKDOWN, OPT_JUNIT, OPT_NUM };

typedef struct num_opt {
    const char *name;
    double lo, hi, value; /* range and default */
    bool whole;
} num_opt;

static const num_opt num_opts[N_NUM] = {
    [NUM_THRESHOLD] = {"threshold", 0.0, 0.99, AB_DEFAULT_THRESHOLD, false},
    [NUM_OVERALL_THRESHOLD] = {"overall-threshold", 0.0, 0.99,
                               AB_DEFAULT_OVERALL_THRESHOLD, false},
    [NUM_LEVEL] = {"level", 0.5, 0.9999, AB_DEFAULT_LEVEL, false},
    [NUM_ROUNDS] = {"rounds", 1, AB_ROUNDS_MAX, AB_DEFAULT_ROUNDS, true},
    [NUM_MAX_ROUNDS] = {"max-rounds", 1, AB_ROUNDS_MAX,
                        AB_DEFAULT_MAX_ROUNDS, true},
    [NUM_STEP_ROUNDS] = {"step-rounds", 1, AB_ROUNDS_MAX,
                         AB_DEFAULT_STEP_ROUNDS, true},
    [NUM_TIME_LIMIT] = {"time-limit", 0.0, 1e6, AB_DEFAULT_TIME_LIMIT_S,
                        false},
    [NUM_RESAMPLES] = {"resamples", 100, AB_RESAMPLES_MAX,
                       AB_DEFAULT_RESAMPLES, true},
    [NUM_SEED] = {"seed", 0, 9007199254740992.0, AB_DEFAULT_SEED, true},
    [NUM_REPS] = {"reps", 1, 10000, AB_DEFAULT_REPS, true},
    [NUM_SAMPLE_MS] = {"sample-ms", 1e-3, 1e4, AB_DEFAULT_SAMPLE_MS, false},
    [NUM_WARMUP_MS] = {"warmup-ms", 0.0, 1e4, AB_DEFAULT_WARMUP_MS, false},
};

/* The options: the strings, then the numbers of num_opts. */
static const struct option longopts[] = {
    {"ab", required_argument, NULL, OPT_AB},
    {"ab-candidate", required_argument, NULL, OPT_CAND},
    {"json", required_argument, NULL, OPT_JSON},
    {"markdown", required_argument, NULL, OPT_MARKDOWN},
    {"junit", required_argument, NULL, OPT_JUNIT},
    {"sizes", required_argument, NULL, 's'},
    {"batches", required_argument, NULL, 'b'},
    {"nets", required_argument, NULL, 'n'},
    {"threads", required_argument, NULL, 't'},
    {"help", no_argument, NULL, 'h'},
    {"threshold", required_argument, NULL, OPT_NUM + NUM_THRESHOLD},
    {"overall-threshold", required_argument, NULL,
     OPT_NUM + NUM_OVERALL_THRESHOLD},
    {"level", required_argument, NULL, OPT_NUM + NUM_LEVEL},
    {"rounds", required_argument, NULL, OPT_NUM + NUM_ROUNDS},
    {"max-rounds", required_argument, NULL, OPT_NUM + NUM_MAX_ROUNDS},
    {"step-rounds", required_argument, NULL, OPT_NUM + NUM_STEP_ROUNDS},
    {"time-limit", required_argument, NULL, OPT_NUM + NUM_TIME_LIMIT},
    {"resamples", required_argument, NULL, OPT_NUM + NUM_RESAMPLES},
    {"seed", required_argument, NULL, OPT_NUM + NUM_SEED},
    {"reps", required_argument, NULL, OPT_NUM + NUM_REPS},
    {"sample-ms", required_argument, NULL, OPT_NUM + NUM_SAMPLE_MS},
    {"warmup-ms", required_argument, NULL, OPT_NUM + NUM_WARMUP_MS},
    {NULL, 0, NULL, 0},
};

/* o's numbers from the parsed values. */
static void take_numbers(ab_options *o, const double num[N_NUM])
{
    o->threshold = num[NUM_THRESHOLD];
    o->overall_threshold = num[NUM_OVERALL_THRESHOLD];
    o->level = num[NUM_LEVEL];
    o->rounds = (size_t)num[NUM_ROUNDS];
    o->max_rounds = (size_t)fmax(num[NUM_MAX_ROUNDS], num[NUM_ROUNDS]);
    o->step_rounds = (size_t)num[NUM_STEP_ROUNDS];
    o->time_limit_s = num[NUM_TIME_LIMIT];
    o->resamples = (size_t)num[NUM_RESAMPLES];
    o->seed = (uint64_t)num[NUM_SEED];
    o->reps = (size_t)num[NUM_REPS];
    o->sample_ms = num[NUM_SAMPLE_MS];
    o->warmup_ms = num[NUM_WARMUP_MS];
}

/* Fill o from argv. Returns 0, 1 after --help, -1 on a bad option (with
 * a message on stderr). */
static int parse_options(int argc, char **argv, ab_options *o)
{
    double num[N_NUM];
    for (int k = 0; k < N_NUM; k++)
        num[k] = num_opts[k].value;
    *o = (ab_options){.exe = {NULL, "/proc/self/exe"}};
    int c;
    while ((c = getopt_long(argc, argv, "s:b:n:t:r:w:h", longopts, NULL)) !=
           -1) {
        const int k = c == 'r'   ? NUM_REPS
                      : c == 'w' ? NUM_WARMUP_MS
                                 : c - OPT_NUM;
        if (k >= 0 && k < N_NUM) {
            if (!parse_number(optarg, num_opts[k].lo, num_opts[k].hi,
                              num_opts[k].whole, &num[k])) {
                fprintf(stderr, "lnn-bench: bad value for --%s: '%s' (see "
                        "--ab --help)\n", num_opts[k].name, optarg);
                return -1;
            }
            continue;
        }
        switch (c) {
        case OPT_AB: o->exe[AB_BASE] = optarg; break;
        case OPT_CAND: o->exe[AB_CAND] = optarg; break;
        case OPT_JSON: o->json = optarg; break;
        case OPT_MARKDOWN: o->markdown = optarg; break;
        case OPT_JUNIT: o->junit = optarg; break;
        case 's': o->sizes = optarg; break;
        case 'b': o->batches = optarg; break;
        case 'n': o->nets = optarg; break;
        case 't': o->threads = optarg; break;
        case 'h':
            usage(stdout);
            return 1;
        default: /* getopt_long has said what was wrong */
            fprintf(stderr, "Try 'lnn-bench --ab BASE --help'.\n");
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "lnn-bench: unexpected argument '%s'\n",
                argv[optind]);
        return -1;
    }
    take_numbers(o, num);
    return 0;
}

/* Write path with emit (checked); nothing without a path. */
static int write_report(const char *path, const char *mode,
                        void (*emit)(FILE *f, const ab_run *run),
                        const ab_run *run)
{
    if (!path)
        return 0;
    FILE *f = bench_open(path, mode);
    if (!f)
        return -1;
    emit(f, run);
    return bench_close(f, path);
}

int bench_ab_main(int argc, char **argv)
{
    ab_options o;
    const int parsed = parse_options(argc, argv, &o);
    if (parsed != 0)
        return parsed > 0 ? BENCH_EXIT_OK : BENCH_EXIT_ERROR;
    ab_run run = {.o = &o, .seed = o.seed};
    int status = BENCH_EXIT_ERROR;
    if (ab_measure(&run) != 0)
        goto done;
    ab_emit_text(stdout, &run);
    if (write_report(o.json, "w", ab_emit_json, &run) != 0 ||
        write_report(o.markdown, "w", ab_emit_markdown, &run) != 0 ||
        write_report(o.junit, "w", ab_emit_junit, &run) != 0 ||
        write_report(getenv("GITHUB_STEP_SUMMARY"), "a", ab_emit_markdown,
                     &run) != 0)
        goto done;
    switch (run.verdict) {
    case STATS_SAME:
    case STATS_FASTER: status = BENCH_EXIT_OK; break;
    case STATS_SLOWER: status = BENCH_EXIT_SLOWER; break;
    case STATS_INCONCLUSIVE: status = BENCH_EXIT_INCONCLUSIVE; break;
    }
done:
    ab_run_free(&run);
    return status;
}
