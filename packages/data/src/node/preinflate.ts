import { gunzip } from 'node:zlib';
import { inflatedSize, isGzip } from '../io/gzip.js';

/**
 * Inflating ahead, on the thread pool: a dataset's `decode` is synchronous,
 * so without this every `.gz` file is inflated on the main thread, one after
 * another (MNIST's four files: ~90 ms of a training run's start). The store
 * inflates each verified file with node:zlib's asynchronous `gunzip` before
 * calling `decode`; the gunzip implementation `@kindling/data/node` installs
 * then hands out that result instead of inflating again. Files inflate in
 * parallel with each other and with the copying and hashing of the others.
 *
 * Only files that passed their checksum are inflated ahead, and only when
 * the size their gzip trailer states is within the dataset's bound
 * (`LoadRequest.inflatedBound`, e.g. MNIST's split size), and no further than
 * that stated size: a file that claims more is left to `decode`, which
 * refuses it after its bound as before. Anything that fails ahead (a corrupt
 * stream, a trailer that understates) is dropped silently: the synchronous
 * path then inflates again and reports it as before.
 */
const ahead = new WeakMap<Uint8Array, Uint8Array>();

/** Inflates `bytes` (a verified `.gz` file) ahead of its `decode`, if it says it fits `bound`; never rejects. */
export function preinflate(bytes: Uint8Array, bound: number | undefined): Promise<void> {
  const size = bound !== undefined && isGzip(bytes) && bytes.length >= 18 ? inflatedSize(bytes) : 0;
  if (size === 0 || size > (bound as number)) return Promise.resolve();
  return new Promise((resolve) => {
    gunzip(bytes, { chunkSize: Math.max(64 * 1024, size + 1024), maxOutputLength: size }, (error, out) => {
      if (!error && out.length === size) ahead.set(bytes, new Uint8Array(out.buffer, out.byteOffset, out.length));
      resolve();
    });
  });
}

/** The output inflated ahead for exactly this `bytes` object, handed out once. */
export function takePreinflated(bytes: Uint8Array): Uint8Array | undefined {
  const out = ahead.get(bytes);
  if (out !== undefined) ahead.delete(bytes);
  return out;
}
