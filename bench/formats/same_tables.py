"""same_tables.py NEW.so OLD.so SEED SECONDS: load random CSV files with
two builds of liblnn (e.g. before and after a change to the loader) and
check that they give the same table bit for bit (n_x, m, storage, X, y,
label names, column names) or the same status and message. The files
have 1 to 40 columns and up to 40000 rows: bytes, floats from a random
row, quoted fields and labels (some with a line end inside), CRLF, blank
lines, and an error at a random row (or none). Set OMP_NUM_THREADS to
choose the team. Prints the count of files and of each outcome; exit 1 at
the first difference, its file kept as ./same_tables_diff.csv."""
import ctypes as C
import os
import random
import shutil
import sys
import tempfile
import time


class Table(C.Structure):
    _fields_ = [("n_x", C.c_size_t), ("m", C.c_size_t),
                ("X", C.POINTER(C.c_float)), ("X_u8", C.POINTER(C.c_uint8)),
                ("y", C.POINTER(C.c_int32)), ("n_classes", C.c_size_t),
                ("names", C.POINTER(C.c_char_p)),
                ("columns", C.POINTER(C.c_char_p))]


def library(path):
    lib = C.CDLL(path)
    lib.lnn_table_load.argtypes = [C.POINTER(Table), C.c_char_p, C.c_void_p,
                                   C.c_char_p, C.c_size_t]
    lib.lnn_table_free.argtypes = [C.POINTER(Table)]
    return lib


def load(lib, path):
    t, err = Table(), C.create_string_buffer(512)
    status = lib.lnn_table_load(C.byref(t), path.encode(), None, err, 512)
    if status != 0:
        return [status, err.value]
    k = t.n_x * t.m
    X = C.string_at(t.X_u8, k) if t.X_u8 else C.string_at(t.X, 4 * k)
    out = [status, t.n_x, t.m, bool(t.X_u8), X,
           C.string_at(t.y, 4 * t.m) if t.y else None,
           [t.names[i] for i in range(t.n_classes)],
           [t.columns[i] for i in range(t.n_x)] if t.columns else None]
    lib.lnn_table_free(C.byref(t))
    return out


def write_csv(rng, path):
    ncol = rng.randint(1, 40)
    rows = rng.choice([rng.randint(50, 6000), rng.randint(10000, 40000)])
    nl = "\r\n" if rng.random() < 0.3 else "\n"
    lines = []
    if rng.random() < 0.7:
        lines.append(",".join(['"c%d"' % j if rng.random() < 0.2 else
                               "c%d" % j for j in range(ncol)] + ["label"]))
    wide = rng.randint(0, rows * 2)
    quoted = rng.choice([0, 0, 0.001, 0.05])
    bad = rng.randint(0, rows * 3)
    for i in range(rows):
        if rng.random() < 0.01:
            lines.append("")
        row = []
        for _ in range(ncol):
            v = (str(rng.randint(0, 255)) if i < wide else
                 rng.choice([str(rng.randint(0, 300)),
                             "%.3f" % rng.uniform(-5, 5),
                             "1e%d" % rng.randint(-5, 5)]))
            row.append('"%s"' % v if rng.random() < quoted else v)
        label = rng.choice(["a", "b", "c", "dd", "e f"])
        if rng.random() < quoted:
            label = '"%s%s"' % (label, "\nx" if rng.random() < 0.3 else "")
        row.append(label)
        if i == bad:
            kind = rng.randint(0, 6)
            if kind == 1:
                row.append("9")
            elif kind == 2:
                row[-1] = ""
            else:
                row[0] = {0: "abc", 3: "1\0", 4: "nan", 5: '"1"2', 6: ""}[kind]
        lines.append(",".join(row))
    text = nl.join(lines) + (nl if rng.random() < 0.8 else "")
    if rng.random() < 0.05:
        text += '1,"open'
    with open(path, "w", newline="") as f:
        f.write(text)


def main():
    new, old = library(sys.argv[1]), library(sys.argv[2])
    rng, seconds = random.Random(int(sys.argv[3])), float(sys.argv[4])
    work = tempfile.mkdtemp()
    path = os.path.join(work, "t.csv")
    count, outcomes, t0 = 0, {}, time.time()
    try:
        while time.time() - t0 < seconds:
            write_csv(rng, path)
            a, b = load(new, path), load(old, path)
            count += 1
            key = "error" if a[0] else "bytes" if a[3] else "float32"
            outcomes[key] = outcomes.get(key, 0) + 1
            if a != b:
                shutil.copy(path, "same_tables_diff.csv")
                print("differ:", a[:2], b[:2])
                return 1
    finally:
        shutil.rmtree(work)
    print("same_tables: %d files the same (%s)" % (count, ", ".join(
        "%s %d" % kv for kv in sorted(outcomes.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
