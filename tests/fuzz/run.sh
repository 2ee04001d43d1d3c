#!/usr/bin/env bash
# Fuzz every target for SECONDS each under ASan + UBSan with a 1 GiB memory
# limit; exit non-zero on any finding (crash, leak, UB, timeout, OOM).
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
#   BUILD_DIR  made here with clang if it does not exist (CC=clang,
#              -Dfuzz=enabled, sanitizers; needs clang and libclang-rt-14-dev)
#   TARGET     model, idx_images, idx_data, pgm, safetensors, tables,
#              table_file (default: all,
#              one after another)
# Each target's corpus grows in BUILD_DIR/fuzz-corpus/TARGET (seeded by
# make_seeds, and tests/fuzz/regressions/TARGET is read too); findings go to
# BUILD_DIR/fuzz-artifacts/, logs to BUILD_DIR/fuzz-logs/. A finding becomes
# a regression: minimise it (FUZZER -minimize_crash=1 -runs=10000 FILE),
# fix it, and commit the input to tests/fuzz/regressions/TARGET/.
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 BUILD_DIR SECONDS [TARGET...]" >&2
    exit 2
fi
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$1 seconds=$2
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(model idx_images idx_data pgm safetensors tables table_file)

if ! command -v clang >/dev/null; then
    echo "run.sh: clang is needed (apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
fi
if [ ! -f "$build/build.ninja" ]; then
    # OpenMP off: a single-threaded loader needs none, and Debian's clang
    # lacks libomp unless libomp-dev is installed.
    CC=clang meson setup "$build" "$src" -Dfuzz=enabled \
        -Dbuildtype=debugoptimized -Db_sanitize=address,undefined \
        -Db_lundef=false -Dopenmp=disabled -Dbench=false >/dev/null
fi
ninja -C "$build" >/dev/null

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mkdir -p "$build/fuzz-artifacts" "$build/fuzz-logs"
status=0
summary=()
for t in "${targets[@]}"; do
    fuzzer=$build/tests/fuzz/fuzz_$t
    corpus=$build/fuzz-corpus/$t
    mkdir -p "$corpus"
    # seeds: made by make_seeds, or kept in tests/fuzz/corpus
    seeds=$build/tests/fuzz/seeds/$t
    [ -d "$seeds" ] || seeds=$src/tests/fuzz/corpus/$t
    cp -n "$seeds"/* "$corpus"/
    regressions=()
    [ ! -d "$src/tests/fuzz/regressions/$t" ] ||
        regressions=("$src/tests/fuzz/regressions/$t")
    log=$build/fuzz-logs/$t.log
    rc=0
    "$fuzzer" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$t-" \
        "$corpus" "${regressions[@]}" >"$log" 2>&1 || rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    if [ "$rc" = 0 ]; then
        verdict=ok
    else
        verdict="FINDING (exit $rc; see $log)"
        status=1
        tail -40 "$log" >&2
    fi
    summary+=("$t: ${seconds}s, ${execs:-?} execs, cov ${cov:-?}, $verdict")
done
printf 'fuzz %s\n' "${summary[@]}"
exit $status
