#!/usr/bin/env bash
# Run a test on a real data set, or skip it (exit 77, meson's skip) when the
# data set is absent.
#
# Usage: with-data.sh mnist|fashion COMMAND [ARG]...
#
#   mnist    $LNN_DATA if set, else $LNN_TEST_DATA_DIR (the source tree's
#            data/mnist, set by meson): data/fetch-mnist.sh fills it
#   fashion  $LNN_FASHION_DATA if set, else Debian's
#            /usr/share/datasets/fashion-mnist (apt-get install
#            dataset-fashion-mnist)
#
# The data set is there when its directory holds all four IDX files, each
# raw or gzipped; an empty directory, or one with only some of them, counts
# as absent. Whether the files are sound is for the test to find out: a
# corrupt file fails the test, it never skips it. COMMAND runs with LNN_DATA
# set to the directory.
set -u
kind=$1
shift
case $kind in
mnist)
    dir=${LNN_DATA:-${LNN_TEST_DATA_DIR:-}}
    how="run data/fetch-mnist.sh or set LNN_DATA to a directory that has them"
    ;;
fashion)
    dir=${LNN_FASHION_DATA:-/usr/share/datasets/fashion-mnist}
    how="apt-get install dataset-fashion-mnist, or set LNN_FASHION_DATA"
    ;;
*)
    echo "with-data.sh: unknown data set '$kind' (mnist or fashion)" >&2
    exit 2
    ;;
esac
missing=()
for f in train-images-idx3-ubyte train-labels-idx1-ubyte \
    t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -f "$dir/$f" ] || [ -f "$dir/$f.gz" ] || missing+=("$f[.gz]")
done
if [ "${#missing[@]}" != 0 ]; then
    echo "skipped: no $kind in '${dir:-(unset)}' (missing ${missing[*]}): $how"
    exit 77
fi
LNN_DATA=$dir exec "$@"
