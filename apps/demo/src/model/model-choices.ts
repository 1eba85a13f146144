import type { LayerSpec, ModelSpec } from '@kindling/nn';
import { IMAGE_SIZE, mlpToModelSpec } from './model-spec.js';

/** The networks offered on the Train page: the seeds' MLPs and PyTorch's MNIST CNN. */
export type ModelChoice = 'small' | 'medium' | 'large' | 'cnn';

export type OptimizerChoice = 'adam' | 'sgd' | 'adadelta';

/** The usual learning rate of each optimizer, suggested when it is picked. */
export const DEFAULT_LR: Record<OptimizerChoice, number> = { adam: 0.001, sgd: 0.01, adadelta: 1.0 };

/**
 * Form values a model suggests. The CNN costs about 100 times the medium
 * MLP's compute per image (12M multiply-adds against 0.1M), so its run uses
 * fewer images.
 */
export interface ModelDefaults {
  optimizer: OptimizerChoice;
  lr: number;
  epochs: number;
  batchSize: number;
  trainSubset: number;
  testSubset: number;
}

/** What the run knows about its data when it builds the network. */
export interface DataInfo {
  dataset: string;
  classes: string[];
}

export interface ModelChoiceEntry {
  id: ModelChoice;
  label: string;
  defaults: ModelDefaults;
  /**
   * Test images per evaluation batch: big batches are fastest for an MLP,
   * but a convolution's unfolded input grows with the batch (1,000 images
   * through the CNN's second layer would be 660 MB), past what a GPU binds
   * at once.
   */
  evalBatchSize: number;
  /** The network's description (checkpoint metadata), for 28×28 grayscale images. */
  spec(data: DataInfo): ModelSpec;
}

/**
 * Long enough to watch (the landing's "Train MNIST" run): all 60,000 images,
 * 8 epochs in batches of 32, 15,000 steps, about 97% test accuracy. The
 * previous default (3 epochs on 10,000 images, batch 64) was over in 2.5 s.
 * Measured in headless Chromium on the CPU backend, on a busy 2-core machine
 * where that old default took 6-10 s: 5 epochs 24 s, 8 epochs 57 s, 10
 * epochs 76 s, so 8 epochs should take roughly 15-30 s on an idle one.
 */
const MLP_DEFAULTS: ModelDefaults = { optimizer: 'adam', lr: 0.001, epochs: 8, batchSize: 32, trainSubset: 60_000, testSubset: 10_000 };

/**
 * About a minute on the CPU backend: 5,000 images in one epoch, evaluated
 * four times on 1,000 test images, with the optimizer of PyTorch's example.
 */
const CNN_DEFAULTS: ModelDefaults = { optimizer: 'adadelta', lr: 1.0, epochs: 1, batchSize: 64, trainSubset: 5_000, testSubset: 1_000 };

function mlp(hidden: number[], dropout: number) {
  return ({ dataset, classes }: DataInfo): ModelSpec =>
    mlpToModelSpec({
      type: 'mlp',
      inputSize: IMAGE_SIZE * IMAGE_SIZE,
      outputSize: classes.length,
      hidden,
      dropout,
      logSoftmax: true,
      dataset,
      classes,
    });
}

/**
 * PyTorch's `examples/mnist` Net, layer for layer (so its state-dict keys
 * match PyTorch's `nn.Sequential` of the same layers), written as
 * `modelSpecOf` describes it, so the demo's checkpoints and kindling-train's
 * carry the same description.
 */
export function mnistCnnSpec({ dataset, classes }: DataInfo): ModelSpec {
  const pooled = ((IMAGE_SIZE - 4) / 2) ** 2 * 64; // two 3×3 valid convolutions, then 2×2 pooling: 64 × 12 × 12 = 9216
  const layers: LayerSpec[] = [
    { type: 'Conv2d', args: [1, 32, 3] },
    { type: 'ReLU' },
    { type: 'Conv2d', args: [32, 64, 3] },
    { type: 'ReLU' },
    { type: 'MaxPool2d', args: [2] },
    { type: 'Dropout', args: [0.25] },
    { type: 'Flatten', args: [1, -1] },
    { type: 'Linear', args: [pooled, 128] },
    { type: 'ReLU' },
    { type: 'Dropout', args: [0.5] },
    { type: 'Linear', args: [128, classes.length] },
    { type: 'LogSoftmax', args: [1] },
  ];
  return { type: 'sequential', layers, dataset, classes, inputShape: [1, IMAGE_SIZE, IMAGE_SIZE] };
}

export const MODEL_CHOICES: readonly ModelChoiceEntry[] = [
  { id: 'small', label: 'Small MLP: 784-64-10', defaults: MLP_DEFAULTS, evalBatchSize: 1000, spec: mlp([64], 0) },
  {
    id: 'medium',
    label: 'Medium MLP: 784-128-64-10',
    defaults: MLP_DEFAULTS,
    evalBatchSize: 1000,
    spec: mlp([128, 64], 0),
  },
  {
    id: 'large',
    label: 'Large MLP: 784-256-128-64-10',
    defaults: MLP_DEFAULTS,
    evalBatchSize: 1000,
    spec: mlp([256, 128, 64], 0.2),
  },
  {
    id: 'cnn',
    label: 'CNN: PyTorch’s MNIST example',
    defaults: CNN_DEFAULTS,
    evalBatchSize: 100,
    spec: mnistCnnSpec,
  },
];

export function isModelChoice(value: string): value is ModelChoice {
  return MODEL_CHOICES.some((m) => m.id === value);
}

export function isOptimizerChoice(value: string): value is OptimizerChoice {
  return Object.hasOwn(DEFAULT_LR, value);
}

export function modelChoice(id: ModelChoice): ModelChoiceEntry {
  return MODEL_CHOICES.find((m) => m.id === id) ?? MODEL_CHOICES[1];
}
