"""PyTorch's conv2d forward, input-gradient and weight-gradient times for the
layers of tools/bench/conv-kernels.ts, printed as one JSON line:
{"threads": {"1": {"<layer>": {"forward": ms, "inputGrad": ms, "weightGrad": ms}}}}.

    ~/torch-venv/bin/python3 tools/bench/torch_conv_kernels.py --layers '<json>' --threads 1,2 --reps 20
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F


def best_ms(fn, reps):
    for _ in range(3):
        fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    times.sort()
    return times[len(times) // 2]


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--layers', required=True)
    p.add_argument('--threads', default='1,2')
    p.add_argument('--reps', type=int, default=20)
    a = p.parse_args()
    layers = json.loads(a.layers)
    out = {'torch': torch.__version__, 'threads': {}}
    for th in [int(t) for t in a.threads.split(',')]:
        torch.set_num_threads(th)
        res = {}
        for layer in layers:
            n, cin, cout, size, k = layer['n'], layer['cin'], layer['cout'], layer['size'], layer['k']
            torch.manual_seed(0)
            x = torch.randn(n, cin, size, size)
            w = torch.randn(cout, cin, k, k)
            b = torch.randn(cout)
            g = torch.randn(n, cout, size - k + 1, size - k + 1)
            back = torch.ops.aten.convolution_backward
            args = ([cout], [1, 1], [0, 0], [1, 1], False, [0, 0], 1)
            with torch.no_grad():
                res[layer['name']] = {
                    'forward': best_ms(lambda: F.conv2d(x, w, b), a.reps),
                    'inputGrad': best_ms(lambda: back(g, x, w, *args, [True, False, False]), a.reps),
                    'weightGrad': best_ms(lambda: back(g, x, w, *args, [False, True, False]), a.reps),
                }
        out['threads'][str(th)] = res
    print(json.dumps(out))


if __name__ == '__main__':
    main()
