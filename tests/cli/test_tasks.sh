#!/usr/bin/env bash
# Every task on real tables no one here wrote (scikit-learn's bundled
# diabetes, breast_cancer, digits and wine, written out by the test),
# trained with no tuning flags: `lnn train --data TRAIN --test-data TEST`
# on scikit-learn's train_test_split (80/20, random_state 0, stratified for
# classes), judged by `lnn eval --json` on TEST. The thresholds are
# scikit-learn's MLPRegressor/MLPClassifier (hidden 256,128, the same as
# lnn's default, 200 iterations, targets standardised for regression) on
# the same split, measured with ../shared/tools/compare_sklearn.py, less a
# stated margin:
#   diabetes (regression, R^2)    sklearn 0.005  lnn 0.111  -> R^2 >= 0.0
#   breast_cancer (binary, acc.)  sklearn 0.947  lnn 0.930  -> >= 0.90
#   digits (10 classes, acc.)     sklearn 0.975  lnn 0.978  -> >= 0.955
#   wine (3 classes, acc.)        sklearn 1.000  lnn 1.000  -> >= 0.94
# Then what the task machinery must do: auto picks regression for diabetes
# and says why; --loss bce on one column of two values is binary with ROC
# and PR AUC; several 0/1 columns are multi-label; several numeric columns
# are multi-output regression; predict --output's columns and units; a
# missing target is left out with a count; the bad inputs of issue 22.
# Usage: test_tasks.sh LNN_BINARY
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh" "$1"
need_python numpy sklearn
cd "$WORK"
$PY "$HERE/sklearn_tables.py" || fail "sklearn_tables.py failed"

# metric FILE.json KEY: a number of lnn eval --json's object
metric() { $PY -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
# at_least A B: A >= B
at_least() { $PY -c "import sys; sys.exit(0 if float(sys.argv[1]) >= float(sys.argv[2]) else 1)" "$1" "$2"; }

for case in "diabetes r2 0.0" "cancer accuracy 0.90" "digits accuracy 0.955" \
    "wine accuracy 0.94"; do
    set -- $case
    expect 0 "" "$LNN" train --data "$1-train.csv" --test-data "$1-test.csv" \
        --save "$1.lnn" -q
    expect 0 "" "$LNN" eval --model "$1.lnn" --data "$1-test.csv" --json
    cp out "$1.json"
    got=$(metric "$1.json" "$2")
    echo "$1: $2 $got (threshold $3)"
    checks=$((checks + 1))
    at_least "$got" "$3" || fail "$1: $2 $got < $3"
done
checks=$((checks + 1))
[ "$(metric diabetes.json task)" = regression ] &&
    [ "$(metric cancer.json task)" = classification ] ||
    fail "tasks: $(cat diabetes.json cancer.json)"

# auto: diabetes's 214 distinct integers are regression, said in one line
expect 0 "" "$LNN" train --data diabetes.csv --hidden 8 --epochs 2 --save d.lnn
checks=$((checks + 1))
grep -q '^task: regression (214 distinct integers in 442 rows; --task to choose)$' out ||
    fail "auto task line: $(head -2 out)"
# every number in the target's units: predict's values lie in its range
expect 0 "" "$LNN" predict --model d.lnn --output d.csv diabetes-test.csv
checks=$((checks + 1))
$PY - <<'PY' || fail "regression predict --output: $(head -3 d.csv)"
import csv
rows = list(csv.reader(open('d.csv')))
assert rows[0] == ['row', 'target'], rows[0]
v = [float(r[1]) for r in rows[1:]]
assert len(v) == 89 and 25 < sum(v) / len(v) < 346, (len(v), sum(v) / len(v))
PY
# --task classify trains the numbers as classes when asked
expect 0 "" "$LNN" train --data diabetes.csv --task classify --hidden 8 --epochs 1 -q

# binary: --loss bce on a column of two values: one sigmoid output, AUCs
expect 0 "" "$LNN" train --data cancer-train.csv --test-data cancer-test.csv --loss bce --save b.lnn -q
expect 0 "" "$LNN" eval --model b.lnn --data cancer-test.csv --json
cp out b.json
checks=$((checks + 1))
at_least "$(metric b.json roc_auc)" 0.95 && at_least "$(metric b.json pr_auc)" 0.95 ||
    fail "binary AUCs: $(cat b.json)"
expect 0 "" "$LNN" predict --model b.lnn --output b.csv cancer-test.csv
checks=$((checks + 1))
[ "$(head -1 b.csv)" = "row,label,benign,malignant" ] || fail "binary --output: $(head -2 b.csv)"

# multi-label: three 0/1 columns
expect 0 "" "$LNN" train --data props.csv --label even,big,prime --save ml.lnn
checks=$((checks + 1))
grep -q '^task: multi-label (3 label columns, every value 0 or 1' out || fail "multi-label: $(head -2 out)"
expect 0 "" "$LNN" eval --model ml.lnn --data props.csv --json
cp out ml.json
checks=$((checks + 1))
at_least "$(metric ml.json subset_accuracy)" 0.85 || fail "multi-label: $(cat ml.json)"
expect 0 "" "$LNN" predict --model ml.lnn --output ml.csv props.csv
checks=$((checks + 1))
[ "$(head -1 ml.csv)" = "row,even,big,prime,p_even,p_big,p_prime" ] || fail "multi-label --output: $(head -2 ml.csv)"

# multi-output regression: two numeric columns, each in its own units
expect 0 "" "$LNN" train --data twice.csv --label ten,square --save mo.lnn -q
expect 0 "" "$LNN" eval --model mo.lnn --data twice.csv --json
cp out mo.json
checks=$((checks + 1))
$PY - <<'PY' || fail "multi-output: $(cat mo.json)"
import json
d = json.load(open('mo.json'))
assert d['task'] == 'regression' and set(d['per_target']) == {'ten', 'square'}, d
assert d['per_target']['ten']['r2'] > 0.8 and d['per_target']['square']['r2'] > 0.8, d
assert d['rmse_ci'][0] <= d['rmse'] <= d['rmse_ci'][1], d
PY

# a missing target is left out, with a count
{ head -1 diabetes.csv; sed -n 2,200p diabetes.csv; echo '0.01,0.02,0.03,0.04,0.05,0.06,0.07,0.08,0.09,0.1,NA'; } > gaps.csv
expect 0 "" "$LNN" train --data gaps.csv --hidden 8 --epochs 1 -q
checks=$((checks + 1))
grep -q '^lnn: gaps.csv: 1 rows without a label left out$' err || fail "missing target: $(cat err)"

# bad input: one line, exit 1 or 2, nothing written
# (a blank line before it: the message names the line of the file, not
# the row, and the column by its index and name)
{ head -1 diabetes.csv; sed -n 2,50p diabetes.csv; echo; echo '0.01,0.02,0.03,0.04,0.05,0.06,0.07,0.08,0.09,0.1,abc'; } > text.csv
expect 1 'text.csv: line 52, column 11 \("target"\): the target "abc" is not a number' "$LNN" train --data text.csv --task regress --save x.lnn
{ echo 'a,target,b'; echo '1,2,3'; echo '4,5,6'; echo '7,x,9'; } > middle.csv
expect 1 'middle.csv: line 4, column 2 \("target"\): the target "x" is not a number' "$LNN" train --data middle.csv --task regress --save x.lnn
{ echo '1,2,3'; echo '4,5,6'; echo '7,8,y'; } > noheader.csv
expect 1 'noheader.csv: line 3, column 3: the target "y" is not a number' "$LNN" train --data noheader.csv --task regress --save x.lnn
expect 2 "--loss ce does not fit --task regress" "$LNN" train --data diabetes.csv --task regress --loss ce --save x.lnn
expect 1 "a binary label needs exactly 2 values, the label column has 3" "$LNN" train --data wine.csv --loss bce --save x.lnn
expect 1 "row 1: label column square is 100, not 0 or 1" "$LNN" train --data twice.csv --label ten,square --task multilabel --save x.lnn
expect 1 "label column|no such column" "$LNN" train --data props.csv --label even,nosuch --save x.lnn
{ echo 'a,b,id'; for i in $(seq 1 100); do echo "$i,$((i * 7 % 13)),row$i"; done; } > ids.csv
expect 2 "100 classes in 100 rows: the label looks like an id" "$LNN" train --data ids.csv --save x.lnn
checks=$((checks + 1))
[ ! -e x.lnn ] || fail "a refused run wrote x.lnn"

echo "test_tasks: $checks checks, $fails failed"
[ "$fails" = 0 ]
