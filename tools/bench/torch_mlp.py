"""PyTorch reference for tools/bench/mlp-kernels.ts: one SGD training step of the
MNIST MLP (784-128-64-10, ReLU, log-softmax + NLL, batch 64) on random data.

    OMP_NUM_THREADS=1 python3 tools/bench/torch_mlp.py [--threads N]

Prints one JSON object: {"torch": version, "blas": library, "threads": n, "ms_per_step": t}.
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F

from blas_info import loaded_blas


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10)
    )
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.rand(64, 784)
    y = torch.randint(0, 10, (64,))

    def step():
        opt.zero_grad()
        loss = F.nll_loss(F.log_softmax(model(x), dim=1), y)
        loss.backward()
        opt.step()
        return loss.item()  # the tutorial's loop reads the loss every step

    for _ in range(20):
        step()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(args.steps // 5):
            step()
        times.append((time.perf_counter() - start) * 1000 / (args.steps // 5))
    times.sort()
    print(json.dumps({"torch": torch.__version__, "blas": loaded_blas(), "threads": torch.get_num_threads(), "ms_per_step": times[2]}))


if __name__ == "__main__":
    main()
