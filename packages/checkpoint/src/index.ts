/**
 * @packageDocumentation
 * `@kindling/checkpoint`: safetensors save/load of state dicts, resumable
 * training checkpoints, checkpoint dicts of JSON values and tensors
 * (`encodeObject`/`decodeObject`, PyTorch's `torch.save`/`torch.load`), and
 * PyTorch `.pth` import through a restricted unpickler. This entry is pure byte-level code for Node and browsers; disk
 * helpers are in `@kindling/checkpoint/node`, browser helpers in
 * `@kindling/checkpoint/browser`.
 */
export { CheckpointError } from './errors.js';
export type { HostTensor, HostData, HostStateDict } from './host-tensor.js';
export { type StorageFormat, STORAGE_FORMATS, decodeElements, encodeElements, storageFormatOf } from './storage-format.js';
export { encodeSafetensors, decodeSafetensors, type SafetensorsContents } from './safetensors.js';
export {
  save,
  load,
  toHostTensor,
  toHostStateDict,
  fromHostStateDict,
  type SaveOptions,
  type LoadOptions,
  type LoadedStateDict,
} from './state-dict.js';
export {
  saveTrainingState,
  loadTrainingState,
  TRAINING_METADATA_KEY,
  type TrainingState,
  type LoadedTrainingState,
  type OptimizerState,
  type SchedulerState,
  type JsonValue,
} from './training-state.js';
export { loadPth, type PthCheckpoint, type PthExtraValue } from './pth/index.js';
/**
 * `torch.save`/`torch.load` of a checkpoint dict (JSON values beside tensors, one safetensors
 * file), as bytes; Node's `save(obj, path)`/`load(path)` in `@kindling/checkpoint/node` write files.
 */
export { encodeObject, decodeObject, OBJECT_METADATA_KEY, type SavedValue } from './object.js';
