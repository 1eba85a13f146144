"""PyTorch reference for tools/bench/cnn-step.ts: the CNN training steps, conv2d layer
throughput and one whole mnist-cnn epoch.

    ~/torch-venv/bin/python3 tools/bench/torch_cnn.py [--sections step,layers,epoch]
        [--threads 1,2] [--quick] [--data ../shared/data/mnist]

- step: one training step (zero_grad, forward, loss, backward, optimizer step, loss.item())
  of examples/mnist's Net (batch 64, Adadelta lr 1.0, NLL on log_softmax, dropout on) and
  of the blitz's CIFAR-10 Net (batch 4, SGD lr 0.001 momentum 0.9, CrossEntropyLoss) on
  random data, at each thread count (torch.set_num_threads); rounds alternate between the
  thread counts so that load from other processes hits all of them. Milliseconds per step.
- layers: GFLOP/s of each conv2d of those nets, forward (no_grad) and backward
  (aten.convolution_backward computing what the training step needs: weight and bias
  gradients, and the input gradient except for the first layer, whose input is the data).
  FLOPs: 2*N*Cout*Hout*Wout*Cin*kh*kw per product (forward, input grad, weight grad).
- epoch: one mnist-cnn epoch on the real MNIST (IDX .gz files read directly, see
  torch_train_cnn.py), at the last thread count given, then the test accuracy.

Prints readable lines, then one JSON object on the last line.
"""
import argparse
import json
import os
import resource
import time

import torch
import torch.nn.functional as F

from blas_info import loaded_blas
from torch_train_cnn import BlitzNet, MnistNet, train_preset

# name, batch, in channels, out channels, kernel, input size, whether its input needs a gradient
CONV_LAYERS = [
    ("mnist-cnn conv1", 64, 1, 32, 3, 28, False),
    ("mnist-cnn conv2", 64, 32, 64, 3, 26, True),
    ("blitz conv1", 4, 3, 6, 5, 32, False),
    ("blitz conv2", 4, 6, 16, 5, 14, True),
]


def library():
    """What PyTorch's CPU convolutions and matmuls run on here."""
    blas = loaded_blas()
    return f"{blas}, oneDNN" if torch.backends.mkldnn.is_available() else blas


def make_step(net):
    """A training step closure of one of the two nets, on fixed random data."""
    torch.manual_seed(0)
    if net == "mnist-cnn":
        model = MnistNet()
        optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0)
        x, y = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
        loss_fn = F.nll_loss
    else:
        model = BlitzNet()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
        x, y = torch.randn(4, 3, 32, 32), torch.randint(0, 10, (4,))
        loss_fn = F.cross_entropy
    model.train()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()  # the tutorials' loops read the loss every step

    return step


def time_per_call(fn, calls):
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls


def bench_steps(threads, quick):
    """ms per step: {net: {threads: {"best": ms, "median": ms}}}."""
    # steps per round: about 0.3-1 s of work per round on a 2-core machine.
    plan = {"mnist-cnn": 3 if quick else 10, "blitz": 50 if quick else 300}
    rounds = 3 if quick else 7
    out = {}
    for net, steps in plan.items():
        step = make_step(net)
        samples = {n: [] for n in threads}
        for n in threads:
            torch.set_num_threads(n)
            time_per_call(step, max(3, steps // 2))  # warm-up: oneDNN primitive caches, allocator
        for _ in range(rounds):
            for n in threads:
                torch.set_num_threads(n)
                samples[n].append(time_per_call(step, steps) * 1000)
        out[net] = {str(n): {"best": min(s), "median": sorted(s)[len(s) // 2]} for n, s in samples.items()}
        for n in threads:
            r = out[net][str(n)]
            print(f"  {net} step, {n} thread{'s' if n > 1 else ''}: median {r['median']:.3f} ms, best {r['best']:.3f} ms")
    return out


def bench_layer(layer, quick):
    """Best and median GFLOP/s of one conv layer's forward and backward at the current thread count."""
    _, n, cin, cout, k, size, input_grad = layer
    torch.manual_seed(0)
    x = torch.randn(n, cin, size, size)
    w = torch.randn(cout, cin, k, k)
    b = torch.randn(cout)
    hout = size - k + 1
    grad = torch.randn(n, cout, hout, hout)
    flops = 2.0 * n * cout * hout * hout * cin * k * k
    mask = [input_grad, True, True]

    def forward():
        with torch.no_grad():
            F.conv2d(x, w, b)

    def backward():
        torch.ops.aten.convolution_backward(grad, x, w, [cout], [1, 1], [0, 0], [1, 1], False, [0, 0], 1, mask)

    out = {}
    for name, fn, work in (("forward", forward, flops), ("backward", backward, flops * (2 if input_grad else 1))):
        calls = max(1, int(0.05 / max(time_per_call(fn, 3), 1e-7)))  # trials of ~50 ms
        rates = sorted(work / time_per_call(fn, calls) / 1e9 for _ in range(3 if quick else 9))
        out[name] = {"best": rates[-1], "median": rates[len(rates) // 2], "gflop": work / 1e9}
    return out


def bench_layers(threads, quick):
    """{layer: {threads: {"forward": {...}, "backward": {...}}}}."""
    # Warm-up at every thread count first: a fresh process's first 1-thread oneDNN convolutions
    # ran ~10x slower (4 GFLOP/s on mnist-cnn conv1) than after the step section had run.
    for n in threads:
        torch.set_num_threads(n)
        for layer in CONV_LAYERS:
            bench_layer(layer, quick=True)
    out = {}
    for layer in CONV_LAYERS:
        out[layer[0]] = {}
        for n in threads:
            torch.set_num_threads(n)
            r = bench_layer(layer, quick)
            out[layer[0]][str(n)] = r
            print(
                f"  {layer[0]} ({n} thread{'s' if n > 1 else ''}): forward {r['forward']['best']:.1f} GFLOP/s,"
                f" backward {r['backward']['best']:.1f} GFLOP/s (best)"
            )
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--sections", default="step,layers")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--data", default=os.path.join(here, "../../../shared/data/mnist"))
    args = parser.parse_args()
    sections = args.sections.split(",")
    threads = [int(t) for t in args.threads.split(",")]
    result = {"torch": torch.__version__, "library": library(), "threads": threads}
    print(f"PyTorch {torch.__version__} ({result['library']})")
    if "step" in sections:
        result["step"] = bench_steps(threads, args.quick)
    if "layers" in sections:
        result["layers"] = bench_layers(threads, args.quick)
    if "epoch" in sections:
        torch.set_num_threads(threads[-1])
        run = train_preset("mnist-cnn", args.data, 1, 1)
        epoch = run["epochs"][0]
        result["epoch"] = {"threads": threads[-1], "loadSeconds": run["loadSeconds"], **epoch}
    result["peakRssMiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps(result))


if __name__ == "__main__":
    main()
