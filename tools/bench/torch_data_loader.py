"""Reference for data-loader.ts: one epoch of MNIST training batches through
torchvision's pipeline (datasets.MNIST + ToTensor + Normalize, DataLoader batch
64, shuffled), as the seeds load it. Prints one JSON line.

    /usr/bin/python3 tools/bench/torch_data_loader.py <mnist-dir-with-gz-files> [epochs]

Needs Debian's python3-torch and python3-torchvision.
"""
import json
import os
import shutil
import sys
import tempfile
import time

import torch
from torchvision import datasets, transforms


def main():
    src = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    torch.set_num_threads(1)
    root = tempfile.mkdtemp(prefix='torch-mnist-')
    try:
        raw = os.path.join(root, 'MNIST', 'raw')
        os.makedirs(raw)
        for name in os.listdir(src):
            if name.endswith('.gz'):
                shutil.copy(os.path.join(src, name), raw)
        transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
        trainset = datasets.MNIST(root, train=True, download=True, transform=transform)
        loader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)
        times = []
        for _ in range(epochs):
            start = time.perf_counter()
            n = 0
            for images, labels in loader:
                n += labels.shape[0]
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(json.dumps({'bench': 'torch-data-loader', 'torch': torch.__version__, 'epochsMs': times, 'medianMs': times[len(times) // 2], 'samples': n}))
    finally:
        shutil.rmtree(root)


if __name__ == '__main__':
    main()
