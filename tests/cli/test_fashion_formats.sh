#!/usr/bin/env bash
# Fashion-MNIST (Debian's dataset-fashion-mnist, in $LNN_DATA via
# with-data.sh) written here as CSV, LIBSVM and .npy trains to the same
# network bits as from its IDX files, with the same seed and the same split:
# the IDX run's first 5000 training images, the 10000 after them for
# validation and the 10000 test images, given as --data, --val-data and
# --test-data (byte pixels are stored as bytes and scaled by 1/255 either
# way with --scale byte, which a table needs: tables are standardised by
# default; labels "0".."9" sort to class indices 0..9).
# Usage: test_fashion_formats.sh LNN_BINARY
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh" "$1"
need_python numpy
cd "$WORK"
$PY - "$LNN_DATA" <<'PY'
import gzip, os, sys
import numpy as np
d = sys.argv[1]
def idx(name, offset):
    for p, op in ((os.path.join(d, name), open), (os.path.join(d, name + '.gz'), gzip.open)):
        if os.path.exists(p):
            with op(p, 'rb') as f:
                return np.frombuffer(f.read(), np.uint8, offset=offset)
X = idx('train-images-idx3-ubyte', 16).reshape(-1, 784)
y = idx('train-labels-idx1-ubyte', 8)
Xt = idx('t10k-images-idx3-ubyte', 16).reshape(-1, 784)
yt = idx('t10k-labels-idx1-ubyte', 8)
def csv(path, X, y):
    with open(path, 'w') as f:
        f.write('label,' + ','.join('pixel%d' % i for i in range(784)) + '\n')
        f.write('\n'.join(','.join(map(str, r)) for r in np.column_stack([y, X]).tolist()) + '\n')
csv('train.csv', X[:5000], y[:5000])
csv('val.csv', X[5000:15000], y[5000:15000])
csv('test.csv', Xt, yt)
with open('train.svm', 'w') as f:
    for r, l in zip(X[:5000].tolist(), y[:5000].tolist()):
        f.write('%d %s\n' % (l, ' '.join('%d:%d' % (k + 1, v) for k, v in enumerate(r) if v)))
np.save('train.npy', X[:5000])
np.save('labels.npy', y[:5000].astype('<i8'))
PY
run=(--epochs 1 --seed 3 --threads 1 -q)
expect 0 "" "$LNN" train --data "$LNN_DATA" --train-subset 5000 --val 10000 "${run[@]}" --save idx.lnn
idx_acc=$(grep -o 'test_acc=[0-9.]*' out)
for data in train.csv train.svm "train.npy --labels labels.npy"; do
    # shellcheck disable=SC2086
    expect 0 "" "$LNN" train --data $data --val-data val.csv --test-data test.csv --scale byte "${run[@]}" --save t.lnn
    [ "$(grep -o 'test_acc=[0-9.]*' out)" = "$idx_acc" ] ||
        fail "$data: $(grep -o 'test_acc=[0-9.]*' out), IDX $idx_acc"
    checks=$((checks + 1))
    $PY "$HERE/same_params.py" idx.lnn t.lnn || fail "$data: not IDX's network"
done
echo "test_fashion_formats: $checks checks, $fails failed"
[ "$fails" = 0 ]
