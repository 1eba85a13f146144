import { type Tensor, tensor } from '@kindling/tensor';
import type { HostStateDict, HostTensor } from './host-tensor.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

/** Options of `load` and of the helpers that build tensors from a file. */
export interface LoadOptions {
  /** Device of the loaded tensors (default: the default device). */
  device?: string;
  /** Name used in error messages (a path or URL). */
  name?: string;
}

/** Options of `save`. */
export interface SaveOptions {
  /** Strings stored in the file's `__metadata__` (a model's configuration, for instance). */
  metadata?: Record<string, string>;
}

/** A loaded file: its tensors and its metadata. */
export interface LoadedStateDict {
  readonly stateDict: Record<string, Tensor>;
  readonly metadata: Record<string, string>;
}

/** Reads a tensor's values into host memory (contiguous, row-major). */
export async function toHostTensor(t: Tensor): Promise<HostTensor> {
  return { dtype: t.dtype, shape: [...t.shape], data: await t.read() };
}

/** Reads every tensor of a state dict into host memory. */
export async function toHostStateDict(stateDict: Readonly<Record<string, Tensor>>): Promise<HostStateDict> {
  const entries = await Promise.all(Object.entries(stateDict).map(async ([k, t]) => [k, await toHostTensor(t)] as const));
  return Object.fromEntries(entries);
}

/** Builds tensors on `device` from host values (a null-prototype record: every name, `__proto__` included, is data). */
export function fromHostStateDict(host: HostStateDict, options: { device?: string } = {}): Record<string, Tensor> {
  const out: Record<string, Tensor> = Object.create(null);
  for (const [k, h] of Object.entries(host)) out[k] = tensor(h.data, { dtype: h.dtype, shape: [...h.shape], device: options.device });
  return out;
}

/**
 * Serializes a state dict (`module.stateDict()` or any name → tensor map) to
 * safetensors bytes, readable by the Python `safetensors` package and
 * anything else that speaks the format.
 *
 * @example
 * ```ts
 * const bytes = await save(model.stateDict(), { metadata: { hidden: '128,64' } });
 * ```
 */
export async function save(stateDict: Readonly<Record<string, Tensor>>, options: SaveOptions = {}): Promise<Uint8Array> {
  return encodeSafetensors(await toHostStateDict(stateDict), options.metadata);
}

/**
 * Parses safetensors bytes into tensors and metadata. Every structural
 * problem (truncation, bad offsets, unknown dtypes) throws a `CheckpointError`.
 *
 * @example
 * ```ts
 * const { stateDict } = load(bytes);
 * model.loadStateDict(stateDict);
 * ```
 */
export function load(bytes: Uint8Array, options: LoadOptions = {}): LoadedStateDict {
  const { tensors, metadata } = decodeSafetensors(bytes, options.name);
  return { stateDict: fromHostStateDict(tensors, options), metadata };
}
