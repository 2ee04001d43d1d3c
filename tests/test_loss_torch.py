"""Every head of LNN_LOSS_LIST against PyTorch's own loss module on the same
logits and targets: the mean loss and its gradient with respect to the
logits, each to 1e-5 relative (tests/loss_dump.c prints lnn's side); plain,
with per-sample weights (the mean of each sample's loss times its weight;
for ce also CrossEntropyLoss(weight=class weights)), and ce with
label_smoothing.
usage: test_loss_torch.py LOSS_DUMP"""
import subprocess
import sys

try:
    import torch
except ImportError:
    print("python3-torch is not installed: skipped")
    sys.exit(77)

MODULES = {  # name -> (module with reduction='none', how targets are given)
    "ce": lambda d, w, s: (torch.nn.CrossEntropyLoss(
        weight=w, label_smoothing=s, reduction="none"), "index"),
    "bce": lambda d, w, s: (torch.nn.BCEWithLogitsLoss(reduction="none"),
                            "value"),
    "mse": lambda d, w, s: (torch.nn.MSELoss(reduction="none"), "value"),
    "mae": lambda d, w, s: (torch.nn.L1Loss(reduction="none"), "value"),
    "huber": lambda d, w, s: (torch.nn.HuberLoss(delta=d, reduction="none"),
                              "value"),
}

LINES = 7  # loss, Z, T, C, S, value, grad
out = subprocess.run([sys.argv[1]], check=True, capture_output=True,
                     text=True).stdout.split("\n")
failed = checked = 0
seen = set()
kinds = set()
for i in range(0, len(out) - 1, LINES):
    _, name, n, m, delta, smooth = out[i].split()
    n, m, smooth = int(n), int(m), float(smooth)
    rows = [list(map(float, out[i + k].split()[1:])) for k in (1, 2, 3, 4, 6)]
    value = float(out[i + 5].split()[1])
    # column-major n x m: sample j is column j -> torch's (m, n)
    Z = torch.tensor(rows[0], dtype=torch.float64).reshape(m, n)
    T = torch.tensor(rows[1], dtype=torch.float64).reshape(m, n)
    C = torch.tensor(rows[2], dtype=torch.float64)
    S = torch.tensor(rows[3], dtype=torch.float64)
    grad = torch.tensor(rows[4], dtype=torch.float64).reshape(m, n)
    weighted = bool((S != 1).any())
    classw = C if bool((C != 1).any()) else None
    module, kind = MODULES[name](float(delta), classw, smooth)
    Z.requires_grad_(True)
    per = module(Z, T.argmax(1) if kind == "index" else T)
    if per.dim() == 2:  # elementwise losses: a sample's is their mean
        per = per.mean(1)
    loss = (per * S).mean()
    loss.backward()
    err_v = abs(loss.item() - value) / max(abs(loss.item()), 1e-12)
    err_g = ((Z.grad - grad).abs().max() /
             max(Z.grad.abs().max().item(), 1e-12)).item()
    checked += 1
    seen.add(name)
    what = (" weighted" if weighted else "") + \
        (" class-weighted" if classw is not None else "") + \
        (f" smoothed {smooth:g}" if smooth else "")
    kinds.add(what)
    print(f"{name}{what} {n}x{m}: loss {value:.8g} (torch {loss.item():.8g}), "
          f"relative error {err_v:.2e}, gradient {err_g:.2e}")
    if err_v > 1e-5 or err_g > 1e-5:
        failed += 1
        print(f"FAIL: {name}{what} differs from PyTorch's")
if len(kinds) < 4:
    failed += 1
    print(f"FAIL: only {sorted(kinds)} checked")
if seen != set(MODULES):
    failed += 1
    print(f"FAIL: heads checked {sorted(seen)}, expected {sorted(MODULES)}")
print(f"loss vs torch: {checked} checks, {failed} failed")
sys.exit(1 if failed else 0)
