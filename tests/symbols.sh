#!/bin/bash
# The shared library exports exactly the documented API (libxkbcommon's
# symbols test): the functions liblnn.so defines, the committed list
# tests/symbols.txt and the LNN_API declarations of the installed headers
# must be the same set. A new public function goes into all three.
# usage: symbols.sh LIBLNN.so SYMBOLS.txt HEADER...
set -eu
lib=$1 list=$2
shift 2
nm=${NM:-nm}
command -v "$nm" >/dev/null || { echo "symbols: no nm, skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$nm" -D --defined-only "$lib" | awk '$2 ~ /^[TDRB]$/ {print $3}' |
    sort >"$tmp/exported"
grep -ho 'LNN_API[^(]*(' "$@" | grep -o 'lnn_[A-Za-z0-9_]*($' | tr -d '(' |
    sort >"$tmp/declared"
sort "$list" >"$tmp/listed"
status=0
if ! diff -u --label "$list" --label exported "$tmp/listed" "$tmp/exported"; then
    echo "symbols: the exported functions differ from $list" >&2
    status=1
fi
if ! diff -u --label "$list" --label declared "$tmp/listed" "$tmp/declared"; then
    echo "symbols: the LNN_API declarations differ from $list" >&2
    status=1
fi
[ "$status" = 0 ] && echo "symbols: $(wc -l <"$tmp/listed") exported, listed and declared"
exit "$status"
