"""PyTorch reference for mnist-run.ts: the seeds' whole MNIST run as the classic
tutorial writes it, with torchvision's pipeline. datasets.MNIST + ToTensor +
Normalize((0.1307,), (0.3081,)), DataLoader(batch_size=64, shuffle=True),
Sequential(Linear(784,128), ReLU(), Linear(128,64), ReLU(), Linear(64,10),
LogSoftmax(1)), NLLLoss, SGD(lr=0.003), 5 epochs, test accuracy after each
epoch (no_grad, eval(), batch 1000). Prints one JSON line; with PEAK_RSS_FILE
set, writes its peak resident set (KiB) there at exit.

    OMP_NUM_THREADS=1 /usr/bin/python3 tools/bench/torch_mnist.py <mnist-dir-with-gz-files> [--epochs N]

Needs Debian's python3-torch and python3-torchvision.
"""
import argparse
import atexit
import json
import os
import resource
import shutil
import tempfile
import time

import torch
from torch import nn
from torchvision import datasets, transforms

from blas_info import loaded_blas


def report_peak_rss():
    file = os.environ.get("PEAK_RSS_FILE")
    if file:
        with open(file, "w") as f:
            f.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))  # KiB on Linux


def main():
    atexit.register(report_peak_rss)
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    start = time.perf_counter()
    torch.manual_seed(0)
    root = tempfile.mkdtemp(prefix="torch-mnist-")
    try:
        raw = os.path.join(root, "MNIST", "raw")
        os.makedirs(raw)
        for name in os.listdir(args.data):
            if name.endswith(".gz"):
                shutil.copy(os.path.join(args.data, name), raw)
        transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
        trainset = datasets.MNIST(root, train=True, download=True, transform=transform)
        testset = datasets.MNIST(root, train=False, download=True, transform=transform)
        trainloader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)
        testloader = torch.utils.data.DataLoader(testset, batch_size=1000)
        model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10), nn.LogSoftmax(dim=1))
        criterion = nn.NLLLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.003)
        epochs = []
        for _ in range(args.epochs):
            model.train()
            running_loss = 0.0
            for images, labels in trainloader:
                images = images.view(images.shape[0], -1)
                optimizer.zero_grad()
                loss = criterion(model(images), labels)
                loss.backward()
                optimizer.step()
                running_loss += loss.item()
            model.eval()
            correct = 0
            with torch.no_grad():
                for images, labels in testloader:
                    correct += (model(images.view(images.shape[0], -1)).argmax(1) == labels).sum().item()
            epochs.append({"loss": running_loss / len(trainloader), "accuracy": correct / len(testset)})
        wall = time.perf_counter() - start
        print(json.dumps({"torch": torch.__version__, "blas": loaded_blas(), "threads": torch.get_num_threads(), "wallSeconds": wall, "epochs": epochs}))
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
