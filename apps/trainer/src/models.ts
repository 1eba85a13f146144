import type { LayerSpec, ModelSpec } from '@kindling/nn';
import type { Tensor } from '@kindling/tensor';
import type { TrainConfig } from './config.js';
import { UsageError } from './errors.js';

/** What the trainer knows about the data a model is built for. */
export interface DataShape {
  /** One image as `[channels, height, width]`. */
  image: readonly [number, number, number];
  classes: readonly string[];
  dataset: string;
}

/** `Linear` + `ReLU` (+ `Dropout`) for each hidden size, then the output layer. */
function classifierHead(inputs: number, config: TrainConfig, classes: number, dropout: number): LayerSpec[] {
  const layers: LayerSpec[] = [];
  let width = inputs;
  for (const h of config.hidden) {
    layers.push({ type: 'Linear', args: [width, h] }, { type: 'ReLU' });
    if (dropout > 0) layers.push({ type: 'Dropout', args: [dropout] });
    width = h;
  }
  layers.push({ type: 'Linear', args: [width, classes] });
  if (config.loss === 'nll') layers.push({ type: 'LogSoftmax', args: [1] });
  return layers;
}

/** Spatial size after a valid `k`×`k` convolution (stride 1) or a `k`×`k` pool (stride k). */
const afterConv = (size: number, k: number) => size - k + 1;
const afterPool = (size: number, k: number) => Math.floor(size / k);

function checkFits(config: TrainConfig, shape: DataShape, h: number, w: number): void {
  if (h < 1 || w < 1) {
    const [c, ih, iw] = shape.image;
    throw new UsageError(`--model ${config.model}: images of ${c}×${ih}×${iw} (${shape.dataset}) are too small for its convolutions`);
  }
}

/**
 * PyTorch's `examples/mnist` Net: conv 3×3 → ReLU → conv 3×3 → ReLU →
 * max-pool 2 → dropout → flatten → linear layers. With MNIST's 28×28 and
 * `--hidden 128 --dropout 0.5` it is exactly the example's (dropout 0.25
 * after the convolutions).
 */
function cnnLayers(config: TrainConfig, shape: DataShape): LayerSpec[] {
  const [c, h0, w0] = shape.image;
  const h = afterPool(afterConv(afterConv(h0, 3), 3), 2);
  const w = afterPool(afterConv(afterConv(w0, 3), 3), 2);
  checkFits(config, shape, h, w);
  const convDropout = config.dropout / 2;
  return [
    { type: 'Conv2d', args: [c, 32, 3] },
    { type: 'ReLU' },
    { type: 'Conv2d', args: [32, 64, 3] },
    { type: 'ReLU' },
    { type: 'MaxPool2d', args: [2] },
    ...(convDropout > 0 ? [{ type: 'Dropout', args: [convDropout] }] : []),
    { type: 'Flatten' },
    ...classifierHead(64 * h * w, config, shape.classes.length, config.dropout),
  ];
}

/**
 * The 60-minute blitz's CIFAR-10 Net: (conv 5×5 → ReLU → max-pool 2) twice,
 * flatten, linear layers. With CIFAR's 32×32 and `--hidden 120,84` it is
 * exactly the tutorial's 400-120-84-10 head.
 */
function lenetLayers(config: TrainConfig, shape: DataShape): LayerSpec[] {
  const [c, h0, w0] = shape.image;
  const h = afterPool(afterConv(afterPool(afterConv(h0, 5), 2), 5), 2);
  const w = afterPool(afterConv(afterPool(afterConv(w0, 5), 2), 5), 2);
  checkFits(config, shape, h, w);
  return [
    { type: 'Conv2d', args: [c, 6, 5] },
    { type: 'ReLU' },
    { type: 'MaxPool2d', args: [2] },
    { type: 'Conv2d', args: [6, 16, 5] },
    { type: 'ReLU' },
    { type: 'MaxPool2d', args: [2] },
    { type: 'Flatten' },
    ...classifierHead(16 * h * w, config, shape.classes.length, config.dropout),
  ];
}

/**
 * The description of the network `config` asks for, sized for the data: it
 * goes into every checkpoint's metadata, so `eval`, `predict`, `info` and the
 * demo rebuild the model from the file alone. MLPs take flattened images
 * (`inputShape` `[784]`), CNNs `[C, H, W]`.
 */
export function modelSpecFor(config: TrainConfig, shape: DataShape): ModelSpec {
  const [c, h, w] = shape.image;
  const info = { dataset: shape.dataset, classes: [...shape.classes] };
  switch (config.model) {
    case 'mlp':
      return {
        type: 'sequential',
        layers: classifierHead(c * h * w, config, shape.classes.length, config.dropout),
        ...info,
        inputShape: [c * h * w],
      };
    case 'cnn':
      return { type: 'sequential', layers: cnnLayers(config, shape), ...info, inputShape: [c, h, w] };
    case 'lenet':
      return { type: 'sequential', layers: lenetLayers(config, shape), ...info, inputShape: [c, h, w] };
  }
}

/** A batch `[N, C, H, W]` reshaped to what the model takes (`[N, 784]` for an MLP, as the seeds' `view(N, -1)`). */
export function modelInput(images: Tensor, inputShape: readonly number[]): Tensor {
  return images.reshape([images.shape[0], ...inputShape]);
}

/** Whether the model ends in LogSoftmax (trained with NLLLoss) rather than emitting logits. */
export function endsInLogSoftmax(spec: ModelSpec): boolean {
  return spec.layers.at(-1)?.type === 'LogSoftmax';
}

/** A one-line summary: `MLP 784-128-64-10` or `CNN Conv2d(1, 32, 3) → ... → Linear(128, 10)`. */
export function describeModel(spec: ModelSpec): string {
  const linear = spec.layers.filter((l) => l.type === 'Linear').map((l) => l.args ?? []);
  const dropout = spec.layers.find((l) => l.type === 'Dropout')?.args?.[0];
  if (spec.layers.every((l) => ['Linear', 'ReLU', 'Dropout', 'LogSoftmax'].includes(l.type)) && linear.length > 0) {
    const sizes = [linear[0][0], ...linear.map((a) => a[1])];
    return `MLP ${sizes.join('-')}${dropout ? ` dropout ${dropout}` : ''}`;
  }
  const layer = (l: LayerSpec) => `${l.type}(${(l.args ?? []).map((a) => JSON.stringify(a)).join(', ')})`;
  return `CNN ${spec.layers
    .filter((l) => !['ReLU', 'Dropout', 'LogSoftmax'].includes(l.type))
    .map(layer)
    .join(' → ')}`;
}
