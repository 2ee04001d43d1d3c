#!/usr/bin/env bash
# lnn-mpi under Open MPI's mpirun on one machine (shared memory), on the
# synthetic dataset of make_dataset.py: 2 and 4 processes train the model
# one lnn process trains, within RTOL, with the same eval accuracy (also
# when some processes' share of a batch is empty); started without mpirun
# it is lnn to the bit; a killed process ends the job in under 10 s with
# the checkpoint intact; --comm-timeout ends a job whose process stopped
# answering (SIGSTOP); Ctrl-C on mpirun stops every process after the same
# update and rank 0 saves. Skipped (77) without mpirun.
# Usage: test_mpi.sh LNN LNN_MPI MODEL_CLOSE
set -u
LNN=$1 LNN_MPI=$2 MODEL_CLOSE=$3
command -v mpirun >/dev/null || { echo "mpirun not found: skipped"; exit 77; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fails=0 checks=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
RTOL=1e-5

# Open MPI in a container or CI: as root, more processes than cores, and
# without the cross-memory-attach copies a container may forbid.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# In a sanitizer build, Open MPI's own allocations (never freed by design)
# would fail every process at exit: leak detection is off for them, and for
# them only.
MPIRUN=(env "ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0" mpirun --bind-to none)

python3 "$(dirname "$0")/make_dataset.py" "$WORK/data"
D=(--data "$WORK/data" --val 100 --threads 1 -q)

# ok DESCRIPTION CMD...: the command exits 0
ok() {
    local what=$1
    shift
    checks=$((checks + 1))
    "$@" >"$WORK/out" 2>"$WORK/err" ||
        fail "$what: exit $?: $(head -c 600 "$WORK/err")"
}

# eval_line MODEL: lnn eval's accuracy line
eval_line() {
    "$LNN" eval --model "$1" --data "$WORK/data" --val 100 | grep -i accuracy
}

# --- the same model as one process ------------------------------------------
for case in "sgd 32 3 0.5" "momentum 32 3 0.1" "adam 32 3 0.01" \
    "adam 3 1 0.01" "sgd full 40 0.5"; do
    set -- $case
    opt=$1 batch=$2 epochs=$3 lr=$4
    T=(train "${D[@]}" --layers 16,12,10 --optimizer "$opt" --batch "$batch"
       --epochs "$epochs" --lr "$lr")
    [ "$batch" = 3 ] && T+=(--iterations 50)
    ok "lnn ${T[*]}" "$LNN" "${T[@]}" --save "$WORK/one.lnn"
    want=$(eval_line "$WORK/one.lnn")
    echo "$opt batch $batch, one process: $want"
    for np in 2 4; do
        M="$WORK/np$np.lnn"
        ok "mpirun -np $np lnn-mpi $opt batch $batch" \
            "${MPIRUN[@]}" -np "$np" "$LNN_MPI" "${T[@]}" --save "$M" \
            --check-replicas
        ok "$opt batch $batch on $np processes: model within $RTOL" \
            "$MODEL_CLOSE" "$M" "$WORK/one.lnn" "$RTOL"
        echo "$opt batch $batch, $np processes: $(cat "$WORK/out")"
        checks=$((checks + 1))
        got=$(eval_line "$M")
        [ "$got" = "$want" ] ||
            fail "$opt batch $batch, $np processes: eval '$got', one process '$want'"
    done
done

# --- gradient clipping: the norm is of the summed gradient, so every rank
# clips alike (--check-replicas) and the model is one process's; dropout's
# masks are keyed on the sample's place in the whole batch, so they are
# one process's too ------------------------------------------------------
T=(train "${D[@]}" --layers 16,12,10 --optimizer sgd --batch 32 --epochs 3
   --lr 0.5 --clip-norm 0.05 --class-weight balanced --label-smoothing 0.1
   --dropout 0.2)
ok "lnn ${T[*]}" "$LNN" "${T[@]}" --save "$WORK/one.lnn"
want=$(eval_line "$WORK/one.lnn")
ok "mpirun -np 2 lnn-mpi --clip-norm" "${MPIRUN[@]}" -np 2 "$LNN_MPI" "${T[@]}" \
    --save "$WORK/np2.lnn" --check-replicas
ok "--clip-norm on 2 processes: model within $RTOL" \
    "$MODEL_CLOSE" "$WORK/np2.lnn" "$WORK/one.lnn" "$RTOL"
checks=$((checks + 1))
got=$(eval_line "$WORK/np2.lnn")
[ "$got" = "$want" ] || fail "--clip-norm, 2 processes: eval '$got', one process '$want'"

# --- one activation per hidden layer, Z kept for gelu's and silu's f' ------
T=(train "${D[@]}" --layers 16,12,8,10 --activation gelu,silu --optimizer adam
   --batch 32 --epochs 3 --lr 0.01)
ok "lnn ${T[*]}" "$LNN" "${T[@]}" --save "$WORK/one.lnn"
want=$(eval_line "$WORK/one.lnn")
ok "mpirun -np 2 lnn-mpi --activation gelu,silu" "${MPIRUN[@]}" -np 2 \
    "$LNN_MPI" "${T[@]}" --save "$WORK/np2.lnn" --check-replicas
ok "--activation gelu,silu on 2 processes: model within $RTOL" \
    "$MODEL_CLOSE" "$WORK/np2.lnn" "$WORK/one.lnn" "$RTOL"
checks=$((checks + 1))
got=$(eval_line "$WORK/np2.lnn")
[ "$got" = "$want" ] || fail "--activation gelu,silu, 2 processes: eval '$got', one process '$want'"

# --- a process's stdout is a terminal under mpirun: the log stays lines -----
checks=$((checks + 1))
"${MPIRUN[@]}" -np 2 "$LNN_MPI" train --data "$WORK/data" --val 100 --threads 1 \
    --layers 16,12,10 --epochs 2 >"$WORK/run.log" 2>"$WORK/err" ||
    fail "mpirun -np 2 lnn-mpi train >run.log: $(head -c 600 "$WORK/err")"
checks=$((checks + 1))
! grep -q $'\x1b' "$WORK/run.log" && [ "$(grep -c '^epoch=' "$WORK/run.log")" = 2 ] ||
    fail "mpirun -np 2 lnn-mpi train >run.log: escapes or no report lines: $(od -c "$WORK/run.log" | head -5)"

# --- a resumed run continues from rank 0's file: optimizer state included ----
T=(train "${D[@]}" --layers 16,12,10 --optimizer adam --lr 0.01 --batch 32
   --lr-schedule constant)
ok "lnn 2 epochs" "$LNN" "${T[@]}" --epochs 2 --save "$WORK/one.lnn"
ok "mpirun -np 2, epoch 1" "${MPIRUN[@]}" -np 2 "$LNN_MPI" "${T[@]}" \
    --epochs 1 --save "$WORK/resumed.lnn"
ok "mpirun -np 3 --resume, epoch 2" "${MPIRUN[@]}" -np 3 "$LNN_MPI" train \
    "${D[@]}" --resume "$WORK/resumed.lnn" --epochs 2 --save "$WORK/resumed.lnn"
ok "resumed on 3 processes: model within $RTOL" \
    "$MODEL_CLOSE" "$WORK/resumed.lnn" "$WORK/one.lnn" "$RTOL"
echo "adam, 1 epoch on 2 processes then 1 on 3: $(cat "$WORK/out")"

# --- without mpirun, lnn-mpi is lnn -----------------------------------------
T=(train "${D[@]}" --layers 16,12,10 --epochs 2)
ok "lnn" "$LNN" "${T[@]}" --save "$WORK/a.lnn"
ok "lnn-mpi without mpirun" "$LNN_MPI" "${T[@]}" --save "$WORK/b.lnn"
checks=$((checks + 1))
cmp -s "$WORK/a.lnn" "$WORK/b.lnn" || fail "lnn-mpi without mpirun differs from lnn"

# ranks: the processes of the mpirun job whose pid is $1, by parent
ranks() { ps -o pid= --ppid "$1"; }

# start_long_run: a 2-process job in the background that saves every epoch;
# waits for its first checkpoint. Sets job.
start_long_run() {
    rm -f "$WORK/long.lnn"
    "${MPIRUN[@]}" -np 2 "$LNN_MPI" train "${D[@]}" --layers 16,12,10 \
        --batch 4 --epochs 1000000 --save "$WORK/long.lnn" "$@" \
        >"$WORK/long.out" 2>"$WORK/long.err" &
    job=$!
    for _ in $(seq 100); do
        [ -s "$WORK/long.lnn" ] && [ "$(ranks "$job" | wc -l)" = 2 ] && break
        sleep 0.1
    done
}

# ends_within JOB SECONDS WHAT: the job exits non-zero within SECONDS
ends_within() {
    local job=$1 limit=$2 what=$3 t0=$SECONDS
    while kill -0 "$job" 2>/dev/null && [ $((SECONDS - t0)) -lt 30 ]; do
        sleep 0.2
    done
    checks=$((checks + 1))
    if kill -0 "$job" 2>/dev/null; then
        fail "$what: the job still runs after 30 s"
        kill -KILL "$job"
    fi
    wait "$job"
    local st=$? took=$((SECONDS - t0))
    echo "$what: exit $st after ${took} s"
    [ "$st" != 0 ] || fail "$what: exit 0"
    [ "$took" -lt "$limit" ] || fail "$what: took $took s, limit $limit s"
}

# --- a process killed mid-run ends the job; the checkpoint stays whole -------
start_long_run
victim=$(ranks "$job" | tail -1)
kill -KILL "$victim"
ends_within "$job" 10 "rank killed"
ok "the checkpoint after a killed rank" "$LNN" eval --model "$WORK/long.lnn" \
    --data "$WORK/data" --val 100

# --- --comm-timeout: a process that stops answering ends the job -------------
start_long_run --comm-timeout 2
victim=$(ranks "$job" | tail -1)
kill -STOP "$victim"
ends_within "$job" 15 "rank stopped, --comm-timeout 2"
checks=$((checks + 1))
grep -q "comm-timeout" "$WORK/long.err" ||
    fail "--comm-timeout: no message: $(head -c 600 "$WORK/long.err")"
kill -KILL "$victim" 2>/dev/null
ok "the checkpoint after --comm-timeout" "$LNN" eval --model "$WORK/long.lnn" \
    --data "$WORK/data" --val 100

# --- Ctrl-C on mpirun (it forwards SIGTERM): all stop, rank 0 saves -----------
start_long_run
kill -INT "$job"
ends_within "$job" 10 "mpirun interrupted"
checks=$((checks + 1))
[ "$(grep -c '^lnn: interrupted at iteration [0-9]*; model saved to ' "$WORK/long.err")" = 1 ] ||
    fail "interrupted: not one message from rank 0: $(head -c 600 "$WORK/long.err")"
ok "the model saved on interruption" "$LNN" eval --model "$WORK/long.lnn" \
    --data "$WORK/data" --val 100

echo "mpi: $checks checks, $fails failed"
[ "$fails" = 0 ]
