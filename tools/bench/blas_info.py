"""Which BLAS library PyTorch actually calls (Debian's python3-torch reports BLAS_INFO=generic
and uses whatever libblas.so.3 the system's alternatives select)."""
import os


def loaded_blas():
    """The BLAS PyTorch calls: 'MKL' when built in (pip wheels link it statically, so no library shows
    in the process map, where numpy's own OpenBLAS would be found instead), else the shared library
    mapped into this process, e.g. 'OpenBLAS (openblas-pthread)' or 'netlib reference BLAS'."""
    try:
        import torch

        if torch.backends.mkl.is_available():
            return "MKL"
    except ImportError:
        pass
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    except OSError:
        return "unknown"
    for p in sorted(paths):
        real = os.path.realpath(p)
        if "openblas" in real:
            return "OpenBLAS (" + os.path.basename(os.path.dirname(real)) + ")"
        if "/blas/" in real:
            return "netlib reference BLAS"
        if "mkl" in real:
            return "MKL"
    return "unknown"
