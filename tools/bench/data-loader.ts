/**
 * One epoch of MNIST training batches through `@kindling/data`: 60,000
 * images, batch 64, shuffled, ToTensor + Normalize, as the training loop
 * would consume them. Prints load time, per-epoch times, then one JSON line.
 *
 *   node tools/run-ts.mjs tools/bench/data-loader.ts [--epochs 5] [--batch 64] [--data <dir>]
 *
 * `--data` is a folder holding the four MNIST `.gz` files (default
 * `<repo>/../shared/data/mnist`); it is used as a local mirror, copied into a
 * temporary cache and verified.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasBackend } from '@kindling/tensor';
import { getBackend } from '@kindling/tensor/backend';
import '@kindling/backend-cpu';
import { Compose, DataLoader, MNIST, Normalize, ToTensor } from '@kindling/data';
import '@kindling/data/node';

function option(args: string[], name: string, fallback: string): string {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
}

export async function main(args: string[]): Promise<void> {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const data = resolve(option(args, '--data', resolve(repoRoot, '../shared/data/mnist')));
  const epochs = Number(option(args, '--epochs', '5'));
  const batchSize = Number(option(args, '--batch', '64'));
  if (!hasBackend('cpu')) throw new Error("data-loader bench: no 'cpu' backend registered by @kindling/backend-cpu yet");
  console.log(`backend: ${getBackend('cpu').name}, data: ${data}`);

  const cache = await mkdtemp(join(tmpdir(), 'kindling-bench-'));
  try {
    let t = performance.now();
    const trainset = await MNIST.create({
      root: cache,
      train: true,
      download: true,
      mirrors: [data],
      transform: new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])]),
    });
    const copyMs = performance.now() - t;
    t = performance.now();
    await MNIST.create({ root: cache, train: true });
    const loadMs = performance.now() - t;
    console.log(`MNIST train: first load (copy + verify + parse) ${copyMs.toFixed(0)} ms, cached load ${loadMs.toFixed(0)} ms`);

    const prefetch = Number(option(args, '--prefetch', '1'));
    const loader = new DataLoader(trainset, { batchSize, shuffle: true, prefetch });
    const times: number[] = [];
    for (let e = 0; e < epochs; e++) {
      let batches = 0;
      let samples = 0;
      const start = performance.now();
      for await (const [images, labels] of loader) {
        batches++;
        samples += labels.shape[0];
        images.dispose();
        labels.dispose();
      }
      const ms = performance.now() - start;
      times.push(ms);
      console.log(`epoch ${e + 1}: ${batches} batches, ${samples} samples in ${ms.toFixed(1)} ms`);
    }
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1];
    console.log(
      `median epoch: ${median.toFixed(1)} ms (best ${sorted[0].toFixed(1)} ms), batch ${batchSize}, shuffled, ToTensor+Normalize`,
    );
    const torch = torchReference(data, repoRoot, args.includes('--no-torch'));
    if (torch)
      console.log(
        `torchvision reference (same machine, this run): median epoch ${torch.medianMs.toFixed(0)} ms → Kindling is ${(torch.medianMs / median).toFixed(1)}× faster`,
      );
    console.log(
      JSON.stringify({
        bench: 'data-loader',
        batchSize,
        epochs: times,
        medianMs: median,
        copyMs,
        loadMs,
        torchMedianMs: torch?.medianMs ?? null,
        speedup: torch ? torch.medianMs / median : null,
      }),
    );
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
}

/** torchvision's pipeline on the same files (tools/bench/torch_data_loader.py), or null when PyTorch/torchvision are missing. */
function torchReference(data: string, repoRoot: string, skip: boolean): { medianMs: number } | null {
  if (skip) return null;
  const r = spawnSync('/usr/bin/python3', [resolve(repoRoot, 'tools/bench/torch_data_loader.py'), data, '3'], { encoding: 'utf8' });
  const line = r.stdout?.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    console.log('torchvision reference: skipped (needs /usr/bin/python3 with python3-torch and python3-torchvision)');
    return null;
  }
  return JSON.parse(line) as { medianMs: number };
}
