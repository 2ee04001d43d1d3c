/* ab.h: lnn-bench --ab BASE_EXE. Two lnn-bench executables (the base and
 * the candidate, either possibly a wrapper script that sets its own
 * environment) run side by side as child processes, in many short rounds,
 * each round in a freshly randomised order; each child does one short pass
 * of the same rows with options every lnn-bench since 42a5ba7 has
 * (--quick --reps N --json FILE ...), so the base can be any commit from
 * there on. Per row, a round gives one sample of each: that child's median
 * time of lnn's call and of its bare GEMMs.
 *
 *     ab_cli.c     options, the run, the files written, the exit status
 *     ab.c         the rounds: children, their JSON, the samples
 *     ab_judge.c   ratios, bootstrap intervals, verdicts, blame
 *     ab_report.c  text, Markdown, JUnit XML, JSON
 */
#ifndef LNN_BENCH_AB_H
#define LNN_BENCH_AB_H

#include "bench.h"
#include "stats.h"

enum { AB_BASE = 0, AB_CAND = 1 };

/* Fewer rounds than this decide nothing, and are run even past the time
 * limit. */
#define AB_MIN_ROUNDS 5

typedef struct ab_options {
    const char *exe[2];            /* [AB_BASE], [AB_CAND] */
    const char *sizes, *batches, *nets; /* the children's rows; NULL:
                                           their --quick defaults */
    const char *threads;           /* passed on as --threads, or NULL */
    size_t reps;                   /* --reps (and --block) of a child */
    double sample_ms, warmup_ms;   /* the children's */
    size_t rounds, max_rounds, step_rounds;
    double time_limit_s;           /* no new round after this */
    double threshold;              /* the practical threshold t of a row */
    double overall_threshold;      /* and of the overall statistic */
    double level;                  /* family-wise confidence level */
    size_t resamples;              /* bootstrap resamples */
    uint64_t seed;
    const char *json, *markdown, *junit;
} ab_options;

/* What a row's samples say. Ratios are candidate / base. */
typedef struct ab_judgement {
    stats_interval ratio;          /* median of per-round time ratios */
    stats_verdict verdict;
    double level;                  /* of this interval (Bonferroni) */
    double noise;                  /* the interval's half-width, relative */
    double detectable;             /* the slowdown whose interval would
                                      just clear 1 + t at this noise */
    double gemm_ratio;             /* median per-round ratio of the bare
                                      GEMMs: BLAS or the machine moved */
    double own_ratio;              /* ratio of the median (lnn - GEMM)
                                      times: lnn's own code; 0 if the base
                                      has none to speak of */
    double gemm_share;             /* of the change in median time, the
                                      part the bare GEMMs' change explains */
    double eff[2];                 /* median efficiency, base and cand */
} ab_judgement;

/* One row measured in both: samples of the two executables, pairwise from
 * the same rounds. */
typedef struct ab_row {
    bench_kind kind;
    char dims[BENCH_DIMS_MAX], act[BENCH_DIMS_MAX];
    size_t m;
    double *lib[2], *gemm[2], *eff[2]; /* [n] each */
    size_t n;
    bool wanted;                   /* measure in the next round */
    ab_judgement j;
} ab_row;

typedef struct ab_run {
    const ab_options *o;
    uint64_t seed;                 /* of the rounds' order */
    ab_row *rows;
    size_t n_rows;
    double *overall;               /* per full round: the median over
                                      rows of log(cand / base) */
    double *round_logs;            /* scratch: 2 n_rows */
    size_t n_overall;
    size_t rounds;                 /* rounds run (after the warm-up) */
    size_t order_cand_first;       /* of them, rounds the candidate led */
    double start_s;                /* when the measurement began */
    double seconds;                /* wall time of the whole measurement */
    ab_judgement total;            /* the overall statistic */
    stats_verdict verdict;         /* the run's: rows and overall */
    size_t count[4];               /* rows per stats_verdict */
} ab_run;

/* Whether argv asks for --ab (then lnn-bench runs bench_ab_main). */
bool bench_ab_requested(int argc, char **argv);
/* lnn-bench --ab ...: returns the exit status. */
int bench_ab_main(int argc, char **argv);

/* Run the warm-up round and the rounds, re-measuring undecided rows
 * (judging with ab_judge after each batch of rounds). Returns 0, or -1
 * with a message on stderr. Free with ab_run_free. */
int ab_measure(ab_run *run);
void ab_run_free(ab_run *run);

/* Judge every row and the whole run from the samples so far. Returns 0 or
 * -1 (out of memory). */
int ab_judge(ab_run *run);

/* "forward 784-256 m=128" */
void ab_row_label(const ab_row *row, char *buf, size_t size);

/* Reports: for people (text, Markdown) and for CI systems (JUnit, JSON). */
void ab_emit_text(FILE *f, const ab_run *run);
void ab_emit_markdown(FILE *f, const ab_run *run);
void ab_emit_junit(FILE *f, const ab_run *run);
void ab_emit_json(FILE *f, const ab_run *run);

#endif /* LNN_BENCH_AB_H */
