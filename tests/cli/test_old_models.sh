#!/bin/bash
# Models written before format version 3 load and predict exactly as the lnn
# that wrote them did: a version-1 model (IDX, bytes / 255) and a version-2
# table model (labels, scaling, split), each against the probabilities that
# lnn printed then (old-models/*-probs.csv, made by lnn at ccc7a4e with
# `predict --output`), to the last printed digit, and eval's report of the
# version-2 model on its own split against that lnn's.
# usage: test_old_models.sh LNN
set -u
LNN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
OLD="$HERE/old-models"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
checks=0 failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# same_probs OLD.csv NEW.csv: the same label and probabilities per row
# (the old file has a `probability` column after the label)
same_probs() {
    checks=$((checks + 1))
    python3 - "$1" "$2" <<'PY' || fail "$2 differs from $1"
import csv, sys
old = list(csv.reader(open(sys.argv[1])))[1:]
new = list(csv.reader(open(sys.argv[2])))
assert new[0][:2] == ["row", "label"], new[0]
new = new[1:]
assert len(old) == len(new) > 0, (len(old), len(new))
for o, n in zip(old, new):
    assert o[0] == n[0] and o[1] == n[1], (o[:2], n[:2])
    assert o[3:] == n[2:], (o, n)   # the same %.9g text: the same floats
PY
}

"$LNN" predict --model "$HERE/v1-model.lnn" --output "$WORK/v1.csv" \
    "$OLD/bytes.csv" || fail "predict with the version-1 model"
same_probs "$OLD/v1-probs.csv" "$WORK/v1.csv"
"$LNN" predict --model "$OLD/v2-model.lnn" --output "$WORK/v2.csv" \
    "$OLD/flowers-new.csv" || fail "predict with the version-2 model"
same_probs "$OLD/v2-probs.csv" "$WORK/v2.csv"

checks=$((checks + 1))
"$LNN" eval --model "$OLD/v2-model.lnn" --data "$OLD/flowers.csv" >"$WORK/eval" ||
    fail "eval with the version-2 model"
# the lines the old lnn printed: the split, the loss and accuracy, the matrix
for line in "data: $OLD/flowers.csv, the model's split (a model without the training file's id: told by its row count): test, 15 rows" \
    "$(sed -n 3p "$OLD/v2-eval.txt")"; do
    grep -qF -- "${line#data: flowers.csv}" "$WORK/eval" ||
        fail "eval lacks \"$line\": $(cat "$WORK/eval")"
done
checks=$((checks + 1))
[ "$(grep -A4 '^confusion' "$WORK/eval" | tail -3 | awk '{print $2, $3, $4}')" = \
  "$(grep -A4 '^confusion' "$OLD/v2-eval.txt" | tail -3 | awk '{print $2, $3, $4}')" ] ||
    fail "confusion matrix differs: $(cat "$WORK/eval")"

echo "old models: $checks checks, $failed failed"
[ "$failed" = 0 ]
