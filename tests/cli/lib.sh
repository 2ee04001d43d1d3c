# lib.sh: what the command-line test scripts share; sourced with the lnn
# binary as its argument. Sets LNN (absolute: some checks change
# directory), WORK (a temporary directory removed on exit), PY, the
# counters fails and checks, and the helpers below. A script ends with
#   echo "NAME: $checks checks, $fails failed"; [ "$fails" = 0 ]
LNN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fails=0 checks=0
PY=/usr/bin/python3 # Debian's, with python3-numpy and the like

# need_python MODULE...: each importable by $PY, or the script is skipped
# (exit 77) naming the Debian package that has it (python3-numpy,
# python3-sklearn, python3-pil, ...).
need_python() {
    local m
    for m in "$@"; do
        "$PY" -c "import $m" 2>/dev/null || {
            echo "python3-${m,,} is not installed: skipped"
            exit 77
        }
    done
}

# need_onnxruntime: node, and onnxruntime-node in $ORT ($LNN_ORT_DIR, by
# default ~/.cache/lnn/onnxruntime; installed there with npm
# --ignore-scripts if missing), or the script is skipped (exit 77).
need_onnxruntime() {
    command -v node >/dev/null || {
        echo "skipped: node is not installed (Debian: nodejs npm)"
        exit 77
    }
    ORT=${LNN_ORT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lnn/onnxruntime}
    [ -d "$ORT/node_modules/onnxruntime-node" ] && return
    # onnxruntime-node's version, as .ci/run installs it
    mkdir -p "$ORT" && command -v npm >/dev/null &&
        npm install --prefix "$ORT" --ignore-scripts --no-audit \
            --no-fund onnxruntime-node@1.31.1 >&2 || {
        echo "skipped: npm cannot install onnxruntime-node into $ORT"
        exit 77
    }
}

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# expect STATUS PATTERN CMD...: exit status and a line of stderr matching
# PATTERN (a grep -E regex); messages must start with "lnn:".
expect() {
    local want=$1 pattern=$2
    shift 2
    checks=$((checks + 1))
    "$@" >"$WORK/out" 2>"$WORK/err"
    local got=$?
    if [ "$got" != "$want" ]; then
        fail "$* -> exit $got, expected $want; stderr: $(head -c 300 "$WORK/err")"
    elif [ -n "$pattern" ] && ! grep -Eq "^lnn: .*$pattern" "$WORK/err"; then
        fail "$* -> stderr lacks /$pattern/: $(head -c 300 "$WORK/err")"
    elif [ "$(wc -l <"$WORK/err")" -gt 1 ] && [ "$want" != 0 ]; then
        fail "$* -> more than one line of error: $(cat "$WORK/err")"
    fi
}
