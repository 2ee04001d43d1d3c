#!/usr/bin/env bash
# Download the four MNIST files into data/mnist/ (or the directory given as
# the first argument) and check their md5 sums against data/README.md. A file
# whose sum does not match is deleted, never kept. Files already there with
# the right sum are not downloaded again. Offline (no mirror answers for the
# first file needed) it says so in one line, leaves no empty directory
# behind and exits 1.
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

# Quiet: a failed mirror is one line of this script's, not the client's.
if command -v curl >/dev/null 2>&1; then
    download() { curl -fsL --retry 2 --connect-timeout 20 -o "$2" "$1" 2>/dev/null; }
elif command -v wget >/dev/null 2>&1; then
    download() { wget -q --tries=3 --timeout=20 -O "$2" "$1" 2>/dev/null; }
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

# Where lnn train goes without MNIST (src/cli/dataset.c).
fashion=/usr/share/datasets/fashion-mnist

# The partial download in progress, and the directory if this run made it:
# removed if the script stops early (the directory only while empty).
part=
made=
cleanup() {
    [ -z "$part" ] || rm -f "$part"
    [ -z "$made" ] || rmdir "$dest" 2>/dev/null || true
}
trap cleanup EXIT

[ -d "$dest" ] || made=1
mkdir -p "$dest"
missing=()
reached=0 # a mirror has given a file, or a file was already there
for entry in "${files[@]}"; do
    read -r name sum <<<"$entry"
    out=$dest/$name
    if [ -e "$out" ]; then
        if [ "$(md5_of "$out")" = "$sum" ]; then
            say "$name: already there, md5 ok"
            reached=1
            continue
        fi
        say "$name: md5 mismatch, deleting the old copy"
        rm -f "$out"
    fi
    got=0
    part=$out.part
    for mirror in "${mirrors[@]}"; do
        rm -f "$part"
        download "$mirror/$name" "$part" || continue
        reached=1
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
        if [ "$reached" = 0 ]; then
            if [ -f "$fashion/train-images-idx3-ubyte.gz" ]; then
                die "no mirror reachable (offline?); lnn train will use Fashion-MNIST from $fashion"
            fi
            die "no mirror reachable (offline?); apt-get install dataset-fashion-mnist gives lnn train Fashion-MNIST instead"
        fi
        missing+=("$name")
    fi
done

if [ "${#missing[@]}" != 0 ]; then
    die "no mirror gave the right ${missing[*]}; $dest lacks them"
fi
say "MNIST is in $dest (use: lnn --data $dest, or LNN_DATA=$dest)"
