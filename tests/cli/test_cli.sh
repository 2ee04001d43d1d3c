#!/usr/bin/env bash
# End-to-end tests of the lnn command on a small synthetic IDX dataset made
# here: usage errors (exit 2), damaged model files (exit 1), parseable
# progress and logs, bit-exact resume, Ctrl-C, eval and predict.
# Usage: test_cli.sh LNN_BINARY
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$1"

# A learnable synthetic dataset (10 classes of 4x4 images, 600 train + 100
# test), made by a script the other command-line tests share.
python3 "$(dirname "$0")/make_dataset.py" "$WORK/data"
D=(--data "$WORK/data" --val 100)
NET=(--layers 16,12,10 --optimizer sgd --lr-schedule constant)

# --- usage errors: exit 2 ---------------------------------------------------
expect 2 "unknown command" "$LNN" frobnicate
expect 2 "unknown option '--frobnicate'" "$LNN" train --frobnicate
expect 2 "unknown option '-x'" "$LNN" train -x
expect 2 "is an IDX dataset: its labels are classes" "$LNN" train "${D[@]}" --loss mse
expect 2 "is an IDX dataset: its labels are classes" "$LNN" train "${D[@]}" --task regress
expect 2 "option '--lr' needs a value" "$LNN" train --lr
expect 2 "--epochs: 'abc' is not a whole number" "$LNN" train --epochs abc
expect 2 "--epochs: '-3' is not a whole number" "$LNN" train --epochs -3
expect 2 "--epochs: 0 is out of range" "$LNN" train --epochs 0
expect 2 "--batch: 0 is out of range" "$LNN" train --batch 0
expect 2 "--lr: -1 is out of range" "$LNN" train --lr -1
expect 2 "--lr: 'nan' is not a number" "$LNN" train --lr nan
expect 2 "--lr: '0.1x' is not a number" "$LNN" train --lr 0.1x
expect 2 "--activation: 'swish' is not one of relu, sigmoid, identity, leaky_relu, elu, gelu, silu, tanh" "$LNN" train --activation swish
expect 2 "--activation: 'softmax' is not one of relu, sigmoid, identity, leaky_relu, elu, gelu, silu, tanh" "$LNN" train --activation relu,softmax
expect 2 "train: --activation lists 3 activations for 2 hidden layers: give one, or one per hidden layer" \
    "$LNN" train "${D[@]}" --activation relu,tanh,gelu --epochs 1
expect 2 "train: --leaky-slope is for leaky_relu layers, and no hidden layer has it" \
    "$LNN" train "${D[@]}" --activation gelu --leaky-slope 0.2 --epochs 1
expect 2 "--leaky-slope: 1 is out of range" "$LNN" train --activation leaky_relu --leaky-slope 1
expect 2 "--layers: a network needs at least 2 layer sizes" "$LNN" train --layers 784
expect 2 "--layers: '784,,10' is not a list" "$LNN" train --layers 784,,10
expect 2 "--threads: 0 is out of range" "$LNN" train --threads 0
# more threads than cores: trains, with one line of warning
expect 0 "" "$LNN" train "${D[@]}" "${NET[@]}" --epochs 1 --quiet --threads 1024
checks=$((checks + 1))
[ "$(cat "$WORK/err")" = "lnn: warning: --threads 1024 is more than the $(getconf _NPROCESSORS_ONLN) online cores: expect it to be much slower than --threads $(getconf _NPROCESSORS_ONLN)" ] ||
    fail "--threads 1024: expected one line of warning, got: $(cat "$WORK/err")"
expect 2 "--optimizer: 'rmsprop' is not one of sgd, momentum, nesterov, adam" "$LNN" train --optimizer rmsprop
expect 2 "--lr-schedule: 'linear' is not one of constant, step, cosine" "$LNN" train --lr-schedule linear
expect 2 "--weight-decay: -1 is out of range" "$LNN" train --weight-decay -1
expect 2 "--patience: 0 is out of range" "$LNN" train --patience 0
expect 2 "--save-best and --patience need a validation split" "$LNN" train --val 0 --patience 3
expect 2 "momentum 1: must be finite and in \\[0, 1\\)" "$LNN" train "${D[@]}" --layers 16,10 --optimizer momentum --momentum 1
expect 2 "beta2 1: must be finite and in \\[0, 1\\)" "$LNN" train "${D[@]}" --layers 16,10 --optimizer adam --beta2 1
expect 2 "--log: .* must end in .csv or .jsonl" "$LNN" train "${D[@]}" "${NET[@]}" --log "$WORK/log.txt"
expect 2 "unexpected argument 'extra'" "$LNN" train extra
expect 2 "input layer has 784 units, the data .* has 16 features" "$LNN" train "${D[@]}" --layers 784,10
expect 2 "output layer has 5 units, the data .* has 10 classes" "$LNN" train "${D[@]}" --layers 16,5
expect 2 "--train-subset: 600 training \\+ 100 validation" "$LNN" train "${D[@]}" "${NET[@]}" --train-subset 600
expect 2 "--model FILE is required" "$LNN" eval
expect 2 "--model FILE is required" "$LNN" predict x.pgm
expect 2 "--split: 'dev' is not one of test, val, train" "$LNN" eval --model m --split dev
expect 1 "no such dir|No such file" "$LNN" train --data "$WORK/nowhere" "${NET[@]}"
# With no --data and no $LNN_DATA: an empty ./data/mnist (a failed download)
# is passed over for the next default, and with none at all the message
# says how to get a data set.
mkdir -p "$WORK/cwd/data/mnist"
if [ ! -d /usr/share/datasets/fashion-mnist ]; then
    (cd "$WORK/cwd" && env -u LNN_DATA "$LNN" train --epochs 1 >"$WORK/out" 2>"$WORK/err")
    checks=$((checks + 1))
    grep -q "^lnn: no dataset found: pass --data DIR" "$WORK/err" ||
        fail "no data set anywhere: $(cat "$WORK/err")"
else
    (cd "$WORK/cwd" && env -u LNN_DATA "$LNN" train --layers 784,10 --epochs 1 --train-subset 100 --val 10 >"$WORK/out" 2>"$WORK/err")
    checks=$((checks + 1))
    grep -q "^dataset: /usr/share/datasets/fashion-mnist (from Debian" "$WORK/out" ||
        fail "an empty data/mnist hid Fashion-MNIST: $(cat "$WORK/err")"
fi
for cmd in "" train eval predict; do
    checks=$((checks + 1))
    # shellcheck disable=SC2086
    "$LNN" $cmd --help >"$WORK/out" 2>&1 || fail "lnn $cmd --help failed"
    grep -q "Usage: lnn" "$WORK/out" || fail "lnn $cmd --help prints no usage"
done
checks=$((checks + 1))
"$LNN" --version | grep -q "^lnn [0-9]" || fail "--version"
# an unknown option or command names the nearest one; a prefix of several
# names them all; a value is given as --name VALUE or --name=VALUE
expect 2 "train: unknown option '--optimiser'; did you mean '--optimizer'\\?" "$LNN" train --optimiser adam
expect 2 "predict: unknown option '--modle'; did you mean '--model'\\?" "$LNN" predict --modle m x.pgm
expect 2 "unknown command 'trian'; did you mean 'train'\\?" "$LNN" trian
expect 2 "train: option '--lr-s' is ambiguous \\(--lr-schedule, --lr-step\\)" "$LNN" train --lr-s 2
expect 2 "train: option '--quiet' takes no value" "$LNN" train --quiet=yes
expect 2 "--epochs: 'x' is not a whole number" "$LNN" train --epochs=x
# --help, the completion and the man pages come from one table per
# command: every option --help shows is completed, and no other
for cmd in $("$LNN" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p'); do
    checks=$((checks + 1))
    help=$("$LNN" $cmd --help | sed -n 's/^  \(-[^ ].*\)/\1/p' | sed 's/  .*//' | grep -oE -- '--[a-z0-9-]+' | sort)
    comp=$("$LNN" completion | sed -n "/^    $cmd)/,/opts=/s/.*opts='\\(.*\\)'/\\1/p" | tr ' ' '\n' | sort)
    [ -n "$help" ] && [ "$help" = "$comp" ] ||
        fail "lnn $cmd: --help's options and the completion's differ: $(diff <(echo "$help") <(echo "$comp") | tr '\n' ' ')"
done
checks=$((checks + 1))
"$LNN" completion >"$WORK/lnn.bash" && bash -n "$WORK/lnn.bash" || fail "lnn completion is not bash"
# what the completion offers, as bash would ask it
complete_words() {
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _lnn; echo "${COMPREPLY[*]}"' _ "$WORK/lnn.bash" "$@"
}
checks=$((checks + 1))
[ "$(complete_words lnn tr)" = train ] || fail "completing 'lnn tr': $(complete_words lnn tr)"
checks=$((checks + 1))
[ "$(complete_words lnn train --optim)" = --optimizer ] || fail "completing --optim: $(complete_words lnn train --optim)"
checks=$((checks + 1))
[ "$(complete_words lnn train --optimizer '')" = "sgd momentum nesterov adam" ] ||
    fail "completing --optimizer's value: $(complete_words lnn train --optimizer '')"
checks=$((checks + 1))
[ -z "$(complete_words lnn train --epochs '')" ] || fail "completing --epochs' value offered words"

# --- training, plain progress, logs ----------------------------------------
M="$WORK/m.lnn"
expect 0 "" "$LNN" train "${D[@]}" "${NET[@]}" --epochs 30 --batch 20 --lr 0.3 \
    --save "$M" --log "$WORK/log.csv"
cp "$WORK/out" "$WORK/train.out"
checks=$((checks + 1))
n=$(grep -Ec '^epoch=[0-9]+ iteration=[0-9]+ loss=[0-9.]+ val_loss=[0-9.]+ val_acc=[0-9.]+ lr=[0-9.e-]+ seconds=[0-9.]+ samples_per_s=[0-9]+$' "$WORK/train.out")
[ "$n" = 30 ] || fail "expected 30 key=value epoch lines, got $n: $(head -3 "$WORK/train.out")"
checks=$((checks + 1))
grep -Eq '^test_loss=[0-9.]+ test_acc=[0-9.]+ train_seconds=[0-9.]+ total_seconds=[0-9.]+ samples_per_s=[0-9]+$' "$WORK/train.out" ||
    fail "no final result line"
acc=$(sed -n 's/^test_loss=[0-9.]* test_acc=\([0-9.]*\).*/\1/p' "$WORK/train.out")
checks=$((checks + 1))
python3 -c "import sys; sys.exit(0 if float('$acc') >= 0.9 else 1)" ||
    fail "synthetic test accuracy $acc < 0.9"
checks=$((checks + 1))
python3 - "$WORK/log.csv" <<'PY' || fail "the CSV log does not parse"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 30, len(rows)
assert [int(r["epoch"]) for r in rows] == list(range(1, 31))
assert all(0 <= float(r["val_acc"]) <= 1 and float(r["samples_per_s"]) > 0 for r in rows)
PY
expect 0 "" "$LNN" train "${D[@]}" "${NET[@]}" --epochs 3 --quiet --log "$WORK/log.jsonl"
checks=$((checks + 1))
python3 - "$WORK/log.jsonl" <<'PY' || fail "the JSONL log does not parse"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["epoch"] for r in rows] == [1, 2, 3]
assert list(rows[0]) == ["epoch", "iteration", "loss", "val_loss", "val_acc", "lr", "seconds", "samples_per_s"]
assert all(r["val_loss"] > 0 and r["lr"] > 0 for r in rows)
PY
checks=$((checks + 1))
[ "$(wc -l <"$WORK/out")" = 1 ] || fail "--quiet printed more than the result"

# --progress: bar (escapes, even into a file), lines, none (no report line;
# the result line stays); auto is a bar on a terminal, but lines under
# mpirun (OMPI_COMM_WORLD_SIZE), whose processes get a terminal of their own
P=(train "${D[@]}" "${NET[@]}" --epochs 2)
expect 0 "" "$LNN" "${P[@]}" --progress bar
checks=$((checks + 1))
grep -q $'\x1b\\[K' "$WORK/out" || fail "--progress bar drew no bar"
expect 0 "" "$LNN" "${P[@]}" --progress none
checks=$((checks + 1))
! grep -q '^epoch' "$WORK/out" && grep -q '^test_loss=' "$WORK/out" || fail "--progress none: $(cat "$WORK/out")"
expect 2 "--progress: 'fancy' is not one of auto, bar, lines, none" "$LNN" train --progress fancy
on_terminal() {
    python3 - "$@" <<'PY'
import os, pty, sys
out = b""
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
os.waitpid(pid, 0)
sys.stdout.write("escapes\n" if b"\x1b" in out else "no escapes\n")
PY
}
checks=$((checks + 1))
[ "$(on_terminal "$LNN" "${P[@]}")" = escapes ] || fail "--progress auto on a terminal drew no bar"
checks=$((checks + 1))
[ "$(on_terminal env OMPI_COMM_WORLD_SIZE=2 "$LNN" "${P[@]}")" = "no escapes" ] ||
    fail "--progress auto under mpirun (OMPI_COMM_WORLD_SIZE) drew a bar"
checks=$((checks + 1))
[ "$(on_terminal "$LNN" "${P[@]}" --progress lines)" = "no escapes" ] || fail "--progress lines on a terminal drew a bar"

# eval reports what training reported
expect 0 "" "$LNN" eval --model "$M" "${D[@]}"
checks=$((checks + 1))
eacc=$(sed -n 's/^loss [0-9.]*  accuracy \([0-9.]*\)%$/\1/p' "$WORK/out")
python3 -c "import sys; sys.exit(0 if abs(float('$eacc') - 100 * float('$acc')) < 0.006 else 1)" ||
    fail "eval accuracy $eacc% differs from training's $acc"
checks=$((checks + 1))
[ "$(grep -Ec '^ +[0-9]( +[0-9]+){10}$' "$WORK/out")" = 10 ] || fail "no 10x10 confusion matrix"

# --- resume is bit-exact ----------------------------------------------------
A="$WORK/a.lnn" B="$WORK/b.lnn"
expect 0 "" "$LNN" train "${D[@]}" "${NET[@]}" --epochs 4 --batch 32 --seed 3 --save "$A" --quiet
expect 0 "" "$LNN" train "${D[@]}" "${NET[@]}" --epochs 2 --batch 32 --seed 3 --save "$B" --quiet
expect 0 "" "$LNN" train "${D[@]}" --resume "$B" --epochs 4 --save "$B" --quiet
checks=$((checks + 1))
cmp -s "$A" "$B" || fail "4 epochs straight and 2 + 2 resumed differ"
# network options given with --resume: the model's own are accepted, others
# are usage errors that name both values
expect 2 "train: --layers 16,10, but .*b.lnn has 16,12,10$" "$LNN" train "${D[@]}" --resume "$B" --layers 16,10
expect 2 "train: --optimizer adam, but .*b.lnn has sgd$" "$LNN" train "${D[@]}" --resume "$B" --optimizer adam
expect 2 "train: --activation sigmoid, but .*b.lnn has relu$" "$LNN" train "${D[@]}" --resume "$B" --activation sigmoid
expect 2 "train: --init xavier, but .*b.lnn was initialised with he$" "$LNN" train "${D[@]}" --resume "$B" --init xavier
expect 0 "" "$LNN" train "${D[@]}" "${NET[@]}" --activation relu --init auto --resume "$B" --epochs 4 --quiet
# ... with Adam's moments, weight decay and a step schedule with warm-up (a
# cosine schedule spans the run's own length, so a 2-epoch run is not the
# first half of a 4-epoch one; the library's tests resume cosine mid-run)
ADAM=(--layers 16,12,10 --optimizer adam --lr 0.01 --weight-decay 0.01 --lr-schedule step --lr-step 1 --lr-gamma 0.5 --warmup 10 --batch 32 --seed 4)
expect 0 "" "$LNN" train "${D[@]}" "${ADAM[@]}" --epochs 4 --save "$A" --quiet
expect 0 "" "$LNN" train "${D[@]}" "${ADAM[@]}" --epochs 2 --save "$B" --quiet
expect 0 "" "$LNN" train "${D[@]}" --resume "$B" --epochs 4 --save "$B" --quiet
checks=$((checks + 1))
cmp -s "$A" "$B" || fail "adam: 4 epochs straight and 2 + 2 resumed differ"
# ... with one activation per hidden layer (record 8), the leaky slope and
# the kept Z of gelu; the resumed run takes them from the file
MIXED=(--layers 16,12,8,10 --activation gelu,leaky_relu --leaky-slope 0.1 --optimizer adam --lr 0.01 --lr-schedule constant --batch 32 --seed 5)
expect 0 "" "$LNN" train "${D[@]}" "${MIXED[@]}" --epochs 4 --save "$A" --quiet
expect 0 "" "$LNN" train "${D[@]}" "${MIXED[@]}" --epochs 2 --save "$B"
checks=$((checks + 1))
grep -q "^network: 16-12-8-10 gelu,leaky_relu (he init)" "$WORK/out" || fail "no per-layer activations in the header: $(head -1 "$WORK/out")"
expect 0 "" "$LNN" train "${D[@]}" --resume "$B" --epochs 4 --save "$B" --quiet
checks=$((checks + 1))
cmp -s "$A" "$B" || fail "gelu,leaky_relu: 4 epochs straight and 2 + 2 resumed differ"
expect 2 "train: --activation gelu,relu, but .*b.lnn has gelu,leaky_relu$" "$LNN" train "${D[@]}" --resume "$B" --activation gelu,relu
expect 2 "train: --leaky-slope 0.2, but .*b.lnn has 0.1$" "$LNN" train "${D[@]}" --resume "$B" --leaky-slope 0.2
expect 0 "" "$LNN" train "${D[@]}" --resume "$B" --activation gelu,leaky_relu --leaky-slope 0.1 --epochs 5 --quiet
expect 0 "" "$LNN" eval --model "$B" --data "$WORK/data" --val 100
checks=$((checks + 1))
grep -q "16-12-8-10 gelu,leaky_relu, ce" "$WORK/out" || fail "eval's model line: $(head -1 "$WORK/out")"

# --- an interrupted run, continued by the command it prints ---------------
# SIGTERM once the log holds a few rows; the printed command resumes the run
# without --save (so it saves back to the file it resumes) and appends to
# the log: the model and the log are the uninterrupted run's.
RUN=(train "${D[@]}" "${NET[@]}" --epochs 300 --batch 20 --seed 5)
expect 0 "" "$LNN" "${RUN[@]}" --save "$WORK/u.lnn" --log "$WORK/u.csv"
(cd "$WORK" && exec "$LNN" "${RUN[@]}" --save 'i 1.lnn' --log i.csv >"$WORK/int.out" 2>"$WORK/int.err") &
pid=$!
while kill -0 "$pid" 2>/dev/null && [ "$(cat "$WORK/i.csv" 2>/dev/null | wc -l)" -lt 4 ]; do
    sleep 0.01
done
kill -TERM "$pid"
wait "$pid"
st=$?
checks=$((checks + 1))
[ "$st" = 130 ] || fail "an interrupted run did not exit 130: $(cat "$WORK/int.err")"
again=$(sed -n 's/^lnn: to continue: //p' "$WORK/int.err")
checks=$((checks + 1))
[ "$again" = "$LNN ${RUN[*]} --log i.csv --resume 'i 1.lnn'" ] ||
    fail "the command that continues the run: '$again'"
expect 0 "" bash -c "cd '$WORK' && $again"
checks=$((checks + 1))
cmp -s "$WORK/u.lnn" "$WORK/i 1.lnn" || fail "interrupted + resumed (saving back) differs from a straight run"
checks=$((checks + 1))
python3 - "$WORK/u.csv" "$WORK/i.csv" <<'PY' || fail "the resumed run's log is not the straight run's"
import csv, sys
u, i = (list(csv.reader(open(f))) for f in sys.argv[1:])
assert u[0] == i[0], (u[0], i[0])
cols = [u[0].index(c) for c in ("epoch", "iteration", "val_acc")]
assert [[r[c] for c in cols] for r in u] == [[r[c] for c in cols] for r in i]
assert len(u) == 301
PY
# a run stopped after its last save (killed, or resumed from --save-best)
# logged reports the model does not hold: the resumed run drops those rows,
# so its log ends as the uninterrupted run's, in CSV and in JSON lines
for ext in csv jsonl; do
    P=(train "${D[@]}" "${NET[@]}" --batch 32 --seed 3 --quiet)
    expect 0 "" "$LNN" "${P[@]}" --epochs 4 --log "$WORK/s.$ext"
    expect 0 "" "$LNN" "${P[@]}" --epochs 2 --save "$WORK/r2.lnn" --log "$WORK/r.$ext"
    cp "$WORK/r2.lnn" "$WORK/r3.lnn"
    expect 0 "" "$LNN" train "${D[@]}" --resume "$WORK/r3.lnn" --epochs 3 --log "$WORK/r.$ext" --quiet
    expect 0 "warning: --log: dropped 1 row of .*r\.$ext past iteration [0-9]+, where the resumed model was saved$" \
        "$LNN" train "${D[@]}" --resume "$WORK/r2.lnn" --epochs 4 --log "$WORK/r.$ext" --quiet
    checks=$((checks + 1))
    python3 - "$WORK/s.$ext" "$WORK/r.$ext" <<'PY' || fail "a log resumed behind its end is not the straight run's ($ext)"
import csv, json, sys
def rows(f):
    if f.endswith(".jsonl"):
        return [json.loads(l) for l in open(f)]
    return list(csv.DictReader(open(f)))
s, r = (rows(f) for f in sys.argv[1:])
timing = ("seconds", "samples_per_s")
s, r = ([{k: v for k, v in row.items() if k not in timing} for row in t] for t in (s, r))
assert len(s) == 4 and s == r, (s, r)
PY
done
# a log of other columns is refused before training, and kept
printf 'step,accuracy\n1,0.5\n' >"$WORK/other.csv"
expect 2 "--log: .*other.csv has the columns step,accuracy, this run writes epoch,iteration,loss,.*; give another file" \
    "$LNN" train "${D[@]}" --resume "$WORK/u.lnn" --log "$WORK/other.csv"
printf '{"step": 1, "accuracy": 0.5}\n' >"$WORK/other.jsonl"
expect 2 "--log: .*other.jsonl has the columns step,accuracy, this run" \
    "$LNN" train "${D[@]}" --resume "$WORK/u.lnn" --log "$WORK/other.jsonl"
checks=$((checks + 1))
[ "$(cat "$WORK/other.csv")" = "$(printf 'step,accuracy\n1,0.5')" ] || fail "a refused log was changed"

# --- best-model keeping and early stopping ---------------------------------
BEST="$WORK/best.lnn"
expect 0 "" "$LNN" train "${D[@]}" "${NET[@]}" --lr 0.3 --batch 20 --epochs 200 --patience 3 --monitor metric --save-best "$BEST"
checks=$((checks + 1))
grep -q "^early stop: no better validation accuracy in 3 reports" "$WORK/out" ||
    fail "--patience 3 did not stop 200 epochs early: $(tail -3 "$WORK/out")"
checks=$((checks + 1))
n=$(grep -c '^epoch=' "$WORK/out")
[ "$n" -lt 200 ] || fail "--patience: all $n epochs ran"
best=$(python3 -c "
import re, sys
accs = [float(m) for m in re.findall(r'val_acc=([0-9.]+)', open('$WORK/out').read())]
print('%.2f' % (100 * max(accs)))")
expect 0 "" "$LNN" eval --model "$BEST" "${D[@]}" --split val
checks=$((checks + 1))
grep -q "accuracy $best%" "$WORK/out" || fail "--save-best holds val accuracy $(grep accuracy "$WORK/out"), best reported $best%"

# --- damaged model files: exit 1, naming the file and the fault -------------
: >"$WORK/empty.lnn"
expect 1 "empty.lnn: 0 bytes, too short" "$LNN" eval --model "$WORK/empty.lnn" "${D[@]}"
head -c 100 "$M" >"$WORK/trunc.lnn"
expect 1 "trunc.lnn: .*truncated" "$LNN" eval --model "$WORK/trunc.lnn" "${D[@]}"
cp "$M" "$WORK/flip.lnn"
printf '\x55' | dd of="$WORK/flip.lnn" bs=1 seek=300 conv=notrunc status=none
expect 1 "flip.lnn: checksum mismatch \(file damaged\)" "$LNN" eval --model "$WORK/flip.lnn" "${D[@]}"
cp "$M" "$WORK/magic.lnn"
printf 'XXXX' | dd of="$WORK/magic.lnn" bs=1 seek=0 conv=notrunc status=none
expect 1 "magic.lnn: not an lnn model file" "$LNN" predict --model "$WORK/magic.lnn" "$WORK/data/t10k-images-idx3-ubyte"
cp "$M" "$WORK/future.lnn"
printf '\x07' | dd of="$WORK/future.lnn" bs=1 seek=8 conv=notrunc status=none
expect 1 "future.lnn: format version 7, this lnn reads 1" "$LNN" train "${D[@]}" --resume "$WORK/future.lnn"
expect 1 "missing.lnn: No such file" "$LNN" eval --model "$WORK/missing.lnn" "${D[@]}"

# --- predict ----------------------------------------------------------------
expect 0 "" "$LNN" predict --model "$M" --top 3 "$WORK/data/t10k-images-idx3-ubyte"
checks=$((checks + 1))
[ "$(grep -Ec '^.*t10k-images-idx3-ubyte\[[0-9]+\]: [0-9] [0-9.]+, [0-9] [0-9.]+, [0-9] [0-9.]+$' "$WORK/out")" = 100 ] ||
    fail "predict on an IDX file: $(head -2 "$WORK/out")"
# The first test image as PGM, binary and plain: the same prediction.
python3 - "$WORK" <<'PY'
import sys
w = sys.argv[1]
raw = open(w + "/data/t10k-images-idx3-ubyte", "rb").read()[16:32]
open(w + "/one.pgm", "wb").write(b"P5\n# a comment\n4 4\n255\n" + raw)
open(w + "/one-plain.pgm", "w").write("P2\n4 4\n255\n" + " ".join(map(str, raw)) + "\n")
open(w + "/big.pgm", "wb").write(b"P5\n5 4\n255\n" + bytes(20))
open(w + "/short.pgm", "wb").write(b"P5\n4 4\n255\n" + bytes(7))
open(w + "/junk.txt", "w").write("hello\n")
PY
expect 0 "" "$LNN" predict --model "$M" "$WORK/one.pgm" "$WORK/one-plain.pgm"
first=$(head -1 "$WORK/out" | cut -d: -f2)
second=$(tail -1 "$WORK/out" | cut -d: -f2)
idx=$("$LNN" predict --model "$M" "$WORK/data/t10k-images-idx3-ubyte" | head -1 | cut -d: -f2)
checks=$((checks + 1))
[ "$first" = "$second" ] && [ "$first" = "$idx" ] ||
    fail "PGM and IDX predictions of one image differ: '$first' '$second' '$idx'"
expect 1 "big.pgm: 5x4 image, the model takes 16 pixels" "$LNN" predict --model "$M" "$WORK/big.pgm"
expect 1 "short.pgm: truncated: 7 of 16 pixels" "$LNN" predict --model "$M" "$WORK/short.pgm"
expect 1 "junk.txt: .*(inputs are table files, IDX image files, PGM, PNG or JPEG images)" "$LNN" predict --model "$M" "$WORK/junk.txt"
expect 2 "--top: 11, but the model has 10 classes" "$LNN" predict --model "$M" --top 11 "$WORK/one.pgm"

# --- Ctrl-C or SIGTERM: the current step ends, the model is saved, exit 130
for sig in INT TERM; do
    I="$WORK/int-$sig.lnn"
    "$LNN" train "${D[@]}" "${NET[@]}" --epochs 1000000 --batch 1 --save "$I" \
        >"$WORK/int.out" 2>"$WORK/int.err" &
    pid=$!
    sleep 1
    kill -"$sig" "$pid"
    wait "$pid"
    st=$?
    checks=$((checks + 1))
    [ "$st" = 130 ] || fail "SIG$sig: exit $st, expected 130"
    checks=$((checks + 1))
    grep -Eq '^lnn: interrupted at iteration [0-9]+; model saved to ' "$WORK/int.err" ||
        fail "SIG$sig message: $(cat "$WORK/int.err")"
    checks=$((checks + 1))
    grep -q "^lnn: to continue: $LNN train .* --resume $I\$" "$WORK/int.err" ||
        fail "SIG$sig: no command to continue: $(cat "$WORK/int.err")"
    expect 0 "" "$LNN" eval --model "$I" "${D[@]}"
done

echo "cli: $checks checks, $fails failed"
[ "$fails" = 0 ]
