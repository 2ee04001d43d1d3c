#!/usr/bin/env bash
# Exports carry the preparation (issue 25): a model trained on the real
# Palmer penguins file as it is ($LNN_PENGUINS, else data/penguins.csv:
# data/fetch-penguins.sh), text columns and gaps, exported to ONNX, takes
# the file's raw columns and gives what lnn predict gives, on the file's
# rows plus a row of missing cells and a row with an island it never saw.
# Usage: test_table_export.sh LNN_BINARY PYTHON MODE
#   onnx         the graph, checked (onnx.checker) and evaluated node by
#                node in NumPy from the ONNX specification
#                (tests/export/readers.py onnx-raw)
#   onnxruntime  the graph run by onnxruntime-node (as export-onnxruntime
#                installs it); and the README's snippet (its js block) on
#                the README's new.csv, against lnn predict --output
#   import       export to safetensors (its metadata's "preparation") ->
#                lnn import -> predict on the same raw rows: byte for byte
#                the original's output, and the same file exported again;
#                a damaged "preparation": one line, exit 1
# Models: species from every other column (classes; also with
# --missing-indicators and --max-categories 2: indicators and "other"; with
# --impute zero: a text gap sets no input; with
# --scale none and byte; with "-" for a gap, --na-values -, kept in the
# model), and body_mass_g from the others (--task regress).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh" "$1"
PY=$2 MODE=$3
READERS=$HERE/../export/readers.py
cd "$WORK"

LNN_PENGUINS=${LNN_PENGUINS:-$HERE/../../data/penguins.csv}
[ -f "$LNN_PENGUINS" ] || {
    echo "skipped: no penguins.csv at LNN_PENGUINS='$LNN_PENGUINS' (data/fetch-penguins.sh gets it from Debian's r-cran-palmerpenguins)"
    exit 77
}
[ "${LNN_ONNX:-1}" = 0 ] && [ "$MODE" != import ] && {
    echo "skipped: lnn is built without ONNX (meson option onnx)"
    exit 77
}
[ "$MODE" = import ] || "$PY" -c "import numpy, onnx" 2>/dev/null || {
    echo "skipped: no numpy or onnx for $PY (Debian: python3-numpy python3-onnx)"
    exit 77
}
case $MODE in
import) ;;
onnx) run() { "$PY" "$READERS" onnx-raw "$@"; } ;;
onnxruntime)
    need_onnxruntime
    run() {
        NODE_PATH=$ORT/node_modules "$PY" "$READERS" onnxruntime-raw "$@" \
            "$HERE/../export/ort_run.js"
    }
    ;;
*) echo "usage: $0 LNN PYTHON onnx|onnxruntime|import" >&2; exit 2 ;;
esac

# the file's rows, one of missing cells (NA, empty, ?) and one of an island
# the model never saw; for the regression, the rows that have a body mass
# (and those two)
"$PY" - "$LNN_PENGUINS" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
head, body = rows[0], rows[1:]
assert head[:2] == ['species', 'island'] and 'body_mass_g' in head, head
gaps = ['Adelie', 'NA', '', '?', 'NA', '', 'NA', '2008']
unseen = ['Gentoo', 'Atlantis', '46.1', '13.2', '211', '4500', 'female', '2009']
with open('rows.csv', 'w') as f:
    f.write('\n'.join(','.join(r) for r in [head] + body + [gaps, unseen]) + '\n')
mass = head.index('body_mass_g')
weighed = [r for r in body if r[mass] != 'NA']
with open('mass.csv', 'w') as f:
    f.write('\n'.join(','.join(r) for r in [head] + weighed) + '\n')
# the same with "-" as the only text of a gap (train --na-values -), which
# the model keeps for predict and the graph
dash = lambda r: ['-' if c in ('NA', '?') else c for c in r]
with open('dash.csv', 'w') as f:
    f.write('\n'.join(','.join(dash(r)) for r in [head] + body) + '\n')
with open('dash_rows.csv', 'w') as f:
    f.write('\n'.join(','.join(dash(r)) for r in [head] + body + [gaps, unseen])
            + '\n')
gaps[mass] = '4000'  # predict reads the label column, if any
with open('mass_rows.csv', 'w') as f:
    f.write('\n'.join(','.join(r) for r in [head] + weighed + [gaps, unseen])
            + '\n')
PY

# NAME: export to safetensors, import, predict as the original on $rows
# ($name.out), and export the same file again
import_check() {
    local name=$1
    expect 0 "" "$LNN" export "$name.lnn" "$name.safetensors"
    expect 0 "" "$LNN" import "$name.safetensors" "$name-2.lnn"
    expect 0 "" "$LNN" predict --model "$name-2.lnn" --output "$name-2.out" \
        "$rows"
    checks=$((checks + 2))
    cmp -s "$name.out" "$name-2.out" ||
        fail "$name: the imported model predicts otherwise: $(diff "$name.out" "$name-2.out" | head -3)"
    expect 0 "" "$LNN" export "$name-2.lnn" "$name-2.safetensors"
    cmp -s "$name.safetensors" "$name-2.safetensors" ||
        fail "$name: the imported model exports another file"
}

# NAME LOSS TRAIN PREDICT OPTIONS...: train, predict, export, compare
check() {
    local name=$1 loss=$2 data=$3 rows=$4
    shift 4
    expect 0 "" "$LNN" train --data "$data" --epochs 8 --seed 3 \
        --save "$name.lnn" "$@"
    expect 0 "" "$LNN" predict --model "$name.lnn" --output "$name.out" "$rows"
    if [ "$MODE" = import ]; then
        import_check "$name"
        return
    fi
    expect 0 "" "$LNN" export "$name.lnn" "$name.onnx"
    checks=$((checks + 1))
    grep -q "the [0-9]* raw columns \[N, 1\] each" "$WORK/out" ||
        fail "$name: export does not say it takes raw columns: $(cat "$WORK/out")"
    checks=$((checks + 1))
    run "$name.onnx" "$loss" "$rows" "$name.out" ||
        fail "$name: the ONNX graph on the raw columns predicts otherwise than lnn"
}
check species ce "$LNN_PENGUINS" rows.csv --label species
check folded ce "$LNN_PENGUINS" rows.csv --label species \
    --missing-indicators --max-categories 2
# --impute zero: a gap in a text column sets no input (all zeros)
check zeros ce "$LNN_PENGUINS" rows.csv --label species --impute zero
check mass mse mass.csv mass_rows.csv --label body_mass_g --task regress
# --na-values: predict (given none) and the graph take the model's
check dash ce dash.csv dash_rows.csv --label species --na-values -
checks=$((checks + 1))
cmp -s species.out dash.out ||
    fail "a model trained with --na-values - predicts otherwise on '-' than with NA: $(diff species.out dash.out | head -3)"
# a model of prepared columns scales its inputs under every --scale (not
# scaled, body masses of ~4000 make logits whose float32 rounding in lnn is
# beyond the graph checks' 1e-5 of float64: only import, which is exact)
check bytes ce "$LNN_PENGUINS" rows.csv --label species --scale byte
[ "$MODE" = import ] &&
    check unscaled ce "$LNN_PENGUINS" rows.csv --label species --scale none

if [ "$MODE" = import ]; then
    # a damaged "preparation": one line, exit 1, no model
    for damage in "del p['columns'][0]['levels'][0]" \
                  "p['columns'][1]['kind'] = 'text'" \
                  "p['columns'][0]['fill'] = 3" "del p['left_out']"; do
        "$PY" - species.safetensors bad.safetensors "$damage" <<'PY'
import json, struct, sys
raw = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', raw[:8])[0]
head = json.loads(raw[8:8 + n])
p = json.loads(head['__metadata__']['preparation'])
exec(sys.argv[3])
head['__metadata__']['preparation'] = json.dumps(p)
text = json.dumps(head).encode()
text += b' ' * (-len(text) % 8)
open(sys.argv[2], 'wb').write(struct.pack('<Q', len(text)) + text + raw[8 + n:])
PY
        expect 1 'metadata "preparation"' "$LNN" import bad.safetensors bad.lnn
        checks=$((checks + 1))
        [ ! -e bad.lnn ] || fail "import left bad.lnn behind ($damage)"
    done
    echo "table_export $MODE: $checks checks, $fails failed"
    [ "$fails" = 0 ]
    exit
fi

if [ "$MODE" = onnxruntime ]; then
    # the README's penguins snippet, as it stands there, on its new.csv
    "$PY" - "$HERE/../../README.md" <<'PY' || fail "README: no penguins snippet or new.csv"
import re, sys
text = open(sys.argv[1]).read()
js = [b for b in re.findall(r"```js\n(.*?)```", text, re.S) if "penguins.onnx" in b]
rows = re.search(r"\$ cat new\.csv\n(.*?)\n\$ ", text, re.S)
assert len(js) == 1 and rows, (len(js), rows)
open("penguins.js", "w").write(js[0])
open("new.csv", "w").write(rows.group(1) + "\n")
PY
    cp species.onnx penguins.onnx
    expect 0 "" "$LNN" predict --model species.lnn --id name \
        --output new.out new.csv
    checks=$((checks + 1))
    NODE_PATH=$ORT/node_modules node penguins.js > snippet.json 2> snippet.err ||
        fail "README's snippet: $(cat snippet.err)"
    "$PY" - <<'PY' || fail "README's snippet gives other probabilities than lnn predict"
import csv, json
got = json.load(open("snippet.json"))
rows = list(csv.reader(open("new.out")))
assert rows[0][:3] == ["row", "name", "label"], rows[0]
want = [float(v) for r in rows[1:] for v in r[3:]]
assert len(got) == len(want) == 9, (got, want)
for g, w in zip(got, want):
    assert abs(g - w) <= 1e-5 * abs(w) + 1e-7, (got, want)
print("README's snippet: onnxruntime-node gives lnn predict's %d probabilities" % len(got))
PY
fi

# a column named as a value of the graph: one line, no file
printf 'Z1,colour,y\n1,red,a\n2,NA,b\n3,blue,a\n4,red,b\n' > clash.csv
expect 0 "" "$LNN" train --data clash.csv --epochs 1 --save clash.lnn
expect 1 'column "Z1" has the name of another value of the graph' \
    "$LNN" export clash.lnn clash.onnx
checks=$((checks + 1))
[ ! -e clash.onnx ] || fail "export left clash.onnx behind"

echo "table_export $MODE: $checks checks, $fails failed"
[ "$fails" = 0 ]
