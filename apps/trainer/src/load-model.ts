import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { TRAINING_METADATA_KEY } from '@kindling/checkpoint';
import { loadTrainingStateFile } from '@kindling/checkpoint/node';
import {
  type ModelSpec,
  type Sequential,
  buildModel,
  checkModelSpecShapes,
  modelSpecFromMetadata,
  modelSpecStateShapes,
} from '@kindling/nn';
import { KindlingError } from '@kindling/tensor';
import { type CheckpointHeader, readCheckpointHeader } from './checkpoint-header.js';
import { type Normalization, halfNormalization } from './datasets.js';
import { UsageError } from './errors.js';
import { describeSystemError, isSystemError } from './fs-errors.js';
import { MAX_IMAGE_PIXELS } from './images.js';
import { endsInLogSoftmax } from './models.js';
import { firstNonFiniteTensor, nonFiniteMessage } from './resume-check.js';

export interface LoadedModel {
  model: Sequential;
  spec: ModelSpec;
  /** What the trainer needs of the spec, checked present: one example's shape, the class names, the dataset. */
  inputShape: number[];
  classes: string[];
  dataset: string;
  /** Whether the model ends in LogSoftmax (NLLLoss) or emits logits (CrossEntropyLoss). */
  logSoftmax: boolean;
  /** The inputs' `Normalize` (checkpoints that do not say were trained behind the seeds' 0.5). */
  normalize: Normalization;
  metadata: Record<string, string>;
  /** The first tensor holding NaN or infinity (only with `allowNonFinite`; loading refuses such files otherwise), or null. */
  nonFiniteTensor: string | null;
  /** Epochs and optimizer steps trained, or null when the file does not record them. */
  epoch: number | null;
  step: number | null;
}

// Training checkpoints keep the optimizer's tensors beside the model's, under this prefix.
const OPTIMIZER_PREFIX = 'optimizer/';

/**
 * Refuses, in one line and before anything is read, a path that is not a
 * regular file (a folder, a FIFO, /dev/zero would be read forever) or that
 * cannot be looked at (missing, no permission).
 */
export async function checkRegularFile(file: string): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await stat(file)).isFile();
  } catch (e) {
    if (isSystemError(e)) throw new UsageError(describeSystemError(e, file));
    throw e;
  }
  if (!isFile) throw new UsageError(`${file}: not a regular file (a folder, device or pipe); give a .safetensors checkpoint`);
}

/** Most entries of an input shape may each be, and all of them together: the bound predict puts on images. */
const MAX_INPUT_DIM = 4096;
const MAX_INPUT_SIZE = MAX_IMAGE_PIXELS;

/** The description checked against itself: bounded input shape, one class name per output. */
function checkSpecConsistent(spec: ModelSpec, file: string): void {
  const { inputShape, classes } = spec;
  if (inputShape) {
    const size = inputShape.reduce((n, d) => n * d, 1);
    if (!inputShape.every((d) => Number.isSafeInteger(d) && d >= 1 && d <= MAX_INPUT_DIM) || size > MAX_INPUT_SIZE)
      throw new UsageError(
        `${file}: the model's inputShape [${inputShape.join(', ')}] is out of bounds (each entry 1..${MAX_INPUT_DIM}, at most ${MAX_INPUT_SIZE.toLocaleString('en-US')} values)`,
      );
  }
  if (classes) {
    // The last layer's weight, in layer order: its first dimension is the number of outputs (Linear stores [out, in]).
    const last = [...modelSpecStateShapes(spec, file)].filter(([k]) => k.endsWith('weight')).at(-1)?.[1];
    const outputs = last && last.length <= 2 ? last[0] : undefined;
    if (outputs !== undefined && classes.length !== outputs)
      throw new UsageError(`${file}: the model description names ${classes.length} classes but the model has ${outputs} outputs`);
  }
}

/**
 * Checks the file's model description against the tensor shapes in its
 * header, before its data is read or any layer is built: metadata claiming a
 * model larger than (or different from) the file is refused in one line.
 */
async function checkDescriptionFitsFile(file: string): Promise<CheckpointHeader | null> {
  const header = await readCheckpointHeader(resolve(file)).catch(() => null);
  // Unreadable or not safetensors: the full loader reports why.
  if (header === null) return null;
  const modelShapes = new Map([...header.shapes].filter(([key]) => !key.startsWith(OPTIMIZER_PREFIX)));
  try {
    const spec = modelSpecFromMetadata(header.metadata, file);
    checkModelSpecShapes(spec, modelShapes, file);
    checkSpecConsistent(spec, file);
  } catch (e) {
    if (e instanceof KindlingError) throw new UsageError(e.message);
    throw e;
  }
  return header;
}

/** A count from the metadata strings (`epoch`, `step` of best.safetensors), or null when absent or not a count. */
function metadataCount(metadata: Record<string, string>, key: string): number | null {
  const value = metadata[key];
  if (value === undefined || !/^\d+$/.test(value)) return null;
  return Number(value);
}

/**
 * Rebuilds a model from a `best.safetensors` or `last.safetensors` file
 * alone (its metadata says how; MLP checkpoints of earlier versions too),
 * then loads the weights strictly.
 */
export async function loadModel(file: string, device: string, options: { allowNonFinite?: boolean } = {}): Promise<LoadedModel> {
  await checkRegularFile(file);
  const header = await checkDescriptionFitsFile(file);
  const state = await loadTrainingStateFile(resolve(file), { device }).catch((e: Error) => {
    throw new UsageError(e.message.includes(file) ? e.message : `${file}: ${e.message}`);
  });
  let spec: ModelSpec;
  let model: Sequential;
  try {
    spec = modelSpecFromMetadata(state.metadata, file);
    model = buildModel(spec, file).to(device);
  } catch (e) {
    if (e instanceof KindlingError) throw new UsageError(e.message);
    throw e;
  }
  const { inputShape, classes, dataset } = spec;
  if (!inputShape || !classes || !dataset)
    throw new UsageError(`${file}: the model description lacks its input shape, classes or dataset, which kindling-train needs`);
  try {
    model.loadStateDict(state.model);
  } catch (e) {
    if (e instanceof KindlingError)
      throw new UsageError(`${file}: the checkpoint does not fit the model it describes (${e.message.split('\n').join(' ')})`);
    throw e;
  }
  const nonFinite = await firstNonFiniteTensor(state.model);
  if (nonFinite !== null && !options.allowNonFinite) throw new UsageError(nonFiniteMessage(file, nonFinite));
  model.eval();
  // last.safetensors records its epoch and step in the training state; best.safetensors is a plain model
  // file with them in its metadata; other files (older or from elsewhere) may record neither.
  const training = header !== null && TRAINING_METADATA_KEY in header.metadata;
  const epoch = training ? state.epoch : metadataCount(state.metadata, 'epoch');
  const step = training ? state.step : metadataCount(state.metadata, 'step');
  const normalize = spec.normalize ?? halfNormalization(inputShape.length === 3 ? inputShape[0] : 1);
  return {
    model,
    spec,
    inputShape,
    classes,
    dataset,
    logSoftmax: endsInLogSoftmax(spec),
    normalize,
    metadata: state.metadata,
    nonFiniteTensor: nonFinite,
    epoch,
    step,
  };
}
