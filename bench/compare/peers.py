#!/usr/bin/python3
"""Time the exercise's training step in numpy and in PyTorch, for comparison
with lnn-bench's whole-network rows (bench/README.md). Run on demand only:
neither numpy nor PyTorch is a dependency of lnn.

    /usr/bin/python3 bench/compare/peers.py [--threads N] [--reps R]

Each row: one SGD step (forward, loss, backward, update) of an L-layer ReLU
network with a softmax output, float32, batch m, features x batch as in the
exercise. Prints one key=value line per row with the median of R steps and
the BLAS kernel the row ran (kernel.py).
"""
import argparse
import os
import statistics
import sys
import time

from kernel import blas_kernels, warn_if_forced

ROWS = [((784, 256, 128, 10), 128), ((784, 1024, 1024, 10), 256)]


def numpy_step_fn(dims, m, rng):
    import numpy as np
    W = [(rng.standard_normal((dims[l], dims[l - 1])) * np.sqrt(2 / dims[l - 1])).astype(np.float32)
         for l in range(1, len(dims))]
    b = [np.zeros((dims[l], 1), np.float32) for l in range(1, len(dims))]
    X = rng.random((dims[0], m), dtype=np.float32)
    Y = np.zeros((dims[-1], m), np.float32)
    Y[rng.integers(0, dims[-1], m), np.arange(m)] = 1
    lr = np.float32(0.1)

    def step():
        H = [X]
        for l in range(len(W)):
            Z = W[l] @ H[-1] + b[l]
            if l < len(W) - 1:
                H.append(np.maximum(Z, 0))
            else:
                Z = Z - Z.max(axis=0, keepdims=True)
                E = np.exp(Z)
                H.append(E / E.sum(axis=0, keepdims=True))
        loss = -np.mean(np.sum(Y * np.log(np.maximum(H[-1], 1e-30)), axis=0))
        dZ = H[-1] - Y
        for l in range(len(W) - 1, -1, -1):
            dW = (dZ @ H[l].T) / m
            db = dZ.sum(axis=1, keepdims=True) / m
            if l > 0:
                dZ = (W[l].T @ dZ) * (H[l] > 0)
            W[l] -= lr * dW
            b[l] -= lr * db
        return loss
    return step


def torch_step_fn(dims, m, rng):
    import torch
    torch.manual_seed(0)
    layers = []
    for l in range(1, len(dims)):
        layers.append(torch.nn.Linear(dims[l - 1], dims[l]))
        if l < len(dims) - 1:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    X = torch.rand(m, dims[0])  # torch is batch x features
    y = torch.randint(0, dims[-1], (m,))
    lossf = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = lossf(net(X), y)
        loss.backward()
        opt.step()
        return loss.item()
    return step


def median_ms(step, reps):
    for _ in range(max(3, reps // 10)):
        step()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--only", choices=["numpy", "torch"])
    a = ap.parse_args()
    warn_if_forced()
    import numpy as np
    rng = np.random.default_rng(0)
    peers = {"numpy": numpy_step_fn, "torch": torch_step_fn}
    if a.only:
        peers = {a.only: peers[a.only]}
    if "torch" in peers:
        import torch
        torch.set_num_threads(a.threads)
    for dims, m in ROWS:
        for name, make in peers.items():
            ms = median_ms(make(dims, m, rng), a.reps)
            print(f"peer={name} dims={'-'.join(map(str, dims))} m={m} "
                  f"threads={a.threads} ms_median={ms:.3f} "
                  f"samples_per_s={m / ms * 1e3:.0f} "
                  f"kernel={blas_kernels()}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
