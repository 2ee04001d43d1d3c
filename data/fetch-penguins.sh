#!/usr/bin/env bash
# The real Palmer penguins table (344 rows; species, island and sex as
# text, NA cells) into data/penguins.csv (or the file given as the first
# argument), from Debian's r-cran-palmerpenguins, which ships it as
# extdata/penguins.csv. Installing that package pulls in R, so it is only
# downloaded (apt-get download) and unpacked (dpkg-deb -x) in a temporary
# directory. A file already there is kept. Failing, it says why in one
# line and exits 1, leaving nothing behind.
#
# Usage: data/fetch-penguins.sh [FILE]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-"$here/penguins.csv"}
[ -s "$dest" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && apt-get download r-cran-palmerpenguins >/dev/null 2>&1 &&
      dpkg-deb -x r-cran-palmerpenguins_*.deb x); then
    echo "fetch-penguins: apt-get download r-cran-palmerpenguins failed (a Debian or Ubuntu machine with its package lists: apt-get update)" >&2
    exit 1
fi
csv=$(find "$tmp/x" -path '*/palmerpenguins/extdata/penguins.csv' | head -1)
if [ -z "$csv" ]; then
    echo "fetch-penguins: the package holds no extdata/penguins.csv" >&2
    exit 1
fi
cp "$csv" "$dest.tmp" && mv "$dest.tmp" "$dest"
