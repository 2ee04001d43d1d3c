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
#                installs it)
# Models: species from every other column (classes; also with
# --missing-indicators and --max-categories 2: indicators and "other"),
# and body_mass_g from the others (--task regress).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh" "$1"
PY=$2 MODE=$3
READERS=$HERE/../export/readers.py
ORT_VERSION=1.31.1 # onnxruntime-node, as .ci/run installs it
cd "$WORK"

LNN_PENGUINS=${LNN_PENGUINS:-$HERE/../../data/penguins.csv}
[ -f "$LNN_PENGUINS" ] || {
    echo "skipped: no penguins.csv at LNN_PENGUINS='$LNN_PENGUINS' (data/fetch-penguins.sh gets it from Debian's r-cran-palmerpenguins)"
    exit 77
}
[ "${LNN_ONNX:-1}" = 0 ] && {
    echo "skipped: lnn is built without ONNX (meson option onnx)"
    exit 77
}
"$PY" -c "import numpy, onnx" 2>/dev/null || {
    echo "skipped: no numpy or onnx for $PY (Debian: python3-numpy python3-onnx)"
    exit 77
}
case $MODE in
onnx) run() { "$PY" "$READERS" onnx-raw "$@"; } ;;
onnxruntime)
    command -v node >/dev/null || {
        echo "skipped: node is not installed (Debian: nodejs npm)"
        exit 77
    }
    ORT=${LNN_ORT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lnn/onnxruntime}
    if [ ! -d "$ORT/node_modules/onnxruntime-node" ]; then
        mkdir -p "$ORT" && command -v npm >/dev/null &&
            npm install --prefix "$ORT" --ignore-scripts --no-audit \
                --no-fund "onnxruntime-node@$ORT_VERSION" >&2 || {
            echo "skipped: npm cannot install onnxruntime-node into $ORT"
            exit 77
        }
    fi
    run() {
        NODE_PATH=$ORT/node_modules "$PY" "$READERS" onnxruntime-raw "$@" \
            "$HERE/../export/ort_run.js"
    }
    ;;
*) echo "usage: $0 LNN PYTHON onnx|onnxruntime" >&2; exit 2 ;;
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
gaps[mass] = '4000'  # predict reads the label column, if any
with open('mass_rows.csv', 'w') as f:
    f.write('\n'.join(','.join(r) for r in [head] + weighed + [gaps, unseen])
            + '\n')
PY

# NAME LOSS TRAIN PREDICT OPTIONS...: train, export, predict, compare
check() {
    local name=$1 loss=$2 data=$3 rows=$4
    shift 4
    expect 0 "" "$LNN" train --data "$data" --epochs 8 --seed 3 \
        --save "$name.lnn" "$@"
    expect 0 "" "$LNN" export "$name.lnn" "$name.onnx"
    checks=$((checks + 1))
    grep -q "the [0-9]* raw columns \[N, 1\] each" "$WORK/out" ||
        fail "$name: export does not say it takes raw columns: $(cat "$WORK/out")"
    expect 0 "" "$LNN" predict --model "$name.lnn" --output "$name.out" "$rows"
    checks=$((checks + 1))
    run "$name.onnx" "$loss" "$rows" "$name.out" ||
        fail "$name: the ONNX graph on the raw columns predicts otherwise than lnn"
}
check species ce "$LNN_PENGUINS" rows.csv --label species
checks=$((checks + 1))
grep -q "rows.csv: 1 cell of categories the model never saw" "$WORK/err" ||
    fail "species: the unseen island not counted: $(cat "$WORK/err")"
check folded ce "$LNN_PENGUINS" rows.csv --label species \
    --missing-indicators --max-categories 2
check mass mse mass.csv mass_rows.csv --label body_mass_g --task regress

# a column named as a value of the graph: one line, no file
printf 'Z1,colour,y\n1,red,a\n2,NA,b\n3,blue,a\n4,red,b\n' > clash.csv
expect 0 "" "$LNN" train --data clash.csv --epochs 1 --save clash.lnn
expect 1 'column "Z1" has the name of another value of the graph' \
    "$LNN" export clash.lnn clash.onnx
checks=$((checks + 1))
[ ! -e clash.onnx ] || fail "export left clash.onnx behind"

echo "table_export $MODE: $checks checks, $fails failed"
[ "$fails" = 0 ]
