#!/usr/bin/env bash
# lnn-mpi whose processes load different data (issue 24, case 8): every
# process compares its data's id (size, rows, digest) with rank 0's after
# loading and before any update; the job stops with one line from rank 0
# and saves nothing. Each process is given its own --data through mpirun's
# MPMD syntax (A : B). Skipped (77) without mpirun.
# Usage: test_mpi_data.sh LNN_MPI
set -u
LNN_MPI=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
command -v mpirun >/dev/null || { echo "mpirun not found: skipped"; exit 77; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fails=0 checks=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl_vader_single_copy_mechanism=none
MPIRUN=(env "ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0" mpirun --bind-to none)
cd "$WORK" || exit 1

# 800 and 400 rows; 800 rows of other values (the same shape)
python3 - <<'PY'
for name, rows, k in (("a.csv", 800, 1), ("b.csv", 400, 1), ("c.csv", 800, 3)):
    with open(name, "w") as f:
        f.write("x1,x2,label\n")
        for r in range(rows):
            f.write("%d,%d,%s\n" % (r * k % 13, r % 7, "pq"[r % 2]))
PY
T=(train --epochs 2 --batch 16 --threads 1 -q --save m.lnn)

# two_ranks WANT DATA0 DATA1: the job fails, with WANT once on stderr
two_ranks() {
    checks=$((checks + 1))
    "${MPIRUN[@]}" -np 1 "$LNN_MPI" "${T[@]}" --data "$2" : \
        -np 1 "$LNN_MPI" "${T[@]}" --data "$3" >out 2>err
    local rc=$?
    if [ "$rc" = 0 ]; then
        fail "$2 and $3: exit 0"
    elif [ "$(grep -c "^lnn: $1\$" err)" != 1 ]; then
        fail "$2 and $3: stderr lacks one line '$1': $(head -c 600 err)"
    elif [ -e m.lnn ]; then
        fail "$2 and $3: a model was saved"
    fi
}
two_ranks "rank 1's data differs from rank 0's: 800 vs 400 rows" a.csv b.csv
two_ranks "rank 1's data differs from rank 0's: 800 rows each, other values" a.csv c.csv
checks=$((checks + 1))
"${MPIRUN[@]}" -np 2 "$LNN_MPI" "${T[@]}" --data a.csv >out 2>err ||
    fail "the same data: $(head -c 600 err)"
echo "mpi-data: $checks checks, $fails failed"
[ "$fails" = 0 ]
