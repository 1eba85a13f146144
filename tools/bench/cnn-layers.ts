/**
 * conv2d forward and backward throughput of the benchmarked CNNs' conv layers
 * on Kindling, the counterpart of `bench_layers` in `torch_cnn.py` (same
 * layers, names, FLOP counts and trial scheme).
 */
import { grad, noGrad } from '@kindling/autograd';
import { type Tensor, conv2d, manualSeed, randn, tidy } from '@kindling/tensor';

export interface ConvLayer {
  /** The key `torch_cnn.py` reports the layer under. */
  readonly name: string;
  readonly label: string;
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: number;
  readonly size: number;
  /** Whether the training step needs the input's gradient (not for the first layer, whose input is data). */
  readonly inputGrad: boolean;
}

const layer = (name: string, batch: number, cin: number, cout: number, k: number, size: number, inputGrad: boolean): ConvLayer => ({
  name,
  label: `${name} ${cin}→${cout} ${k}×${k} on ${batch}×${size}×${size}`,
  batch,
  inChannels: cin,
  outChannels: cout,
  kernel: k,
  size,
  inputGrad,
});

export const CONV_LAYERS: readonly ConvLayer[] = [
  layer('mnist-cnn conv1', 64, 1, 32, 3, 28, false),
  layer('mnist-cnn conv2', 64, 32, 64, 3, 26, true),
  layer('blitz conv1', 4, 3, 6, 5, 32, false),
  layer('blitz conv2', 4, 6, 16, 5, 14, true),
];

export interface Rate {
  best: number;
  median: number;
  gflop: number;
}
export interface LayerRates {
  forward: Rate;
  backward: Rate;
}

/** Seconds per call over `calls` calls. */
function secondsPerCall(fn: () => void, calls: number): number {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) fn();
  return (performance.now() - t0) / 1000 / calls;
}

/** Best and median GFLOP/s over trials of about 50 ms each. */
function rate(fn: () => void, flops: number, trials: number): Rate {
  const calls = Math.max(1, Math.floor(0.05 / Math.max(secondsPerCall(fn, 3), 1e-7)));
  const rates = Array.from({ length: trials }, () => flops / secondsPerCall(fn, calls) / 1e9).sort((a, b) => a - b);
  return { best: rates[rates.length - 1], median: rates[Math.floor(rates.length / 2)], gflop: flops / 1e9 };
}

/**
 * Forward (under `noGrad`) and backward (`grad` of a retained graph with a
 * fixed output gradient, for the weight, the bias and, where the training step
 * needs it, the input) of one layer, at the current thread count. FLOPs: 2 per
 * multiply-add, the forward's count once per gradient.
 */
export function kindlingLayerRates(l: ConvLayer, quick: boolean): LayerRates {
  manualSeed(0);
  const out = l.size - l.kernel + 1;
  const flops = 2 * l.batch * l.outChannels * out * out * l.inChannels * l.kernel * l.kernel;
  const x = randn([l.batch, l.inChannels, l.size, l.size]);
  const w = randn([l.outChannels, l.inChannels, l.kernel, l.kernel]).requiresGrad_();
  const b = randn([l.outChannels]).requiresGrad_();
  const g = randn([l.batch, l.outChannels, out, out]);
  if (l.inputGrad) x.requiresGrad_();
  const trials = quick ? 3 : 9;
  const forward = rate(() => noGrad(() => tidy(() => void conv2d(x, w, b))), flops, trials);
  const y = conv2d(x, w, b);
  const inputs: Tensor[] = l.inputGrad ? [x, w, b] : [w, b];
  const backward = rate(
    () => tidy(() => void grad(y, inputs, { gradOutputs: g, retainGraph: true })),
    flops * (l.inputGrad ? 2 : 1),
    trials,
  );
  for (const t of [x, w, b, g, y]) t.dispose();
  return { forward, backward };
}
