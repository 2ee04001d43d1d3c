#!/bin/sh
# compare.sh LNN DIR: the load and training benchmarks of data/README.md on
# DIR/train.csv and DIR/test.csv (made by mnist_csv.py), in one run:
# lnn_table_load vs pandas.read_csv vs numpy.loadtxt (time, peak RSS), and
# lnn train vs scikit-learn's MLPClassifier on the same data, network
# (784-256-128-10 relu), optimizer (Adam, constant lr 0.003), batch (128)
# and epochs (4), inputs scaled to [0, 1] in both.
LNN=$1 D=$2 BENCH=$(dirname "$LNN")/bench/lnn-load-table PY=/usr/bin/python3
# the loader's team waits as lnn's does (lnn sets this for itself;
# docs/threading.md)
export GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-1000}
uptime
for i in 1 2 3; do
    /usr/bin/time -f "lnn_table_load: wall %e s, peak RSS %M KB" "$BENCH" "$D/train.csv"
done
/usr/bin/time -f "pandas.read_csv: wall %e s (with imports), peak RSS %M KB" $PY -c "
import time, pandas; t = time.time(); d = pandas.read_csv('$D/train.csv')
print('pandas.read_csv: %.3f s' % (time.time() - t), d.shape)"
/usr/bin/time -f "numpy.loadtxt: wall %e s (with imports), peak RSS %M KB" $PY -c "
import time, numpy; t = time.time()
d = numpy.loadtxt('$D/train.csv', delimiter=',', skiprows=1, dtype=numpy.uint8)
print('numpy.loadtxt: %.3f s' % (time.time() - t), d.shape)"
"$LNN" train --data "$D/train.csv" --test-data "$D/test.csv" --val 0 \
    --hidden 256,128 --optimizer adam --lr 0.003 --lr-schedule constant \
    --batch 128 --epochs 4 --seed 1 -q
$PY - "$D" <<'PY'
import sys, time, warnings
import numpy as np
from sklearn.neural_network import MLPClassifier
d = sys.argv[1]
tr = np.loadtxt(d + '/train.csv', delimiter=',', skiprows=1, dtype=np.uint8)
te = np.loadtxt(d + '/test.csv', delimiter=',', skiprows=1, dtype=np.uint8)
X, y = tr[:, 1:] / np.float32(255), tr[:, 0]
Xt, yt = te[:, 1:] / np.float32(255), te[:, 0]
m = MLPClassifier(hidden_layer_sizes=(256, 128), solver='adam',
                  learning_rate_init=0.003, batch_size=128, max_iter=4,
                  alpha=0.0, tol=0.0, n_iter_no_change=1000, random_state=1)
warnings.simplefilter('ignore')
t = time.time(); m.fit(X, y); s = time.time() - t
print('sklearn MLPClassifier: train_seconds=%.3f test_acc=%.4f' % (s, m.score(Xt, yt)))
PY
uptime
