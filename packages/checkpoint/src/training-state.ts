import type { GeneratorState, Tensor } from '@kindling/tensor';
import { CheckpointError } from './errors.js';
import type { HostStateDict } from './host-tensor.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { type LoadOptions, fromHostStateDict, toHostStateDict } from './state-dict.js';

/** A JSON value, for the free-form parts of a training checkpoint. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/*
 * The optimizer and scheduler states are described by their shape rather
 * than imported from the optim package: a checkpoint stores tensors and JSON
 * and needs to know no more. Optim's `OptimizerStateDict` and
 * `SchedulerStateDict` have exactly these shapes, so their `stateDict()`
 * values go in and what comes out goes back into `loadStateDict()` (the
 * trainer, which does both, is where the compiler holds us to it).
 */

/**
 * An optimizer's state in PyTorch's `state_dict()` layout: per parameter
 * index, its named state (tensors such as `exp_avg`, stored as tensors under
 * `optimizer/<index>/<name>`; numbers such as `step`, stored as JSON), and
 * the parameter groups (hyper-parameters and parameter indices, stored as
 * JSON, so their values must survive `JSON.stringify`).
 */
export interface OptimizerState {
  state: Record<number, Record<string, Tensor | number>>;
  param_groups: Array<Record<string, unknown> & { params: number[] }>;
}

/** A learning-rate scheduler's state (`last_epoch`, `base_lrs`...), stored as JSON. */
export type SchedulerState = Record<string, unknown>;

/**
 * Everything a run needs to continue exactly where it stopped: the model and
 * optimizer (and scheduler) states, the position in training, and the random
 * generator's state (shuffling and dropout draw from it).
 */
export interface TrainingState {
  model: Record<string, Tensor>;
  optimizer?: OptimizerState;
  scheduler?: SchedulerState;
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps taken. */
  step: number;
  rng?: GeneratorState;
  /** Anything else the application wants back (model configuration, best accuracy...). */
  extra?: Record<string, JsonValue>;
}

/** Metadata key holding the non-tensor parts of a training checkpoint, as JSON. */
export const TRAINING_METADATA_KEY = 'kindling.training';
const FORMAT_VERSION = 1;
// Module keys use dots; a slash can never collide with one.
const OPTIMIZER_PREFIX = 'optimizer/';

type StoredParamState = Record<string, number | { tensor: string }>;

interface StoredTraining {
  format: number;
  epoch: number;
  step: number;
  rng?: GeneratorState;
  scheduler?: SchedulerState;
  optimizer?: { param_groups: OptimizerState['param_groups']; state: Record<string, StoredParamState> };
  extra?: Record<string, JsonValue>;
}

/**
 * Serializes a training state to one safetensors file. Model tensors keep
 * their own names, so the file also loads as a plain model checkpoint
 * elsewhere; optimizer tensors are stored under `optimizer/<param>/<name>`
 * and everything else as JSON in the `kindling.training` metadata entry.
 */
export async function saveTrainingState(state: TrainingState, options: { metadata?: Record<string, string> } = {}): Promise<Uint8Array> {
  const tensors: Record<string, Tensor> = { ...state.model };
  for (const key of Object.keys(state.model)) {
    if (key.startsWith(OPTIMIZER_PREFIX))
      throw new CheckpointError(`saveTrainingState: model key "${key}" uses the reserved prefix ${OPTIMIZER_PREFIX}`);
  }
  const stored: StoredTraining = { format: FORMAT_VERSION, epoch: state.epoch, step: state.step };
  if (state.rng) stored.rng = state.rng;
  if (state.scheduler) stored.scheduler = state.scheduler;
  if (state.extra) stored.extra = state.extra;
  if (state.optimizer) {
    const optState: Record<string, StoredParamState> = {};
    for (const [id, entry] of Object.entries(state.optimizer.state)) {
      const s: StoredParamState = {};
      for (const [name, value] of Object.entries(entry)) {
        if (typeof value === 'number') s[name] = value;
        else {
          const key = `${OPTIMIZER_PREFIX}${id}/${name}`;
          tensors[key] = value;
          s[name] = { tensor: key };
        }
      }
      optState[id] = s;
    }
    stored.optimizer = { param_groups: state.optimizer.param_groups, state: optState };
  }
  const metadata = { ...options.metadata, [TRAINING_METADATA_KEY]: JSON.stringify(stored) };
  return encodeSafetensors(await toHostStateDict(tensors), metadata);
}

function parseStored(json: string | undefined, name: string): StoredTraining | undefined {
  if (json === undefined) return undefined;
  let stored: unknown;
  try {
    stored = JSON.parse(json);
  } catch (e) {
    throw new CheckpointError(`${name}: ${TRAINING_METADATA_KEY} metadata is not valid JSON (${(e as Error).message})`);
  }
  const s = stored as Partial<StoredTraining> | null;
  if (s === null || typeof s !== 'object' || typeof s.epoch !== 'number' || typeof s.step !== 'number') {
    throw new CheckpointError(`${name}: ${TRAINING_METADATA_KEY} metadata needs numeric "epoch" and "step"`);
  }
  if (s.format !== FORMAT_VERSION) {
    throw new CheckpointError(`${name}: training checkpoint format ${String(s.format)} is not supported (expected ${FORMAT_VERSION})`);
  }
  return s as StoredTraining;
}

/** A loaded training checkpoint, with the file's other metadata. */
export interface LoadedTrainingState extends TrainingState {
  metadata: Record<string, string>;
}

/**
 * Reads what `saveTrainingState` wrote. A plain model file (no training
 * metadata) loads too, as epoch 0 with no optimizer state, so `--resume`
 * style code can start from weights alone.
 */
export function loadTrainingState(bytes: Uint8Array, options: LoadOptions = {}): LoadedTrainingState {
  const name = options.name ?? 'checkpoint';
  const { tensors, metadata } = decodeSafetensors(bytes, name);
  const { [TRAINING_METADATA_KEY]: json, ...rest } = metadata;
  const stored = parseStored(json, name);
  // Null-prototype records: a tensor named `__proto__` stays a tensor.
  const modelHost: HostStateDict = Object.create(null);
  const optimizerHost: HostStateDict = Object.create(null);
  for (const [k, t] of Object.entries(tensors)) (k.startsWith(OPTIMIZER_PREFIX) ? optimizerHost : modelHost)[k] = t;
  const result: LoadedTrainingState = {
    model: fromHostStateDict(modelHost, options),
    epoch: stored?.epoch ?? 0,
    step: stored?.step ?? 0,
    metadata: rest,
  };
  if (stored?.rng) result.rng = stored.rng;
  if (stored?.scheduler) result.scheduler = stored.scheduler;
  if (stored?.extra) result.extra = stored.extra;
  if (stored?.optimizer) {
    const optTensors = fromHostStateDict(optimizerHost, options);
    const state: OptimizerState['state'] = {};
    for (const [id, entry] of Object.entries(stored.optimizer.state)) {
      const s: Record<string, Tensor | number> = {};
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v === 'number') s[k] = v;
        else {
          const t = optTensors[v.tensor];
          if (!t) throw new CheckpointError(`${name}: optimizer state ${id}.${k} refers to missing tensor "${v.tensor}"`);
          s[k] = t;
        }
      }
      state[Number(id)] = s;
    }
    result.optimizer = { state, param_groups: stored.optimizer.param_groups };
  }
  return result;
}
