"""Every head of LNN_LOSS_LIST against PyTorch's own loss module on the same
logits and targets: the mean loss and its gradient with respect to the
logits, each to 1e-5 relative (tests/loss_dump.c prints lnn's side).
usage: test_loss_torch.py LOSS_DUMP"""
import subprocess
import sys

try:
    import torch
except ImportError:
    print("python3-torch is not installed: skipped")
    sys.exit(77)

MODULES = {  # name -> (module, how the targets are given)
    "ce": lambda d: (torch.nn.CrossEntropyLoss(), "index"),
    "bce": lambda d: (torch.nn.BCEWithLogitsLoss(), "value"),
    "mse": lambda d: (torch.nn.MSELoss(), "value"),
    "mae": lambda d: (torch.nn.L1Loss(), "value"),
    "huber": lambda d: (torch.nn.HuberLoss(delta=d), "value"),
}

out = subprocess.run([sys.argv[1]], check=True, capture_output=True,
                     text=True).stdout.split("\n")
failed = checked = 0
seen = set()
for i in range(0, len(out) - 1, 5):
    _, name, n, m, delta = out[i].split()
    n, m = int(n), int(m)
    rows = [list(map(float, out[i + k].split()[1:])) for k in (1, 2, 4)]
    value = float(out[i + 3].split()[1])
    # column-major n x m: sample j is column j -> torch's (m, n)
    Z = torch.tensor(rows[0], dtype=torch.float64).reshape(m, n)
    T = torch.tensor(rows[1], dtype=torch.float64).reshape(m, n)
    grad = torch.tensor(rows[2], dtype=torch.float64).reshape(m, n)
    module, kind = MODULES[name](float(delta))
    Z.requires_grad_(True)
    loss = module(Z, T.argmax(1) if kind == "index" else T)
    loss.backward()
    err_v = abs(loss.item() - value) / max(abs(loss.item()), 1e-12)
    err_g = ((Z.grad - grad).abs().max() /
             max(Z.grad.abs().max().item(), 1e-12)).item()
    checked += 1
    seen.add(name)
    print(f"{name} {n}x{m}: loss {value:.8g} (torch {loss.item():.8g}), "
          f"relative error {err_v:.2e}, gradient {err_g:.2e}")
    if err_v > 1e-5 or err_g > 1e-5:
        failed += 1
        print(f"FAIL: {name} differs from PyTorch's")
if seen != set(MODULES):
    failed += 1
    print(f"FAIL: heads checked {sorted(seen)}, expected {sorted(MODULES)}")
print(f"loss vs torch: {checked} checks, {failed} failed")
sys.exit(1 if failed else 0)
