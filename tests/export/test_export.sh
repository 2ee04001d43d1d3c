#!/usr/bin/env bash
# lnn export and lnn import, end to end.
# Usage: test_export.sh LNN PYTHON MODE
#   numpy      the safetensors export read by json + numpy agrees with
#              lnn predict on 1000 images (77 without numpy)
#   onnx       the ONNX export passes onnx.checker (full) and, evaluated node
#              by node in NumPy, agrees likewise (77 without numpy or onnx)
#   pytorch    the README's PyTorch snippet (json + torch.frombuffer, no
#              safetensors package), run as it stands there, loads the
#              safetensors export into the matching nn.Sequential (strict)
#              and agrees (77 without torch)
#   roundtrip  export -> import predicts bit for bit as the original, train
#              --init-from at a learning rate of ~0 likewise to 1e-5; usage
#              errors
#   fixture    the committed PyTorch fixture imports and predicts as PyTorch
#   table      a model trained on a CSV (string labels; standard, minmax,
#              no and byte scaling): export -> import predicts the same
#              label names and probabilities bit for bit, and keeps the
#              feature names
#   bad        every damaged safetensors file, and every malformed label,
#              column or scaling metadata: exit 1, one line "lnn: ..."
#   heads      every head (ce; bce of one Yes/No column; bce of three 0/1
#              columns; mse and huber (its delta kept) of two targets in
#              their own units, scaled): the
#              ONNX graph in NumPy gives what predict --output gives (1e-5),
#              and export -> import -> predict --output is byte for byte
#              the same (77 without numpy or onnx)
#   onnxruntime  likewise each head's ONNX export run by onnxruntime (the
#              npm package onnxruntime-node, installed with --ignore-scripts
#              into $LNN_ORT_DIR, by default ~/.cache/lnn/onnxruntime;
#              77 without node, or if npm cannot install it)
# The model is trained here on Debian's Fashion-MNIST, or, without it, on a
# synthetic 28x28 dataset made here.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# LNN, WORK, fails, checks, fail, expect (exit status, one "lnn: ..." line
# matching a pattern)
. "$HERE/../cli/lib.sh" "$1"
PY=$2 MODE=$3

finish() {
    echo "$checks checks, $fails failed"
    [ "$fails" = 0 ]
    exit $?
}

FASHION=/usr/share/datasets/fashion-mnist
make_model() { # $1 activation (one, or one per hidden layer), $2... more
    local data=$FASHION
    if [ ! -f "$FASHION/t10k-images-idx3-ubyte.gz" ]; then
        data=$WORK/data
        "$PY" - "$data" <<'PY'
import gzip, os, random, struct, sys
d = sys.argv[1]
os.makedirs(d)
random.seed(15)
for name, count in (("train", 3000), ("t10k", 1000)):
    labels = [random.randrange(10) for _ in range(count)]
    pixels = bytearray()
    for y in labels:
        img = [random.randrange(60) for _ in range(784)]
        for k in range(40):
            img[(y * 78 + k * 3) % 784] = 150 + random.randrange(106)
        pixels += bytes(img)
    with gzip.open(os.path.join(d, name + "-images-idx3-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, count, 28, 28) + bytes(pixels))
    with gzip.open(os.path.join(d, name + "-labels-idx1-ubyte.gz"), "wb") as f:
        f.write(struct.pack(">II", 0x801, count) + bytes(labels))
PY
    fi
    echo "data: $data"
    IMAGES=$data/t10k-images-idx3-ubyte.gz
    expect 0 "" "$LNN" train --data "$data" --train-subset 2000 --val 500 \
        --layers 784,32,16,10 --activation "$1" "${@:2}" --epochs 2 --quiet \
        --save "$WORK/m.lnn"
    expect 0 "" "$LNN" predict --model "$WORK/m.lnn" --output "$WORK/p.csv" \
        "$IMAGES"
}

# Four tables made with NumPy, one per head, each trained into
# $WORK/<head>.lnn, predicted into $WORK/<head>.out and exported into
# $WORK/<head>.onnx; HEADS lists "name loss activations" (two hidden layers:
# between them every hidden activation).
HEADS="ce ce gelu,silu
binary bce leaky_relu,elu
multilabel bce tanh,identity
regression mse sigmoid,relu
huber huber elu,gelu"
make_heads() {
    "$PY" -c "import numpy" 2>/dev/null || {
        echo "skipped: python3-numpy is not installed"
        exit 77
    }
    "$PY" - "$WORK" <<'PY'
import sys
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(22)
X = rng.normal(size=(300, 4)) * [1, 3, 0.5, 20] + [0, 10, -1, 100]
Z = (X - [0, 10, -1, 100]) / [1, 3, 0.5, 20]
heads = {
    "ce": (["kind"], [np.array(["ant", "bee", "cat"])[(Z[:, 0] > 0) * 1 +
                                                      (Z[:, 1] > 0.5)]]),
    "binary": (["ok"], [np.where(Z[:, 0] + Z[:, 2] > 0, "Yes", "No")]),
    "multilabel": (["p", "q", "r"], [(Z[:, 0] > 0) * 1, (Z[:, 1] > 0) * 1,
                                     (Z[:, 2] + Z[:, 3] > 0) * 1]),
    "regression": (["price", "area"], [1000 + 300 * Z[:, 0] - 50 * Z[:, 1] ** 2,
                                       0.01 * Z[:, 2] + 5]),
}
for name, (labels, cols) in heads.items():
    with open(f"{d}/{name}.csv", "w") as f:
        f.write(",".join(["a", "b", "c", "d"] + labels) + "\n")
        for i in range(len(X)):
            f.write(",".join(["%.6g" % v for v in X[i]] +
                             [str(c[i]) for c in cols]) + "\n")
PY
    local label more
    while read -r name loss acts; do
        more=
        case $name in
        ce) label=kind ;; binary) label=ok more="--leaky-slope 0.1" ;;
        multilabel) label=p,q,r ;;
        regression) label=price,area ;;
        huber) label=price,area more="--huber-delta 0.5"
            cp "$WORK/regression.csv" "$WORK/huber.csv" ;;
        esac
        expect 0 "" "$LNN" train --data "$WORK/$name.csv" --label $label \
            --loss "$loss" $more --hidden 8,6 --activation "$acts" \
            --epochs 3 --quiet \
            --save "$WORK/$name.lnn"
        expect 0 "" "$LNN" predict --model "$WORK/$name.lnn" \
            --output "$WORK/$name.out" "$WORK/$name.csv"
        [ "${LNN_ONNX:-1}" = 0 ] ||
            expect 0 "" "$LNN" export "$WORK/$name.lnn" "$WORK/$name.onnx"
    done <<<"$HEADS"
}

case $MODE in
heads)
    "$PY" -c "import onnx" 2>/dev/null || {
        echo "skipped: python3-onnx is not installed"
        exit 77
    }
    make_heads
    while read -r name loss _; do
        if [ "${LNN_ONNX:-1}" != 0 ]; then
            checks=$((checks + 1))
            "$PY" "$HERE/readers.py" onnx-table "$WORK/$name.onnx" "$loss" \
                "$WORK/$name.csv" "$WORK/$name.out" ||
                fail "$name: the ONNX graph predicts otherwise than lnn"
        fi
        expect 0 "" "$LNN" export "$WORK/$name.lnn" "$WORK/$name.safetensors"
        expect 0 "" "$LNN" import "$WORK/$name.safetensors" "$WORK/$name-2.lnn"
        expect 0 "" "$LNN" predict --model "$WORK/$name-2.lnn" \
            --output "$WORK/$name-2.out" "$WORK/$name.csv"
        checks=$((checks + 2))
        cmp -s "$WORK/$name.out" "$WORK/$name-2.out" ||
            fail "$name: the imported model predicts otherwise: $(diff "$WORK/$name.out" "$WORK/$name-2.out" | head -3)"
        expect 0 "" "$LNN" export "$WORK/$name-2.lnn" "$WORK/$name-2.safetensors"
        cmp -s "$WORK/$name.safetensors" "$WORK/$name-2.safetensors" ||
            fail "$name: the imported model exports another file"
    done <<<"$HEADS"
    ;;
onnxruntime)
    [ "${LNN_ONNX:-1}" = 0 ] && {
        echo "skipped: lnn is built without ONNX (meson option onnx)"
        exit 77
    }
    need_onnxruntime
    make_heads
    while read -r name loss _; do
        checks=$((checks + 1))
        NODE_PATH=$ORT/node_modules "$PY" "$HERE/readers.py" onnxruntime \
            "$WORK/$name.onnx" "$loss" "$WORK/$name.csv" "$WORK/$name.out" \
            "$HERE/ort_run.js" ||
            fail "$name: onnxruntime predicts otherwise than lnn"
    done <<<"$HEADS"
    ;;
numpy | onnx | pytorch)
    "$PY" -c "import numpy" 2>/dev/null || {
        echo "skipped: no numpy for $PY (Debian: python3-numpy)"; exit 77; }
    ext=safetensors reader=safetensors
    [ "$MODE" = onnx ] && ext=onnx reader=onnx
    [ "$MODE" = pytorch ] && reader=torch
    if [ "$MODE" = onnx ] && [ "${LNN_ONNX:-1}" = 0 ]; then
        # a build without protobuf-c or onnx.proto (meson option onnx)
        make_model relu
        expect 1 "install protobuf-c-compiler libprotobuf-c-dev libonnx-dev" \
            "$LNN" export "$WORK/m.lnn" "$WORK/m.onnx"
        [ "$fails" = 0 ] || finish
        echo "skipped: lnn was built without ONNX export"
        exit 77
    fi
    for act in relu sigmoid leaky_relu,gelu elu,silu tanh,identity; do
        slope=()
        [[ $act == *leaky* ]] && slope=(--leaky-slope 0.05)
        make_model $act "${slope[@]}"
        expect 0 "" "$LNN" export "$WORK/m.lnn" "$WORK/m.$ext"
        checks=$((checks + 1))
        "$PY" "$HERE/readers.py" "$reader" "$WORK/m.$ext" "$IMAGES" \
            "$WORK/p.csv" 1000 "$HERE/../../README.md"
        rc=$?
        [ $rc = 77 ] && exit 77
        [ $rc = 0 ] || fail "$MODE reader ($act) disagrees with lnn predict"
    done
    ;;
roundtrip)
    make_model relu
    expect 0 "" "$LNN" export "$WORK/m.lnn" "$WORK/m.safetensors"
    # each says what it wrote
    checks=$((checks + 1))
    grep -Eq "^wrote $WORK/m.safetensors \([0-9.]+ KiB\): the state dict of nn.Sequential, 6 float32 tensors, network 784-32-16-10 relu, 25818 parameters$" "$WORK/out" ||
        fail "export's line: $(cat "$WORK/out")"
    expect 0 "" "$LNN" import "$WORK/m.safetensors" "$WORK/m2.lnn"
    checks=$((checks + 1))
    grep -q "^wrote $WORK/m2.lnn: network 784-32-16-10 relu, 25818 parameters, from $WORK/m.safetensors$" "$WORK/out" ||
        fail "import's line: $(cat "$WORK/out")"
    expect 0 "" "$LNN" predict --model "$WORK/m2.lnn" --output "$WORK/p2.csv" \
        "$IMAGES"
    checks=$((checks + 1))
    cmp -s "$WORK/p.csv" "$WORK/p2.csv" ||
        fail "imported model predicts otherwise: $(diff "$WORK/p.csv" "$WORK/p2.csv" | head -3)"
    # the same file again from the imported model, and --format
    expect 0 "" "$LNN" export --format safetensors "$WORK/m2.lnn" "$WORK/m2.bin"
    checks=$((checks + 1))
    cmp -s "$WORK/m.safetensors" "$WORK/m2.bin" ||
        fail "export of the imported model differs from the first export"
    # sigmoid from the metadata, overridden by --activation
    expect 0 "" "$LNN" import --activation sigmoid "$WORK/m.safetensors" "$WORK/s.lnn"
    expect 0 "" "$LNN" eval --model "$WORK/s.lnn" --data "$(dirname "$IMAGES")" --val 500
    grep -q "784-32-16-10 sigmoid" "$WORK/out" || fail "--activation sigmoid not taken: $(head -3 "$WORK/out")"
    # train --init-from: a run at the smallest learning rate keeps the
    # exported weights (to float rounding), so it predicts as the model did
    DATA=$(dirname "$IMAGES")
    expect 0 "" "$LNN" train --data "$DATA" --train-subset 2000 --val 500 \
        --layers 784,32,16,10 --optimizer sgd --lr 1e-12 --lr-schedule constant \
        --epochs 1 --quiet --init-from "$WORK/m.safetensors" --save "$WORK/f.lnn"
    expect 0 "" "$LNN" predict --model "$WORK/f.lnn" --output "$WORK/pf.csv" "$IMAGES"
    checks=$((checks + 1))
    "$PY" "$HERE/readers.py" close "$WORK/pf.csv" "$WORK/p.csv" ||
        fail "train --init-from does not start from the file's weights"
    expect 1 "layers 784,32,16,10, the network's are 784,20,10 \(give --layers 784,32,16,10\)" \
        "$LNN" train --data "$DATA" --layers 784,20,10 --init-from "$WORK/m.safetensors"
    expect 1 "activation relu, the network's is sigmoid" \
        "$LNN" train --data "$DATA" --layers 784,32,16,10 --activation sigmoid --init-from "$WORK/m.safetensors"
    expect 1 "no-such.safetensors" "$LNN" train --data "$DATA" --init-from "$WORK/no-such.safetensors"
    expect 2 "--init-from starts a new run, --resume continues one" \
        "$LNN" train --init-from "$WORK/m.safetensors" --resume "$WORK/m.lnn"
    # usage errors: exit 2
    expect 2 "cannot tell the format from" "$LNN" export "$WORK/m.lnn" "$WORK/m.bin"
    expect 2 "--format: 'tflite' is not one of safetensors, onnx" "$LNN" export --format tflite "$WORK/m.lnn" "$WORK/m.bin"
    expect 2 "expected MODEL and OUT" "$LNN" export "$WORK/m.lnn"
    expect 2 "expected WEIGHTS.safetensors and OUT.lnn" "$LNN" import "$WORK/m.safetensors"
    expect 2 "--activation: 'swish' is not one of relu, sigmoid, identity, leaky_relu, elu, gelu, silu, tanh" "$LNN" import --activation swish "$WORK/m.safetensors" "$WORK/x.lnn"
    expect 1 "--activation names 3 activations for 2 hidden layers" "$LNN" import --activation relu,tanh,relu "$WORK/m.safetensors" "$WORK/x.lnn"
    expect 2 "unknown option '--frobnicate'" "$LNN" export --frobnicate "$WORK/m.lnn" "$WORK/m.onnx"
    # runtime errors: exit 1
    expect 1 "no-such.lnn" "$LNN" export "$WORK/no-such.lnn" "$WORK/m.onnx"
    expect 1 "no/dir: No such file or directory" "$LNN" export "$WORK/m.lnn" "$WORK/no/dir/m.safetensors"
    # a write that fails (file size limit) leaves no partial file
    for ext in safetensors onnx; do
        expect 1 "big.$ext: write failed: File too large" \
            bash -c 'trap "" XFSZ; ulimit -f 1; exec "$@"' - \
            "$LNN" export "$WORK/m.lnn" "$WORK/big.$ext"
        checks=$((checks + 1))
        [ -e "$WORK/big.$ext" ] && fail "a partial $WORK/big.$ext is left"
    done
    expect 1 "no-such.safetensors" "$LNN" import "$WORK/no-such.safetensors" "$WORK/x.lnn"
    expect 1 "not a regular file" "$LNN" import "$WORK" "$WORK/x.lnn"
    expect 1 "" "$LNN" import "$WORK/m.safetensors" "$WORK/no/dir/x.lnn"
    for cmd in export import; do
        expect 0 "" "$LNN" $cmd --help
        grep -q "^Usage: lnn $cmd" "$WORK/out" || fail "lnn $cmd --help: no usage"
    done
    ;;
fixture)
    F=$HERE/torch_mlp.safetensors
    expect 1 "no \"activation\" in the metadata: give --activation" \
        "$LNN" import "$F" "$WORK/t.lnn"
    expect 0 "" "$LNN" import --activation sigmoid "$F" "$WORK/t.lnn"
    expect 0 "" "$LNN" predict --model "$WORK/t.lnn" --output "$WORK/t.csv" \
        "$HERE/torch_images-idx3-ubyte"
    checks=$((checks + 1))
    "$PY" "$HERE/readers.py" close "$WORK/t.csv" "$HERE/torch_expected.csv" ||
        fail "the imported PyTorch model predicts otherwise than PyTorch"
    ;;
table)
    "$PY" - "$WORK/t.csv" <<'PY'
import random, sys
random.seed(14)
with open(sys.argv[1], 'w') as f:
    f.write('length,width,"weight, g",kind\n')
    for i in range(400):
        x = [random.gauss(0, 1), random.gauss(5, 10), random.gauss(50, 100)]
        kind = ('ant', 'bee', 'cat')[(x[0] > 0) + (x[1] > 5)]
        f.write('%.4f,%.4f,%.4f,%s\n' % (*x, kind))
PY
    # byte scaling: the same rows rounded into 0..255
    awk -F, 'NR == 1 { print; next } { printf "%d,%d,%d,%s\n", \
        ($1 + 4) * 30, $2 + 40, ($3 + 250) / 2, $4 }' "$WORK/t.csv" \
        >"$WORK/b.csv"
    for scale in standard minmax none byte; do
        data=$WORK/t.csv
        [ $scale = byte ] && data=$WORK/b.csv
        expect 0 "" "$LNN" train --data "$data" --scale $scale --hidden 8 \
            --epochs 3 --quiet --save "$WORK/t.lnn"
        expect 0 "" "$LNN" export "$WORK/t.lnn" "$WORK/t.safetensors"
        expect 0 "" "$LNN" import "$WORK/t.safetensors" "$WORK/t2.lnn"
        for m in t t2; do
            expect 0 "" "$LNN" predict --model "$WORK/$m.lnn" \
                --output "$WORK/p-$m.csv" "$data"
        done
        checks=$((checks + 3))
        cmp -s "$WORK/p-t.csv" "$WORK/p-t2.csv" ||
            fail "$scale: the imported model predicts otherwise: $(diff "$WORK/p-t.csv" "$WORK/p-t2.csv" | head -3)"
        sed 1d "$WORK/p-t2.csv" | cut -d, -f2 | grep -qvxE 'ant|bee|cat' &&
            fail "$scale: the imported model's classes are not named: $(sed -n 2p "$WORK/p-t2.csv")"
        expect 0 "" "$LNN" export "$WORK/t2.lnn" "$WORK/t2.safetensors"
        cmp -s "$WORK/t.safetensors" "$WORK/t2.safetensors" ||
            fail "$scale: the imported model exports another file"
    done
    # the imported model knows the feature names
    sed '1s/width/breadth/' "$WORK/b.csv" >"$WORK/r.csv"
    expect 1 'r.csv: feature column 2 is "breadth", the training data.s is "width"' \
        "$LNN" predict --model "$WORK/t2.lnn" "$WORK/r.csv"
    ;;
bad)
    "$PY" "$HERE/make_bad.py" "$WORK" || { echo "make_bad.py failed"; exit 99; }
    expect 0 "" "$LNN" import "$WORK/good.safetensors" "$WORK/good.lnn"
    # the table metadata as another tool may write it: the scaling, the
    # names of the classes and of the features come along
    expect 0 "" "$LNN" import "$WORK/good-table.safetensors" "$WORK/good.lnn"
    printf '%s\n' "$(seq -s, 0 15 | sed 's/[0-9]*/x&/g')" "$(seq -s, 16)" \
        >"$WORK/row.csv"
    expect 0 "" "$LNN" predict --model "$WORK/good.lnn" "$WORK/row.csv"
    grep -Eq '^[^ ]*row.csv\[0\]: c[0-9] ' "$WORK/out" ||
        fail "good-table: no class name: $(cat "$WORK/out")"
    sed -i '1s/x15/y15/' "$WORK/row.csv"
    expect 1 'row.csv: feature column 16 is "y15", the training data.s is "x15"' \
        "$LNN" predict --model "$WORK/good.lnn" "$WORK/row.csv"
    while IFS=$'\t' read -r name pattern; do
        expect 1 "$pattern" "$LNN" import "$WORK/$name.safetensors" "$WORK/x.lnn"
        checks=$((checks + 2))
        [ "$(wc -l <"$WORK/err")" = 1 ] || fail "$name: no message"
        [ -e "$WORK/x.lnn" ] && fail "$name: wrote a model"
    done <"$WORK/cases.tsv"
    ;;
*)
    echo "unknown mode $MODE"
    exit 99
    ;;
esac
finish
