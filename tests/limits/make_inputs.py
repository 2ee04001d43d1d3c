#!/usr/bin/env python3
"""Hostile inputs for tests/limits/test_limits.sh (issue 24), each at a size
that shows its problem: make_inputs.py DIR CASE... writes DIR/CASE.* files.
Every file is made from the standard library alone, deterministically."""
import gzip
import os
import sys


def header_columns(d):
    """1: a 2.7 MB header of 200 000 distinct columns (the pairwise
    duplicate check took 52 s), a duplicate at the end; and the same
    without the duplicate (then the label is the only problem)."""
    n = 200000
    names = ["c%d" % i for i in range(n)]
    rows = ["1" * 1] * n
    with open(os.path.join(d, "header.csv"), "w") as f:
        f.write(",".join(names + ["c7"]) + ",label\n")
        for r in range(4):
            f.write(",".join(rows + ["1"]) + ",%s\n" % "ab"[r % 2])


def float_range(d):
    """2: a double that is not a float32, and finite values that overflow
    once scaled by a model fitted on small ones."""
    with open(os.path.join(d, "f32.csv"), "w") as f:
        f.write("a,b,label\n1,2,x\n1e39,3,y\n4,5,x\n")
    with open(os.path.join(d, "small.csv"), "w") as f:
        f.write("a,b,label\n")
        for r in range(200):  # standard scaling multiplies by about 12
            f.write("0.%d,0.%d,%s\n" % (r % 3, r % 5, "xy"[r % 2]))
    with open(os.path.join(d, "huge.csv"), "w") as f:
        f.write("a,b,label\n3e38,3e38,x\n-3e38,3e38,y\n")


def long_label(d):
    """11: two labels of 5000 bytes that differ only after byte 4096."""
    with open(os.path.join(d, "longlabel.csv"), "w") as f:
        f.write("a,label\n")
        for r in range(20):
            f.write("%d,%s%s\n" % (r, "x" * 4999, "ab"[r % 2]))


def libsvm_bomb(d):
    """10: a small .svm.gz (about 10 KB) of 15 000 rows of 25 values, the
    last at index 100 000: within 4096 dense cells per stored value, but
    1.5 GB dense."""
    line = ("1 " + " ".join("%d:1" % k for k in range(1, 25)) +
            " 100000:1\n").encode()
    with gzip.open(os.path.join(d, "bomb.svm.gz"), "wb", 9) as f:
        f.write(line * 15000)


def wide(d):
    """14: 4 rows of 4 M one-digit columns, 32 MB: bytes, 16 MB of matrix."""
    n = 4 * 1024 * 1024
    with open(os.path.join(d, "wide.csv"), "w") as f:
        for r in range(4):
            f.write(",".join(["1"] * n) + ",%s\n" % "ab"[r % 2])


def many_classes(d):
    """4: 50 000 rows, a label unique to each (539 KB); 400 rows of 267
    classes, 1.5 rows each."""
    with open(os.path.join(d, "classes.csv"), "w") as f:
        f.write("a,label\n")
        for r in range(50000):
            f.write("%d,k%d\n" % (r % 10, r))
    with open(os.path.join(d, "pairs.csv"), "w") as f:
        f.write("a,label\n")
        for r in range(400):
            f.write("%d,k%d\n" % (r % 10, r * 2 // 3))


def safetensors_header(d):
    """5: a safetensors file whose 8 MB header is 4 M tiny JSON values
    (the tree would take about 600 MB before any check)."""
    import struct
    header = b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},' \
             b'"__metadata__":{"x":"y"},"pad":[' + b"0," * (4 << 20) + b"0]}"
    with open(os.path.join(d, "bomb.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header + b"\0" * 4)


def data_ids(d):
    """6, 7: a training file of 200 rows; its rows shuffled (the same
    count); other labels; and the file with one row more."""
    import random
    rows = ["0.%d,0.%d,%s\n" % (r % 3, r % 5, "xy"[r % 2]) for r in range(200)]
    head = "a,b,label\n"
    with open(os.path.join(d, "train.csv"), "w") as f:
        f.write(head + "".join(rows))
    shuffled = rows[:]
    random.Random(1).shuffle(shuffled)
    with open(os.path.join(d, "shuffled.csv"), "w") as f:
        f.write(head + "".join(shuffled))
    with open(os.path.join(d, "labels.csv"), "w") as f:
        f.write(head + "".join(r.replace(",x", ",z") for r in rows))
    with open(os.path.join(d, "longer.csv"), "w") as f:
        f.write(head + "".join(rows) + "0.1,0.2,x\n")


def overflow(d):
    """9: values a float32 holds whose products overflow it."""
    with open(os.path.join(d, "overflow.csv"), "w") as f:
        f.write("a,b,label\n")
        for r in range(64):
            f.write("%de30,%d,%s\n" % (r % 9 + 1, r % 5, "xy"[r % 2]))


CASES = {"header": header_columns, "float": float_range, "label": long_label,
         "svmgz": libsvm_bomb, "wide": wide, "classes": many_classes,
         "safetensors": safetensors_header, "data": data_ids,
         "overflow": overflow}

if __name__ == "__main__":
    for case in sys.argv[2:]:
        CASES[case](sys.argv[1])
