#!/usr/bin/env bash
# An IDX model knows the dataset it was trained on (issue 25's first silent
# wrong answer): a model trained on the real MNIST ($LNN_DATA, through
# with-data.sh), evaluated in a directory where only Debian's Fashion-MNIST
# is found (no --data, no $LNN_DATA, no ./data/mnist), is refused with one
# line naming both datasets, where it used to report ~10 % with exit 0.
# --data on Fashion-MNIST evaluates it, saying it is not the training data;
# --resume on it is refused unless --new-data. A model without the record
# (an older file: the record cut out, the CRC redone) is evaluated on
# whatever is found, as before.
# Usage: test_idx_data.sh LNN_BINARY   (LNN_DATA: MNIST)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh" "$1"
MNIST=$LNN_DATA
FASHION=/usr/share/datasets/fashion-mnist
for f in train-images-idx3-ubyte train-labels-idx1-ubyte \
    t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -f "$FASHION/$f.gz" ] || [ -f "$FASHION/$f" ] || {
        echo "skipped: no $FASHION/$f[.gz]: apt-get install dataset-fashion-mnist"
        exit 77
    }
done
cd "$WORK"
small=(--train-subset 2000 --val 1000 --epochs 1 --hidden 16 -q)
"$LNN" train --data "$MNIST" "${small[@]}" --save mnist.lnn >/dev/null ||
    fail "train on MNIST"

# only Fashion-MNIST is found here: refused, naming both
expect 2 'eval: mnist.lnn was trained on "mnist" \(60000 images\); the dataset found in /usr/share/datasets/fashion-mnist \(Debian.s dataset-fashion-mnist\) is "fashion-mnist" \(60000 images\), other data \(--data' \
    env -u LNN_DATA "$LNN" eval --model mnist.lnn
checks=$((checks + 1))
grep -q accuracy "$WORK/out" && fail "a refused eval printed a report: $(cat "$WORK/out")"
expect 2 'was trained on "mnist"' env -u LNN_DATA "$LNN" eval --model mnist.lnn --json

# named explicitly: evaluated, and said
expect 0 '' "$LNN" eval --model mnist.lnn --data "$FASHION"
checks=$((checks + 1))
grep -q "^data: $FASHION is not the model's training data: trained on \"mnist\" (60000 images), this is \"fashion-mnist\" (60000 images)$" \
    "$WORK/out" || fail "eval --data FASHION does not say so: $(cat "$WORK/out")"
expect 0 '' "$LNN" eval --model mnist.lnn --data "$FASHION" --json
checks=$((checks + 1))
/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/out" &&
    grep -q "is not the model's training data" "$WORK/err" ||
    fail "eval --json: the note is not on stderr apart from the JSON"

# its own data: no note
expect 0 '' env LNN_DATA="$MNIST" "$LNN" eval --model mnist.lnn
checks=$((checks + 1))
grep -q "not the model's" "$WORK/out" && fail "a note on the model's own data"
grep -q "accuracy" "$WORK/out" || fail "no report on MNIST: $(cat "$WORK/out")"

# --resume on other data: refused, unless --new-data
cp mnist.lnn before.lnn
expect 2 'resume mnist.lnn: it was trained on "mnist" \(60000 images\); /usr/share/datasets/fashion-mnist is "fashion-mnist" \(60000 images\), other data; --new-data' \
    "$LNN" train --data "$FASHION" "${small[@]}" --resume mnist.lnn
checks=$((checks + 1))
cmp -s mnist.lnn before.lnn || fail "a refused --resume changed the model"
expect 0 '' "$LNN" train --data "$FASHION" "${small[@]}" --resume mnist.lnn --new-data
expect 0 '' env -u LNN_DATA "$LNN" eval --model mnist.lnn
checks=$((checks + 1))
grep -q "not the model's" "$WORK/out" &&
    fail "resumed on Fashion-MNIST with --new-data, the model does not know it"

# an older model, without the data record: evaluated on what is found
/usr/bin/python3 - before.lnn old.lnn <<'PY' || fail "cutting the data record"
import struct, sys, zlib
b = open(sys.argv[1], 'rb').read()
body = b[:-4]
# the data record is the last: tag 7, zero, u64 length, 24 bytes, u32 name
name = b'mnist'
rec = struct.pack('<IIQ', 7, 0, 28 + len(name))
tail = rec + body[-(28 + len(name)):]
assert body.endswith(tail[16:]) and body[-(44 + len(name)):-(28 + len(name))] == rec
body = body[:-(44 + len(name))]
open(sys.argv[2], 'wb').write(body + struct.pack('<I', zlib.crc32(body)))
PY
expect 0 '' env -u LNN_DATA "$LNN" eval --model old.lnn
checks=$((checks + 1))
grep -q "accuracy" "$WORK/out" || fail "an old model no longer evaluates: $(cat "$WORK/out" "$WORK/err")"

echo "idx-data: $checks checks, $fails failed"
[ "$fails" = 0 ]
