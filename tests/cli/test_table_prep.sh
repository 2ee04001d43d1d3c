#!/usr/bin/env bash
# Tables as people have them (issue 25): missing cells filled and text
# columns one-hot, fitted on the training part, kept in the model and
# applied by eval and predict; then the real Palmer penguins file
# ($LNN_PENGUINS, else data/penguins.csv: data/fetch-penguins.sh) against
# scikit-learn's imputer + one-hot + MLP pipeline on the same split.
# Usage: test_table_prep.sh LNN_BINARY
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh" "$1"
PY=/usr/bin/python3
cd "$WORK"

# 300 rows: y from x1 and the colour; x1 has gaps (NA, ?, empty), colour
# is text with a gap, grade is integer-coded (1, 2, 3)
$PY - <<'PY'
import numpy as np
rng = np.random.default_rng(5)
n = 300
x1 = np.round(rng.normal(size=n), 3)
x2 = np.round(rng.normal(size=n), 3)
colour = rng.choice(['red', 'green', 'blue'], size=n)
grade = rng.integers(1, 4, size=n)
y = np.where((x1 > 0) ^ (colour == 'red'), 'yes', 'no')
gaps = ['NA', '?', '']
with open('gaps.csv', 'w') as f:
    f.write('x1,colour,grade,x2,y\n')
    for i in range(n):
        a = gaps[i % 3] if i % 25 == 0 else '%g' % x1[i]
        c = 'NA' if i % 40 == 7 else colour[i]
        f.write('%s,%s,%d,%g,%s\n' % (a, c, grade[i], x2[i], y[i]))
with open('allgap.csv', 'w') as f:
    f.write('x1,x2,y\n')
    for i in range(n):
        f.write('NA,%g,%s\n' % (x2[i], y[i]))
with open('ids.csv', 'w') as f:
    f.write('id,x1,y\n')
    for i in range(n):
        f.write('row%d,%g,%s\n' % (i, x1[i], y[i]))
PY

# the summary: which columns were filled, how, how many cells; categories
expect 0 "" "$LNN" train --data gaps.csv --epochs 2 --save m.lnn
grep -q '^missing: 20 cells filled: x1 12 (median [-0-9.e]*), colour 8 (most-frequent "[a-z]*")$' "$WORK/out" ||
    fail "no missing line: $(cat "$WORK/out")"
grep -q '^categories (one-hot): colour 3$' "$WORK/out" ||
    fail "no categories line: $(cat "$WORK/out")"
grep -q 'rows of 6 features' "$WORK/out" ||
    fail "not 6 inputs (x1, 3 colours, grade, x2): $(cat "$WORK/out")"
checks=$((checks + 3))

# the model keeps the fill: a row with a gap predicts as the row with the
# training part's median in its place
median=$(sed -n 's/^missing: .*x1 12 (median \([-0-9.e]*\)).*/\1/p' "$WORK/out")
printf 'x1,colour,grade,x2\nNA,red,2,0.5\n%s,red,2,0.5\n' "$median" > two.csv
expect 0 "" "$LNN" predict --model m.lnn two.csv
checks=$((checks + 1))
[ "$(cut -d' ' -f2- "$WORK/out" | sort -u | wc -l)" = 1 ] ||
    fail "a gap and the median predict differently: $(cat "$WORK/out")"

# an unseen category: all-zero inputs, counted in one line
printf 'x1,colour,grade,x2\n0.5,purple,2,0.5\n0.5,red,1,0.1\n' > new.csv
expect 0 "" "$LNN" predict --model m.lnn new.csv
checks=$((checks + 1))
grep -q '^lnn: warning: new.csv: 1 cell of categories the model never saw' \
    "$WORK/err" || fail "no unseen count: $(cat "$WORK/err")"

# eval on the training file (the label column found by its name)
expect 0 "" "$LNN" eval --model m.lnn --data gaps.csv
checks=$((checks + 1))
grep -q 'the training file, the model.s split: test, 30 rows' "$WORK/out" ||
    fail "eval did not take the split: $(cat "$WORK/out")"

# the options
expect 0 "" "$LNN" train --data gaps.csv --epochs 1 --impute mean \
    --missing-indicators --categorical grade --max-categories 2
checks=$((checks + 3))
grep -q '^missing: 20 cells filled: x1 12 (mean ' "$WORK/out" ||
    fail "--impute mean: $(cat "$WORK/out")"
grep -q '^categories (one-hot): colour 2 + other, grade 2 + other$' \
    "$WORK/out" || fail "--categorical/--max-categories: $(cat "$WORK/out")"
# x1 + indicator, colour 3, grade 3, colour's indicator, x2
grep -q 'rows of 10 features' "$WORK/out" ||
    fail "--missing-indicators: $(cat "$WORK/out")"
expect 0 "" "$LNN" train --data gaps.csv --epochs 1 --impute zero
checks=$((checks + 1))
grep -q '^missing: 20 cells filled: x1 12 (zero 0), colour 8 (zero none)$' \
    "$WORK/out" || fail "--impute zero: $(cat "$WORK/out")"

# bad input: one line each
expect 1 'gaps.csv:2: column 1 "x1": a missing cell "NA"' \
    "$LNN" train --data gaps.csv --impute error
expect 1 'column 1 "x1": every cell of the training part is missing' \
    "$LNN" train --data allgap.csv
expect 1 'column 1 "id": 2[0-9]{2} distinct values in 240 training rows.*--max-categories' \
    "$LNN" train --data ids.csv
expect 1 '--categorical shade names no column; the columns are x1, colour, grade, x2, y' \
    "$LNN" train --data gaps.csv --categorical shade
expect 2 "--impute: 'often'" "$LNN" train --data gaps.csv --impute often
# --na-values is kept in the model whole: a longer list is refused
expect 2 "--na-values: 4097 bytes, more than the 4096 a model keeps" \
    "$LNN" train --data gaps.csv --na-values "$(printf '%04097d' 0)"

# column choice: --id (carried to predict --output), --ignore, --columns,
# kept in the model; a new file with those columns still there, or not
expect 0 "" "$LNN" train --data ids.csv --id id --epochs 1 --save id.lnn
checks=$((checks + 1))
grep -q 'rows of 1 features' "$WORK/out" || fail "--id is a feature: $(cat "$WORK/out")"
printf 'id,x1\nfirst,0.5\n"a, b",-1\n' > idrows.csv
expect 0 "" "$LNN" predict --model id.lnn idrows.csv --output pred.csv
checks=$((checks + 1))
[ "$(cut -d, -f1-2 pred.csv | head -2 | tr '\n' ' ')" = "row,id 0,first " ] &&
    grep -q '^1,"a, b",' pred.csv || fail "--id not carried: $(cat pred.csv)"
expect 0 "" "$LNN" train --data gaps.csv --ignore colour,3 --epochs 1 --save ig.lnn
checks=$((checks + 1))
grep -q 'rows of 2 features' "$WORK/out" || fail "--ignore: $(cat "$WORK/out")"
expect 0 "" "$LNN" predict --model ig.lnn two.csv
expect 0 "" "$LNN" train --data gaps.csv --columns 4,x1 --epochs 1
checks=$((checks + 1))
grep -q 'rows of 2 features' "$WORK/out" || fail "--columns: $(cat "$WORK/out")"
expect 1 'gaps.csv: the label, column 5 "y", is left out' \
    "$LNN" train --data gaps.csv --ignore y
expect 1 '--ignore shade names no column; the columns are x1, colour' \
    "$LNN" train --data gaps.csv --ignore shade
expect 1 '--id x1,x2: one column, not several' \
    "$LNN" train --data gaps.csv --id x1,x2
expect 1 '--columns 9 names no column' "$LNN" train --data gaps.csv --columns 9
# the ONNX export says what its input is: the 4 raw columns
expect 0 "" "$LNN" export m.lnn m.onnx
checks=$((checks + 1))
grep -q 'the 4 raw columns \[N, 1\] each, prepared, to probabilities' \
    "$WORK/out" || fail "export: $(cat "$WORK/out")"

# the real penguins file, as it is, beside scikit-learn on the same split
LNN_PENGUINS=${LNN_PENGUINS:-$HERE/../../data/penguins.csv}
if [ ! -f "$LNN_PENGUINS" ]; then
    echo "table_prep: $checks checks, $fails failed"
    echo "skip: no penguins.csv at LNN_PENGUINS='${LNN_PENGUINS:-}' (data/fetch-penguins.sh gets it from Debian's r-cran-palmerpenguins)"
    [ "$fails" = 0 ] || exit 1
    exit 77
fi
$PY - "$LNN_PENGUINS" <<'PY' || fail "the penguins split"
import sys, csv, random
rows = list(csv.reader(open(sys.argv[1])))
head, body = rows[0], rows[1:]
random.Random(7).shuffle(body)
test = body[:70]
with open('p_train.csv', 'w') as f:
    f.write('\n'.join(','.join(r) for r in [head] + body[70:]) + '\n')
with open('p_test.csv', 'w') as f:
    f.write('\n'.join(','.join(r) for r in [head] + test) + '\n')
PY
expect 0 "" "$LNN" train --data p_train.csv --test-data p_test.csv \
    --label species --save p.lnn
checks=$((checks + 2))
grep -q '^categories (one-hot): island 3, sex 2$' "$WORK/out" ||
    fail "penguins: island and sex not one-hot: $(cat "$WORK/out")"
grep -q '^missing: .*sex [0-9]* (most-frequent' "$WORK/out" ||
    fail "penguins: NA cells not filled: $(cat "$WORK/out")"
lnn_acc=$(sed -n 's/^test_loss=[^ ]* test_acc=\([0-9.]*\).*/\1/p' "$WORK/out")
sk_acc=$($PY - <<'PY'
import warnings
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
warnings.filterwarnings('ignore')
tr, te = pd.read_csv('p_train.csv'), pd.read_csv('p_test.csv')
text = ['island', 'sex']
num = [c for c in tr.columns if c not in text + ['species']]
prep = ColumnTransformer([
    ('num', make_pipeline(SimpleImputer(strategy='median'), StandardScaler()), num),
    ('cat', make_pipeline(SimpleImputer(strategy='most_frequent'),
                          OneHotEncoder(handle_unknown='ignore')), text)])
clf = make_pipeline(prep, MLPClassifier((256, 128), max_iter=500, random_state=1))
clf.fit(tr.drop(columns='species'), tr['species'])
print('%.4f' % clf.score(te.drop(columns='species'), te['species']))
PY
)
echo "penguins: lnn test accuracy $lnn_acc, scikit-learn pipeline $sk_acc (70 test rows)"
checks=$((checks + 1))
$PY -c "import sys; sys.exit(0 if float('$lnn_acc') >= float('$sk_acc') - 0.03 else 1)" ||
    fail "penguins: lnn $lnn_acc is more than 3 points below scikit-learn's $sk_acc"
expect 0 "" "$LNN" eval --model p.lnn --data p_test.csv
expect 0 "" "$LNN" predict --model p.lnn p_test.csv

echo "table_prep: $checks checks, $fails failed"
[ "$fails" = 0 ]
