"""PyTorch reference for tools/bench/matmul.ts: float32 matmul GFLOP/s per case.

    OMP_NUM_THREADS=1 python3 tools/bench/torch_matmul.py [--quick] [--threads N]

Prints one JSON object: {"torch": version, "blas": the BLAS library loaded, "threads": n,
"results": {case: median GFLOP/s over the trials}, "best": {case: best trial}}.
Debian's python3-torch reports BLAS_INFO=generic and calls whatever libblas.so.3 the
system's alternatives select (the netlib reference BLAS unless OpenBLAS is installed).
The cases mirror matmul.ts: A·B, A·Bᵀ (weight stored [N, K]) and Aᵀ·B (A stored [K, M]).
"""
import argparse
import json
import time

import torch

from blas_info import loaded_blas

CASES = [
    ("64x784x128 A·B", 64, 784, 128, False, False),
    ("64x128x784 A·Bᵀ", 64, 128, 784, False, True),
    ("784x64x128 Aᵀ·B", 784, 64, 128, True, False),
    ("256x256x256 A·B", 256, 256, 256, False, False),
    ("1024x1024x1024 A·B", 1024, 1024, 1024, False, False),
]


def gflops(m, k, n, trans_a, trans_b, min_seconds, budget):
    a = torch.randn(k, m).t() if trans_a else torch.randn(m, k)
    b = torch.randn(n, k).t() if trans_b else torch.randn(k, n)
    out = torch.empty(m, n)
    warm = time.perf_counter()
    while time.perf_counter() - warm < 0.1:
        torch.mm(a, b, out=out)
    rates = []
    begin = time.perf_counter()
    while len(rates) < 3 or (time.perf_counter() - begin < budget and len(rates) < 25):
        reps = 0
        start = time.perf_counter()
        while True:
            torch.mm(a, b, out=out)
            reps += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds:
                break
        rates.append(2 * m * k * n * reps / elapsed / 1e9)
    rates.sort()
    return rates[len(rates) // 2], rates[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    # Trials as in matmul.ts: at least 3 of >= 40 ms, for 1.2 s.
    min_seconds, budget = (0.02, 0.4) if args.quick else (0.04, 1.2)
    rates = {name: gflops(m, k, n, ta, tb, min_seconds, budget) for name, m, k, n, ta, tb in CASES}
    results = {name: median for name, (median, _) in rates.items()}
    best = {name: top for name, (_, top) in rates.items()}
    print(json.dumps({"torch": torch.__version__, "blas": loaded_blas(), "threads": torch.get_num_threads(), "results": results, "best": best}))


if __name__ == "__main__":
    main()
