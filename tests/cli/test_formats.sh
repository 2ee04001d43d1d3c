#!/usr/bin/env bash
# Table files end to end (issue 14): CSV/TSV, LIBSVM and .npy made here
# round-trip to the same matrix and labels (checked through lnn train's
# summary and predictions), string labels predict strings, scaling comes
# from the training part and travels in the model, old (version 1) models
# still load, and every bad input gives one "lnn:" line and exit 1.
# Usage: test_formats.sh LNN_BINARY
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh" "$1"
need_python numpy
cd "$WORK"

# A learnable table: 3 string classes from 4 float features; written as
# CSV (quoted header cell with a comma, CRLF, BOM), TSV, LIBSVM (sparse:
# |x| < 0.5 left out, so the file's zeros are the dense zeros) and .npy
# (C and Fortran order) from the same rounded numbers.
$PY - <<'PY'
import numpy as np
rng = np.random.default_rng(3)
n = 300
X = np.round(rng.normal(size=(n, 4)), 3)
X[np.abs(X) < 0.5] = 0.0
names = np.array(['setosa', 'versicolor', 'virginica'])
y = names[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.6).astype(int)]
def rows(sep):
    return [sep.join('%g' % v for v in X[i]) + sep + y[i] for i in range(n)]
with open('t.csv', 'w', newline='') as f:
    f.write('\ufeff' + 'a,"b, with comma",c,"d ""q""",species\r\n')
    f.write('\r\n'.join(rows(',')) + '\r\n')
with open('t.tsv', 'w') as f:
    f.write('\n'.join(rows('\t')) + '\n')   # no header: detected
with open('t.svm', 'w') as f:
    for i in range(n):
        f.write(y[i] + ' ' + ' '.join('%d:%g' % (k + 1, v) for k, v in enumerate(X[i]) if v != 0) + '  # row %d\n' % i)
np.save('X.npy', X.astype('<f8'))
np.save('Xf.npy', np.asfortranarray(X.astype('<f4')))
np.save('y.npy', np.searchsorted(names, y).astype('<i8'))
with open('feat.csv', 'w') as f:          # features only, for predict
    f.write('a,"b, with comma",c,"d ""q"""\n')
    f.write('\n'.join(','.join('%g' % v for v in X[i]) for i in range(5)) + '\n')
with open('expect_labels', 'w') as f:
    f.write('\n'.join(y[:5]) + '\n')
PY

# train prints "dataset: ...: T train, V validation, S test rows of N
# features (float32), C classes"; the same data in every format.
summary() { grep -o 'rows of .*classes' "$WORK/out"; }
# same_but_data A B: the same model files but for the data id (prep record
# 7, 40 bytes, the last before the CRC: it names the file, whose size and
# format differ), which both have
same_but_data() {
    $PY - "$1" "$2" <<'PY'
import struct, sys
a, b = (open(p, 'rb').read() for p in sys.argv[1:3])
for m in (a, b):
    assert struct.unpack('<IIQ', m[-44:-28]) == (7, 0, 24), sys.argv
sys.exit(a[:-44] != b[:-44])
PY
}
common=(--hidden 16 --epochs 40 --batch 32 --seed 7 --threads 1)
expect 0 "" "$LNN" train --data t.csv "${common[@]}" --save csv.lnn
csv_summary=$(summary); csv_acc=$(grep -o 'test_acc=[0-9.]*' out)
[ "$csv_summary" = "rows of 4 features (float32), 3 classes" ] ||
    fail "csv summary: $csv_summary"
grep -q "test_acc=0\.[89]\|test_acc=1" out || fail "csv accuracy: $csv_acc"
for f in t.tsv t.svm; do
    expect 0 "" "$LNN" train --data $f "${common[@]}" --save ${f#t.}.lnn
    [ "$(summary)" = "$csv_summary" ] || fail "$f summary: $(summary)"
done
# the same numbers, the same labels, the same split: the same model bits
# from CSV, TSV and LIBSVM, but for the CSV header's column names (the
# last prep record, before the CRC)
same_but_data tsv.lnn svm.lnn || fail "tsv and libsvm models differ"
checks=$((checks + 2))
cmp -s -n $(($(stat -c %s tsv.lnn) - 44)) csv.lnn tsv.lnn ||
    fail "csv and tsv models differ before the column names"
$PY - <<'PY' || fail "csv model: no column names record"
import struct
a, b = open('csv.lnn', 'rb').read(), open('tsv.lnn', 'rb').read()
rec = a[len(b) - 44:-44]
tag, zero, n = struct.unpack('<IIQ', rec[:16])
body = struct.pack('<Q', 4) + b''.join(
    struct.pack('<I', len(c)) + c for c in
    (b'a', b'b, with comma', b'c', b'd "q"'))
assert (tag, zero, n, rec[16:]) == (4, 0, len(body), body), rec
PY
# .npy: integer labels 0..2 (in the string order) and C or Fortran order
expect 0 "" "$LNN" train --data X.npy --labels y.npy "${common[@]}" --save npy.lnn
expect 0 "" "$LNN" train --data Xf.npy --labels y.npy "${common[@]}" --save npyf.lnn
same_but_data npy.lnn npyf.lnn || fail "C and Fortran order .npy models differ"
# labels 0,1,2 in .npy, names in CSV: the same network all the same
checks=$((checks + 1))
$PY "$HERE/same_params.py" csv.lnn npy.lnn || fail "npy and csv networks differ"

# bytes that turn into floats late (row 20, after row 39's first value in
# Fortran order), in CSV,
# C and Fortran .npy: the same matrix, so the same network
$PY - <<'PY'
import numpy as np
X = (np.arange(40 * 3) % 250).astype('<f8').reshape(40, 3); X[20, 1] = 0.5
y = np.arange(40) % 2
np.save('late_c.npy', X); np.save('late_f.npy', np.asfortranarray(X)); np.save('late_y.npy', y)
with open('late.csv', 'w') as f:
    f.write(''.join('%g,%g,%g,%d\n' % (*X[j], y[j]) for j in range(40)))
PY
late=(--val 0 --test 0 --scale none --hidden 4 --epochs 2 --threads 1)
expect 0 "" "$LNN" train --data late.csv "${late[@]}" --save late_csv.lnn
for o in c f; do
    expect 0 "" "$LNN" train --data late_$o.npy --labels late_y.npy "${late[@]}" --save late_$o.lnn
    checks=$((checks + 1))
    $PY "$HERE/same_params.py" late_csv.lnn late_$o.lnn || fail "late floats: csv and $o-order npy differ"
done

# eval finds the model's split of its own training file; names in the
# confusion matrix
expect 0 "" "$LNN" eval --model csv.lnn --data t.csv
grep -q "the model's split: test, 30 rows" out || fail "eval split: $(cat out)"
grep -q "setosa" out || fail "eval names: $(cat out)"
# predict on features alone prints label names; --output's label column too
expect 0 "" "$LNN" predict --model csv.lnn feat.csv
awk '{print $2}' out | diff -q - expect_labels >/dev/null ||
    fail "predict labels: $(cat out)"
expect 0 "" "$LNN" predict --model csv.lnn --output p.csv feat.csv
[ "$(cut -d, -f2 p.csv | sed 1d)" = "$(cat expect_labels)" ] ||
    fail "predict --output labels: $(cat p.csv)"
# export: the scaling as ONNX Sub and Mul before the first Gemm, label
# names in the metadata; the graph evaluated node by node on the raw
# features gives predict's probabilities
expect 0 "" "$LNN" export csv.lnn csv.onnx
expect 0 "" "$LNN" export csv.lnn csv.safetensors
checks=$((checks + 1))
$PY - <<'PY' || fail "ONNX export of a table model"
import json, struct, sys
import numpy as np
try:
    import onnx
    from onnx import numpy_helper
except ImportError:
    sys.exit(0)
m = onnx.load('csv.onnx')
onnx.checker.check_model(m, full_check=True)
ops = [n.op_type for n in m.graph.node]
assert ops[:3] == ['Sub', 'Mul', 'Gemm'], ops
meta = {p.key: p.value for p in m.metadata_props}
assert json.loads(meta['labels']) == ['setosa', 'versicolor', 'virginica'], meta
raw = open('csv.safetensors', 'rb').read()
n, = struct.unpack('<Q', raw[:8])
assert json.loads(json.loads(raw[8:8 + n])['__metadata__']['labels'])[2] == 'virginica'
v = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in m.graph.initializer}
v['input'] = np.loadtxt('feat.csv', delimiter=',', skiprows=1)
for node in m.graph.node:
    x = [v[i] for i in node.input]
    y = {'Sub': lambda: x[0] - x[1], 'Mul': lambda: x[0] * x[1],
         'Gemm': lambda: x[0] @ x[1].T + x[2], 'Relu': lambda: np.maximum(x[0], 0),
         'Softmax': lambda: np.exp(x[0] - x[0].max(1, keepdims=True)) / np.exp(x[0] - x[0].max(1, keepdims=True)).sum(1, keepdims=True)}[node.op_type]()
    v[node.output[0]] = y
p = np.loadtxt('p.csv', delimiter=',', skiprows=1, usecols=(2, 3, 4))
assert np.abs(v['probabilities'] - p).max() < 1e-5, np.abs(v['probabilities'] - p).max()
PY
# LIBSVM rows without labels (features alone) predict too
printf '1:0.5 3:1\n2:1\n' > unlabeled.svm
expect 0 "" "$LNN" predict --model svm.lnn unlabeled.svm
grep -Eq '^unlabeled.svm\[1\]: (setosa|versicolor|virginica) ' out || fail "svm predict: $(cat out)"
# a labelled file works too (the label column is ignored)
expect 0 "" "$LNN" predict --model csv.lnn t.csv
[ "$(wc -l <out)" = 300 ] || fail "predict rows: $(wc -l <out)"

# scaling: fitted on the training part only, stored, applied at predict.
# A test part with huge values must not change the model.
$PY - <<'PY'
lines = open('t.tsv').read().splitlines()
with open('big.tsv', 'w') as f:
    f.write('\n'.join(lines) + '\n')
with open('trainonly.tsv', 'w') as f:
    f.write('\n'.join(lines[:250]) + '\n')
with open('testbig.tsv', 'w') as f:
    f.write('\n'.join('\t'.join(str(float(v) * 1000) for v in l.split('\t')[:4]) + '\t' + l.split('\t')[4] for l in lines[250:]) + '\n')
PY
expect 0 "" "$LNN" train --data trainonly.tsv --test-data t.tsv --val 0 "${common[@]}" --save a.lnn
expect 0 "" "$LNN" train --data trainonly.tsv --test-data testbig.tsv --val 0 "${common[@]}" --save b.lnn
cmp -s a.lnn b.lnn || fail "the test file changed the scaling"
for s in none minmax standard; do
    expect 0 "" "$LNN" train --data t.csv --scale $s "${common[@]}" --epochs 2
done
# an unknown test label
printf 'a,"b, with comma",c,"d ""q""",species\n1,2,3,4,rose\n' > rose.csv
expect 1 'rose.*not one of the 3 classes' "$LNN" train --data t.csv --test-data rose.csv "${common[@]}"

# --label, --delimiter, --header/--no-header, --hidden/--layers
expect 0 "" "$LNN" train --data t.csv --label species "${common[@]}" --epochs 1
expect 0 "" "$LNN" train --data t.csv --label 4 "${common[@]}" --epochs 1
expect 1 'names no column; the columns are a, b, with comma' "$LNN" train --data t.csv --label kind
expect 2 'input layer has 5 units, the data .* has 4 features' "$LNN" train --data t.csv --layers 5,8,3
expect 2 'output layer has 2 units, the data .* has 3 classes' "$LNN" train --data t.csv --layers 4,8,2
expect 0 "" "$LNN" train --data t.tsv --no-header --delimiter tab "${common[@]}" --epochs 1
expect 2 'delimiter' "$LNN" train --data t.csv --delimiter xy
expect 2 'scale' "$LNN" train --data t.csv --scale log

# a model of today's format version 1 (an IDX-trained one) still loads,
# and IDX training still writes version 1
$PY - <<'PY'
import struct, random, os
os.makedirs('idx', exist_ok=True)
random.seed(1)
for name, n in (('train', 300), ('t10k', 50)):
    labs = [random.randrange(10) for _ in range(n)]
    px = bytearray()
    for y in labs:
        img = [random.randrange(30) for _ in range(16)]; img[y] = 250; px += bytes(img)
    open('idx/%s-images-idx3-ubyte' % name, 'wb').write(struct.pack('>IIII', 0x803, n, 4, 4) + px)
    open('idx/%s-labels-idx1-ubyte' % name, 'wb').write(struct.pack('>II', 0x801, n) + bytes(labs))
    if name == 't10k':   # the same test images as a CSV
        open('idx_test.csv', 'w').write(''.join('%d,%s\n' % (labs[j], ','.join(map(str, px[16 * j:16 * j + 16]))) for j in range(n)))
PY
expect 0 "" "$LNN" train --data idx --val 50 --hidden 8 --epochs 2 --save v3.lnn
[ "$(od -An -tu4 -j8 -N4 v3.lnn | tr -d ' ')" = 3 ] || fail "IDX model is not version 3"
expect 0 "" "$LNN" eval --model v3.lnn --data idx --val 50
expect 0 "" "$LNN" eval --model "$HERE/v1-model.lnn" --data idx --val 50
idx_eval=$(grep accuracy out)
# and evaluates a table the same way (bytes / 255, classes by index)
expect 0 "" "$LNN" eval --model "$HERE/v1-model.lnn" --data idx_test.csv --label 0
[ "$(grep accuracy out)" = "$idx_eval" ] || fail "v1 model on CSV: $(grep accuracy out), IDX: $idx_eval"

# bad input: one line each, exit 1
bad() { # bad NAME CONTENT PATTERN [train options]
    local name=$1 content=$2 pattern=$3
    shift 3
    printf "%b" "$content" > "$name"
    expect 1 "$pattern" "$LNN" train --data "$name" --threads 1 "$@"
}
bad ragged.csv 'a,b,y\n1,2,x\n1,2,3,x\n' 'ragged.csv:3: 4 fields, the header has 3'
bad text.csv 'a,b,y\n1,2,x\n1,abcdefghijklmnopqrstuvwxyz0123,z\n' 'column 2 "b": 2 distinct values in 2 training rows, more than half'
bad empty_cell.csv 'a,b,y\n1,,x\n1,2,z\n' 'empty_cell.csv:2: column 2 "b": an empty cell' --impute error
bad nan.csv 'a,b,y\n1,nan,x\n1,2,z\n' 'nan.csv:2: column 2 "b": a missing cell "nan"' --impute error
bad inf_na.csv 'a,b,y\n1,-Inf,x\n1,2,z\n' 'inf_na.csv:2: column 2 "b": a missing cell "-Inf"' --na-values=-Inf --impute error
bad inf.csv 'a,b,y\n1,-Inf,x\n1,2,z\n' 'inf.csv:2: column 2 "b": "-Inf" is not finite'
bad empty.csv '' 'empty.csv: an empty file'
bad headonly.csv 'a,b,label\n' 'headonly.csv: a header and no rows'
bad quote.csv 'a,b,y\n1,"2,x\n1,2,z\n' 'quote.csv:2: a quote opened here is never closed'
bad nul.csv 'a,b,y\n1,2\0,x\n' 'nul.csv:2: a NUL byte'
bad dup.csv 'a,a,y\n1,2,x\n1,2,z\n' 'columns 1 and 2 are both named "a"'
bad oneclass.csv 'a,b,y\n1,2,x\n1,3,x\n' 'at least 2 classes'
bad after.csv 'a,b,y\n1,"2"3,x\n' 'after.csv:2: field 2: text after its closing quote'
bad big.csv 'a,b,y\n1,1e999,x\n' '"1e999" is beyond float32.s range'
bad zero.svm '1 0:1\n' 'zero.svm:1: index 0'
bad decr.svm '1 1:1\n2 3:1 2:1\n' 'decr.svm:2: index 2 after 3'
bad beyond.svm '1 1:1\n2 9:1\n' 'beyond.svm:2: index 9 beyond the 4 features' --features 4
bad huge.svm '1 1:1\n2 4000000000:1\n' 'huge.svm: 2 rows of 4000000000 features would be .*too sparse'
bad mixed.svm '1 1:1\n2:1\n' 'mixed.svm:2: no label \(rows before it have one\)'
bad nolabels.svm '1:1\n2:1\n' 'nolabels.svm: no labels to train on'
bad noval.svm '1 1:1\n2 2\n' 'noval.svm:2: "2" is not index:value'
bad magic.npy 'NOTNUMPY0123456789' 'magic.npy: not a .npy file'
bad unknown.xyz '1,2\n' 'unknown.xyz: unknown format'
$PY - <<'PY'
import numpy as np, struct
np.save('obj.npy', np.array([{'a': 1}, None], dtype=object), allow_pickle=True)
np.save('be.npy', np.zeros((3, 2), dtype='>f4'))
np.save('c16.npy', np.zeros((3, 2), dtype='<c16'))
np.save('three.npy', np.zeros((2, 2, 2), dtype='<f4'))
a = open('three.npy', 'rb').read()
np.save('ok.npy', np.arange(12, dtype='<f4').reshape(6, 2))
b = open('ok.npy', 'rb').read()
open('trunc.npy', 'wb').write(b[:-5])
open('lie.npy', 'wb').write(b.replace(b'(6, 2)', b'(9, 2)'))
np.save('y5.npy', np.arange(5, dtype='<i8'))
PY
expect 1 'obj.npy: object dtype .*pickle' "$LNN" train --data obj.npy --labels y5.npy
expect 1 'be.npy: unsupported dtype .>f4. \(big-endian\)' "$LNN" train --data be.npy --labels y5.npy
expect 1 'c16.npy: unsupported dtype' "$LNN" train --data c16.npy --labels y5.npy
expect 1 'three.npy: more than 2 dimensions' "$LNN" train --data three.npy --labels y5.npy
expect 1 'trunc.npy: .*truncated' "$LNN" train --data trunc.npy --labels y5.npy
expect 1 'lie.npy: .*truncated' "$LNN" train --data lie.npy --labels y5.npy
expect 1 'ok.npy has 6 rows, y5.npy has 5 labels' "$LNN" train --data ok.npy --labels y5.npy
expect 1 'no labels' "$LNN" train --data ok.npy
printf 'a,b,c,y\n1,2,3,x\n' > three.csv
expect 1 'three.csv: 3 features, the training file has 4' "$LNN" train --data t.csv --test-data three.csv
printf '1,2,3\n' > narrow.csv
expect 1 'narrow.csv: the data has 2 features, the model takes 4' "$LNN" predict --model csv.lnn narrow.csv
# columns named otherwise than the training file's: train (--test-data,
# --val-data), and eval and predict against the names the model keeps.
# A file without a header (or LIBSVM, .npy) is checked by its width alone.
{ echo 'a,"b, with comma",c,d,species'; sed 1d t.csv; } > renamed.csv
cols='renamed.csv: feature column 4 is "d", the training data.s is "d "q""'
expect 1 "$cols" "$LNN" train --data t.csv --test-data renamed.csv "${common[@]}"
expect 1 "$cols" "$LNN" train --data t.csv --val-data renamed.csv "${common[@]}"
expect 1 "$cols" "$LNN" eval --model csv.lnn --data renamed.csv
expect 1 "$cols" "$LNN" predict --model csv.lnn renamed.csv
printf 'species,a,c,"b, with comma","d ""q"""\nsetosa,1,2,3,4\n' > swapped.csv
expect 1 'swapped.csv: feature column 2 is "c", the training data.s is "b, with comma"' \
    "$LNN" predict --model csv.lnn --label species swapped.csv
# the label column may move; no header, or a model without names: no check
printf 'species,a,"b, with comma",c,"d ""q"""\nsetosa,1,2,3,4\n' > moved.csv
expect 0 "" "$LNN" predict --model csv.lnn --label species moved.csv
expect 0 "" "$LNN" train --data t.csv --test-data t.tsv "${common[@]}" --epochs 1
expect 0 "" "$LNN" predict --model tsv.lnn renamed.csv
# a record longer than the limit (64 MiB)
$PY -c "open('long.csv','w').write('a,y\n' + '1' * (65 << 20) + ',x\n')"
expect 1 'long.csv:2: a record longer than 64 MiB' "$LNN" train --data long.csv
rm -f long.csv
# gzip: the same table
gzip -k t.csv
expect 0 "" "$LNN" train --data t.csv.gz "${common[@]}" --save gz.lnn
same_but_data csv.lnn gz.lnn || fail "csv.gz model differs from csv's"

echo "test_formats: $checks checks, $fails failed"
[ "$fails" = 0 ]
