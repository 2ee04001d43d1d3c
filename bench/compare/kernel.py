"""Which BLAS kernel a peer ran: OpenBLAS's core name ("Cooperlake",
"Haswell", ...) for every BLAS loaded in this process, by threadpoolctl
(Debian's python3-threadpoolctl), which reads openblas_get_corename.

lnn-bench prints lnn's kernel in its header; these scripts print theirs on
every row (kernel=...), so a comparison shows whether both sides ran the same
kernel. OPENBLAS_CORETYPE forces one; unset it to measure what a user's
machine runs:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 ...
"""
import os
import sys


def blas_kernels():
    """'openblas:Cooperlake' (several joined by '+'), or 'unknown'."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown"
    names = [f"{p.get('internal_api')}:{p.get('architecture', '?')}"
             for p in threadpool_info() if p.get("user_api") == "blas"]
    return "+".join(names) or "unknown"


def warn_if_forced():
    """Say on stderr when OPENBLAS_CORETYPE forces the kernel."""
    forced = os.environ.get("OPENBLAS_CORETYPE")
    if forced:
        print(f"warning: OPENBLAS_CORETYPE={forced} forces OpenBLAS's "
              f"kernel; unset it to measure the one the CPU gets",
              file=sys.stderr)
