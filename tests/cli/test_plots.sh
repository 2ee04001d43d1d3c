#!/usr/bin/env bash
# Plots (issue 27): lnn train --plot, lnn plot LOG -o FILE.svg and lnn eval
# --plot write SVG that parses (python3's xml) and holds the data: every
# report's loss, validation accuracy and learning rate as a titled mark,
# the best epoch, every cell of the confusion matrix; --plot and lnn plot
# of the run's --log (CSV or JSON lines) draw the same marks; bad output
# paths are refused before training.
# Usage: test_plots.sh LNN_BINARY
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh" "$1"
need_python numpy
cd "$WORK"

# three classes from two features, learnable in a few epochs
$PY - <<'PY'
import random
random.seed(4)
with open('t.csv', 'w') as f:
    f.write('x,y,label\n')
    for i in range(600):
        x, y = random.uniform(-1, 1), random.uniform(-1, 1)
        c = 'a' if x < -0.3 else ('b' if y > 0 else 'c')
        f.write('%.3f,%.3f,%s\n' % (x, y, c))
PY
run=(--data t.csv --hidden 16 --epochs 12 --seed 5 --threads 1)
expect 0 "" "$LNN" train "${run[@]}" --log run.csv --plot train.svg --save m.lnn
expect 0 "" "$LNN" train "${run[@]}" --log run.jsonl -q
expect 0 "" "$LNN" plot run.csv -o from_csv.svg
expect 0 "" "$LNN" plot -o from_jsonl.svg run.jsonl
grep -q "^from_jsonl.svg: 12 reports drawn" out || fail "plot: $(cat out)"
expect 0 "" "$LNN" eval --model m.lnn --data t.csv --plot cm.svg
cp out eval.out

checks=$((checks + 1))
$PY - <<'PY' || fail "the SVGs do not hold the data"
import csv, re, sys
import xml.etree.ElementTree as ET
NS = '{http://www.w3.org/2000/svg}'
def marks(path):
    root = ET.parse(path).getroot()
    assert root.tag == NS + 'svg', root.tag
    out = {}
    for c in root.iter(NS + 'circle'):
        t = c.find(NS + 'title')
        if t is not None:
            m = re.fullmatch(r'epoch (\S+): (\S+) (\S+)', t.text)
            out[(m.group(2), float(m.group(1)))] = float(m.group(3))
    texts = [t.text for t in root.iter(NS + 'text')]
    return out, texts
rows = list(csv.DictReader(open('run.csv')))
assert len(rows) == 12
got, texts = marks('train.svg')
for r in rows:
    e = float(r['epoch'])
    for key in ('loss', 'val_loss', 'val_acc', 'lr'):
        want = float(r[key])
        assert abs(got[(key, e)] - want) <= 1e-4 * max(1, abs(want)), (key, e, got[(key, e)], want)
assert len(got) == 48, len(got)
best = max(rows, key=lambda r: (float(r['val_acc']), -float(r['epoch'])))
assert any(t and t.startswith('best: epoch %s, val_acc' % best['epoch']) for t in texts), texts
def close(a, b):  # a log keeps loss to 6 decimals, val_acc to 4
    return a.keys() == b.keys() and all(abs(a[k] - b[k]) <= 1e-4 * max(1, abs(b[k])) for k in a)
for other in ('from_csv.svg', 'from_jsonl.svg'):
    assert close(marks(other)[0], got), other
# the confusion matrix: every cell, the counts eval printed
root = ET.parse('cm.svg').getroot()
cells = {}
for r in root.iter(NS + 'rect'):
    t = r.find(NS + 'title')
    if t is not None:
        m = re.fullmatch(r'true (\S+), predicted (\S+): (\d+)', t.text)
        cells[(m.group(1), m.group(2))] = int(m.group(3))
assert len(cells) == 9, cells
lines = open('eval.out').read().splitlines()
i = lines.index('confusion matrix (rows: true class, columns: predicted)')
names = lines[i + 1].split()
for line in lines[i + 2:i + 5]:
    f = line.split()
    for p, v in zip(names, f[1:]):
        assert cells[(f[0], p)] == int(v), (f[0], p, cells[(f[0], p)], v)
PY

# output paths: checked before the data is read or training starts
expect 2 "--plot: nodir/p.svg: no directory nodir" \
    "$LNN" train "${run[@]}" --plot nodir/p.svg --log late.csv
[ ! -e late.csv ] || fail "the log was written before --plot was refused"
checks=$((checks + 1))
expect 2 "--plot: 'p.png' must end in .svg" "$LNN" train "${run[@]}" --plot p.png
expect 2 "--plot: 'm.lnn' must end in .svg" "$LNN" eval --model m.lnn --data t.csv --plot m.lnn
expect 2 "-o: nodir/x.svg: no directory" "$LNN" plot run.csv -o nodir/x.svg
expect 2 "expected one LOG and -o FILE.svg" "$LNN" plot run.csv
expect 1 "missing.csv: No such file" "$LNN" plot missing.csv -o x.svg
printf 'a,b\n1,2\n' >other.csv
expect 1 "other.csv: no epoch column" "$LNN" plot other.csv -o x.svg
printf 'epoch,loss\n1,0.5\n2,abc\n' >bad.csv
expect 1 "bad.csv:3: field 2: \"abc\" is not a number" "$LNN" plot bad.csv -o x.svg
[ ! -e x.svg ] || fail "a failed plot left x.svg"
checks=$((checks + 1))
echo "test_plots: $checks checks, $fails failed"
[ "$fails" = 0 ]
