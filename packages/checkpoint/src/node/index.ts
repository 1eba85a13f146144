/**
 * @packageDocumentation
 * Node file helpers of `@kindling/checkpoint`: the byte-level `save`/`load`
 * of the main entry, written atomically to and read from disk.
 */
import { readFile } from 'node:fs/promises';
import type { Tensor } from '@kindling/tensor';
import { type LoadOptions, type LoadedStateDict, type SaveOptions, load, save } from '../state-dict.js';
import { type LoadedTrainingState, type TrainingState, loadTrainingState, saveTrainingState } from '../training-state.js';
import { writeFileAtomic } from './atomic-write.js';

export { writeFileAtomic } from './atomic-write.js';

async function readBytes(path: string): Promise<Uint8Array> {
  const b = await readFile(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Saves a state dict as a safetensors file, atomically. */
export async function saveFile(stateDict: Readonly<Record<string, Tensor>>, path: string, options: SaveOptions = {}): Promise<void> {
  await writeFileAtomic(path, await save(stateDict, options));
}

/** Loads a safetensors file's tensors and metadata. */
export async function loadFile(path: string, options: LoadOptions = {}): Promise<LoadedStateDict> {
  return load(await readBytes(path), { name: path, ...options });
}

/** Saves a training checkpoint atomically: a crash mid-save leaves the previous file intact. */
export async function saveTrainingStateFile(state: TrainingState, path: string, options: SaveOptions = {}): Promise<void> {
  await writeFileAtomic(path, await saveTrainingState(state, options));
}

/** Loads a training checkpoint (or a plain model file) from disk. */
export async function loadTrainingStateFile(path: string, options: LoadOptions = {}): Promise<LoadedTrainingState> {
  return loadTrainingState(await readBytes(path), { name: path, ...options });
}
