#!/usr/bin/env bash
# bench/slowdown/build-no-flush.sh DIR: build an lnn-bench whose kernels keep
# subnormal floats (lnn__flush, src/util.h, returns its argument), for the
# gate's check that it sees a subnormal stall (bench/README.md, "Issue 23").
# The sources are this checkout's HEAD, in a git worktree DIR/src with
# src/util.h changed; the program is DIR/build/bench/lnn-bench. lnn itself
# has no such switch.
set -euo pipefail
[ $# = 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
mkdir -p "$1"
dir=$(cd "$1" && pwd)
cd "$(dirname "$0")/../.."
git worktree remove --force "$dir/src" 2>/dev/null || rm -rf "$dir/src"
git worktree prune
git worktree add --detach --quiet "$dir/src" HEAD
sed -i 's/return fabsf(x) < FLT_MIN ? 0.0f : x;/return x;/' "$dir/src/src/util.h"
grep -q '^    return x;$' "$dir/src/src/util.h" ||
    { echo "$0: lnn__flush not found in src/util.h" >&2; exit 2; }
rm -rf "$dir/build"
meson setup "$dir/build" "$dir/src" --buildtype=release -Dtests=false \
    >/dev/null
ninja -C "$dir/build" bench/lnn-bench >/dev/null
echo "$dir/build/bench/lnn-bench"
