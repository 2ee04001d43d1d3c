#!/usr/bin/env bash
# bench/gate.sh [CANDIDATE_BUILD_DIR]: CI's performance gate.
#
# Builds lnn-bench as it was at the commit named in bench/base.ref (a git
# worktree in its own build directory, only that target, no tests), then
# runs the candidate's lnn-bench (CANDIDATE_BUILD_DIR/bench/lnn-bench,
# default build/) with --ab against it: both side by side, in randomised
# rounds, with a statistical verdict per row and overall; first every
# default row, then the long-run rows alone (--nets long: a slowdown that
# builds up over many updates, such as a subnormal stall, in more rounds
# and against fewer comparisons than among all rows). Writes
# build-gate/ab.{md,xml,json} and ab-long.{md,xml,json} (and appends the
# Markdown to $GITHUB_STEP_SUMMARY when set). bench/README.md explains the
# verdicts.
#
# Exit status, the worse of the two runs: 0 same or faster; 1 slower; 2 an
# error; 3 inconclusive. Settings from the environment: GATE_DIR (default
# build-gate), GATE_THRESHOLD, GATE_TIME_LIMIT and GATE_LONG_TIME_LIMIT
# (seconds of measuring of each run), GATE_CANDIDATE (another candidate
# executable, such as a wrapper that slows it down, for experiments),
# GATE_ARGS (more --ab options).
set -euo pipefail
cd "$(dirname "$0")/.."

cand_build=${1:-build}
cand=$cand_build/bench/lnn-bench
work=${GATE_DIR:-build-gate}
threshold=${GATE_THRESHOLD:-0.05}
time_limit=${GATE_TIME_LIMIT:-240}
long_time_limit=${GATE_LONG_TIME_LIMIT:-150}

fail() { echo "gate: $*" >&2; exit 2; }

[ -x "$cand" ] || fail "$cand is not built (ninja -C $cand_build)"
base=$(grep -v '^#' bench/base.ref | head -n 1 | tr -d '[:space:]')
[ -n "$base" ] || fail "bench/base.ref names no commit"
if ! git cat-file -e "$base^{commit}" 2>/dev/null; then
    if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
        fail "base commit $base is not in this shallow clone: clone with" \
             "full history (git fetch --unshallow, or actions/checkout" \
             "with fetch-depth: 0)"
    fi
    fail "base commit $base (bench/base.ref) is not in this repository"
fi

start=$SECONDS
mkdir -p "$work"
work=$(cd "$work" && pwd)
src=$work/base-src build=$work/base-build
# The base's sources, as a worktree checked out at the base commit; kept
# between runs (a stale one, of another commit, is replaced).
if [ "$(git -C "$src" rev-parse HEAD 2>/dev/null || true)" != \
     "$(git rev-parse "$base^{commit}")" ]; then
    git worktree remove --force "$src" 2>/dev/null || rm -rf "$src"
    git worktree prune
    git worktree add --detach --quiet "$src" "$base"
    rm -rf "$build"
fi
if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$src" --buildtype=release -Dtests=false \
        >/dev/null
fi
ninja -C "$build" bench/lnn-bench >/dev/null
echo "gate: base $(git log -1 --format='%h %s' "$base") built in" \
     "$((SECONDS - start)) s"

# The arrangement the lnn command runs in (src/cli/main.c): OpenMP threads
# spin only briefly before they sleep.
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-1000}
# One --ab run: its name (the output files'), its time limit, then more
# --ab options. Prints and returns its exit status.
ab_run() {
    local name=$1 limit=$2 rc=0
    shift 2
    # shellcheck disable=SC2086 # GATE_ARGS is a list of options
    "$cand" --ab "$build/bench/lnn-bench" --threshold "$threshold" \
        --time-limit "$limit" --json "$work/$name.json" \
        --markdown "$work/$name.md" --junit "$work/$name.xml" \
        ${GATE_CANDIDATE:+--ab-candidate "$GATE_CANDIDATE"} "$@" \
        ${GATE_ARGS:-} || rc=$?
    echo "gate: $name: exit status $rc"
    return "$rc"
}

# The worse of two exit statuses: error, slower, inconclusive, same.
worse() {
    local a=$1 b=$2
    for s in 2 1 3; do
        if [ "$a" = "$s" ] || [ "$b" = "$s" ]; then
            echo "$s"
            return
        fi
    done
    echo 0
}

every=0 long=0
ab_run ab "$time_limit" || every=$?
ab_run ab-long "$long_time_limit" --nets long --sizes 128-10 \
    --batches 128 || long=$?
status=$(worse "$every" "$long")
echo "gate: $((SECONDS - start)) s in all; exit status $status" \
     "(0 same or faster, 1 slower, 2 error, 3 inconclusive)"
exit "$status"
