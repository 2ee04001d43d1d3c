#!/usr/bin/env bash
# Two real tables from Debian's python3-statsmodels, which ships them as
# the data of its own tests: the UCI automobile table (205 cars: make,
# fuel, body style and seven more columns as text, 59 empty cells; the
# risk rating "symbol" is the label) as data/autos.csv, and Hosmer and
# Lemeshow's low birth weight table (189 births: race as text, "low" the
# label, "bwt" the weight it is read from) as data/lbw.csv. The package is
# only downloaded (apt-get download) and unpacked (dpkg-deb -x) in a
# temporary directory: no Python is needed to read the files. Files
# already there are kept. Failing, it says why in one line and exits 1,
# leaving nothing behind.
#
# Usage: data/fetch-statsmodels.sh [DIR]   (DIR defaults to data/)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-"$here"}
[ -s "$dir/autos.csv" ] && [ -s "$dir/lbw.csv" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && apt-get download python3-statsmodels >/dev/null 2>&1 &&
      dpkg-deb -x python3-statsmodels_*.deb x); then
    echo "fetch-statsmodels: apt-get download python3-statsmodels failed (a Debian or Ubuntu machine with its package lists: apt-get update)" >&2
    exit 1
fi
# name in the package -> name here
for pair in gam/tests/results/autos.csv:autos.csv \
            genmod/tests/results/stata_lbw_glm.csv:lbw.csv; do
    csv=$(find "$tmp/x" -path "*/statsmodels/${pair%%:*}" | head -1)
    if [ -z "$csv" ]; then
        echo "fetch-statsmodels: the package holds no ${pair%%:*}" >&2
        exit 1
    fi
    cp "$csv" "$tmp/${pair#*:}"
done
for name in autos.csv lbw.csv; do
    cp "$tmp/$name" "$dir/$name.tmp" && mv "$dir/$name.tmp" "$dir/$name"
done
