#!/usr/bin/env bash
# The measuring -Dgemm builds (bench/README.md, "BLIS and LIBXSMM"): each
# compiles without a warning, says which library it runs, and trains the
# same short MNIST run to within a point of the default build's accuracy.
# Usage: bench/gemm_check.sh DEFAULT_BUILD [LIBRARY...]  (LNN_DATA: MNIST)
set -eu
base=$1
shift
libs=("$@")
[ ${#libs[@]} -gt 0 ] || libs=(blis libxsmm)
run=(train --train-subset 5000 --val 1000 --epochs 2 --seed 1 --quiet)
acc() { "$@" 2>&1 | tail -1 | grep -o 'test_acc=[0-9.]*' | cut -d= -f2; }
want=$(acc "$base/lnn" "${run[@]}")
[ -n "$want" ] || { echo "gemm_check: the default build did not train"; exit 1; }
for g in "${libs[@]}"; do
    dir=build-gemm-$g
    rm -rf "$dir"
    meson setup "$dir" -Dgemm="$g" -Dwerror=true -Dtests=false -Dbench=false \
        -Dman=disabled -Donnx=disabled >/dev/null
    ninja -C "$dir" lnn >/dev/null
    case $g in blis) name="BLIS bli_sgemm" ;; libxsmm) name="LIBXSMM" ;; esac
    "$dir/lnn" --version | grep -q "blas: $name" ||
        { echo "gemm_check: $dir/lnn --version does not name $name"; exit 1; }
    got=$(acc "$dir/lnn" "${run[@]}")
    python3 -c "import sys; w, g = float('$want'), float('${got:-nan}');
sys.exit(0 if abs(w - g) <= 0.01 else 1)" ||
        { echo "gemm_check: -Dgemm=$g test_acc=$got, the default build's $want"; exit 1; }
    echo "gemm_check: -Dgemm=$g test_acc=$got (default build $want)"
done
