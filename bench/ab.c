/* ab.c: the rounds of lnn-bench --ab. Each round runs the base and the
 * candidate once each, one after the other in an order drawn afresh (so
 * neither always meets the machine as the other left it), each child doing
 * one short pass of the rows still wanted and writing its JSON into a
 * private temporary directory. A warm-up round first, not counted, finds
 * the rows both executables have. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ab.h"

extern char **environ;

#define AB_PEAK_N "64"       /* the children's peak sgemm: small, unused */
#define AB_IDLE_ROW "8"      /* a tiny layer when only networks are wanted */
#define AB_ARGS_MAX 32
#define AB_LIST_BYTES 4096   /* a --sizes, --batches or --nets list */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The lists of what the next round measures. */
typedef struct ab_lists {
    char sizes[AB_LIST_BYTES], batches[AB_LIST_BYTES], nets[AB_LIST_BYTES];
} ab_lists;

/* Append ",item" (or "item" to an empty list) unless it is there. */
static int add_item(char *list, const char *item)
{
    const size_t len = strlen(list), n = strlen(item);
    for (const char *s = list; *s;) {
        const size_t k = strcspn(s, ",");
        if (k == n && strncmp(s, item, n) == 0)
            return 0;
        s += k + (s[k] == ',');
    }
    if (len + n + 2 > AB_LIST_BYTES)
        return -1;
    if (len)
        list[len] = ',';
    memcpy(list + len + (len > 0), item, n + 1);
    return 0;
}

/* The layer shapes, batch sizes and networks of the wanted rows (a
 * layer's every shape runs at every batch size: a few rows more). */
static int wanted_lists(const ab_run *run, ab_lists *l)
{
    char item[2 * BENCH_DIMS_MAX + 32];
    memset(l, 0, sizeof *l);
    for (size_t i = 0; i < run->n_rows; i++) {
        const ab_row *row = &run->rows[i];
        if (!row->wanted)
            continue;
        int rc;
        if (row->kind == BENCH_STEP || row->kind == BENCH_TRAIN) {
            /* a step row's hidden activation when it is not relu (as an
             * lnn-bench before per-activation rows names every step) */
            const bool act = row->kind == BENCH_TRAIN ||
                             strcmp(row->act, "relu") != 0;
            snprintf(item, sizeof item, "%s@%zu%s%s", row->dims, row->m,
                     !act ? "" : row->kind == BENCH_TRAIN ? "/" : ":",
                     act ? row->act : "");
            rc = add_item(l->nets, item);
        } else {
            snprintf(item, sizeof item, "%s:%s", row->dims, row->act);
            rc = add_item(l->sizes, item);
            snprintf(item, sizeof item, "%zu", row->m);
            rc |= add_item(l->batches, item);
        }
        if (rc != 0) {
            fprintf(stderr, "lnn-bench: --ab: too many rows to list\n");
            return -1;
        }
    }
    if (!l->sizes[0]) {
        strcpy(l->sizes, AB_IDLE_ROW);
        strcpy(l->batches, AB_IDLE_ROW);
    }
    if (!l->nets[0])
        strcpy(l->nets, "none");
    return 0;
}

/* Run exe with its options for one pass writing json; its stdout goes to
 * /dev/null. Returns 0, or -1 with a message. */
static int run_child(const ab_options *o, const char *exe, const char *json,
                     const ab_lists *l)
{
    char reps[32], sample[32], warmup[32];
    snprintf(reps, sizeof reps, "%zu", o->reps);
    snprintf(sample, sizeof sample, "%g", o->sample_ms);
    snprintf(warmup, sizeof warmup, "%g", o->warmup_ms);
    const char *argv[AB_ARGS_MAX] = {
        exe, "--quick", "--reps", reps, "--block", reps, "--sample-ms",
        sample, "--warmup-ms", warmup, "--peak", AB_PEAK_N, "--json", json,
    };
    size_t argc = 14;
    const char *opt[][2] = {{"--sizes", l ? l->sizes : o->sizes},
                            {"--batches", l ? l->batches : o->batches},
                            {"--nets", l ? l->nets : o->nets},
                            {"--threads", o->threads}};
    for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++)
        if (opt[i][1]) {
            argv[argc++] = opt[i][0];
            argv[argc++] = opt[i][1];
        }
    argv[argc] = NULL;

    posix_spawn_file_actions_t fa;
    pid_t pid;
    int err = posix_spawn_file_actions_init(&fa);
    if (err == 0)
        err = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO,
                                               "/dev/null", O_WRONLY, 0);
    if (err == 0)
        /* posix_spawn's argv is char *const[] for historical reasons; it
         * does not write to the strings. */
        err = posix_spawn(&pid, exe, &fa, NULL, (char *const *)(void *)argv,
                          environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err != 0) {
        fprintf(stderr, "lnn-bench: cannot run %s: %s\n", exe, strerror(err));
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "lnn-bench: waitpid: %s\n", strerror(errno));
            return -1;
        }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "lnn-bench: %s failed (%s %d)\n", exe,
                WIFEXITED(status) ? "exit status" : "signal",
                WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return -1;
    }
    return 0;
}

static const bench_result *find(const bench_result *res, size_t n,
                                const ab_row *row)
{
    for (size_t i = 0; i < n; i++)
        if (res[i].kind == row->kind && res[i].m == row->m &&
            strcmp(res[i].dims, row->dims) == 0 &&
            strcmp(res[i].act, row->act) == 0)
            return &res[i];
    return NULL;
}

/* The rows of the warm-up: those both executables measured. */
static int take_rows(ab_run *run, bench_baseline *const b[2])
{
    size_t n[2];
    const bench_result *res[2] = {bench_baseline_rows(b[0], &n[0]),
                                  bench_baseline_rows(b[1], &n[1])};
    const size_t cap = run->o->max_rounds;
    run->rows = calloc(n[0] ? n[0] : 1, sizeof *run->rows);
    run->overall = malloc(cap * sizeof *run->overall);
    run->round_logs = malloc(2 * (n[0] ? n[0] : 1) * sizeof(double));
    if (!run->rows || !run->overall || !run->round_logs)
        goto nomem;
    for (size_t i = 0; i < n[0]; i++) {
        ab_row *row = &run->rows[run->n_rows];
        *row = (ab_row){.kind = res[0][i].kind, .m = res[0][i].m,
                        .wanted = true};
        strcpy(row->dims, res[0][i].dims);
        strcpy(row->act, res[0][i].act);
        if (!find(res[1], n[1], row))
            continue;
        run->n_rows++;
        for (int e = 0; e < 2; e++) {
            row->lib[e] = malloc(cap * sizeof(double));
            row->gemm[e] = malloc(cap * sizeof(double));
            row->eff[e] = malloc(cap * sizeof(double));
            if (!row->lib[e] || !row->gemm[e] || !row->eff[e])
                goto nomem;
        }
    }
    if (run->n_rows == 0) {
        fprintf(stderr, "lnn-bench: --ab: the two executables have no row "
                "in common\n");
        return -1;
    }
    return 0;
nomem:
    fprintf(stderr, "lnn-bench: out of memory\n");
    return -1;
}

/* Add one round's samples of the wanted rows; a full round also adds to
 * the overall statistic. */
static int take_samples(ab_run *run, bench_baseline *const b[2], bool full)
{
    size_t n[2];
    const bench_result *res[2] = {bench_baseline_rows(b[0], &n[0]),
                                  bench_baseline_rows(b[1], &n[1])};
    double *logs = run->round_logs;
    size_t n_logs = 0;
    for (size_t i = 0; i < run->n_rows; i++) {
        ab_row *row = &run->rows[i];
        if (!row->wanted)
            continue;
        const bench_result *r[2] = {find(res[0], n[0], row),
                                    find(res[1], n[1], row)};
        if (!r[0] || !r[1]) {
            fprintf(stderr, "lnn-bench: --ab: a child did not measure %s "
                    "%s m=%zu\n", bench_kind_name(row->kind), row->dims,
                    row->m);
            return -1;
        }
        for (int e = 0; e < 2; e++) {
            row->lib[e][row->n] = r[e]->median_s;
            row->gemm[e][row->n] = r[e]->gemm_median_s;
            row->eff[e][row->n] = r[e]->efficiency;
        }
        logs[n_logs++] = log(r[1]->median_s / r[0]->median_s);
        row->n++;
    }
    if (full)
        run->overall[run->n_overall++] =
            stats_median(logs, n_logs, logs + run->n_rows);
    return 0;
}

/* One round: both executables in a random order, then their results.
 * record: add the samples (false for the warm-up). */
static int round_trip(ab_run *run, stats_rng *rng, const char *path[2],
                      bool record, bool full)
{
    const ab_options *o = run->o;
    ab_lists lists;
    if (record && !full && wanted_lists(run, &lists) != 0)
        return -1;
    const int first = (int)(stats_rng_next(rng) >> 63);
    for (int k = 0; k < 2; k++) {
        const int e = k == 0 ? first : 1 - first;
        if (run_child(o, o->exe[e], path[e],
                      record && !full ? &lists : NULL) != 0)
            return -1;
    }
    bench_baseline *b[2] = {NULL, NULL};
    int rc = -1;
    if (bench_baseline_load(&b[0], path[0]) == 0 &&
        bench_baseline_load(&b[1], path[1]) == 0) {
        if (!record) {
            rc = take_rows(run, b);
        } else {
            run->rounds++;
            run->order_cand_first += first == AB_CAND;
            rc = take_samples(run, b, full);
        }
    }
    bench_baseline_free(b[0]);
    bench_baseline_free(b[1]);
    return rc;
}

/* Mark the rows the next rounds measure: all of them while the overall
 * statistic is undecided, else those still inconclusive. Returns whether
 * all are. */
static bool want(ab_run *run, size_t *n_wanted)
{
    const bool all = run->total.verdict == STATS_INCONCLUSIVE;
    *n_wanted = 0;
    for (size_t i = 0; i < run->n_rows; i++) {
        ab_row *row = &run->rows[i];
        row->wanted = all || row->j.verdict == STATS_INCONCLUSIVE;
        *n_wanted += row->wanted;
    }
    return all;
}

/* Whether the time limit has passed (once there are enough rounds). */
static bool out_of_time(const ab_run *run)
{
    return run->rounds >= AB_MIN_ROUNDS &&
           now_s() - run->start_s >= run->o->time_limit_s;
}

/* Up to n rounds, within the limits; full: of every row. */
static int rounds(ab_run *run, stats_rng *rng, const char *path[2], size_t n,
                  bool full)
{
    for (size_t k = 0;
         k < n && run->rounds < run->o->max_rounds && !out_of_time(run); k++)
        if (round_trip(run, rng, path, true, full) != 0)
            return -1;
    return 0;
}

int ab_measure(ab_run *run)
{
    const ab_options *o = run->o;
    const double t0 = run->start_s = now_s();
    const char *tmp = getenv("TMPDIR");
    char dir[BENCH_TEXT_MAX], base[BENCH_TEXT_MAX + 16],
        cand[BENCH_TEXT_MAX + 16];
    snprintf(dir, sizeof dir, "%s/lnn-ab-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "lnn-bench: mkdtemp %s: %s\n", dir, strerror(errno));
        return -1;
    }
    snprintf(base, sizeof base, "%s/base.json", dir);
    snprintf(cand, sizeof cand, "%s/candidate.json", dir);
    const char *path[2] = {base, cand};
    stats_rng rng = {run->seed};

    printf("lnn-bench --ab: seed %llu; a warm-up round, then %zu rounds\n",
           (unsigned long long)run->seed, o->rounds);
    fflush(stdout);
    int rc = round_trip(run, &rng, path, false, true);
    if (rc == 0)
        rc = rounds(run, &rng, path, o->rounds, true);
    if (rc == 0)
        rc = ab_judge(run);
    while (rc == 0 && run->rounds < o->max_rounds && !out_of_time(run)) {
        size_t n_wanted;
        const bool full = want(run, &n_wanted);
        if (n_wanted == 0)
            break;
        printf("lnn-bench --ab: after %zu rounds (%.0f s): %s, %zu of %zu "
               "rows undecided; %zu rounds more\n", run->rounds,
               now_s() - t0, full ? "overall undecided" : "overall decided",
               n_wanted, run->n_rows, o->step_rounds);
        fflush(stdout);
        rc = rounds(run, &rng, path, o->step_rounds, full);
        if (rc == 0)
            rc = ab_judge(run);
    }
    run->seconds = now_s() - t0;
    unlink(base);
    unlink(cand);
    rmdir(dir);
    return rc;
}

void ab_run_free(ab_run *run)
{
    for (size_t i = 0; run->rows && i < run->n_rows; i++)
        for (int e = 0; e < 2; e++) {
            free(run->rows[i].lib[e]);
            free(run->rows[i].gemm[e]);
            free(run->rows[i].eff[e]);
        }
    free(run->rows);
    free(run->overall);
    free(run->round_logs);
    run->rows = NULL;
    run->overall = NULL;
    run->round_logs = NULL;
}
