#!/usr/bin/python3
"""The exercise's own run in numpy (784-45-10, ReLU, full batch of the first
5000 MNIST training images, lr 0.0075, 2000 iterations, W = 0.1 N(0,1)),
for comparison with `lnn train --batch full --layers 784,45,10 --lr 0.0075
--iterations 2000 --train-subset 5000 --init exercise`. Run on demand only.

    /usr/bin/python3 bench/compare/exercise_run.py MNIST_DIR [--iterations N]
"""
import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np

from kernel import blas_kernels, warn_if_forced


def idx(path):
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(count, rows * cols)
    return np.frombuffer(data, np.uint8, offset=8)


def find(d, name):
    for p in (os.path.join(d, name), os.path.join(d, name + ".gz")):
        if os.path.exists(p):
            return p
    sys.exit(f"{name} not in {d}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--iterations", type=int, default=2000)
    a = ap.parse_args()
    warn_if_forced()
    t0 = time.perf_counter()
    X = idx(find(a.dir, "train-images-idx3-ubyte"))[:5000].T.astype(np.float32) / 255
    y = idx(find(a.dir, "train-labels-idx1-ubyte"))[:5000]
    Xt = idx(find(a.dir, "t10k-images-idx3-ubyte")).T.astype(np.float32) / 255
    yt = idx(find(a.dir, "t10k-labels-idx1-ubyte"))
    Y = np.zeros((10, 5000), np.float32)
    Y[y, np.arange(5000)] = 1
    rng = np.random.default_rng(1)
    dims = (784, 45, 10)
    W = [(rng.standard_normal((dims[l], dims[l - 1])) * 0.1).astype(np.float32) for l in (1, 2)]
    b = [np.zeros((dims[l], 1), np.float32) for l in (1, 2)]
    m = X.shape[1]
    t1 = time.perf_counter()
    for _ in range(a.iterations):
        H1 = np.maximum(W[0] @ X + b[0], 0)
        Z2 = W[1] @ H1 + b[1]
        E = np.exp(Z2 - Z2.max(axis=0, keepdims=True))
        P = E / E.sum(axis=0, keepdims=True)
        dZ2 = P - Y
        dW2, db2 = dZ2 @ H1.T / m, dZ2.sum(axis=1, keepdims=True) / m
        dZ1 = (W[1].T @ dZ2) * (H1 > 0)
        dW1, db1 = dZ1 @ X.T / m, dZ1.sum(axis=1, keepdims=True) / m
        W[0] -= 0.0075 * dW1; b[0] -= 0.0075 * db1
        W[1] -= 0.0075 * dW2; b[1] -= 0.0075 * db2
    t2 = time.perf_counter()
    H1 = np.maximum(W[0] @ Xt + b[0], 0)
    acc = np.mean(np.argmax(W[1] @ H1 + b[1], axis=0) == yt)
    print(f"peer=numpy run=seed test_acc={acc:.4f} train_seconds={t2 - t1:.3f} "
          f"total_seconds={t2 - t0:.3f} kernel={blas_kernels()}")


if __name__ == "__main__":
    main()
