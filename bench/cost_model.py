#!/usr/bin/env python3
"""The cost model of docs/scaling.md: for a data-parallel step of lnn-mpi
(every rank computes its B/P samples, then one ring allreduce of the
gradient block), the global batch B* above which a step's compute exceeds
its allreduce.

    T_allreduce(P) = 2 (P-1)/P * S / BW + 2 (P-1) * alpha    (ring)
    T_compute(B, P) = (B / P) * t_sample / cores
    B* = P * cores * T_allreduce(P) / t_sample

S = 4 n_params bytes; t_sample = one core's seconds per sample of a
training step, measured with lnn-bench (edit MEASURED below).
Usage: cost_model.py  (prints Markdown tables)"""

NETS = {
    # name: (n_params, seconds per sample on one core, measured)
    "784-256-128-10": (235146, 1.467e-3 / 128),
    "784-4096-4096-10": (20037642, 535.3e-3 / 128),
}
FABRICS = {
    # name: (bandwidth bytes/s, per-message latency s)
    "10 GbE": (1.17e9, 30e-6),
    "InfiniBand HDR100": (12.0e9, 2e-6),
}
RANKS = [2, 4, 8, 64]
CORES = [1, 16]


def allreduce(p, size, bw, alpha):
    return 2 * (p - 1) / p * size / bw + 2 * (p - 1) * alpha


def main():
    for net, (n_params, t_sample) in NETS.items():
        size = 4 * n_params
        print(f"\n{net}: {n_params} parameters, {size / 1e6:.2f} MB of "
              f"gradients, {t_sample * 1e6:.1f} us per sample on one core\n")
        head = ["ranks P"]
        for fab in FABRICS:
            head.append(f"{fab}: allreduce ms")
            head += [f"{fab}: B* ({c} core{'s' if c > 1 else ''}/rank)"
                     for c in CORES]
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for p in RANKS:
            row = [str(p)]
            for bw, alpha in FABRICS.values():
                t = allreduce(p, size, bw, alpha)
                row.append(f"{t * 1e3:.2f}")
                row += [f"{p * c * t / t_sample:,.0f}" for c in CORES]
            print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
