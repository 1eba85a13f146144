import { UsageError } from './errors.js';

/** `idx`: your own IDX files in `--data-dir`, named like MNIST's (`train-images-idx3-ubyte[.gz]`...). */
export const DATASETS = ['mnist', 'fashion-mnist', 'cifar10', 'idx'] as const;
export const LOSSES = ['nll', 'cross-entropy'] as const;
export const OPTIMIZERS = ['sgd', 'adam', 'adamw', 'adadelta'] as const;
export const SCHEDULERS = ['none', 'step', 'cosine', 'exponential'] as const;
export const BACKENDS = ['cpu', 'webgpu'] as const;
export const PRESETS = ['mnist', 'fashion', 'mnist-cnn', 'fashion-cnn', 'cifar10'] as const;
/**
 * `mlp`: fully connected layers of `--hidden` sizes on flattened images;
 * `cnn`: PyTorch's `examples/mnist` Net (two 3×3 convolutions, max-pool,
 * two linear layers); `lenet`: the 60-minute blitz's CIFAR-10 Net (two 5×5
 * convolutions each followed by a max-pool, three linear layers).
 */
export const MODELS = ['mlp', 'cnn', 'lenet'] as const;
/** `half`: Normalize by 0.5 (the seeds, the blitz); `dataset`: by the training images' mean and std (examples/mnist). */
export const NORMALIZATIONS = ['half', 'dataset'] as const;

export type DatasetName = (typeof DATASETS)[number];

/** Everything that defines a training run; `--config` files use the same keys. */
export interface TrainConfig {
  dataset: DatasetName;
  dataDir?: string;
  mirror?: string;
  model: (typeof MODELS)[number];
  hidden: number[];
  dropout: number;
  normalize: (typeof NORMALIZATIONS)[number];
  loss: (typeof LOSSES)[number];
  optimizer: (typeof OPTIMIZERS)[number];
  lr: number;
  momentum: number;
  /** Unset: the optimizer's default (0, or 0.01 for AdamW). */
  weightDecay?: number;
  scheduler: (typeof SCHEDULERS)[number];
  /** StepLR period in epochs, and its decay factor (also ExponentialLR's). */
  stepSize: number;
  gamma: number;
  epochs: number;
  batchSize: number;
  seed: number;
  backend: (typeof BACKENDS)[number];
  out: string;
  resume?: string;
}

/**
 * The seeds' MNIST run: 784-128-64-10 MLP with LogSoftmax + NLLLoss, plain
 * SGD at lr 0.003, batch 64, shuffled, 5 epochs.
 */
export const MNIST_PRESET: TrainConfig = {
  dataset: 'mnist',
  model: 'mlp',
  hidden: [128, 64],
  dropout: 0,
  normalize: 'half',
  loss: 'nll',
  optimizer: 'sgd',
  lr: 0.003,
  momentum: 0,
  scheduler: 'none',
  stepSize: 1,
  gamma: 0.1,
  epochs: 5,
  batchSize: 64,
  seed: 0,
  backend: 'cpu',
  out: 'runs/latest',
};

/** The seeds' Fashion-MNIST classifier: 784-256-128-64-10, Dropout 0.2, Adam lr 0.001. */
export const FASHION_PRESET: TrainConfig = {
  ...MNIST_PRESET,
  dataset: 'fashion-mnist',
  hidden: [256, 128, 64],
  dropout: 0.2,
  optimizer: 'adam',
  lr: 0.001,
};

/**
 * PyTorch's `examples/mnist`: its Net, inputs normalised by MNIST's mean and
 * std, Adadelta at lr 1.0 with StepLR(1, 0.7), batch 64, NLLLoss on
 * LogSoftmax, 2 epochs (the example's ~99% needs one or two).
 */
export const MNIST_CNN_PRESET: TrainConfig = {
  ...MNIST_PRESET,
  model: 'cnn',
  hidden: [128],
  dropout: 0.5,
  normalize: 'dataset',
  optimizer: 'adadelta',
  lr: 1.0,
  scheduler: 'step',
  stepSize: 1,
  gamma: 0.7,
  epochs: 2,
};

/** The same Net and schedule on Fashion-MNIST, for 5 epochs. */
export const FASHION_CNN_PRESET: TrainConfig = { ...MNIST_CNN_PRESET, dataset: 'fashion-mnist', epochs: 5 };

/**
 * The 60-minute blitz's CIFAR-10 classifier: its Net, SGD lr 0.001 momentum
 * 0.9, batch 4, CrossEntropyLoss, 2 epochs, images normalised by (0.5, 0.5,
 * 0.5) per channel as there.
 */
export const CIFAR10_PRESET: TrainConfig = {
  ...MNIST_PRESET,
  dataset: 'cifar10',
  model: 'lenet',
  hidden: [120, 84],
  loss: 'cross-entropy',
  lr: 0.001,
  momentum: 0.9,
  batchSize: 4,
  epochs: 2,
};

const PRESET_CONFIGS: Record<(typeof PRESETS)[number], TrainConfig> = {
  mnist: MNIST_PRESET,
  fashion: FASHION_PRESET,
  'mnist-cnn': MNIST_CNN_PRESET,
  'fashion-cnn': FASHION_CNN_PRESET,
  cifar10: CIFAR10_PRESET,
};

export function presetConfig(name: string): TrainConfig {
  const preset = PRESET_CONFIGS[name as (typeof PRESETS)[number]];
  if (preset) return { ...preset, hidden: [...preset.hidden] };
  throw new UsageError(`--preset: unknown preset "${name}"; expected one of ${PRESETS.join(', ')}`);
}

const KEYS = Object.keys(MNIST_PRESET).concat(['dataDir', 'mirror', 'resume', 'weightDecay']);

function oneOf<T extends string>(key: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new UsageError(`${flag(key)}: got ${JSON.stringify(value)}, expected one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function flag(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function number(key: string, value: unknown, check: (n: number) => boolean, expected: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || !check(n))
    throw new UsageError(`${flag(key)}: got ${JSON.stringify(value)}, expected ${expected}`);
  return n;
}

/**
 * Widest hidden layer: 65,536. A 784×65,536 layer already has 51M
 * parameters (205 MB of float32, about 820 MB with gradients and Adam's
 * state); wider ones belong to models this trainer is not for.
 */
export const MAX_HIDDEN_WIDTH = 2 ** 16;
/** Most hidden layers. */
export const MAX_HIDDEN_LAYERS = 32;
/**
 * Most parameters the fully connected layers may have: 2^27 (134M), 512 MiB
 * of float32 weights and about 2 GiB once gradients and the optimizer's
 * state are counted, about what one CPU process trains in reasonable memory.
 */
export const MAX_HEAD_PARAMETERS = 2 ** 27;

/** Flattened image size of each dataset (an MLP's input). */
const DATASET_FEATURES: Record<DatasetName, number> = { mnist: 784, 'fashion-mnist': 784, idx: 784, cifar10: 3072 };

function hiddenSizes(value: unknown): number[] {
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_HIDDEN_LAYERS)
    throw new UsageError(`--hidden: got ${JSON.stringify(value)}, expected 1 to ${MAX_HIDDEN_LAYERS} layer sizes like 128,64`);
  return list.map((v) => {
    const n = typeof v === 'string' && v !== '' ? Number(v) : v;
    if (!Number.isInteger(n) || (n as number) < 1)
      throw new UsageError(`--hidden: got ${JSON.stringify(value)}, expected positive integer sizes like 128,64`);
    if ((n as number) > MAX_HIDDEN_WIDTH)
      throw new UsageError(
        `--hidden: got ${JSON.stringify(value)}, each size must be at most ${MAX_HIDDEN_WIDTH} (a ${n}-wide layer is far beyond what kindling-train trains)`,
      );
    return n as number;
  });
}

/** Refuses hidden sizes whose fully connected layers (from the dataset's flattened images to 10 classes) exceed {@link MAX_HEAD_PARAMETERS}. */
function checkHeadSize(c: TrainConfig): void {
  const widths = [DATASET_FEATURES[c.dataset], ...c.hidden, 10];
  let parameters = 0;
  for (let i = 1; i < widths.length; i++) parameters += widths[i - 1] * widths[i] + widths[i];
  if (parameters <= MAX_HEAD_PARAMETERS) return;
  throw new UsageError(
    `--hidden: ${c.hidden.join(',')} makes fully connected layers of ${parameters.toLocaleString('en-US')} parameters on ${c.dataset}, more than the ${MAX_HEAD_PARAMETERS.toLocaleString('en-US')} (2^27, 512 MiB of float32) kindling-train allows`,
  );
}

/**
 * Applies `overrides` (from a config file or flags; strings or typed values)
 * on top of `base`, validating each value and naming the flag in errors.
 */
export function mergeConfig(base: TrainConfig, overrides: Record<string, unknown>, source = 'flags'): TrainConfig {
  const c: TrainConfig = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!KEYS.includes(key)) throw new UsageError(`${source}: unknown setting "${key}"; known settings are ${KEYS.join(', ')}`);
    switch (key) {
      case 'dataset':
        c.dataset = oneOf(key, value, DATASETS);
        break;
      case 'model':
        c.model = oneOf(key, value, MODELS);
        break;
      case 'normalize':
        c.normalize = oneOf(key, value, NORMALIZATIONS);
        break;
      case 'loss':
        c.loss = oneOf(key, value, LOSSES);
        break;
      case 'optimizer':
        c.optimizer = oneOf(key, value, OPTIMIZERS);
        break;
      case 'scheduler':
        c.scheduler = oneOf(key, value, SCHEDULERS);
        break;
      case 'backend':
        c.backend = oneOf(key, value, BACKENDS);
        break;
      case 'hidden':
        c.hidden = hiddenSizes(value);
        break;
      case 'dropout':
        c.dropout = number(key, value, (n) => n >= 0 && n < 1, 'a probability in [0, 1)');
        break;
      case 'lr':
        c.lr = number(key, value, (n) => n > 0, 'a positive learning rate');
        break;
      case 'momentum':
        c.momentum = number(key, value, (n) => n >= 0 && n < 1, 'a value in [0, 1)');
        break;
      case 'weightDecay':
        c.weightDecay = number(key, value, (n) => n >= 0, 'a non-negative number');
        break;
      case 'gamma':
        c.gamma = number(key, value, (n) => n > 0 && n <= 1, 'a factor in (0, 1]');
        break;
      case 'stepSize':
      case 'epochs':
      case 'batchSize':
        c[key] = number(key, value, (n) => Number.isSafeInteger(n) && n >= 1, 'a positive integer');
        break;
      case 'seed':
        c.seed = number(key, value, (n) => Number.isSafeInteger(n) && n >= 0, 'a non-negative integer');
        break;
      case 'dataDir':
      case 'mirror':
      case 'resume':
      case 'out':
        if (typeof value !== 'string' || value === '') throw new UsageError(`${flag(key)}: expected a path, got ${JSON.stringify(value)}`);
        c[key] = value;
        break;
    }
  }
  if (overrides.hidden !== undefined || overrides.dataset !== undefined) checkHeadSize(c);
  if (c.optimizer !== 'sgd' && c.momentum !== 0)
    throw new UsageError(`--momentum: only applies to --optimizer sgd (got --optimizer ${c.optimizer})`);
  return c;
}
