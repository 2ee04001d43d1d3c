#!/usr/bin/env bash
# lnn-bench on tiny rows: a plain run prints each row once; --ab end to
# end: an A/A run never says slower and
# writes its JSON, JUnit and Markdown (and the step summary); a candidate
# whose GEMMs take four times as long is slower, with the GEMMs blamed;
# errors exit 2.
# Usage: test_ab.sh LNN_BENCH SLOW_SGEMM_SO
set -u
BENCH=$(realpath "$1") SHIM=$(realpath "$2")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fails=0 checks=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { # description, then a command that must succeed
    local what=$1
    shift
    checks=$((checks + 1))
    "$@" || fail "$what"
}
export GOMP_SPINCOUNT=1000
tiny=(--sizes 32 --batches 32 --nets none --rounds 5 --max-rounds 5
      --resamples 200 --warmup-ms 0.2 --reps 3)

# A plain run prints each row once: in the tables, not also as it goes.
"$BENCH" --quick --sizes 32 --batches 32 --nets 32-10@32 --reps 3 \
    --warmup-ms 0.2 --peak 64 >"$WORK/rows" 2>&1
check "forward 32-32 printed once" test "$(grep -c '32-32 ' "$WORK/rows")" = 2
check "step 32-10 printed once" test "$(grep -c '^32-10 ' "$WORK/rows")" = 1

# Step rows of the training loop's variants, each named in its act
# column; an unknown variant is refused.
nets=32-16-4@32+loop,32-16-4@32+dropout,32-16-4@32+balanced
nets=$nets,32-16-4@32:tanh+clip,32-16-4@32+bce,32-16-4@32+mse
"$BENCH" --sizes 32 --batches 32 --nets "$nets" --reps 3 --warmup-ms 0.2 \
    --peak 64 >"$WORK/variants" 2>&1
for act in relu+loop relu+dropout relu+balanced tanh+clip relu+bce relu+mse; do
    check "step 32-16-4 $act" grep -q "^32-16-4 .* $act " "$WORK/variants"
done
status=0
"$BENCH" --nets 32-10@32+nope >/dev/null 2>&1 || status=$?
check "unknown variant: exit $status" test "$status" = 2
status=0
"$BENCH" --nets 32-10@32:softmax+clip >/dev/null 2>&1 || status=$?
check "softmax hidden layers: exit $status" test "$status" = 2

# Long-run rows on each data kind, named by optimizer and data; an unknown
# data kind is refused.
"$BENCH" --sizes 32 --batches 32 --nets 36-16-4@8/adam,64-16-4@8/sgd+sparse \
    --reps 3 --warmup-ms 0.2 --peak 64 >"$WORK/train" 2>&1
check "train 36-16-4 adam" grep -q "^36-16-4 *adam " "$WORK/train"
check "train 64-16-4 sgd+sparse" grep -q "^64-16-4 *sgd+sparse " "$WORK/train"
"$BENCH" --nets long --sizes 32 --batches 32 --reps 3 --warmup-ms 0.2 \
    --peak 64 --json "$WORK/long.json" >/dev/null 2>&1
check "--nets long: the default list's train rows alone" \
    test "$(grep -c '"kind": "train"' "$WORK/long.json")" = 3 -a \
    "$(grep -c '"kind": "step"' "$WORK/long.json")" = 0
status=0
"$BENCH" --nets 32-10@32/adam+nope >/dev/null 2>&1 || status=$?
check "unknown data kind: exit $status" test "$status" = 2

# A/A: the same executable twice.
status=0
GITHUB_STEP_SUMMARY=$WORK/summary.md "$BENCH" --ab "$BENCH" "${tiny[@]}" \
    --threshold 0.9 --overall-threshold 0.9 --json "$WORK/ab.json" \
    --junit "$WORK/ab.xml" --markdown "$WORK/ab.md" >"$WORK/out" 2>&1 ||
    status=$?
check "A/A exit status $status is 0 or 3" \
    test "$status" = 0 -o "$status" = 3
check "A/A JSON" grep -q '"schema": "lnn-bench-ab/1"' "$WORK/ab.json"
check "A/A JSON rows" grep -q '"dims": "32-32"' "$WORK/ab.json"
check "A/A JUnit" grep -q '<testcase classname="lnn-bench.ab" name="forward 32-32 m=32"' "$WORK/ab.xml"
check "A/A JUnit has no failure" test "$(grep -c '<failure' "$WORK/ab.xml")" = 0
check "A/A Markdown" grep -q '^| forward 32-32 m=32 ' "$WORK/ab.md"
check "step summary" cmp -s "$WORK/ab.md" "$WORK/summary.md"
check "seed printed" grep -q 'seed 1' "$WORK/out"

# A/A of a variant's row: its rounds name it again (--nets ...:relu+clip).
status=0
"$BENCH" --ab "$BENCH" "${tiny[@]}" --nets 32-16-4@32+clip \
    --threshold 0.9 --overall-threshold 0.9 --json "$WORK/abv.json" \
    >"$WORK/out" 2>&1 || status=$?
check "A/A variant: exit status $status is 0 or 3" \
    test "$status" = 0 -o "$status" = 3
check "A/A variant row" grep -q '"act": "relu+clip"' "$WORK/abv.json"

# A candidate four times as slow in its GEMMs (where the shim can be
# preloaded: not into a sanitizer build).
printf '#!/bin/sh\nLD_PRELOAD=%s LNN_SLOW_SGEMM=300 exec %s "$@"\n' \
    "$SHIM" "$BENCH" >"$WORK/slow.sh"
chmod +x "$WORK/slow.sh"
if ("$WORK/slow.sh" --help) >/dev/null 2>&1; then
    status=0
    "$BENCH" --ab "$BENCH" --ab-candidate "$WORK/slow.sh" "${tiny[@]}" \
        --junit "$WORK/slow.xml" >"$WORK/out" 2>&1 || status=$?
    check "slower: exit status $status is 1" test "$status" = 1
    check "slower: a failure in JUnit" grep -q '<failure type="slower"' "$WORK/slow.xml"
    check "slower: the GEMMs blamed" grep -q 'BLAS or the machine' "$WORK/out"
else
    echo "skipped the slowdown check: cannot preload $SHIM here"
fi

# Errors: exit 2.
status=0
"$BENCH" --ab "$WORK/missing" "${tiny[@]}" >/dev/null 2>&1 || status=$?
check "missing base: exit $status" test "$status" = 2
status=0
"$BENCH" --ab "$BENCH" --threshold x >/dev/null 2>&1 || status=$?
check "bad threshold: exit $status" test "$status" = 2

echo "test_ab: $checks checks, $fails failed"
[ "$fails" = 0 ]
