#!/usr/bin/env bash
# LIBSVM's multi-label rows ("0,2 idx:value ...", a row without labels
# starting with a blank), as scikit-learn's dump_svmlight_file(multilabel=
# True) writes them, on scikit-learn's digits (real data no one here wrote)
# with three 0/1 properties of each digit as its labels (0 even, 1 five or
# more, 2 prime): lnn train takes the file as it is, as multi-label (said
# in one line); the network is the one the same data gives as a CSV with
# three 0/1 label columns (the same probabilities to the last digit);
# eval counts each label's rows as scikit-learn's load_svmlight_file(
# multilabel=True) reads them; bad sets are one-line errors.
# Usage: test_svm_multilabel.sh LNN_BINARY
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh" "$1"
need_python numpy sklearn
cd "$WORK"
$PY - <<'PY'
import numpy as np
from sklearn import datasets
from sklearn.datasets import dump_svmlight_file
d = datasets.load_digits()
Y = np.array([[t % 2 == 0, t >= 5, t in (2, 3, 5, 7)] for t in d.target], int)
n = 1500
dump_svmlight_file(d.data[:n], Y[:n], 'train.svm', multilabel=True,
                   zero_based=False)
dump_svmlight_file(d.data[n:], Y[n:], 'test.svm', multilabel=True,
                   zero_based=False)
def csv(path, X, Y):
    with open(path, 'w') as f:
        f.write(','.join(['p%d' % i for i in range(64)] +
                         ['even', 'big', 'prime']) + '\n')
        for x, y in zip(X, Y):
            f.write(','.join('%d' % v for v in list(x) + list(y)) + '\n')
csv('train.csv', d.data[:n], Y[:n])
csv('test.csv', d.data[n:], Y[n:])
PY
checks=$((checks + 1))
grep -q '^ [0-9]' train.svm && grep -q "^0,2 " train.svm ||
    fail "the file lacks rows of no label or of two: $(head -3 train.svm)"

expect 0 "" "$LNN" train --data train.svm --epochs 5 --save svm.lnn
checks=$((checks + 1))
grep -q '^task: multi-label (LIBSVM label sets such as "0,1' out ||
    fail "auto task line: $(head -3 out)"
expect 0 "" "$LNN" train --data train.csv --label even,big,prime --epochs 5 \
    --save csv.lnn -q
expect 0 "" "$LNN" predict --model svm.lnn --output svm.csv test.svm
expect 0 "" "$LNN" predict --model csv.lnn --output csv.csv test.csv
checks=$((checks + 1))
$PY - <<'PY' || fail "LIBSVM and CSV give other networks: $(head -3 svm.csv csv.csv)"
import csv
a = list(csv.reader(open('svm.csv')))
b = list(csv.reader(open('csv.csv')))
assert a[0] == ['row', '0', '1', '2', 'p_0', 'p_1', 'p_2'], a[0]
assert len(a) == len(b) == 298, (len(a), len(b))
assert [r[1:] for r in a[1:]] == [r[1:] for r in b[1:]]
PY

expect 0 "" "$LNN" eval --model svm.lnn --data test.svm --json
cp out svm.json
checks=$((checks + 1))
$PY - <<'PY' || fail "eval on the LIBSVM labels: $(cat svm.json)"
import json
from sklearn.datasets import load_svmlight_file
X, y = load_svmlight_file('test.svm', multilabel=True, zero_based=False)
e = json.load(open('svm.json'))
assert e['task'] == 'multilabel' and e['rows'] == len(y) == 297, e
for k in range(3):
    assert e['per_label'][str(k)]['support'] == sum(k in s for s in y), (k, e['per_label'])
assert e['subset_accuracy'] >= 0.8, e['subset_accuracy']
PY
# --task multilabel on a file without a comma: each label a set of one
printf '1 1:1\n2 1:2\n1 1:3\n2 1:4\n' >one.svm
expect 0 "" "$LNN" train --data one.svm --task multilabel --epochs 1 --val 0 --test 0 --save one.lnn -q
expect 0 "" "$LNN" predict --model one.lnn --output one.csv one.svm
checks=$((checks + 1))
[ "$(head -1 one.csv)" = "row,1,2,p_1,p_2" ] || fail "sets of one: $(head -2 one.csv)"

# bad sets: one line each, nothing saved
printf '0,2 1:1\n1,,2 1:2\n' >empty.svm
expect 1 'empty.svm: line 2: an empty label in the set "1,,2"' \
    "$LNN" train --data empty.svm --save bad.lnn
printf '0,2 1:1 2:3\n9 1:2\n' >unknown.svm
expect 1 "unknown.svm: line 2: the label \"9\" is not one of the model's 3" \
    "$LNN" eval --model svm.lnn --data unknown.svm
checks=$((checks + 1))
[ ! -e bad.lnn ] || fail "a refused training saved a model"

echo "svm-multilabel: $checks checks, $fails failed"
[ "$fails" = 0 ]
