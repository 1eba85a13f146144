import { gunzipSync } from 'fflate';
import { DatasetError } from '../errors.js';

let inflate: (bytes: Uint8Array) => Uint8Array = gunzipSync;

/**
 * Replaces the gzip decoder `gunzip` uses (fflate, pure JavaScript, by
 * default). `@kindling/data/node` installs node:zlib's, about 3× faster.
 */
export function setGunzipImplementation(fn: (bytes: Uint8Array) => Uint8Array): void {
  inflate = fn;
}

/** The inflated size a gzip file's trailer records (its last 4 bytes, little-endian, mod 2^32). */
export function inflatedSize(bytes: Uint8Array): number {
  const n = bytes.length;
  if (n < 4) return 0;
  return (bytes[n - 4] | (bytes[n - 3] << 8) | (bytes[n - 2] << 16) | (bytes[n - 1] << 24)) >>> 0;
}

/** Whether `bytes` starts with the gzip magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses a gzip file held in memory (works in browsers).
 * A truncated or damaged stream throws a `DatasetError` naming `name`, never
 * returns partial data: the trailer's length must match what was inflated.
 */
export function gunzip(bytes: Uint8Array, name: string): Uint8Array {
  if (!isGzip(bytes)) {
    const head = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DatasetError(`gunzip: ${name} is not a gzip file (expected magic 1f 8b, got ${head || 'an empty file'})`);
  }
  // Without a trailer fflate would size its output from garbage, so check it first.
  if (bytes.length < 18) throw new DatasetError(`gunzip: ${name} is truncated (${bytes.length} bytes, a gzip file has at least 18)`);
  let out: Uint8Array;
  try {
    out = inflate(bytes);
  } catch (error) {
    throw new DatasetError(`gunzip: ${name} is truncated or corrupt (${(error as Error).message})`);
  }
  const trailerSize = inflatedSize(bytes);
  if (trailerSize !== out.length % 2 ** 32) {
    throw new DatasetError(`gunzip: ${name} is truncated or corrupt (inflated ${out.length} bytes, the gzip trailer says ${trailerSize})`);
  }
  return out;
}
