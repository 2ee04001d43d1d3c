#!/usr/bin/env bash
# Hostile inputs of issue 24, each at a size that shows the problem
# (tests/limits/make_inputs.py makes them), each run under a CPU-time and
# an address-space limit (ulimit -t, ulimit -v) with its exit status and
# one-line message asserted: a file under 10 MB gets 2 CPU seconds (10
# under AddressSanitizer, which also needs the address-space limit off)
# and 256 MB. Usage: test_limits.sh LNN_BINARY CASE (see the case list).
set -u
# shellcheck source=../cli/lib.sh
. "$(dirname "$0")/../cli/lib.sh" "$1"
case=$2
GEN="$(cd "$(dirname "$0")" && pwd)/make_inputs.py"
cd "$WORK" || exit 1

asan=false
if ldd "$LNN" 2>/dev/null | grep -q libasan; then
    asan=true
fi
# bounded CPU_SECONDS MEGABYTES CMD...: CMD under ulimit -t and -v, on one
# thread: the address space then does not depend on the machine's cores
# (each thread's stack, malloc arena and OpenBLAS buffer; with two OpenBLAS
# threads in 256 MB, OpenBLAS itself spins when its buffer cannot be had).
bounded() {
    local t=$1 mb=$2
    shift 2
    if $asan; then
        bash -c 'ulimit -t "$1" && shift && exec "$@"' bounded $((t * 5)) "$@"
    else
        OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MALLOC_ARENA_MAX=1 \
            bash -c 'ulimit -t "$1" -v "$2" && shift 2 && exec "$@"' \
            bounded "$t" $((mb * 1024)) "$@"
    fi
}
NET=(--epochs 1 --quiet --batch 32)

case $case in
header) # 1: 200 000 columns, a duplicate name at the end
    python3 "$GEN" . header
    expect 1 'header.csv:1: columns 8 and 200001 are both named "c7"' \
        bounded 2 256 "$LNN" train --data header.csv "${NET[@]}"
    ;;
float) # 2: not a float32; finite values that overflow once scaled
    python3 "$GEN" . float
    expect 1 'f32.csv:3: column 1 "a": "1e39" is beyond float32.s range' \
        bounded 2 256 "$LNN" train --data f32.csv "${NET[@]}"
    expect 0 "" "$LNN" train --data small.csv "${NET[@]}" --save std.lnn
    expect 0 "" "$LNN" train --data small.csv "${NET[@]}" --scale none --save none.lnn
    expect 1 "huge.csv: sample 1, feature 1: the value scales beyond float32.s range" \
        bounded 2 256 "$LNN" eval --model std.lnn --data huge.csv
    expect 1 "huge.csv: sample 1, feature 1: the value scales beyond float32.s range" \
        bounded 2 256 "$LNN" predict --model std.lnn huge.csv
    expect 1 "none.lnn: the network.s output is not finite on huge.csv" \
        bounded 2 256 "$LNN" eval --model none.lnn --data huge.csv
    expect 1 "huge.csv: sample 0: the network.s output is not finite" \
        bounded 2 256 "$LNN" predict --model none.lnn huge.csv
    checks=$((checks + 1))
    grep -q nan out && fail "predict printed NaN: $(cat out)"
    ;;
export) # 3: export through a temporary and rename
    python3 "$GEN" . float
    expect 0 "" "$LNN" train --data small.csv "${NET[@]}" --hidden 2048 --save m.lnn
    cp m.lnn before.lnn
    expect 2 "export: m.lnn: is the input m.lnn" \
        "$LNN" export --format onnx m.lnn m.lnn
    checks=$((checks + 1))
    cmp -s m.lnn before.lnn || fail "export m.lnn m.lnn changed the model"
    expect 0 "" "$LNN" export m.lnn s.safetensors
    cp s.safetensors s.before
    expect 2 "import: s.safetensors: is the input s.safetensors" \
        "$LNN" import s.safetensors s.safetensors
    checks=$((checks + 1))
    cmp -s s.safetensors s.before || fail "import replaced its input"
    # A link is replaced, as lnn train --save replaces one; its target stays.
    echo "keep me" >target.txt
    ln -s target.txt link.safetensors
    expect 0 "" "$LNN" export m.lnn link.safetensors
    checks=$((checks + 1))
    [ "$(cat target.txt)" = "keep me" ] && [ ! -L link.safetensors ] ||
        fail "export wrote through the symbolic link"
    # A failed write (a 4 KiB file-size limit) keeps the previous export.
    mkdir exports
    expect 0 "" "$LNN" export m.lnn exports/m.safetensors
    cp exports/m.safetensors prev.safetensors
    expect 0 "" "$LNN" train --data small.csv "${NET[@]}" --hidden 2048 --seed 2 --save m.lnn
    expect 1 "exports/m.safetensors: write failed: File too large" \
        bash -c 'ulimit -f 4 && exec "$@"' f "$LNN" export m.lnn exports/m.safetensors
    checks=$((checks + 1))
    cmp -s exports/m.safetensors prev.safetensors ||
        fail "a failed export removed or changed the previous one"
    [ "$(ls exports)" = m.safetensors ] || fail "left in exports/: $(ls exports)"
    ;;
safetensors) # 5: a header of 4 M tiny JSON values
    python3 "$GEN" . safetensors
    expect 1 "bomb.safetensors: the header holds about 4194[0-9]+ JSON values, more than the 262144" \
        bounded 2 256 "$LNN" import bomb.safetensors x.lnn
    ;;
data) # 6, 7: the training file told by its id, not its row count
    python3 "$GEN" . data
    expect 0 "" "$LNN" train --data train.csv "${NET[@]}" --save m.lnn
    cp m.lnn before.lnn
    expect 0 "" "$LNN" eval --model m.lnn --data train.csv
    checks=$((checks + 1))
    grep -q "^data: train.csv, the training file, the model's split: test, 20 rows" out ||
        fail "eval on the training file: $(head -3 out)"
    for other in shuffled longer; do
        expect 0 "" "$LNN" eval --model m.lnn --data $other.csv
        checks=$((checks + 1))
        grep -q "^data: $other.csv, not the training file, every row: test, 20[01] rows" out ||
            fail "eval on $other.csv: $(head -3 out)"
    done
    # 7: --resume on other data is refused (the model unchanged), unless
    # --new-data; other classes are refused even then
    expect 2 "--resume m.lnn: it was trained on other data \(200 rows, [0-9]+ bytes\) than shuffled.csv \(200 rows" \
        "$LNN" train --data shuffled.csv "${NET[@]}" --resume m.lnn --save m.lnn
    checks=$((checks + 1))
    cmp -s m.lnn before.lnn || fail "a refused --resume changed the model"
    expect 2 "--resume m.lnn: its classes are x, y; labels.csv has y, z" \
        "$LNN" train --data labels.csv "${NET[@]}" --resume m.lnn --new-data --save m.lnn
    expect 0 "" "$LNN" train --data shuffled.csv --epochs 2 -q --resume m.lnn --new-data --save m.lnn
    expect 0 "" "$LNN" train --data shuffled.csv --epochs 3 -q --resume m.lnn --save m.lnn
    ;;
overflow) # 9: overflowing data is not divergence; stored options checked
    python3 "$GEN" . overflow float
    expect 1 "the loss is not finite at iteration [0-9]+: the training data has values up to 9e\+30, too large for float32 arithmetic \(scale them: --scale standard\); no model was saved to m.lnn" \
        bounded 2 256 "$LNN" train --data overflow.csv "${NET[@]}" --scale none --optimizer sgd --save m.lnn
    checks=$((checks + 1))
    [ ! -e m.lnn ] || fail "a model was saved"
    # a learning rate of 1e30 stored in a model whose CRC is made to match
    expect 0 "" "$LNN" train --data small.csv "${NET[@]}" --lr 0.5 --save m.lnn
    python3 - m.lnn <<'PY'
import struct, sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
rec = struct.pack("<IId", 1, 1, 0.5)  # tag 1 (lr), f64
at = b.index(rec)
b[at + 8:at + 16] = struct.pack("<d", 1e30)
b[-4:] = struct.pack("<I", zlib.crc32(bytes(b[:-4])))
open(sys.argv[1], "wb").write(b)
PY
    expect 1 "--resume m.lnn: its stored --lr is 1e\+30, outside the 1e-12..1e\+06 the command line takes" \
        "$LNN" train --data small.csv "${NET[@]}" --resume m.lnn --epochs 2
    expect 0 "" "$LNN" train --data small.csv --quiet --resume m.lnn --epochs 2 --lr 0.1
    ;;
svmgz) # 10: a small .svm.gz that would be a huge dense matrix
    python3 "$GEN" . svmgz
    expect 1 "bomb.svm.gz: 15000 rows of 100000 features would be 1431 MiB dense, from a file of [0-9]+ bytes" \
        bounded 2 256 "$LNN" train --data bomb.svm.gz "${NET[@]}"
    # and text that decompresses past 256 times the file's size
    python3 -c "
import gzip
with gzip.open('zeros.csv.gz', 'wb', 9) as f:
    f.write(b'a,b,label\n' + b'0,0,x\n0,0,y\n' * 6250000)"
    expect 1 "zeros.csv.gz: decompresses to more than [0-9]+ MiB, over 256 times its size" \
        bounded 10 256 "$LNN" train --data zeros.csv.gz "${NET[@]}"
    ;;
wide) # 14: 4 rows of 4 M columns: room for 4 rows, not 256
    python3 "$GEN" . wide
    expect 0 "" bounded 20 768 "$LNN" train --data wide.csv --hidden 1 --batch 4 --epochs 1 --quiet --val 0 --test 0
    ;;
classes) # 4: about as many classes as rows
    python3 "$GEN" . classes
    expect 2 "classes.csv: 50000 classes in 50000 rows: the label looks like an id or a number, not a class \(--task classify trains on it anyway\)" \
        bounded 2 256 "$LNN" train --data classes.csv "${NET[@]}"
    expect 2 "pairs.csv: 267 classes in 400 rows" \
        bounded 2 256 "$LNN" train --data pairs.csv "${NET[@]}"
    expect 0 "" "$LNN" train --data pairs.csv "${NET[@]}" --task classify --val 0 --test 0
    ;;
label) # 11: labels longer than a model keeps
    python3 "$GEN" . label
    expect 1 "longlabel.csv:2: column 2.*: a label of 5000 bytes, more than the 4096 a model keeps" \
        bounded 2 256 "$LNN" train --data longlabel.csv "${NET[@]}"
    ;;
outputs) # 12, 13: outputs checked against inputs and each other, first
    python3 "$GEN" . float
    cp small.csv data.csv
    expect 2 "--save data.csv: is the input --data data.csv" \
        "$LNN" train --data data.csv "${NET[@]}" --save data.csv
    checks=$((checks + 1))
    cmp -s data.csv small.csv || fail "--save replaced the training data"
    expect 0 "" "$LNN" train --data small.csv "${NET[@]}" --save m.lnn
    cp m.lnn before.lnn
    expect 2 "predict: --output m.lnn: is the input --model m.lnn" \
        "$LNN" predict --model m.lnn --output m.lnn small.csv
    expect 2 "--save m2.lnn and --log m2.lnn are the same file" \
        "$LNN" train --data small.csv "${NET[@]}" --save m2.lnn --log m2.lnn
    expect 2 "--save ./m.lnn and --save-best m.lnn are the same file" \
        "$LNN" train --data small.csv "${NET[@]}" --save-best m.lnn --save ./m.lnn
    checks=$((checks + 1))
    cmp -s m.lnn before.lnn || fail "a refused run changed m.lnn"
    # 13: a --save path that cannot be written is found before training
    # (100 epochs of full batch would take far more than the limit)
    expect 1 "--save nodir/m.lnn: directory nodir: No such file or directory" \
        bounded 1 256 "$LNN" train --data small.csv --batch full --epochs 1000000 --save nodir/m.lnn
    mkdir logs
    expect 1 "--log logs: is a directory" \
        bounded 1 256 "$LNN" train --data small.csv --batch full --epochs 1000000 --log logs
    ;;
lock) # 15: two runs saving to one model
    python3 "$GEN" . float
    "$LNN" train --data small.csv --epochs 100000000 --quiet --save m.lnn \
        >/dev/null 2>&1 &
    first=$!
    for _ in $(seq 100); do [ -e m.lnn ] && break; sleep 0.1; done
    expect 1 "m.lnn: another lnn process is saving to this model" \
        "$LNN" train --data small.csv "${NET[@]}" --save ./m.lnn
    expect 1 "m.lnn: another lnn process is saving to this model" \
        "$LNN" train --data small.csv "${NET[@]}" --save-best "$WORK/m.lnn"
    kill -INT "$first"
    wait "$first"
    expect 0 "" "$LNN" train --data small.csv "${NET[@]}" --save m.lnn
    ;;
messages) # 16: no test split, --hidden's own text
    python3 "$GEN" . float
    expect 0 "" "$LNN" train --data small.csv "${NET[@]}" --test 0
    checks=$((checks + 1))
    grep -q '^test_samples=0 train_seconds=' out && ! grep -q test_acc out ||
        fail "--test 0: $(cat out)"
    expect 2 "--hidden: '' is not a list of layer sizes like 256,128" \
        "$LNN" train --data small.csv "${NET[@]}" --hidden ''
    ;;
*)
    echo "unknown case $case" >&2
    exit 2
    ;;
esac
echo "limits-$case: $checks checks, $fails failed"
[ "$fails" = 0 ]
