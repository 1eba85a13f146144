/**
 * @packageDocumentation
 * Node-only parts of `@kindling/data`: the on-disk dataset cache and the
 * downloader. Importing this entry (as `import '@kindling/backend-cpu'`
 * registers the CPU device) installs `FileStore` as the default store, so
 * `MNIST.create({ download: true })` caches files on disk, and node:zlib as
 * the gzip decoder (about 3× faster than the pure-JavaScript one).
 */
import { gunzipSync } from 'node:zlib';
import { InflateLimitError, inflatedSize, setGunzipImplementation } from '../io/gzip.js';
import { setDefaultStore } from '../io/store.js';
import { FileStore } from './file-store.js';
import { takePreinflated } from './preinflate.js';

export { FileStore } from './file-store.js';
export { makeFolder } from './make-folder.js';
export { defaultDataDir, mirrorsFromEnv, DATA_DIR_ENV, DATA_MIRROR_ENV } from './data-dir.js';
export { downloadFile, hashFile, isHttpMirror, mirrorLocation, type DownloadOptions } from './download.js';

setDefaultStore(new FileStore());
setGunzipImplementation((bytes, maxSize) => {
  const ready = takePreinflated(bytes);
  if (ready !== undefined) {
    // What the synchronous path below would give: the bytes, or the refusal when they pass maxSize.
    if (maxSize !== undefined && ready.length > maxSize) throw new InflateLimitError(`more than ${maxSize} bytes`);
    return ready;
  }
  // The gzip trailer gives the inflated size (mod 2^32): one output chunk of that size
  // instead of 16 KiB chunks joined at the end (a copy of the whole file).
  const expected = Math.min(inflatedSize(bytes), maxSize ?? Number.POSITIVE_INFINITY);
  const chunkSize = Math.min(Math.max(64 * 1024, expected + 1024), 256 * 1024 * 1024);
  let out: Buffer;
  try {
    // maxOutputLength stops zlib at the bound instead of inflating a bomb.
    out =
      maxSize === undefined ? gunzipSync(bytes, { chunkSize }) : gunzipSync(bytes, { chunkSize, maxOutputLength: Math.max(1, maxSize) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new InflateLimitError(`more than ${maxSize} bytes`);
    throw error;
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
});
