import { md5 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { DatasetError } from '../errors.js';

/** Checksums a file is verified against; at least one should be given. */
export interface Checksums {
  /** Lowercase hex SHA-256 (preferred). */
  readonly sha256?: string;
  /** Lowercase hex MD5 (what torchvision lists). */
  readonly md5?: string;
}

/** Lowercase hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}

/** Lowercase hex MD5 of `bytes`. */
export function md5Hex(bytes: Uint8Array): string {
  return bytesToHex(md5(bytes));
}

/**
 * Throws a `DatasetError` naming `name` (and `source`, where the bytes came
 * from) unless `actual` matches every checksum `expected` lists.
 */
export function checkDigests(name: string, expected: Checksums, actual: Checksums, source?: string): void {
  for (const algo of ['sha256', 'md5'] as const) {
    const want = expected[algo]?.toLowerCase();
    if (want !== undefined && actual[algo] !== undefined && actual[algo] !== want) {
      throw new DatasetError(
        `checksum: ${name}${source ? ` from ${source}` : ''} has ${algo} ${actual[algo]}, expected ${want} (file corrupt or truncated)`,
      );
    }
  }
}

/** Verifies in-memory `bytes` against `expected` (pure JavaScript; works in browsers). */
export function verifyChecksums(name: string, bytes: Uint8Array, expected: Checksums, source?: string): void {
  const actual: { sha256?: string; md5?: string } = {};
  if (expected.sha256) actual.sha256 = sha256Hex(bytes);
  if (expected.md5 && !expected.sha256) actual.md5 = md5Hex(bytes);
  checkDigests(name, expected, actual, source);
}
