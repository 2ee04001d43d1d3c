#!/usr/bin/env bash
# bench/slowdown/build-slow-elementwise.sh PCT DIR: build an lnn-bench whose
# elementwise sweeps (activation forward and backward, src/layer.c) spin
# for PCT per cent of their own time afterwards, for the gate's detection
# experiments (bench/README.md). The sources are this checkout's HEAD, in a
# git worktree DIR/src with elementwise.patch applied; the program is
# DIR/build/bench/lnn-bench. lnn itself has no such hook.
set -euo pipefail
[ $# = 2 ] || { echo "usage: $0 PCT DIR" >&2; exit 2; }
pct=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$2"
dir=$(cd "$2" && pwd)
cd "$here/../.."
git worktree remove --force "$dir/src" 2>/dev/null || rm -rf "$dir/src"
git worktree prune
git worktree add --detach --quiet "$dir/src" HEAD
git -C "$dir/src" apply "$here/elementwise.patch"
rm -rf "$dir/build"
meson setup "$dir/build" "$dir/src" --buildtype=release -Dtests=false \
    -Dc_args="-DLNN_SLOW_ELEMENTWISE=$pct" >/dev/null
ninja -C "$dir/build" bench/lnn-bench >/dev/null
echo "$dir/build/bench/lnn-bench"
