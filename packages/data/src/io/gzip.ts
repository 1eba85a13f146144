import { Gunzip } from 'fflate';
import { DatasetError } from '../errors.js';
import { GzipMemberCheck, GzipTrailerError } from './gzip-members.js';

/**
 * A gzip decoder. With `maxSize` it must stop and throw `InflateLimitError`
 * as soon as the output would exceed `maxSize` bytes (a compression bomb is
 * never inflated). It must inflate every member of a multi-member file and
 * throw if a member's trailer (CRC-32, ISIZE) disagrees, as node:zlib does.
 */
export type GunzipImplementation = (bytes: Uint8Array, maxSize?: number) => Uint8Array;

// Always the streaming decoder: fflate's gunzipSync stops after the first member.
let inflate: GunzipImplementation = (bytes, maxSize) => inflateBounded(bytes, maxSize ?? Number.POSITIVE_INFINITY);

/**
 * Replaces the gzip decoder `gunzip` uses (fflate, pure JavaScript, by
 * default). `@kindling/data/node` installs node:zlib's, about 3× faster.
 */
export function setGunzipImplementation(fn: GunzipImplementation): void {
  inflate = fn;
}

/** What a `GunzipImplementation` throws when its output would pass `maxSize`. */
export class InflateLimitError extends Error {}

/**
 * fflate's streaming decoder fed in 1 MiB pieces, so the output grows only as
 * far as `maxSize` before it is refused.
 */
function inflateBounded(bytes: Uint8Array, maxSize: number): Uint8Array {
  let out = new Uint8Array(Math.min(inflatedSize(bytes), maxSize));
  let at = 0;
  const members = new GzipMemberCheck(bytes);
  const stream = new Gunzip((chunk) => {
    if (at + chunk.length > maxSize) throw new InflateLimitError(`more than ${maxSize} bytes`);
    members.data(chunk);
    if (at + chunk.length > out.length) {
      // The trailer understated the size (it is only mod 2^32, or lies): grow, still bounded.
      const grown = new Uint8Array(Math.min(maxSize, Math.max(2 * out.length, at + chunk.length)));
      grown.set(out.subarray(0, at));
      out = grown;
    }
    out.set(chunk, at);
    at += chunk.length;
  });
  const piece = 1 << 20;
  stream.onmember = (offset) => members.member(offset);
  for (let i = 0; i < bytes.length; i += piece) stream.push(bytes.subarray(i, i + piece), i + piece >= bytes.length);
  members.end();
  return at === out.length ? out : out.subarray(0, at);
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

/** Options of `gunzip`. */
export interface GunzipOptions {
  /**
   * Refuse to inflate more than this many bytes (a compression bomb, or a
   * file that is not the one expected): decoding stops at the bound.
   */
  maxSize?: number;
  /**
   * Where `maxSize` comes from, for the refusal (`"the size of the 60000×28×28
   * IDX file MNIST's metadata promises"`); default "the most expected".
   */
  maxSizeReason?: string;
}

/**
 * Decompresses a gzip file held in memory (works in browsers).
 * A truncated or damaged stream throws a `DatasetError` naming `name`, never
 * returns partial or altered data: every member's CRC-32 and length must
 * match its trailer.
 */
export function gunzip(bytes: Uint8Array, name: string, options: GunzipOptions = {}): Uint8Array {
  const { maxSize } = options;
  if (!isGzip(bytes)) {
    const head = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DatasetError(`gunzip: ${name} is not a gzip file (expected magic 1f 8b, got ${head || 'an empty file'})`);
  }
  // Without a trailer fflate would size its output from garbage, so check it first.
  if (bytes.length < 18) throw new DatasetError(`gunzip: ${name} is truncated (${bytes.length} bytes, a gzip file has at least 18)`);
  const tooBig = () =>
    new DatasetError(
      `gunzip: ${name} inflates to more than ${maxSize} bytes, ${options.maxSizeReason ?? 'the most expected'} (refusing to decompress it)`,
    );
  // No refusal from the trailer's size alone: a truncated file's "trailer" is garbage, and
  // the decoder stops at the bound anyway.
  let out: Uint8Array;
  try {
    out = inflate(bytes, maxSize);
  } catch (error) {
    if (error instanceof InflateLimitError) throw tooBig();
    if (error instanceof GzipTrailerError) throw new DatasetError(`gunzip: ${name} is truncated or corrupt: ${error.message}`);
    throw new DatasetError(`gunzip: ${name} is truncated or corrupt (${(error as Error).message})`);
  }
  if (maxSize !== undefined && out.length > maxSize) throw tooBig();
  // Each member's trailer (CRC-32, ISIZE) was checked by the decoder: comparing the total with the
  // last trailer here would refuse valid multi-member files.
  return out;
}
