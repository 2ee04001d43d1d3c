"""Independent readers of lnn's exports: nothing here uses lnn's code.

    readers.py safetensors FILE IMAGES CSV N   plain json + numpy.frombuffer
    readers.py onnx FILE IMAGES CSV N          onnx.checker, then the graph
                                               node by node in NumPy
    readers.py torch FILE IMAGES CSV N README  the README's PyTorch snippet
                                               (json + torch.frombuffer), run
                                               as it stands there
    readers.py close CSV_A CSV_B               probabilities agree (stdlib)
    readers.py onnx-table FILE LOSS DATA CSV   a table model's graph (any head)
                                               on the feature columns of DATA
                                               against CSV, the --output of
                                               lnn predict on DATA, and the
                                               metadata's "loss" is LOSS
    readers.py onnxruntime FILE LOSS DATA CSV JS  likewise, run by
                                               onnxruntime-node (node JS)
    readers.py onnx-raw FILE LOSS DATA CSV     a table model whose graph
                                               prepares the raw columns (one
                                               input per column: strings,
                                               or floats with NaN for a
                                               missing cell) on DATA's rows
                                               as they are, against CSV
    readers.py onnxruntime-raw FILE LOSS DATA CSV JS  likewise, run by
                                               onnxruntime-node

IMAGES is an IDX image file (gzipped or not); CSV is `lnn predict --output`
on it. The forward pass runs in float64 on the first N images (pixels / 255)
and must agree with lnn's probabilities to RTOL relative (ATOL absolute for
probabilities too small for float32's rounding of the logits to vanish).
Exit 0 on agreement, 1 on a mismatch, 77 when numpy, onnx or torch is
missing."""
import csv
import gzip
import json
import math
import os
import re
import struct
import subprocess
import sys
import tempfile

RTOL = 1e-5
ATOL = 1e-7
SKIP = 77


def need(module):
    try:
        return __import__(module)
    except ImportError:
        print(f"skipped: python module {module} is not installed "
              f"(Debian: python3-{module})")
        sys.exit(SKIP)


def read_csv(path, n=None):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    assert header[:2] == ["row", "label"], header
    rows = rows if n is None else rows[:n]
    return [[float(x) for x in r[2:]] for r in rows]


def read_images(np, path, n):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    magic, count, rows, cols = struct.unpack(">IIII", raw[:16])
    assert magic == 0x803 and count >= n, (magic, count)
    pixels = np.frombuffer(raw, dtype=np.uint8, count=n * rows * cols,
                           offset=16)
    return pixels.reshape(n, rows * cols).astype(np.float64) / 255.0


def activations(np, meta, L):
    """Each hidden layer's activation, as numpy functions of z in float64,
    from the metadata's "activation" (one name for all, or one per hidden
    layer) and "leaky_slope"."""
    erf = np.vectorize(math.erf)
    slope = float(meta.get("leaky_slope", "0.01"))
    table = {
        "relu": lambda z: np.maximum(z, 0.0),
        "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
        "identity": lambda z: z,
        "leaky_relu": lambda z: np.where(z > 0, z, slope * z),
        "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
        "gelu": lambda z: 0.5 * z * (1.0 + erf(z / math.sqrt(2.0))),
        "silu": lambda z: z / (1.0 + np.exp(-z)),
        "tanh": np.tanh,
    }
    names = meta["activation"].split(",")
    names = names * (L - 1) if len(names) == 1 else names
    assert len(names) == max(L - 1, 1), (names, L)
    return [table[n] for n in names]


def softmax(np, z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def compare(np, p, csv_path, n, what):
    expected = np.array(read_csv(csv_path, n))
    if p.shape != expected.shape:
        print(f"{what}: shape {p.shape}, lnn predict gave {expected.shape}")
        return 1
    bad = np.abs(p - expected) > RTOL * np.abs(expected) + ATOL
    worst = np.max(np.abs(p - expected) / (np.abs(expected) + ATOL))
    print(f"{what}: {n} images, {p.shape[1]} classes, largest relative "
          f"difference {worst:.3g} (tolerance {RTOL:g} + {ATOL:g} absolute)")
    if bad.any():
        i, j = np.argwhere(bad)[0]
        print(f"{what}: image {i} class {j}: {p[i, j]!r} vs lnn {expected[i, j]!r}")
        return 1
    return 0


def check_safetensors(path, images, csv_path, n):
    np = need("numpy")
    with open(path, "rb") as f:
        raw = f.read()
    (header_len,) = struct.unpack("<Q", raw[:8])
    assert header_len % 8 == 0, "header not padded to 8 bytes"
    header = json.loads(raw[8:8 + header_len])
    data = raw[8 + header_len:]
    meta = header.pop("__metadata__")
    assert all(isinstance(v, str) for v in meta.values()), meta
    dims = [int(x) for x in meta["layers"].split(",")]
    L = len(dims) - 1
    names = [f"{2 * l}.{kind}" for l in range(L) for kind in ("weight", "bias")]
    assert list(header) == names, list(header)

    def tensor(name):
        t = header[name]
        assert t["dtype"] == "F32", t
        begin, end = t["data_offsets"]
        a = np.frombuffer(data[begin:end], dtype="<f4")
        return a.reshape(t["shape"]).astype(np.float64)

    acts = activations(np, meta, L)
    h = read_images(np, images, n)
    for l in range(L):
        W, b = tensor(f"{2 * l}.weight"), tensor(f"{2 * l}.bias")
        assert W.shape == (dims[l + 1], dims[l]) and b.shape == (dims[l + 1],)
        z = h @ W.T + b  # nn.Linear: x W^T + b
        h = acts[l](z) if l < L - 1 else softmax(np, z)
    return compare(np, h, csv_path, n, "safetensors (json + numpy)")


def run_onnx(np, onnx, path, feeds):
    """onnx.checker, then the graph node by node in float64 on feeds (a
    dict: each graph input's array, or one array: "input"'s): the model and
    the values of its graph outputs, or None on an unknown node."""
    from onnx import numpy_helper
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    g = model.graph
    feeds = feeds if isinstance(feeds, dict) else {"input": feeds}
    assert [i.name for i in g.input] == list(feeds), (g.input, list(feeds))
    values = {t.name: numpy_helper.to_array(t).astype(np.float64)
              for t in g.initializer}
    values.update(feeds)
    for node in g.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a)
                 for a in node.attribute}
        x = [values[name] for name in node.input]
        y = prep_node(np, node, attrs, x)
        if y is not None:
            values[node.output[0]] = y
            continue
        if node.op_type == "Gemm":
            A = x[0].T if attrs.get("transA", 0) else x[0]
            B = x[1].T if attrs.get("transB", 0) else x[1]
            y = attrs.get("alpha", 1.0) * (A @ B) + attrs.get("beta", 1.0) * x[2]
        elif node.op_type == "Sub":  # the scaling of a table model; 1 - p
            y = x[0] - x[1]
        elif node.op_type == "Mul":
            y = x[0] * x[1]
        elif node.op_type == "Div":  # the target scaling undone
            y = x[0] / x[1]
        elif node.op_type == "Add":
            y = x[0] + x[1]
        elif node.op_type == "Identity":
            y = x[0]
        elif node.op_type == "Concat":
            y = np.concatenate(x, axis=attrs["axis"])
        elif node.op_type == "Relu":
            y = np.maximum(x[0], 0.0)
        elif node.op_type == "LeakyRelu":
            y = np.where(x[0] > 0, x[0], attrs.get("alpha", 0.01) * x[0])
        elif node.op_type == "Elu":
            a = attrs.get("alpha", 1.0)
            y = np.where(x[0] > 0, x[0], a * np.expm1(np.minimum(x[0], 0.0)))
        elif node.op_type == "Tanh":
            y = np.tanh(x[0])
        elif node.op_type == "Erf":
            y = np.vectorize(math.erf)(x[0])
        elif node.op_type == "Sigmoid":
            y = 1.0 / (1.0 + np.exp(-x[0]))
        elif node.op_type == "Softmax":
            assert attrs.get("axis", -1) in (-1, x[0].ndim - 1), attrs
            y = softmax(np, x[0])
        else:
            print(f"unexpected node {node.op_type}")
            return model, None
        values[node.output[0]] = y
    return model, [values[o.name] for o in g.output]


def prep_node(np, node, attrs, x):
    """The nodes of a table model's preparation, as the ONNX operator
    specification defines them (ai.onnx.ml for LabelEncoder); None for
    another node."""
    if node.op_type == "IsNaN":
        return np.isnan(x[0])
    if node.op_type == "Where":  # condition, X where true, Y where false
        return np.where(x[0], x[1], x[2])
    if node.op_type == "Cast":
        assert attrs["to"] == 1, attrs  # FLOAT (float64 here)
        return x[0].astype(np.float64)
    if node.op_type == "LabelEncoder":  # keys_strings to values_*
        assert node.domain == "ai.onnx.ml", node.domain
        keys = [k.decode() for k in attrs["keys_strings"]]
        if "values_int64s" in attrs:
            values, default, otype = (attrs["values_int64s"],
                                      attrs.get("default_int64", -1), np.int64)
        else:
            values, default, otype = (attrs["values_floats"],
                                      attrs.get("default_float", -0.0),
                                      np.float64)
        table = dict(zip(keys, values))
        return np.vectorize(lambda s: table.get(s, default),
                            otypes=[otype])(x[0])
    if node.op_type == "OneHot":  # a new last axis; indices outside
        depth = int(x[1].reshape(-1)[0])  # [-depth, depth-1]: all off
        off, on = x[2]
        assert attrs.get("axis", -1) == -1, attrs
        i = x[0].astype(np.int64)
        i = np.where(i < 0, i + depth, i)
        y = np.full(i.shape + (depth,), off)
        y[(i[..., None] == np.arange(depth)) & (i[..., None] >= 0)] = on
        return y
    if node.op_type == "Flatten":  # [d_0 .. d_(a-1)] x [d_a ..]
        a = attrs.get("axis", 1)
        return x[0].reshape(int(np.prod(x[0].shape[:a])), -1)
    return None


def check_onnx(path, images, csv_path, n):
    np = need("numpy")
    onnx = need("onnx")
    model, out = run_onnx(np, onnx, path, read_images(np, images, n))
    if out is None:
        return 1
    assert [o.name for o in model.graph.output] == ["probabilities"]
    return compare(np, out[0], csv_path, n,
                   f"onnx (IR {model.ir_version}, opset "
                   f"{model.opset_import[0].version}, node by node)")


def table_inputs(np, meta, data_path):
    """The feature columns of a table file that the metadata names."""
    with open(data_path, newline="") as f:
        rows = list(csv.reader(f))
    at = [rows[0].index(c) for c in json.loads(meta["columns"])]
    return np.array([[float(r[k]) for k in at] for r in rows[1:]])


NA_TEXTS = ("", "NA", "N/A", "NaN", "nan", "?", "null", "NULL", "None")


def na_texts(onnx, path):
    """The texts of a missing cell: "" and the model's (the "na_values" of
    its metadata's "preparation", lnn train --na-values), or lnn's
    defaults."""
    meta = {p.key: p.value for p in onnx.load(path).metadata_props}
    na = json.loads(meta.get("preparation", "{}")).get("na_values")
    return ("",) + tuple(na.split(",")) if na else NA_TEXTS


def raw_columns(np, onnx, path, data_path):
    """DATA's columns as the graph's inputs ask for them, by name ("column3"
    for the third column of a file without a header): a string input gets
    the cells as they are, a float one their numbers (NaN for a missing
    cell: an empty cell, or one of the model's missing texts)."""
    na = na_texts(onnx, path)
    with open(data_path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    columns = {}
    for i in onnx.load(path).graph.input:
        k = header.index(i.name)
        cells = [r[k] for r in body]
        if i.type.tensor_type.elem_type == onnx.TensorProto.STRING:
            columns[i.name] = np.array(cells, dtype=object).reshape(-1, 1)
        else:
            columns[i.name] = np.array(
                [math.nan if c in na else float(c) for c in cells]
            ).reshape(-1, 1)
    return columns


def compare_head(np, meta, what, p, csv_path):
    """A table model's first graph output p against predict --output's
    columns: the classes' probabilities (after row and label), a
    multi-label model's p_ columns, or the predictions (after row)."""
    with open(csv_path, newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    probs = [k for k, h in enumerate(header) if h.startswith("p_")]
    first = 2 if header[1] == "label" else probs[0] if probs else 1
    expected = np.array([[float(v) for v in r[first:]] for r in rows[1:]])
    if p.shape != expected.shape:
        print(f"{what} {p.shape}, lnn predict gave {expected.shape}")
        return 1
    # a scaled target's float32 rounding is relative to its spread (its
    # sd, 1 / target_mul), not to a value near 0
    spread = (1.0 / np.array([float(v) for v in meta["target_mul"].split(",")])
              if "target_mul" in meta else np.zeros(p.shape[1]))
    scale = np.abs(expected) + spread
    worst = np.max(np.abs(p - expected) / (scale + ATOL))
    print(f"{what} {p.shape} against predict --output: largest relative "
          f"difference {worst:.3g} (tolerance {RTOL:g} + {ATOL:g} absolute)")
    bad = np.abs(p - expected) > RTOL * scale + ATOL
    if bad.any():
        i, j = np.argwhere(bad)[0]
        print(f"{what}: row {i} column {j}: {p[i, j]!r} vs {expected[i, j]!r}")
        return 1
    return 0


def check_loss(meta, loss):
    if meta.get("loss") != loss:
        print(f"metadata loss {meta.get('loss')!r}, not {loss!r}")
        return False
    return True


def check_onnx_table(path, loss, data_path, csv_path, raw=False):
    """A table model's graph on DATA's feature columns (raw: on its raw
    columns, one graph input each) against CSV."""
    np = need("numpy")
    onnx = need("onnx")
    meta = {p.key: p.value for p in onnx.load(path).metadata_props}
    if not check_loss(meta, loss):
        return 1
    feeds = (raw_columns(np, onnx, path, data_path) if raw
             else table_inputs(np, meta, data_path))
    model, out = run_onnx(np, onnx, path, feeds)
    if out is None:
        return 1
    what = f"{len(feeds)} raw columns" if raw else "node by node"
    return compare_head(np, meta, f"{loss}: onnx ({what}) "
                        f"{model.graph.output[0].name}", out[0], csv_path)


def check_onnxruntime(path, loss, data_path, csv_path, script, raw=False):
    """The same, run by onnxruntime-node (node SCRIPT MODEL ROWS); raw: on
    the graph's raw columns."""
    np = need("numpy")
    onnx = need("onnx")
    meta = {p.key: p.value for p in onnx.load(path).metadata_props}
    if not check_loss(meta, loss):
        return 1
    if raw:
        feeds = {name: [None if isinstance(v, float) and math.isnan(v)
                        else v for v in a.ravel().tolist()]
                 for name, a in raw_columns(np, onnx, path,
                                            data_path).items()}
    else:
        feeds = table_inputs(np, meta, data_path).tolist()
    with tempfile.TemporaryDirectory() as tmp:
        rows = os.path.join(tmp, "rows.json")
        with open(rows, "w") as f:
            json.dump(feeds, f)
        run = subprocess.run(["node", script, path, rows],
                             capture_output=True, text=True)
    if run.returncode != 0:
        print(run.stderr.strip())
        return 1
    out = json.loads(run.stdout)
    p = np.array(out["data"], dtype=np.float64).reshape(out["dims"])
    return compare_head(np, meta, f"{loss}: onnxruntime {out['name']}", p,
                        csv_path)


def readme_snippet(readme):
    """The README's PyTorch snippet: its python block that uses
    torch.frombuffer."""
    with open(readme) as f:
        blocks = re.findall(r"```python\n(.*?)```", f.read(), re.S)
    found = [b for b in blocks if "torch.frombuffer" in b]
    assert len(found) == 1, f"{len(found)} PyTorch snippets in {readme}"
    return found[0]


def check_torch(path, images, csv_path, n, readme):
    np = need("numpy")
    torch = need("torch")
    opener = gzip.open if images.endswith(".gz") else open
    with opener(images, "rb") as f:
        raw = f.read()
    pixels = torch.frombuffer(bytearray(raw[16:16 + n * 784]),
                              dtype=torch.uint8).reshape(n, 784)
    # the snippet as the README has it, run where model.safetensors is the
    # file under test
    with tempfile.TemporaryDirectory() as d:
        os.symlink(os.path.abspath(path), os.path.join(d, "model.safetensors"))
        here = os.getcwd()
        os.chdir(d)
        try:
            scope = {"pixels": pixels}
            with torch.no_grad():
                exec(readme_snippet(readme), scope)
        finally:
            os.chdir(here)
    p = scope["probabilities"].double().numpy()
    return compare(np, p, csv_path, n, f"torch {torch.__version__}, the "
                   "README's snippet (json + torch.frombuffer)")


def check_close(a_path, b_path):
    a, b = read_csv(a_path), read_csv(b_path)
    if len(a) != len(b):
        print(f"{len(a)} rows against {len(b)}")
        return 1
    worst = 0.0
    for i, (ra, rb) in enumerate(zip(a, b)):
        for j, (x, y) in enumerate(zip(ra, rb)):
            if abs(x - y) > RTOL * abs(y) + ATOL:
                print(f"row {i} class {j}: {x!r} vs {y!r}")
                return 1
            worst = max(worst, abs(x - y) / (abs(y) + ATOL))
    print(f"{len(a)} rows agree; largest relative difference {worst:.3g}")
    return 0


def main(argv):
    if argv[1] == "safetensors":
        return check_safetensors(argv[2], argv[3], argv[4], int(argv[5]))
    if argv[1] == "onnx":
        return check_onnx(argv[2], argv[3], argv[4], int(argv[5]))
    if argv[1] == "torch":
        return check_torch(argv[2], argv[3], argv[4], int(argv[5]), argv[6])
    if argv[1] == "onnx-table":
        return check_onnx_table(argv[2], argv[3], argv[4], argv[5])
    if argv[1] == "onnxruntime":
        return check_onnxruntime(*argv[2:7])
    if argv[1] == "onnx-raw":
        return check_onnx_table(argv[2], argv[3], argv[4], argv[5], raw=True)
    if argv[1] == "onnxruntime-raw":
        return check_onnxruntime(*argv[2:7], raw=True)
    if argv[1] == "close":
        return check_close(argv[2], argv[3])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
