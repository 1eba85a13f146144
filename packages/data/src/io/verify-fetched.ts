import { DatasetError } from '../errors.js';
import { verifyChecksums } from './checksum.js';
import { isGzip } from './gzip.js';
import type { ResourceFile } from './store.js';

/**
 * Verifies a dataset file as a browser's `fetch` returned it, against the
 * checksums `file` lists (throws a one-line `DatasetError` naming the file,
 * `source` and both digests). Servers differ on `.gz` files: most send the
 * file's own bytes, but some label them `Content-Encoding: gzip` (sirv, which
 * `vite preview` uses; Apache with `AddEncoding`), and `fetch` then hands
 * over the inflated bytes, which no header lets a page refuse. Those are
 * checked against `file.inflated`; with no such checksum the file is refused
 * rather than used unverified.
 */
export function verifyFetchedFile(file: ResourceFile, bytes: Uint8Array, source?: string): void {
  if (isGzip(bytes) || !file.name.endsWith('.gz')) {
    verifyChecksums(file.name, bytes, file, source);
    return;
  }
  const inflated = file.inflated;
  if (inflated?.sha256 === undefined && inflated?.md5 === undefined) {
    const from = source ? ` from ${source}` : '';
    throw new DatasetError(
      `checksum: ${file.name}${from} arrived decompressed (the server sent it with Content-Encoding: gzip) and no checksum of its inflated bytes is known: serve it without Content-Encoding`,
    );
  }
  verifyChecksums(`${file.name} (inflated by the browser)`, bytes, inflated, source);
}
