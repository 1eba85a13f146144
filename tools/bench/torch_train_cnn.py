"""PyTorch reference for the CNN presets: trains `mnist-cnn` (PyTorch's examples/mnist
Net) on MNIST and `fashion-cnn` (the same Net) on Fashion-MNIST, and prints the test
accuracy after each epoch: the comparison for kindling-train's >= 99% / >= 91% targets.

    ~/torch-venv/bin/python3 tools/bench/torch_train_cnn.py [--preset mnist-cnn|fashion-cnn|both]
        [--data ../shared/data] [--epochs 2] [--threads N] [--seed 1] [--normalize example|half]

As examples/mnist: ToTensor + Normalize (MNIST (0.1307,), (0.3081,); Fashion-MNIST
(0.2860,), (0.3530,); `--normalize half` uses kindling-train's (0.5,), (0.5,)), shuffled batches of 64, Adadelta(lr=1.0), StepLR(step_size=1,
gamma=0.7), F.nll_loss on log_softmax, test batches of 1000 in eval() under no_grad.
The IDX .gz files are read directly (no torchvision) and batches are gathered from one
normalised tensor, so the loop measures the model, not a DataLoader. Also the models
and data helpers torch_cnn.py times. Prints a line per epoch, then one JSON object.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# (mean, std) of the training images, as examples/mnist and the Fashion-MNIST tutorials use.
NORMALIZE = {"mnist": (0.1307, 0.3081), "fashion-mnist": (0.2860, 0.3530)}
PRESETS = {"mnist-cnn": "mnist", "fashion-cnn": "fashion-mnist"}


class MnistNet(nn.Module):
    """examples/mnist's Net, verbatim."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


class BlitzNet(nn.Module):
    """The 60-minute blitz's CIFAR-10 Net, verbatim."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def read_idx(path):
    """An IDX file (.gz or not) as a uint8 numpy array of its shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_split(folder, dataset, train, normalize="example"):
    """(images [N, 1, 28, 28] float32 normalised, labels [N] int64) of one split."""
    prefix = "train" if train else "t10k"
    images = read_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"))
    mean, std = NORMALIZE[dataset] if normalize == "example" else (0.5, 0.5)
    x = torch.from_numpy(images.astype(np.float32)).div_(255).sub_(mean).div_(std).unsqueeze(1)
    return x.contiguous(), torch.from_numpy(labels.astype(np.int64))


def train_epoch(model, optimizer, images, labels, batch_size=64):
    """One shuffled epoch; returns the mean training loss (read every step, as the example logs it)."""
    model.train()
    perm = torch.randperm(images.shape[0])
    total = 0.0
    steps = 0
    for i in range(0, images.shape[0], batch_size):
        idx = perm[i : i + batch_size]
        optimizer.zero_grad()
        loss = F.nll_loss(model(images[idx]), labels[idx])
        loss.backward()
        optimizer.step()
        total += loss.item()
        steps += 1
    return total / steps


def evaluate(model, images, labels, batch_size=1000):
    """Test accuracy in eval() mode."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, images.shape[0], batch_size):
            correct += (model(images[i : i + batch_size]).argmax(1) == labels[i : i + batch_size]).sum().item()
    return correct / images.shape[0]


def train_preset(preset, folder, epochs, seed, normalize="example"):
    """Trains `preset` on the IDX files in `folder`; load/wall seconds and per-epoch loss/accuracy/seconds."""
    dataset = PRESETS[preset]
    start = time.perf_counter()
    torch.manual_seed(seed)
    train_x, train_y = load_split(folder, dataset, True, normalize)
    test_x, test_y = load_split(folder, dataset, False, normalize)
    load_seconds = time.perf_counter() - start
    model = MnistNet()
    optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    history = []
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        loss = train_epoch(model, optimizer, train_x, train_y)
        t1 = time.perf_counter()
        accuracy = evaluate(model, test_x, test_y)
        t2 = time.perf_counter()
        scheduler.step()
        history.append({"epoch": epoch, "loss": loss, "accuracy": accuracy, "trainSeconds": t1 - t0, "testSeconds": t2 - t1})
        print(f"{preset} epoch {epoch}: loss {loss:.4f}, test accuracy {accuracy:.4f} ({t1 - t0:.1f} s train, {t2 - t1:.1f} s test)", flush=True)
    return {"loadSeconds": load_seconds, "wallSeconds": time.perf_counter() - start, "epochs": history}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", choices=[*PRESETS, "both"], default="both")
    parser.add_argument("--data", default=os.path.join(here, "../../../shared/data"))
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)  # examples/mnist's default seed
    parser.add_argument("--normalize", choices=["example", "half"], default="example")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    presets = list(PRESETS) if args.preset == "both" else [args.preset]
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "seed": args.seed, "normalize": args.normalize}
    for preset in presets:
        result[preset] = train_preset(preset, os.path.join(args.data, PRESETS[preset]), args.epochs, args.seed, args.normalize)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
