#!/usr/bin/env bash
# Download the four MNIST files into data/mnist/ (or the directory given as
# the first argument) and check their md5 sums against data/README.md. A file
# whose sum does not match is deleted, never kept. Files already there with
# the right sum are not downloaded again.
#
# Usage: data/fetch-mnist.sh [DIR]
# Needs curl or wget, and md5sum (or md5 on BSD and macOS).
# LNN_MNIST_MIRRORS (space-separated base URLs) replaces the mirror list.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-"$here/mnist"}

# Tried in turn for each file. The original site (the last one) often
# refuses downloads now, so public copies come first.
default_mirrors="https://ossci-datasets.s3.amazonaws.com/mnist \
https://storage.googleapis.com/cvdf-datasets/mnist \
https://yann.lecun.com/exdb/mnist"
read -r -a mirrors <<<"${LNN_MNIST_MIRRORS:-$default_mirrors}"

# name and md5 of each file, as in data/README.md
files=(
    "train-images-idx3-ubyte.gz f68b3c2dcbeaaa9fbdd348bbdeb94873"
    "train-labels-idx1-ubyte.gz d53e105ee54ea40749a09fcbcd1e9432"
    "t10k-images-idx3-ubyte.gz 9fb629c4189551a2d022fa330f9573f3"
    "t10k-labels-idx1-ubyte.gz ec29112dd5afa0611ce80d1b7f02629c"
)

say() { echo "fetch-mnist: $*"; }
die() { echo "fetch-mnist: $*" >&2; exit 1; }

if command -v curl >/dev/null 2>&1; then
    download() { curl -fsSL --retry 2 --connect-timeout 20 -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
    download() { wget -q --tries=3 --timeout=20 -O "$2" "$1"; }
else
    die "needs curl or wget"
fi

if command -v md5sum >/dev/null 2>&1; then
    md5_of() { md5sum "$1" | cut -d' ' -f1; }
elif command -v md5 >/dev/null 2>&1; then
    md5_of() { md5 -q "$1"; }
else
    die "needs md5sum or md5"
fi

# The partial download in progress, removed if the script stops early.
part=
trap '[ -z "$part" ] || rm -f "$part"' EXIT

mkdir -p "$dest"
failed=0
for entry in "${files[@]}"; do
    read -r name sum <<<"$entry"
    out=$dest/$name
    if [ -e "$out" ]; then
        if [ "$(md5_of "$out")" = "$sum" ]; then
            say "$name: already there, md5 ok"
            continue
        fi
        say "$name: md5 mismatch, deleting the old copy"
        rm -f "$out"
    fi
    got=0
    part=$out.part
    for mirror in "${mirrors[@]}"; do
        rm -f "$part"
        if ! download "$mirror/$name" "$part"; then
            say "$name: not available from $mirror" >&2
            continue
        fi
        actual=$(md5_of "$part")
        if [ "$actual" = "$sum" ]; then
            mv "$part" "$out"
            say "$name: from $mirror, md5 ok"
            got=1
            break
        fi
        say "$name from $mirror: md5 $actual, expected $sum; deleted" >&2
    done
    rm -f "$part"
    part=
    if [ "$got" = 0 ]; then
        say "$name: no mirror gave the right file" >&2
        failed=1
    fi
done

if [ "$failed" = 1 ]; then
    die "some files are missing from $dest"
fi
say "MNIST is in $dest (use: lnn --data $dest, or LNN_DATA=$dest)"
