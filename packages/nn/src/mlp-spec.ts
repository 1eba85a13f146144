import { KindlingError } from '@kindling/tensor';
import { Sequential } from './sequential.js';
import { LogSoftmax, ReLU } from './layers/activations.js';
import { Dropout } from './layers/dropout.js';
import { Linear } from './layers/linear.js';
import type { Module } from './module.js';

/*
 * The spec lives here, next to the layers it builds, rather than in
 * `@kindling/checkpoint`: checkpoints carry it as plain string metadata, and
 * the checkpoint package knows bytes and tensors, not models.
 */

/**
 * What it takes to rebuild an MLP classifier from a checkpoint alone, like
 * the seeds' `{'input_size', 'output_size', 'hidden_layers', 'state_dict'}`
 * dict. `kindling-train` and the demo write it into every checkpoint's
 * metadata (see {@link mlpSpecMetadata}).
 */
export interface MlpSpec {
  type: 'mlp';
  inputSize: number;
  outputSize: number;
  hidden: number[];
  /** Dropout probability after each hidden activation (0: none). */
  dropout: number;
  /** Whether the network ends in LogSoftmax (trained with NLLLoss) or emits logits (CrossEntropyLoss). */
  logSoftmax: boolean;
  /** Dataset it was trained on, and the class names by label. */
  dataset: string;
  classes: string[];
}

/** Metadata key holding the spec as JSON. */
export const MLP_SPEC_METADATA_KEY = 'kindling.model';

/**
 * `Sequential(Linear, ReLU, [Dropout,] ..., Linear[, LogSoftmax(1)])`: the
 * seeds' network, with dropout after every hidden activation as in their
 * Fashion-MNIST classifier.
 */
export function buildMlp(spec: MlpSpec): Sequential {
  const layers: Module[] = [];
  let width = spec.inputSize;
  for (const h of spec.hidden) {
    layers.push(new Linear(width, h), new ReLU());
    if (spec.dropout > 0) layers.push(new Dropout(spec.dropout));
    width = h;
  }
  layers.push(new Linear(width, spec.outputSize));
  if (spec.logSoftmax) layers.push(new LogSoftmax(1));
  return new Sequential(...layers);
}

/**
 * Checkpoint metadata for a spec (string keys and values, as safetensors
 * metadata is): the JSON spec, plus the seeds' key names so other tools can
 * rebuild the network too.
 */
export function mlpSpecMetadata(spec: MlpSpec): Record<string, string> {
  return {
    [MLP_SPEC_METADATA_KEY]: JSON.stringify(spec),
    input_size: String(spec.inputSize),
    output_size: String(spec.outputSize),
    hidden_layers: JSON.stringify(spec.hidden),
  };
}

/**
 * Reads the spec back from checkpoint metadata. Fields later versions added
 * get their defaults; a missing, non-JSON or non-MLP entry throws a
 * `KindlingError` naming `file` and what is wrong.
 */
export function mlpSpecFromMetadata(metadata: Readonly<Record<string, string>>, file: string): MlpSpec {
  const spec = readSpecJson(metadata, file);
  const mlp = typeof spec === 'object' && spec !== null ? normalizeMlpSpec(spec as Record<string, unknown>) : null;
  if (!mlp) {
    const problem = typeof spec === 'object' && spec !== null ? mlpSpecProblem(spec as Record<string, unknown>) : 'it is not an object';
    throw new KindlingError(`${file}: "${MLP_SPEC_METADATA_KEY}" metadata does not describe an MLP: ${problem}`);
  }
  return mlp;
}

/**
 * The parsed JSON of the model description in checkpoint metadata; a
 * missing or non-JSON entry throws a `KindlingError` naming `file`.
 */
export function readSpecJson(metadata: Readonly<Record<string, string>>, file: string): unknown {
  const raw = metadata[MLP_SPEC_METADATA_KEY];
  if (raw === undefined)
    throw new KindlingError(`${file}: no "${MLP_SPEC_METADATA_KEY}" metadata, so the model cannot be rebuilt from the file`);
  try {
    return JSON.parse(raw);
  } catch {
    throw new KindlingError(`${file}: "${MLP_SPEC_METADATA_KEY}" metadata is not valid JSON`);
  }
}

/** Largest layer width an MLP spec may name (the general model description's bound too). */
const MAX_WIDTH = 2 ** 24;

/**
 * What keeps `value` from being an MLP spec, naming the field, what it must
 * be and what it is (`hidden[0] must be an integer in [1, 16777216], got
 * 100000000`); null when it is one.
 */
export function mlpSpecProblem(value: Readonly<Record<string, unknown>>): string | null {
  if (value.type !== 'mlp') return `type must be 'mlp', got ${JSON.stringify(value.type)}`;
  if (!Array.isArray(value.hidden)) return `hidden must be a list of layer sizes, got ${JSON.stringify(value.hidden)}`;
  const sizes: Array<[string, unknown]> = [
    ['inputSize', value.inputSize],
    ['outputSize', value.outputSize],
    ...value.hidden.map((h, i): [string, unknown] => [`hidden[${i}]`, h]),
  ];
  for (const [name, n] of sizes) {
    if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > MAX_WIDTH)
      return `${name} must be an integer in [1, ${MAX_WIDTH}], got ${JSON.stringify(n)}`;
  }
  return null;
}

/**
 * `value` as a complete MLP spec, with defaults for the fields later versions
 * added, or null when it is not one (wrong type, sizes that are not
 * integers in [1, 2^24]).
 */
export function normalizeMlpSpec(value: Readonly<Record<string, unknown>>): MlpSpec | null {
  const spec = value as Partial<MlpSpec>;
  const sizes = [spec.inputSize, spec.outputSize, ...(Array.isArray(spec.hidden) ? spec.hidden : [])];
  if (
    spec.type !== 'mlp' ||
    !Array.isArray(spec.hidden) ||
    !sizes.every((n) => Number.isInteger(n) && (n as number) > 0 && (n as number) <= MAX_WIDTH)
  ) {
    return null;
  }
  const outputSize = spec.outputSize as number;
  return {
    type: 'mlp',
    inputSize: spec.inputSize as number,
    outputSize,
    hidden: [...spec.hidden],
    dropout: typeof spec.dropout === 'number' && spec.dropout >= 0 && spec.dropout < 1 ? spec.dropout : 0,
    logSoftmax: typeof spec.logSoftmax === 'boolean' ? spec.logSoftmax : true,
    dataset: typeof spec.dataset === 'string' ? spec.dataset : 'mnist',
    classes:
      Array.isArray(spec.classes) && spec.classes.every((c) => typeof c === 'string')
        ? [...spec.classes]
        : Array.from({ length: outputSize }, (_, i) => String(i)),
  };
}
