#!/usr/bin/env bash
# Regularisation on the command line (issue 26 part B), on scikit-learn's
# digits (a real table no one here wrote) with one class made rare: of the
# 126 training rows of digit 8 (a stratified 70/30 split, random_state 0)
# 6 are kept. --class-weight balanced must raise that class's recall and
# the balanced accuracy on the untouched test part (lnn eval --json);
# --sample-weight's column weighs rows as --class-weight weighs classes; a
# run with class weights, clipping and label smoothing resumed from its
# file ends bit for bit as the uninterrupted run (dropout included), and a
# table resumed without --seed keeps its recorded split; the
# plateau schedule decays and resumes exactly; the bad inputs of the
# issue are one "lnn:" line and exit 2.
# Usage: test_reg.sh LNN_BINARY
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh" "$1"
need_python numpy sklearn
cd "$WORK"
$PY - <<'PY'
import numpy as np
from sklearn import datasets
from sklearn.model_selection import train_test_split
d = datasets.load_digits()
X, y = d.data, d.target
tr, te = train_test_split(np.arange(len(y)), test_size=0.3, random_state=0,
                          stratify=y)
rare = [i for i in tr if y[i] == 8]
keep = set(np.random.RandomState(0).choice(rare, 6, replace=False))
tr = [i for i in tr if y[i] != 8 or i in keep]
def write(path, idx):
    with open(path, 'w') as f:
        f.write(','.join('p%d' % k for k in range(64)) + ',label\n')
        for i in idx:
            f.write(','.join('%g' % v for v in X[i]) + ',%d\n' % y[i])
write('train.csv', tr)
write('test.csv', te)
PY
T=(--data train.csv --test-data test.csv --threads 1 --seed 1 --epochs 40)

# --- balanced class weights lift the rare class -----------------------------
expect 0 "" "$LNN" train "${T[@]}" --save plain.lnn -q
expect 0 "" "$LNN" train "${T[@]}" --save weighted.lnn --class-weight balanced
checks=$((checks + 1))
grep -q "^regularisation: class weights .*the training loss is weighted, val and test metrics are not$" "$WORK/out" ||
    fail "the header does not say the training loss is weighted: $(head -c 600 "$WORK/out")"
for m in plain weighted; do
    "$LNN" eval --model $m.lnn --data test.csv --json >$m.json 2>/dev/null ||
        fail "eval $m.lnn"
done
checks=$((checks + 1))
$PY - <<'PY' || fail "balanced class weights did not lift the rare class"
import json
r = {}
for m in ('plain', 'weighted'):
    j = json.load(open(m + '.json'))
    r[m] = (j['per_class']['8']['recall'], j['balanced_accuracy'])
    print('%s: digit 8 recall %.3f, balanced accuracy %.4f' % (m, *r[m]))
assert r['weighted'][0] >= r['plain'][0] + 0.05, r
assert r['weighted'][1] > r['plain'][1], r
PY

# --- a weights file: CLASS WEIGHT lines; bad ones refused -------------------
printf '# digit weight\n8 20\n3, 2\n' >w.txt
expect 0 "" "$LNN" train "${T[@]}" --epochs 2 --class-weight w.txt -q
printf '8 20\n11 1\n' >bad.txt
expect 2 'line 2: no class "11" in the data' "$LNN" train "${T[@]}" --class-weight bad.txt
printf '8 0\n' >bad.txt
expect 2 'line 1: weight "0" of class 8: must be a number > 0' "$LNN" train "${T[@]}" --class-weight bad.txt
printf '8 x\n' >bad.txt
expect 2 'must be a number > 0' "$LNN" train "${T[@]}" --class-weight bad.txt
printf '8 1\n8 2\n' >bad.txt
expect 2 'class 8 given twice' "$LNN" train "${T[@]}" --class-weight bad.txt
expect 2 'missing.txt' "$LNN" train "${T[@]}" --class-weight missing.txt
expect 2 'clip-norm 0: must be > 0' "$LNN" train "${T[@]}" --clip-norm 0
expect 2 'clip-norm' "$LNN" train "${T[@]}" --clip-norm -1
expect 2 'label-smoothing' "$LNN" train "${T[@]}" --label-smoothing 1
expect 2 'dropout 1: each rate must be in \[0, 1\)' "$LNN" train "${T[@]}" --dropout 1
expect 2 'dropout: 3 rates for 2 hidden layers' "$LNN" train "${T[@]}" --dropout 0.1,0.2,0.3
expect 2 'dropout' "$LNN" train "${T[@]}" --dropout x
expect 2 'label smoothing is for cross-entropy, not mse' "$LNN" train "${T[@]}" --task regress --label-smoothing 0.1

# --- resumed == uninterrupted, with every option of part B ------------------
R=(--data train.csv --test-data test.csv --threads 1 --seed 2 --batch 32
   --lr-schedule step --lr-step 1 --lr-gamma 0.5)
REG=(--class-weight balanced --clip-norm 0.5 --label-smoothing 0.1
     --dropout 0.2,0.1)
expect 0 "" "$LNN" train "${R[@]}" "${REG[@]}" --epochs 4 --save a.lnn -q
expect 0 "" "$LNN" train "${R[@]}" "${REG[@]}" --epochs 2 --save b.lnn -q
# the options come back from the model file (records 9 and 13)
expect 0 "" "$LNN" train "${R[@]}" --resume b.lnn --epochs 4 -q
checks=$((checks + 1))
cmp -s a.lnn b.lnn || fail "class weights + clipping + smoothing + dropout: 4 epochs straight and 2 + 2 resumed differ"
expect 0 "" "$LNN" train "${R[@]}" --epochs 2 --save c.lnn -q
checks=$((checks + 1))
! cmp -s b.lnn c.lnn >/dev/null 2>&1 || fail "the options changed nothing"

# --- a resumed table keeps the split its model records (seed and counts),
# not the default seed of a command line without --seed -------------------
K=(--data train.csv --threads 1 --batch 32 --lr-schedule constant -q)
expect 0 "" "$LNN" train "${K[@]}" --seed 5 --epochs 4 --save ka.lnn
expect 0 "" "$LNN" train "${K[@]}" --seed 5 --epochs 2 --save kb.lnn
expect 0 "" "$LNN" train "${K[@]}" --resume kb.lnn --epochs 4
checks=$((checks + 1))
cmp -s ka.lnn kb.lnn || fail "a table resumed without --seed was split again by the default seed"

# --- --sample-weight COLUMN: a column of per-row weights, not a feature ---
# (weights of 1 change nothing; 2 on the rows of digit 8 train as
# --class-weight's "8 2"; the column is left out again by eval)
$PY - <<'PY'
import csv
for name, w in (('ones', lambda y: '1'), ('twice8', lambda y: '2' if y == '8' else '1'),
                ('negative', lambda y: '-1' if y == '3' else '1')):
    rows = list(csv.reader(open('train.csv')))
    with open(name + '.csv', 'w', newline='') as f:
        out = csv.writer(f)
        out.writerow(rows[0][:10] + ['w'] + rows[0][10:])
        for r in rows[1:]:
            out.writerow(r[:10] + [w(r[-1])] + r[10:])
PY
S=(--test-data test.csv --threads 1 --seed 1 --epochs 3)
expect 0 "" "$LNN" train --data train.csv "${S[@]}" -q
plain=$(grep '^test_loss=' "$WORK/out" | cut -d' ' -f1,2)
expect 0 "" "$LNN" train --data ones.csv --sample-weight w "${S[@]}" --save ones.lnn -q
checks=$((checks + 1))
[ "$(grep '^test_loss=' "$WORK/out" | cut -d' ' -f1,2)" = "$plain" ] ||
    fail "weights of 1: $(cat "$WORK/out"), unweighted: $plain"
printf '8 2\n' >two.txt
expect 0 "" "$LNN" train --data train.csv "${S[@]}" --class-weight two.txt -q
byclass=$(grep '^test_loss=' "$WORK/out" | cut -d' ' -f1,2)
expect 0 "" "$LNN" train --data twice8.csv --sample-weight w "${S[@]}" -q
checks=$((checks + 1))
[ "$(grep '^test_loss=' "$WORK/out" | cut -d' ' -f1,2)" = "$byclass" ] ||
    fail "weight 2 on digit 8's rows: $(cat "$WORK/out"), --class-weight 8 2: $byclass"
checks=$((checks + 1))
[ "$byclass" != "$plain" ] || fail "weight 2 on digit 8's rows changed nothing"
expect 0 "" "$LNN" eval --model ones.lnn --data ones.csv --split val
# predict passes the weight column over where a file has it, with its
# labels or without them
expect 0 "" "$LNN" predict --model ones.lnn train.csv
cut -d: -f2- "$WORK/out" >p_plain.txt
expect 0 "" "$LNN" predict --model ones.lnn ones.csv
cut -d: -f2- "$WORK/out" >p_w.txt
awk -F, 'BEGIN { OFS = "," } { NF--; print }' ones.csv >ones_unlabelled.csv
expect 0 "" "$LNN" predict --model ones.lnn ones_unlabelled.csv
cut -d: -f2- "$WORK/out" >p_wu.txt
checks=$((checks + 1))
cmp -s p_w.txt p_plain.txt && cmp -s p_wu.txt p_plain.txt ||
    fail "predict of a file with the weight column: other predictions than of the file without it"
expect 2 'row [0-9]+ has weight -1; weights must be numbers >= 0' "$LNN" train --data negative.csv --sample-weight w "${S[@]}"
expect 2 '--sample-weight nope: no such column' "$LNN" train --data ones.csv --sample-weight nope "${S[@]}"

# --- the plateau schedule: decays by --lr-gamma after --lr-patience reports
# without a better validation loss; its state is in the model (record 10),
# so a resumed run continues it exactly ---------------------------------
P=(--data train.csv --test-data test.csv --threads 1 --seed 2 --batch 32
   --lr-schedule plateau --lr-patience 1 --lr-gamma 0.5)
expect 0 "" "$LNN" train "${P[@]}" --epochs 8 --save pa.lnn --log pa.csv -q
expect 0 "" "$LNN" train "${P[@]}" --epochs 4 --save pb.lnn -q
expect 0 "" "$LNN" train --data train.csv --test-data test.csv --threads 1 \
    --seed 2 --resume pb.lnn --epochs 8 -q
checks=$((checks + 1))
cmp -s pa.lnn pb.lnn || fail "plateau: 8 epochs straight and 4 + 4 resumed differ"
checks=$((checks + 1))
$PY - <<'PY' || fail "plateau: the rate did not follow the validation loss"
import csv
rows = list(csv.DictReader(open('pa.csv')))
best, stale, lr = None, 0, float(rows[0]['lr'])
for r in rows:  # the rate of epoch e follows the judgement of epoch e - 1
    assert abs(float(r['lr']) - lr) <= 1e-6 * lr, (r, lr)
    v = float(r['val_loss'])
    if best is None or v < best:
        best, stale = v, 0
    else:
        lr, stale = lr * 0.5, 0
print('plateau rates:', [r['lr'] for r in rows])
assert len({r['lr'] for r in rows}) > 1
PY
expect 2 "lr-patience" "$LNN" train "${P[@]}" --lr-patience 0

echo "reg: $checks checks, $fails failed"
[ "$fails" = 0 ]
