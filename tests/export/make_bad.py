"""Write damaged safetensors files for `lnn import`, one per fault:

    python3 make_bad.py DIR

writes DIR/NAME.safetensors for each case and DIR/cases.tsv, one line per
case: NAME, a tab, and a regex the one-line error message must match.
Also DIR/good.safetensors and DIR/good-table.safetensors (with the
metadata of a model trained on a table), which import. Standard library
only."""
import json
import os
import struct
import sys

DIMS = [16, 12, 10]  # nn.Sequential(Linear(16, 12), ReLU(), Linear(12, 10))


def tensors(dims=DIMS):
    out = {}
    for l in range(len(dims) - 1):
        out[f"{2 * l}.weight"] = [dims[l + 1], dims[l]]
        out[f"{2 * l}.bias"] = [dims[l + 1]]
    return out


def layout(shapes, dtype="F32", size=4):
    header, at = {}, 0
    for name, shape in shapes.items():
        n = size
        for s in shape:
            n *= s
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [at, at + n]}
        at += n
    return header, at


def pack(header, data_len, metadata={"activation": "relu"}, raw=None):
    if raw is None and metadata is not None:
        header = {"__metadata__": metadata, **header}
    text = raw if raw is not None else json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + bytes(data_len)


def main(d):
    cases = []

    def case(name, pattern, blob):
        with open(os.path.join(d, name + ".safetensors"), "wb") as f:
            f.write(blob)
        cases.append((name, pattern))

    header, n = layout(tensors())
    good = pack(header, n)
    with open(os.path.join(d, "good.safetensors"), "wb") as f:
        f.write(good)

    case("empty", "shorter than the 8-byte header length", b"")
    case("short", "shorter than the 8-byte header length", b"\x10\0\0")
    case("header-beyond-file", "header length 4096 is beyond the file",
         struct.pack("<Q", 4096) + b"{}")
    case("header-huge", "header length 18446744073709551615 is beyond",
         b"\xff" * 8 + b"{}")
    case("malformed-json", "header is not valid JSON",
         pack(None, 0, raw=b'{"0.weight": {"dtype": "F32",'))
    case("array-json", "header is not a JSON object", pack(None, 0, raw=b"[]"))
    case("duplicate-key", "header is not valid JSON: duplicate object key",
         pack(None, 0, raw=b'{"a": {}, "a": {}}'))
    case("not-json-text", "header is not valid JSON",
         pack(None, 0, raw=b"\x89PNG\r\n\x1a\n"))

    def edit(fn, metadata={"activation": "relu"}, data_len=None):
        h, m = layout(tensors())
        m = fn(h, m)
        return pack(h, m if data_len is None else data_len, metadata)

    def set_(h, name, key, value):
        h[name][key] = value

    case("dtype-i64", "dtype 'I64' is not one of F32, F64, F16, BF16",
         edit(lambda h, m: set_(h, "0.bias", "dtype", "I64") or m))
    case("dtype-missing", "no \"dtype\" string",
         edit(lambda h, m: h["0.bias"].pop("dtype") and m))
    case("shape-negative", "shape\\[0\\] is not a non-negative integer",
         edit(lambda h, m: set_(h, "0.bias", "shape", [-12]) or m))
    case("shape-string", "\"shape\" is not a list",
         edit(lambda h, m: set_(h, "0.bias", "shape", "12") or m))
    case("offsets-out-of-range", "reach beyond the .* bytes of data",
         edit(lambda h, m: set_(h, "2.bias", "data_offsets", [m - 40, m + 4])
              or m))
    case("offsets-reversed", "end before they begin",
         edit(lambda h, m: set_(h, "0.bias", "data_offsets", [800, 760]) or m))
    case("offsets-not-pair", "\"data_offsets\" is not \\[begin, end\\]",
         edit(lambda h, m: set_(h, "0.bias", "data_offsets", [768]) or m))
    case("offsets-float", "\"data_offsets\" is not \\[begin, end\\]",
         edit(lambda h, m: set_(h, "0.bias", "data_offsets", [768.0, 816])
              or m))
    case("offsets-shape-mismatch", "hold 44 bytes, its F32 shape needs 48",
         edit(lambda h, m: set_(h, "0.bias", "data_offsets", [768, 812]) or m))
    case("offsets-overlap", "overlaps tensor",
         edit(lambda h, m: set_(h, "0.bias", "data_offsets", [764, 812]) or m,
              data_len=None))
    case("offsets-hole", "bytes 768 to 772 of the data belong to no tensor",
         edit(lambda h, m: [set_(h, k, "data_offsets",
                                 [v["data_offsets"][0] + 4,
                                  v["data_offsets"][1] + 4])
                            for k, v in h.items() if k != "0.weight"]
              and m + 4))
    case("trailing-bytes", "16 bytes of data after the last tensor",
         edit(lambda h, m: m + 16))
    case("shape-overflow", "shape too large",
         edit(lambda h, m: set_(h, "0.bias", "shape", [2**62, 2**62]) or m))

    def rename(h, old, new):
        h[new] = h.pop(old)

    case("missing-tensor", "no tensor '2.bias'",
         edit(lambda h, m: h.pop("2.bias") and m - 40))
    case("extra-tensor", "unexpected tensor '0.running_mean'",
         edit(lambda h, m: h.update({"0.running_mean": {
             "dtype": "F32", "shape": [1], "data_offsets": [m, m + 4]}})
             or m + 4))
    case("half-a-layer", "no tensor '4.bias'",
         edit(lambda h, m: h.update({"4.weight": {
             "dtype": "F32", "shape": [10, 10], "data_offsets": [m, m + 400]}})
             or m + 400))
    case("misnamed-tensor", "unexpected tensor 'fc1.weight'",
         edit(lambda h, m: rename(h, "0.weight", "fc1.weight") or m))
    case("odd-index", "unexpected tensor '1.weight'",
         edit(lambda h, m: rename(h, "2.weight", "1.weight") or m))
    case("leading-zero", "unexpected tensor '02.bias'",
         edit(lambda h, m: rename(h, "2.bias", "02.bias") or m))

    def chain(dims, pattern, name, shapes_fn=None):
        shapes = tensors(dims)
        if shapes_fn:
            shapes_fn(shapes)
        h, m = layout(shapes)
        case(name, pattern, pack(h, m))

    chain([16, 12, 10], "'2.weight' takes 11 inputs, '0.weight' gives 12",
          "chain-disconnected",
          lambda s: s.update({"2.weight": [10, 11]}))
    chain([16, 12, 10], "tensor '0.bias' is not a vector \\[12\\]",
          "bias-wrong-size", lambda s: s.update({"0.bias": [13]}))
    chain([16, 12, 10], "tensor '0.weight' is not a matrix",
          "weight-rank-1", lambda s: s.update({"0.weight": [192]}))
    chain([16, 12, 10], "tensor '0.weight' is not a matrix",
          "weight-zero-size", lambda s: s.update({"0.weight": [12, 0]}))
    chain([16, 12, 10], "no tensors", "no-tensors",
          lambda s: s.clear())

    h, m = layout(tensors())
    case("metadata-not-object", "\"__metadata__\" is not a JSON object",
         pack(h, m, metadata=[]))
    case("metadata-not-string", "metadata 'activation' is not a string",
         pack(h, m, metadata={"activation": 1}))
    case("activation-unknown",
         "the metadata's \"activation\" 'swish' is not a hidden activation",
         pack(h, m, metadata={"activation": "swish"}))
    case("activation-count",
         "the metadata's \"activation\" names 2 activations for 1 hidden layers",
         pack(h, m, metadata={"activation": "relu,tanh"}))
    case("leaky-slope-bad",
         "the metadata's \"leaky_slope\" '2' is not a slope in",
         pack(h, m, metadata={"activation": "leaky_relu", "leaky_slope": "2"}))
    case("activation-missing", "no \"activation\" in the metadata",
         pack(h, m, metadata={}))
    case("layers-disagree", "metadata \"layers\" says 16,11,10",
         pack(h, m, metadata={"activation": "relu", "layers": "16,11,10"}))
    nan = bytearray(pack(h, m))
    nan[-4:] = struct.pack("<f", float("nan"))
    case("nan", "tensor '2.bias' holds a value that is not finite",
         bytes(nan))

    # the metadata of a model trained on a table (lnn export's): 16
    # standardised features, 10 named classes; good-table.safetensors
    # imports, each case below spoils one key
    std = ("(x - scale_shift) * scale_mul: standardised by the training "
           "part's mean and 1/sd")
    ones = ",".join(["1.5"] * 16)
    labels = [f"c{k}" for k in range(10)]
    table = {"activation": "relu", "input": std, "scale_shift": ones,
             "scale_mul": ones, "labels": json.dumps(labels),
             "columns": json.dumps([f"x{i}" for i in range(16)])}
    with open(os.path.join(d, "good-table.safetensors"), "wb") as f:
        f.write(pack(h, m, metadata=table))

    def meta(name, pattern, **keys):
        md = {**table, **keys}
        case(name, pattern,
             pack(h, m, metadata={k: v for k, v in md.items() if v is not None}))

    meta("labels-not-array", "metadata \"labels\" is not a JSON array of "
         "strings", labels="c0,c1")
    meta("labels-object", "metadata \"labels\" is not a JSON array",
         labels='{"c0": 0}')
    meta("labels-count", "metadata \"labels\" has 9 names, the network 10 "
         "classes", labels=json.dumps(labels[:9]))
    meta("labels-number", "metadata \"labels\": name 3 is not a string",
         labels=json.dumps(labels[:2] + [7] + labels[3:]))
    meta("labels-empty-name", "metadata \"labels\": name 1 is empty",
         labels=json.dumps([""] + labels[1:]))
    meta("labels-twice", "metadata \"labels\" has \"c1\" twice",
         labels=json.dumps(labels[:9] + ["c1"]))
    meta("columns-count", "metadata \"columns\" has 15 names, the network 16 "
         "inputs", columns=json.dumps([f"x{i}" for i in range(15)]))
    meta("shift-count", "metadata \"scale_shift\" is not 16 finite numbers",
         scale_shift=",".join(["1"] * 15))
    meta("shift-nan", "metadata \"scale_shift\" is not 16 finite numbers",
         scale_shift="nan" + ones[3:])
    meta("shift-trailing-comma", "metadata \"scale_shift\" is not 16",
         scale_shift=ones + ",")
    meta("mul-text", "metadata \"scale_mul\" is not 16 finite numbers",
         scale_mul=ones[:-3] + "one")
    meta("mul-overflow", "metadata \"scale_mul\" is not 16 finite numbers",
         scale_mul="1e999" + ones[3:])
    meta("standard-without-mul", "metadata \"input\" .* needs \"scale_shift\" "
         "and \"scale_mul\"", scale_mul=None)
    meta("none-with-shift", "metadata \"input\" 'x' takes no \"scale_shift\"",
         input="x", scale_mul=None)
    meta("labels-of-pixels", "metadata \"labels\" without an \"input\" of a "
         "model trained on a table", input="pixel / 255", scale_shift=None,
         scale_mul=None, columns=None)
    meta("columns-without-input", "metadata \"columns\" without an \"input\"",
         input=None, scale_shift=None, scale_mul=None, labels=None)
    # the head (loss, output) and the targets of a bce or regression model
    meta("loss-unknown", "metadata \"loss\" 'l3' is not a loss of lnn",
         loss="l3")
    meta("output-not-loss", "metadata \"output\" 'sigmoid' is not the "
         "softmax of loss ce", output="sigmoid")
    meta("output-without-loss", "metadata \"output\" 'identity' is not "
         "the softmax of loss ce", output="identity")
    meta("delta-of-ce", "metadata \"huber_delta\" '2' is not a huber "
         "loss's delta", huber_delta="2")
    meta("delta-negative", "metadata \"huber_delta\" '-1' is not a huber "
         "loss's delta", loss="huber", labels=None, huber_delta="-1")
    meta("targets-of-ce", "metadata \"targets\" for a loss of classes",
         targets=json.dumps(labels))
    meta("labels-of-values", "metadata \"labels\" for 10 outputs of loss "
         "mse, which have no classes", loss="mse")
    meta("targets-count", "metadata \"targets\" has 9 names, the network "
         "10 outputs", loss="mse", labels=None,
         targets=json.dumps(labels[:9]))
    meta("target-shift-alone", "metadata \"target_shift\" and "
         "\"target_mul\" go together", loss="mse", labels=None,
         target_shift=",".join(["1"] * 10))
    meta("target-shift-of-bce", "metadata \"target_shift\" and "
         "\"target_mul\" go together, for a regression loss", loss="bce",
         labels=None, target_shift=",".join(["1"] * 10),
         target_mul=",".join(["1"] * 10))
    meta("target-mul-count", "metadata \"target_mul\" is not 10 finite "
         "numbers", loss="mse", labels=None,
         target_shift=",".join(["1"] * 10), target_mul=",".join(["1"] * 9))

    # the good file cut anywhere: in the length, the header, the data
    header_end = 8 + struct.unpack("<Q", good[:8])[0]
    for cut in (4, 12, header_end - 1, header_end, header_end + 100,
                len(good) - 1):
        case(f"truncated-{cut}", "(beyond the file|reach beyond|not valid "
             "JSON|shorter than)", good[:cut])

    with open(os.path.join(d, "cases.tsv"), "w") as f:
        for name, pattern in cases:
            f.write(f"{name}\t{pattern}\n")


if __name__ == "__main__":
    main(sys.argv[1])
