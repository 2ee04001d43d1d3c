#!/usr/bin/env bash
# bench/slowdown/campaign.sh OUT N CASE...: run the gate (bench/gate.sh)
# N times per case (a case named twice runs twice as often), the cases in
# turn (round-robin, so that a change in the
# machine's load spreads over all of them), and append one line per run to
# OUT/results.tsv (keeping each run's JSON beside it). A case is
#   aa[-busy]           the candidate as built (build-campaign/)
#   sgemm:PCT[-busy]    the same behind slow_sgemm.c: every cblas_sgemm
#                       PCT % slower
#   elem:DIR[-busy]     DIR/build/bench/lnn-bench, from
#                       build-slow-elementwise.sh PCT DIR
# "-busy": another process keeps one core busy for the whole run.
# Run k uses --seed k. The candidate is build-campaign/ (meson setup build-campaign
# -Dtests=false && ninja -C build-campaign), so rebuilding build/ meanwhile
# changes nothing.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 OUT N CASE..." >&2; exit 2; }
cd "$(dirname "$0")/../.."
root=$(pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
n=$2
shift 2
shim=$root/build-campaign/bench/slowdown/libslow-sgemm.so
cand=$root/build-campaign/bench/lnn-bench
[ -f "$out/results.tsv" ] || printf 'case\trun\texit\tverdict\toverall\tlo\thi\trounds\tslower_rows\tinconclusive_rows\tseconds\n' >"$out/results.tsv"

k=$(($(wc -l <"$out/results.tsv") - 1)) # runs so far, for file names
for ((i = 1; i <= n; i++)); do
    for c in "$@"; do
        k=$((k + 1))
        what=${c%-busy}
        exe=
        case $what in
        aa) ;;
        sgemm:*)
            exe=$out/slow-sgemm-${what#sgemm:}.sh
            printf '#!/bin/sh\nLD_PRELOAD=%s LNN_SLOW_SGEMM=%s exec %s "$@"\n' \
                "$shim" "${what#sgemm:}" "$cand" >"$exe"
            chmod +x "$exe" ;;
        elem:*) exe=$root/${what#elem:}/build/bench/lnn-bench ;;
        *) echo "unknown case $c" >&2; exit 2 ;;
        esac
        busy=
        if [ "$c" != "$what" ]; then
            sh -c 'while :; do :; done' &
            busy=$!
        fi
        t0=$SECONDS
        status=0
        GATE_CANDIDATE=$exe GATE_ARGS="--seed $k" \
            bash bench/gate.sh build-campaign \
            >"$out/run-$k.log" 2>&1 || status=$?
        secs=$((SECONDS - t0))
        [ -z "$busy" ] || kill "$busy"
        json=$out/run-$k.json
        cp build-gate/ab.json "$json" 2>/dev/null || echo '{}' >"$json"
        verdict=$(grep -o -m1 '"verdict": "[a-z]*"' "$json" | cut -d'"' -f4)
        ov=$(grep -o '"overall": {[^}]*' "$json" | tr -d ',' || true)
        field() { echo "$ov" | grep -o "\"$1\": [0-9.e+-]*" | head -n1 | cut -d' ' -f2; }
        counts=$(grep -o '"counts": {[^}]*' "$json" || true)
        cnt() { echo "$counts" | grep -o "\"$1\": [0-9]*" | cut -d' ' -f2; }
        rounds=$(grep -o '"rounds": [0-9]*' "$json" | cut -d' ' -f2)
        printf '%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n' "$c" "$i" \
            "$status" "${verdict:-error}" "$(field ratio)" "$(field lo)" \
            "$(field hi)" "$rounds" "$(cnt slower)" "$(cnt inconclusive)" \
            "$secs" >>"$out/results.tsv"
        tail -n1 "$out/results.tsv"
    done
done
