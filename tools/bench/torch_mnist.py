"""PyTorch reference for mnist-run.ts: the seeds' whole MNIST run. Sequential(Linear(784,128),
ReLU(), Linear(128,64), ReLU(), Linear(64,10), LogSoftmax(1)), NLLLoss, SGD(lr=0.003), batch 64,
shuffled, 5 epochs, test accuracy after each epoch (no_grad, eval(), batch 1000). Prints one JSON
line; with PEAK_RSS_FILE set, writes its peak resident set (KiB) there at exit.

    ~/torch-venv/bin/python3 tools/bench/torch_mnist.py <mnist-dir-with-gz-files> [--epochs N] [--loader tensor|torchvision]

--loader tensor (the default, the reference of issue 21): the IDX .gz files read directly into one
normalised tensor, batches gathered from it by a randperm; no torchvision, so the loop measures the
model and PyTorch's own start-up, not a DataLoader. --loader torchvision: the classic tutorial's
datasets.MNIST + ToTensor + Normalize((0.1307,), (0.3081,)) + DataLoader(batch_size=64,
shuffle=True) (needs torchvision: Debian's python3-torchvision for its 1.13).
Threads: PyTorch's default (all cores) unless OMP_NUM_THREADS says otherwise.
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

from blas_info import loaded_blas


def report_peak_rss():
    file = os.environ.get("PEAK_RSS_FILE")
    if file:
        with open(file, "w") as f:
            f.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))  # KiB on Linux


def tensor_batches(folder):
    """(train batches per epoch as a function, test batches): slices of one normalised tensor."""
    from torch_train_cnn import load_split  # numpy + the IDX reader, no torchvision

    train_x, train_y = load_split(folder, "mnist", True)
    test_x, test_y = load_split(folder, "mnist", False)
    train_x, test_x = train_x.view(train_x.shape[0], -1), test_x.view(test_x.shape[0], -1)

    def train_epoch():
        perm = torch.randperm(train_x.shape[0])
        for i in range(0, train_x.shape[0], 64):
            idx = perm[i : i + 64]
            yield train_x[idx], train_y[idx]

    test = [(test_x[i : i + 1000], test_y[i : i + 1000]) for i in range(0, test_x.shape[0], 1000)]
    return train_epoch, lambda: test, train_x.shape[0] // 64 + (train_x.shape[0] % 64 > 0), test_x.shape[0]


def torchvision_batches(folder, root):
    """The tutorial's torchvision pipeline over a copy of the .gz files in `root`."""
    from torchvision import datasets, transforms

    raw = os.path.join(root, "MNIST", "raw")
    os.makedirs(raw)
    for name in os.listdir(folder):
        if name.endswith(".gz"):
            shutil.copy(os.path.join(folder, name), raw)
    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    trainset = datasets.MNIST(root, train=True, download=True, transform=transform)
    testset = datasets.MNIST(root, train=False, download=True, transform=transform)
    trainloader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)
    testloader = torch.utils.data.DataLoader(testset, batch_size=1000)

    def flat(loader):
        for images, labels in loader:
            yield images.view(images.shape[0], -1), labels

    return lambda: flat(trainloader), lambda: flat(testloader), len(trainloader), len(testset)


def main():
    atexit.register(report_peak_rss)
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--loader", choices=["tensor", "torchvision"], default="tensor")
    args = parser.parse_args()
    start = time.perf_counter()
    torch.manual_seed(0)
    root = tempfile.mkdtemp(prefix="torch-mnist-")
    try:
        if args.loader == "tensor":
            train_batches, test_batches, steps, test_size = tensor_batches(args.data)
        else:
            train_batches, test_batches, steps, test_size = torchvision_batches(args.data, root)
        load_seconds = time.perf_counter() - start
        model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10), nn.LogSoftmax(dim=1))
        criterion = nn.NLLLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.003)
        epochs = []
        for _ in range(args.epochs):
            t0 = time.perf_counter()
            model.train()
            running_loss = 0.0
            for images, labels in train_batches():
                optimizer.zero_grad()
                loss = criterion(model(images), labels)
                loss.backward()
                optimizer.step()
                running_loss += loss.item()
            t1 = time.perf_counter()
            model.eval()
            correct = 0
            with torch.no_grad():
                for images, labels in test_batches():
                    correct += (model(images).argmax(1) == labels).sum().item()
            t2 = time.perf_counter()
            epochs.append({"loss": running_loss / steps, "accuracy": correct / test_size, "trainSeconds": t1 - t0, "testSeconds": t2 - t1})
        wall = time.perf_counter() - start
        print(
            json.dumps(
                {
                    "torch": torch.__version__,
                    "blas": loaded_blas(),
                    "loader": args.loader,
                    "threads": torch.get_num_threads(),
                    "loadSeconds": load_seconds,
                    "wallSeconds": wall,
                    "epochs": epochs,
                }
            )
        )
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
