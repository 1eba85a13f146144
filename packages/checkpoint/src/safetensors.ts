import { numel } from '@kindling/tensor/backend';
import { CheckpointError } from './errors.js';
import type { HostStateDict } from './host-tensor.js';
import { STORAGE_FORMATS, type StorageFormat, decodeElements, encodeElements, isStorageFormat, storageFormatOf } from './storage-format.js';

/** What a safetensors file holds: tensors by name and the `__metadata__` string map. */
export interface SafetensorsContents {
  readonly tensors: HostStateDict;
  readonly metadata: Record<string, string>;
}

// The reference implementation refuses headers above 100 MB; so do we, before allocating anything.
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

/**
 * Serializes tensors to the safetensors format: an 8-byte little-endian
 * header length, a JSON header (`dtype`, `shape`, `data_offsets` per tensor
 * and a `__metadata__` string map), then the raw little-endian data. The
 * header is space-padded to a multiple of 8 bytes so every tensor is aligned,
 * as the reference writer does.
 */
export function encodeSafetensors(tensors: HostStateDict, metadata: Record<string, string> = {}): Uint8Array {
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string')
      throw new CheckpointError(`safetensors metadata: value of "${key}" must be a string, got ${typeof value}`);
  }
  const order = Object.keys(tensors);
  if (order.includes(METADATA_KEY)) throw new CheckpointError(`safetensors: "${METADATA_KEY}" is reserved and cannot name a tensor`);
  // Data goes largest elements first, which keeps every tensor aligned to its element size; the header
  // keeps the caller's order, so a state dict loads back in module order.
  const names = [...order].sort((a, b) => {
    const bytes = (n: string) => STORAGE_FORMATS[storageFormatOf(tensors[n].dtype)].bytes;
    return bytes(b) - bytes(a) || (a < b ? -1 : a > b ? 1 : 0);
  });
  // Null-prototype records keep every name as data, `__proto__` included.
  const header: Record<string, unknown> = Object.create(null);
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  for (const name of order) header[name] = null;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    if (numel(t.shape) !== t.data.length) {
      throw new CheckpointError(`safetensors: tensor "${name}" has shape [${t.shape.join(', ')}] but ${t.data.length} values`);
    }
    const bytes = encodeElements(t.data, t.dtype);
    header[name] = { dtype: storageFormatOf(t.dtype), shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * The first key repeated at the top level of a header JSON text (already
 * known to parse), or undefined. `JSON.parse` keeps the last duplicate
 * silently, so the text itself is scanned: strings are skipped whole, depth
 * is tracked by brackets, and a string at depth 1 right after `{` or `,` is a key.
 */
export function firstDuplicateTopLevelKey(text: string): string | undefined {
  const seen = new Set<string>();
  let depth = 0;
  let previous = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && (previous === '{' || previous === ',')) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (seen.has(key)) return key;
        seen.add(key);
      }
      previous = '"';
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      previous = c;
    } else if (c === '}' || c === ']') {
      depth--;
      previous = c;
    } else if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') {
      previous = c;
    }
  }
  return undefined;
}

function isIntArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => Number.isSafeInteger(x) && x >= 0);
}

/**
 * Parses a safetensors file, validating everything before trusting it: the
 * header length against the file size, the JSON, each entry's dtype and
 * shape, and that the data offsets match the byte counts, stay in bounds and
 * tile the data section without overlaps or holes. `name` appears in errors.
 */
export function decodeSafetensors(bytes: Uint8Array, name = 'safetensors data'): SafetensorsContents {
  if (bytes.byteLength < 8)
    throw new CheckpointError(`${name}: ${bytes.byteLength} bytes is too short for a safetensors file (needs an 8-byte header length)`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, bytes.byteLength - 8))) {
    throw new CheckpointError(
      `${name}: header length ${headerLength} is beyond the file (${bytes.byteLength} bytes) or the ${MAX_HEADER_BYTES}-byte limit; the file is truncated or not safetensors`,
    );
  }
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  let headerText: string;
  try {
    headerText = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart));
    header = JSON.parse(headerText);
  } catch (e) {
    throw new CheckpointError(`${name}: the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    throw new CheckpointError(`${name}: the header must be a JSON object`);
  const duplicate = firstDuplicateTopLevelKey(headerText);
  if (duplicate !== undefined) throw new CheckpointError(`${name}: the header names tensor ${JSON.stringify(duplicate)} more than once`);

  // Null-prototype records: a tensor or metadata key named `__proto__` stays a plain entry.
  const metadata: Record<string, string> = Object.create(null);
  const rawMeta = (header as Record<string, unknown>)[METADATA_KEY];
  if (rawMeta !== undefined) {
    if (rawMeta === null || typeof rawMeta !== 'object' || Array.isArray(rawMeta))
      throw new CheckpointError(`${name}: __metadata__ must be an object of strings`);
    for (const [k, v] of Object.entries(rawMeta)) {
      if (typeof v !== 'string') throw new CheckpointError(`${name}: __metadata__ value "${k}" must be a string, got ${typeof v}`);
      metadata[k] = v;
    }
  }

  const dataLength = bytes.byteLength - dataStart;
  const entries: Array<{ key: string; format: StorageFormat; shape: number[]; begin: number; end: number }> = [];
  const checkFormat = (key: string, dtype: unknown): StorageFormat => {
    if (typeof dtype !== 'string' || !isStorageFormat(dtype)) {
      throw new CheckpointError(
        `${name}: tensor "${key}" has unsupported dtype ${JSON.stringify(dtype)}; expected one of ${Object.keys(STORAGE_FORMATS).join(', ')}`,
      );
    }
    return dtype;
  };
  for (const [key, info] of Object.entries(header as Record<string, unknown>)) {
    if (key === METADATA_KEY) continue;
    if (info === null || typeof info !== 'object') throw new CheckpointError(`${name}: entry "${key}" must be an object`);
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    const format = checkFormat(key, dtype);
    if (!isIntArray(shape)) throw new CheckpointError(`${name}: tensor "${key}" has an invalid shape ${JSON.stringify(shape)}`);
    if (!isIntArray(offsets) || offsets.length !== 2 || offsets[0] > offsets[1]) {
      throw new CheckpointError(`${name}: tensor "${key}" has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets;
    if (end > dataLength) {
      throw new CheckpointError(
        `${name}: tensor "${key}" data_offsets [${begin}, ${end}] go beyond the ${dataLength}-byte data section (truncated file?)`,
      );
    }
    const expected = numel(shape) * STORAGE_FORMATS[format].bytes;
    if (end - begin !== expected) {
      throw new CheckpointError(
        `${name}: tensor "${key}" of shape [${shape.join(', ')}] and dtype ${format} needs ${expected} bytes, its offsets give ${end - begin}`,
      );
    }
    entries.push({ key, format, shape, begin, end });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of entries) {
    if (e.begin < cursor) throw new CheckpointError(`${name}: tensor "${e.key}" overlaps the previous tensor's data`);
    if (e.begin > cursor) throw new CheckpointError(`${name}: ${e.begin - cursor} bytes before tensor "${e.key}" belong to no tensor`);
    cursor = e.end;
  }
  if (cursor !== dataLength) throw new CheckpointError(`${name}: ${dataLength - cursor} trailing bytes belong to no tensor`);

  const tensors: HostStateDict = Object.create(null);
  const byKey = new Map(entries.map((e) => [e.key, e]));
  for (const key of Object.keys(header as object)) {
    const e = byKey.get(key);
    if (!e) continue;
    const raw = bytes.subarray(dataStart + e.begin, dataStart + e.end);
    const data = decodeElements(raw, e.format, numel(e.shape), `${name}: tensor "${e.key}"`);
    tensors[e.key] = { dtype: STORAGE_FORMATS[e.format].dtype, shape: e.shape, data };
  }
  return { tensors, metadata };
}
