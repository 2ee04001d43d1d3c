"""Make the PyTorch fixture of the import test, once (its output is committed):

    python3 make_torch_fixture.py DIR

torch_mlp.safetensors  the state dict of nn.Sequential(Linear(16, 12),
                       Sigmoid(), Linear(12, 8), Sigmoid(), Linear(8, 10)),
                       written as safetensors.torch.save_file lays it out
                       (its "format": "pt" metadata, no lnn metadata), each
                       tensor in another of the dtypes lnn reads
torch_images-idx3-ubyte  20 images of 4x4 pixels (IDX)
torch_expected.csv     PyTorch's softmax probabilities for them, as
                       `lnn predict --output` writes them

Each parameter is first rounded to its stored dtype, so PyTorch predicts
with exactly the numbers in the file. The `safetensors` package is not in
Debian 12: the file is written with json and the tensors' raw bytes."""
import json
import os
import struct
import sys

import torch

DTYPES = {  # name: (torch dtype, integer view of the same width, numpy code)
    "F32": (torch.float32, torch.int32, "<i4"),
    "F64": (torch.float64, torch.int64, "<i8"),
    "F16": (torch.float16, torch.int16, "<i2"),
    "BF16": (torch.bfloat16, torch.int16, "<i2"),
}
STORED = {"0.weight": "F16", "0.bias": "BF16", "2.weight": "F64",
          "2.bias": "F32", "4.weight": "BF16", "4.bias": "F64"}
IMAGES, ROWS, COLS = 20, 4, 4


def main(out):
    torch.manual_seed(15)
    model = torch.nn.Sequential(
        torch.nn.Linear(ROWS * COLS, 12), torch.nn.Sigmoid(),
        torch.nn.Linear(12, 8), torch.nn.Sigmoid(),
        torch.nn.Linear(8, 10))
    header, blobs, at = {"__metadata__": {"format": "pt"}}, [], 0
    with torch.no_grad():
        for name, p in model.state_dict().items():
            dtype, view, code = DTYPES[STORED[name]]
            stored = p.to(dtype)
            p.copy_(stored.to(torch.float32))
            blob = stored.contiguous().view(view).numpy().astype(code).tobytes()
            header[name] = {"dtype": STORED[name], "shape": list(p.shape),
                            "data_offsets": [at, at + len(blob)]}
            blobs.append(blob)
            at += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(os.path.join(out, "torch_mlp.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))

    pixels = torch.randint(0, 256, (IMAGES, ROWS * COLS), dtype=torch.uint8)
    with open(os.path.join(out, "torch_images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, IMAGES, ROWS, COLS))
        f.write(pixels.numpy().tobytes())
    with torch.no_grad():
        p = torch.softmax(model(pixels.to(torch.float32) / 255), dim=1)
    with open(os.path.join(out, "torch_expected.csv"), "w") as f:
        f.write("row,label," +
                ",".join(f"{i}" for i in range(p.shape[1])) + "\n")
        for row, probs in enumerate(p.tolist()):
            label = max(range(len(probs)), key=lambda i: (probs[i], -i))
            f.write(f"{row},{label}," +
                    ",".join(f"{x:.9g}" for x in probs) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
