import { Dropout, Linear, LogSoftmax, type Module, ReLU, Sequential } from '@kindling/nn';
import { UsageError } from './errors.js';

/**
 * What it takes to rebuild a model from a checkpoint alone, like the seeds'
 * `{'input_size', 'output_size', 'hidden_layers', 'state_dict'}` dict.
 */
export interface ModelSpec {
  type: 'mlp';
  inputSize: number;
  outputSize: number;
  hidden: number[];
  dropout: number;
  /** Whether the model ends in LogSoftmax (trained with NLLLoss) or emits logits (CrossEntropyLoss). */
  logSoftmax: boolean;
  dataset: string;
  classes: string[];
}

export const MODEL_METADATA_KEY = 'kindling.model';

/**
 * `Sequential(Linear, ReLU, [Dropout,] ..., Linear[, LogSoftmax(1)])`: the
 * seeds' network, with dropout after every hidden activation as in their
 * Fashion-MNIST classifier.
 */
export function buildModel(spec: ModelSpec): Sequential {
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

/** Checkpoint metadata: our spec, plus the seeds' key names so other tools can rebuild the network too. */
export function specMetadata(spec: ModelSpec): Record<string, string> {
  return {
    [MODEL_METADATA_KEY]: JSON.stringify(spec),
    input_size: String(spec.inputSize),
    output_size: String(spec.outputSize),
    hidden_layers: JSON.stringify(spec.hidden),
  };
}

/** Reads the model spec back from checkpoint metadata, naming the file when it is missing or malformed. */
export function specFromMetadata(metadata: Record<string, string>, file: string): ModelSpec {
  const raw = metadata[MODEL_METADATA_KEY];
  if (raw === undefined)
    throw new UsageError(
      `${file}: no "${MODEL_METADATA_KEY}" metadata; it was not written by kindling-train, so the model cannot be rebuilt`,
    );
  let spec: Partial<ModelSpec>;
  try {
    spec = JSON.parse(raw) as Partial<ModelSpec>;
  } catch {
    throw new UsageError(`${file}: "${MODEL_METADATA_KEY}" metadata is not valid JSON`);
  }
  const sizes = [spec.inputSize, spec.outputSize, ...(spec.hidden ?? [])];
  if (spec.type !== 'mlp' || !Array.isArray(spec.hidden) || !sizes.every((n) => Number.isInteger(n) && (n as number) > 0)) {
    throw new UsageError(`${file}: "${MODEL_METADATA_KEY}" metadata does not describe an MLP (${raw})`);
  }
  return {
    type: 'mlp',
    inputSize: spec.inputSize as number,
    outputSize: spec.outputSize as number,
    hidden: spec.hidden,
    dropout: spec.dropout ?? 0,
    logSoftmax: spec.logSoftmax ?? true,
    dataset: spec.dataset ?? 'mnist',
    classes: spec.classes ?? Array.from({ length: spec.outputSize as number }, (_, i) => String(i)),
  };
}
