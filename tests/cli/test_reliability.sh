#!/usr/bin/env bash
# Reliability of the lnn command (issue 18), on the synthetic dataset:
#   limits  a model whose stored max_batch is 200409216 (CRC fixed) resumes
#           in normal memory; a file-size limit (ulimit -f) while saving
#           keeps the previous model, exit 1 with the reason; an address
#           space too small for the network (ulimit -v) is exit 1, "out of
#           memory" and the size wanted
#   crash   lnn train --save killed with SIGKILL at 20 random moments: the
#           model then loads and evaluates, or does not exist, and nothing
#           else is in its directory (but for a kill in the microseconds
#           between linkat and rename: then a complete temporary that the
#           next save removes)
#   fulldisk  a full file system (a small tmpfs; needs root, else skipped
#           with exit 77): the previous model stays, exit 1 with the reason
# Usage: test_reliability.sh LNN_BINARY limits|crash|fulldisk
set -u
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh" "$1"
mode=$2

python3 "$(dirname "$0")/make_dataset.py" "$WORK/data"
D=(--data "$WORK/data" --val 100)
NET=(--layers 16,12,10 --optimizer sgd --lr-schedule constant --quiet)
# Models live in a directory of their own, to see that nothing else is left.
MD=$WORK/models
mkdir "$MD"
M=$MD/m.lnn

# limited LETTER VALUE CMD...: CMD under "ulimit -LETTER VALUE".
limited() {
    bash -c 'ulimit -"$1" "$2" && shift 2 && exec "$@"' limited "$@"
}

# only_model: the model directory holds m.lnn alone, or nothing.
only_model() {
    checks=$((checks + 1))
    local left
    left=$(ls -A "$MD")
    [ -z "$left" ] || [ "$left" = m.lnn ] ||
        fail "$1: the model directory holds: $(echo "$left" | tr '\n' ' ')"
}

# AddressSanitizer reserves terabytes of address space: no ulimit -v then.
asan=false
if ldd "$LNN" 2>/dev/null | grep -q libasan; then
    asan=true
fi

case $mode in
limits)
    expect 0 "" "$LNN" train "${D[@]}" "${NET[@]}" --epochs 2 --batch 20 --save "$M"
    # Issue 18's reproducer: max_batch (u64 at offset 40) = 200409216.
    python3 - "$M" "$WORK/huge.lnn" <<'PY'
import struct, sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
b[40:48] = struct.pack("<Q", 200409216)
b[-4:] = struct.pack("<I", zlib.crc32(bytes(b[:-4])))
open(sys.argv[2], "wb").write(b)
PY
    # Its batch buffers would take 57 GB; resumed with the run's batch, the
    # whole run fits in 1 GB of address space.
    if $asan; then
        expect 0 "" "$LNN" train "${D[@]}" --resume "$WORK/huge.lnn" --epochs 3 --quiet
    else
        expect 0 "" limited v 1000000 "$LNN" train "${D[@]}" --resume "$WORK/huge.lnn" --epochs 3 --quiet
    fi
    expect 0 "" "$LNN" eval --model "$WORK/huge.lnn" "${D[@]}"
    expect 0 "" "$LNN" predict --model "$WORK/huge.lnn" "$WORK/data/t10k-images-idx3-ubyte"

    # A file-size limit of 8 KiB, a model of 27 KB: the save fails with
    # EFBIG (SIGXFSZ is ignored), the old model stays whole.
    cp "$M" "$WORK/before.lnn"
    expect 1 "m.lnn: write failed: File too large" limited f 8 "$LNN" train "${D[@]}" --layers 16,256,10 --epochs 2 --quiet --save "$M"
    checks=$((checks + 1))
    cmp -s "$M" "$WORK/before.lnn" || fail "ulimit -f: the previous model changed"
    only_model "ulimit -f"
    expect 0 "" "$LNN" eval --model "$M" "${D[@]}"

    # A 4 MB model of 1048576 inputs: eval and predict chunk by the
    # network's width (64 MiB of batch buffers), not 1024 columns (4 GB).
    python3 - "$WORK/wide.lnn" "$WORK/one.pgm" <<'PY'
import struct, sys, zlib
n0 = 1 << 20
b = b"LNNMODEL" + struct.pack("<6I6Q", 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0)
b += struct.pack("<2Q", n0, 1) + bytes(4 * (n0 + 1))
open(sys.argv[1], "wb").write(b + struct.pack("<I", zlib.crc32(b)))
open(sys.argv[2], "wb").write(b"P5\n4 4\n255\n" + bytes(16))
PY
    if ! $asan; then
        expect 1 "one.pgm: 4x4 image, the model takes 1048576 pixels" limited v 1000000 "$LNN" predict --model "$WORK/wide.lnn" "$WORK/one.pgm"
        expect 2 "wide.lnn: evaluation data has 16 features per sample, the network.s input layer has 1048576" limited v 1000000 "$LNN" eval --model "$WORK/wide.lnn" "${D[@]}"
    fi

    # 900 million parameters (13.8 GB) in 1 GB of address space.
    if ! $asan; then
        expect 1 "out of memory: a network of 900840010 parameters .* needs [0-9.]+ MiB" limited v 1000000 "$LNN" train "${D[@]}" --layers 16,30000,30000,10 --epochs 1 --quiet
    else
        echo "ulimit -v checks skipped: AddressSanitizer build"
    fi
    ;;
crash)
    # Full batch, a report and a save every epoch: lnn is saving most of
    # the time, so the kills land in every part of a save.
    runs=0 saved=0 window=0
    for i in $(seq 1 20); do
        # every fifth trial starts without a model: the first save links the
        # new file under the name, later ones replace it
        [ $((i % 5)) = 1 ] && rm -f "$M"
        "$LNN" train "${D[@]}" --layers 16,256,256,10 --batch 500 --print-every 1 \
            --epochs 1000000 --quiet --save "$M" >/dev/null 2>&1 &
        pid=$!
        sleep "$(python3 -c "import random; print(random.uniform(0.05, 0.6))")"
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        runs=$((runs + 1))
        # Replacing a model needs a name for the new file before rename:
        # a kill in the microseconds between linkat and rename leaves that
        # temporary, complete and synced. The next save removes it.
        temps=$(cd "$MD" && ls -A | grep -E '^m\.lnn\.tmp-[A-Za-z0-9]{6}$')
        if [ -n "$temps" ]; then
            window=$((window + 1))
            for t in $temps; do
                expect 0 "" "$LNN" eval --model "$MD/$t" "${D[@]}"
            done
            sleep 2.2 # what makes a temporary stale
            expect 0 "" "$LNN" train "${D[@]}" "${NET[@]}" --epochs 1 --save "$M"
        fi
        only_model "kill -9, trial $i"
        if [ -e "$M" ]; then
            saved=$((saved + 1))
            expect 0 "" "$LNN" eval --model "$M" "${D[@]}"
        fi
    done
    echo "crash: $runs kills, a model under the name after $saved," \
        "$window between linkat and rename"
    checks=$((checks + 1))
    [ "$saved" -ge 10 ] || fail "only $saved of $runs kills came after a save: the test is too quick to mean much"
    ;;
fulldisk)
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: mounting a small tmpfs needs root"
        exit 77
    fi
    if ! mount -t tmpfs -o size=256k lnn-test "$MD" 2>"$WORK/mount.err"; then
        echo "SKIP: cannot mount a tmpfs: $(cat "$WORK/mount.err")"
        exit 77
    fi
    trap 'umount "$MD"; rm -rf "$WORK"' EXIT
    expect 0 "" "$LNN" train "${D[@]}" "${NET[@]}" --epochs 1 --save "$M"
    cp "$M" "$WORK/before.lnn"
    # fill the file system, then try to save a 290 KB model
    dd if=/dev/zero of="$MD/fill" bs=4k 2>/dev/null
    expect 1 "m.lnn: write failed: No space left on device" "$LNN" train "${D[@]}" --layers 16,256,256,10 --epochs 1 --quiet --save "$M"
    checks=$((checks + 1))
    cmp -s "$M" "$WORK/before.lnn" || fail "full disk: the previous model changed"
    rm -f "$MD/fill"
    only_model "full disk"
    expect 0 "" "$LNN" eval --model "$M" "${D[@]}"
    ;;
*)
    echo "usage: $0 LNN_BINARY limits|crash|fulldisk" >&2
    exit 99
    ;;
esac

echo "reliability $mode: $checks checks, $fails failed"
[ "$fails" = 0 ]
