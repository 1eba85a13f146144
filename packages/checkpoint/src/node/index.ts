/**
 * @packageDocumentation
 * Node file helpers of `@kindling/checkpoint`: the byte-level functions of
 * the main entry, written atomically to and read from disk. `save(obj, path)`
 * and `load(path)` are PyTorch's `torch.save` / `torch.load` of a checkpoint
 * dict; `saveFile`/`loadFile` write and read a bare state dict with string
 * metadata (the main entry's byte-level `save`/`load`).
 */
import { readFile } from 'node:fs/promises';
import type { Tensor } from '@kindling/tensor';
import { type SavedValue, decodeObject, encodeObject } from '../object.js';
import { type LoadOptions, type LoadedStateDict, type SaveOptions, load as loadStateDict, save as saveStateDict } from '../state-dict.js';
import { type LoadedTrainingState, type TrainingState, loadTrainingState, saveTrainingState } from '../training-state.js';
import { writeFileAtomic } from './atomic-write.js';

export { writeFileAtomic } from './atomic-write.js';

async function readBytes(path: string): Promise<Uint8Array> {
  const b = await readFile(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Saves a state dict as a safetensors file, atomically. */
export async function saveFile(stateDict: Readonly<Record<string, Tensor>>, path: string, options: SaveOptions = {}): Promise<void> {
  await writeFileAtomic(path, await saveStateDict(stateDict, options));
}

/** Loads a safetensors file's tensors and metadata. */
export async function loadFile(path: string, options: LoadOptions = {}): Promise<LoadedStateDict> {
  return loadStateDict(await readBytes(path), { name: path, ...options });
}

/** Saves a training checkpoint atomically: a crash mid-save leaves the previous file intact. */
export async function saveTrainingStateFile(state: TrainingState, path: string, options: SaveOptions = {}): Promise<void> {
  await writeFileAtomic(path, await saveTrainingState(state, options));
}

/** Loads a training checkpoint (or a plain model file) from disk. */
export async function loadTrainingStateFile(path: string, options: LoadOptions = {}): Promise<LoadedTrainingState> {
  return loadTrainingState(await readBytes(path), { name: path, ...options });
}

/**
 * `torch.save(obj, path)`: writes a checkpoint dict, tensors (state dicts
 * included, at any depth) beside JSON values, as one safetensors file,
 * atomically (a crash mid-save leaves the previous file intact). See
 * `encodeObject` for what is accepted and how the file is laid out.
 *
 * ```ts
 * await save({ input_size: 784, output_size: 10, hidden_layers: [512, 256], state_dict: model.stateDict() }, 'checkpoint.safetensors');
 * ```
 */
export async function save(obj: unknown, path: string): Promise<void> {
  await writeFileAtomic(path, await encodeObject(obj));
}

/**
 * `torch.load(path)`: the object `save` wrote, tensors on `options.device`
 * (default: the CPU). A plain safetensors file loads as its name → tensor
 * map. `T` names the object's type; the file is not checked against it.
 *
 * ```ts
 * const checkpoint = await load<{ input_size: number; state_dict: Record<string, Tensor> }>('checkpoint.safetensors');
 * ```
 */
export async function load<T = SavedValue>(path: string, options: Omit<LoadOptions, 'name'> = {}): Promise<T> {
  return decodeObject<T>(await readBytes(path), { ...options, name: path });
}
