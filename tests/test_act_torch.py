"""Every hidden activation of LNN_ACTIVATION_LIST against PyTorch's own
module on the same inputs, in float64: the forward H = f(Z) and the
backward dZ = dH * f'(Z) (autograd), each to 1e-6 relative, or 1e-6
absolute in dH's units (f' is at most 1: where it crosses 0, and where lnn
takes it from H, as PyTorch's float32 modules do, 1 - h^2 and h (1 - h)
near saturation are exact to float32's rounding of h), from
tests/act_dump.c's lnn side: a training pass's kernels, Z kept where f'
needs it. The forward's tails below 1e-7 (GELU's z Phi(z) for z < -5) are
held to 1e-7 absolute: there torch's own 1 + erf(z / sqrt 2) cancels.
usage: test_act_torch.py ACT_DUMP"""
import subprocess
import sys

try:
    import torch
except ImportError:
    print("python3-torch is not installed: skipped")
    sys.exit(77)

RTOL, ATOL_H, ATOL_D = 1e-6, 1e-7, 1e-6
MODULES = {
    "relu": lambda a: torch.nn.ReLU(),
    "sigmoid": lambda a: torch.nn.Sigmoid(),
    "identity": lambda a: torch.nn.Identity(),
    "leaky_relu": lambda a: torch.nn.LeakyReLU(negative_slope=a),
    "elu": lambda a: torch.nn.ELU(alpha=1.0),
    "gelu": lambda a: torch.nn.GELU(approximate="none"),
    "silu": lambda a: torch.nn.SiLU(),
    "tanh": lambda a: torch.nn.Tanh(),
}

out = subprocess.run([sys.argv[1]], check=True, capture_output=True,
                     text=True).stdout.split("\n")
failed = 0
seen = set()
for i in range(0, len(out) - 1, 5):
    _, name, slope, count = out[i].split()
    Z, H, G, D = (torch.tensor(list(map(float, out[i + k].split()[1:])),
                               dtype=torch.float64) for k in (1, 2, 3, 4))
    assert len(Z) == int(count)
    z = Z.clone().requires_grad_(True)
    h = MODULES[name](float(slope))(z)
    h.backward(G)
    worst = []
    for what, lnn, ref, atol in (("forward", H, h.detach(), ATOL_H),
                                 ("backward", D, z.grad, ATOL_D * G)):
        tol = RTOL * ref.abs() + atol
        err = (lnn - ref).abs()
        big = ref.abs() >= 1e-3  # the relative error where it means one
        rel = (err[big] / ref[big].abs()).max().item()
        k = int((err - tol).argmax())
        worst.append(f"{what} {rel:.2e}")
        if (err > tol).any():
            failed += 1
            print(f"FAIL: {name} {what} at z = {Z[k].item():.9g}: lnn "
                  f"{lnn[k].item():.9g}, torch {ref[k].item():.9g}")
    seen.add(name)
    print(f"{name}: {count} inputs, largest relative error (|value| >= "
          f"1e-3) {', '.join(worst)}")
if seen != set(MODULES):
    failed += 1
    print(f"FAIL: activations checked {sorted(seen)}, expected "
          f"{sorted(MODULES)}")
print(f"activations vs torch: {len(seen)} checked, {failed} failed")
sys.exit(1 if failed else 0)
