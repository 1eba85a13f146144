import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { Checksums } from '../io/checksum.js';
import { checkDigests } from '../io/checksum.js';
import { DatasetError } from '../errors.js';
import {
  NetworkError,
  type NetworkOptions,
  type ResolvedNetworkOptions,
  formatDuration,
  resolveNetworkOptions,
  withRetries,
} from '../io/network.js';
import { type ProgressCallback, type ResourceFile, joinUrl } from '../io/store.js';
import { ClosedEarly, httpGet } from './http-get.js';

/** Whether a mirror is an HTTP(S) URL (anything else is a local folder or a `file:` URL). */
export function isHttpMirror(mirror: string): boolean {
  return /^https?:\/\//i.test(mirror);
}

/** Where `file` lives on `mirror`: a URL, or a path for local mirrors. */
export function mirrorLocation(mirror: string, name: string): string {
  if (isHttpMirror(mirror)) return joinUrl(mirror, name);
  const folder = mirror.startsWith('file:') ? fileURLToPath(mirror) : resolve(mirror);
  return join(folder, name);
}

/** Options of `downloadFile`: callbacks, cancellation, and how to treat a misbehaving network. */
export interface DownloadOptions extends NetworkOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** Checks the downloaded bytes (e.g. gunzip and parse); a throw (or rejection) discards the file. */
  validate?: (bytes: Uint8Array) => void | Promise<void>;
}

/** What one attempt read: the bytes as sent, their digests, and the server's `Content-Encoding`. */
interface Fetched {
  bytes: Uint8Array;
  digests: Checksums;
  encoding: string | undefined;
}

/**
 * Copies `file` from one mirror (URL or local folder) to `dest`, atomically:
 * the bytes go to a temp file beside `dest` (unique per call, so concurrent
 * downloads never interleave), are hashed while they stream, fsynced,
 * checked against the file's checksums and `validate`, and only then renamed
 * over `dest`. On any failure the temp file is removed and `dest` is untouched.
 * HTTP mirrors get connect and idle timeouts and retries with backoff after
 * transient failures (see `NetworkOptions`); a retry restarts the file from
 * its first byte. Returns the file's bytes.
 */
export async function downloadFile(mirror: string, file: ResourceFile, dest: string, options: DownloadOptions = {}): Promise<Uint8Array> {
  const location = mirrorLocation(mirror, file.name);
  const network = resolveNetworkOptions(options);
  const temp = `${dest}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx');
  let committed = false;
  try {
    const prefix = `download: ${file.name} from ${location}: `;
    const limits = { bound: file.size ?? network.maxBytes, network };
    const read = (): Promise<Fetched> => {
      if (!isHttpMirror(location)) {
        return copy(location, file, handle, readLocal(location, file.name, options.signal), options, limits).catch((error: unknown) => {
          throw NetworkError.prefixed(error, error instanceof NetworkError ? prefix : '');
        });
      }
      return copy(location, file, handle, httpGet(location, network, options.signal), options, limits).catch((error: unknown) => {
        throw NetworkError.prefixed(error, prefix);
      });
    };
    const fetched = isHttpMirror(location) ? await withRetries(read, network, options.signal) : await read();
    const bytes = await originalBytes(file, fetched, location, handle, limits.bound);
    // The temp file is flushed to disk (on the thread pool) while `validate` decodes the bytes; it is
    // renamed only once both are done.
    const synced = handle.sync();
    // Handled now: a flush that fails while `validate` runs must not surface as an unhandled rejection.
    synced.catch(() => {});
    try {
      await options.validate?.(bytes);
    } catch (error) {
      await synced.catch(() => {}); // the file is discarded: only the validation's error matters
      throw error;
    }
    await synced;
    await handle.close();
    await rename(temp, dest);
    committed = true;
    await syncDir(dirname(dest));
    await removeStaleTemps(dest);
    return bytes;
  } finally {
    if (!committed) {
      await handle.close().catch(() => {});
      await rm(temp, { force: true });
    }
  }
}

async function readLocal(location: string, name: string, signal: AbortSignal | undefined) {
  let size: number;
  try {
    size = (await stat(location)).size;
  } catch {
    throw new DatasetError(`download: ${name}: no such file ${location}`);
  }
  // 1 MiB reads: a 10 MB file is 10 writes and hash updates rather than 150 (the default 64 KiB).
  return {
    total: size,
    encoding: undefined,
    body: createReadStream(location, { signal, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>,
  };
}

/** Streams one attempt's body into the (emptied) temp file, hashing it on the way. */
async function copy(
  location: string,
  file: ResourceFile,
  handle: FileHandle,
  opened: Promise<{ total: number | undefined; encoding: string | undefined; body: AsyncIterable<Buffer>; cancel?: () => void }>,
  options: DownloadOptions,
  limits: { bound: number; network: ResolvedNetworkOptions },
): Promise<Fetched> {
  const source = await opened;
  const { bound, network } = limits;
  if (source.total !== undefined && source.total > bound) {
    // Retrying cannot shrink it: refused at once, before a byte is read.
    if (source.cancel) source.cancel();
    else for await (const _ of source.body) break; // ending the iteration closes the file
    throw new NetworkError(
      `Content-Length ${source.total} bytes is more than the ${bound}-byte bound (file size or maxBytes); refused`,
      false,
    );
  }
  // A retry starts over: whatever an earlier attempt wrote is dropped, and the hashes are fresh.
  await handle.truncate(0);
  const name = file.name;
  const sha = createHash('sha256');
  // MD5 only for files without a SHA-256, as `FileStore` verifies cached files: it would add nothing to
  // the SHA-256 and costs twice its time (~16 ms for MNIST's 11 MB).
  const md5 = file.md5 && !file.sha256 ? createHash('md5') : null;
  const chunks: Buffer[] = [];
  let loaded = 0;
  const started = Date.now();
  let windowStart = started;
  let windowLoaded = 0;
  const got = () => `got ${loaded}${source.total === undefined ? '' : ` of ${source.total}`} bytes`;
  try {
    for await (const chunk of source.body) {
      if (loaded + chunk.length > bound) {
        throw new NetworkError(`body passes the ${bound}-byte bound (file size or maxBytes); stopped, nothing kept`, false);
      }
      const now = Date.now();
      if (network.maxDurationMs > 0 && now - started > network.maxDurationMs) {
        throw new NetworkError(`took longer than maxDurationMs (${formatDuration(network.maxDurationMs)})`, true);
      }
      if (now - windowStart >= network.speedWindowMs) {
        const rate = ((loaded + chunk.length - windowLoaded) * 1000) / (now - windowStart);
        if (network.minBytesPerSecond > 0 && rate < network.minBytesPerSecond) {
          throw new NetworkError(
            `too slow: ${rate.toFixed(1)} bytes/s over the last ${formatDuration(now - windowStart)}, below minBytesPerSecond (${network.minBytesPerSecond} bytes/s)`,
            true,
          );
        }
        windowStart = now;
        windowLoaded = loaded + chunk.length;
      }
      await handle.write(chunk, 0, chunk.length, loaded);
      sha.update(chunk);
      md5?.update(chunk);
      chunks.push(chunk);
      loaded += chunk.length;
      options.onProgress?.({ file: name, loaded, total: source.total, source: location });
    }
  } catch (error) {
    if (error instanceof ClosedEarly) throw new NetworkError(`${got()} (${error.message})`, true);
    if (error instanceof NetworkError) throw new NetworkError(`${error.message}; ${got()}`, error.retryable);
    throw error;
  }
  // Both counts are of the bytes as sent (nothing is decoded on the way), so they compare.
  if (source.total !== undefined && loaded !== source.total) throw new NetworkError(`${got()} (connection closed early)`, true);
  return {
    bytes: new Uint8Array(Buffer.concat(chunks, loaded)),
    digests: { sha256: sha.digest('hex'), md5: md5?.digest('hex') },
    encoding: source.encoding,
  };
}

// Decoding a Content-Encoding only to compare a checksum: refuse to inflate beyond this.
const MAX_DECODED = 2 ** 31 - 1;

/**
 * The file's own bytes. They are normally the bytes as sent, even when the
 * server labels a `.gz` file `Content-Encoding: gzip` (a common server
 * setting; the checksum is of the `.gz` file itself). Only when those fail
 * the checksum and the server did encode the body (ignoring our
 * `Accept-Encoding: identity`) are the decoded bytes tried, and kept when
 * they match; the temp file is rewritten with them.
 */
async function originalBytes(
  file: ResourceFile,
  fetched: Fetched,
  location: string,
  handle: FileHandle,
  bound: number,
): Promise<Uint8Array> {
  try {
    checkDigests(file.name, file, fetched.digests, location);
    return fetched.bytes;
  } catch (mismatch) {
    const decoded = fetched.encoding === undefined ? undefined : decode(fetched.bytes, fetched.encoding, bound);
    if (decoded === undefined) throw mismatch;
    const digests = { sha256: createHash('sha256').update(decoded).digest('hex'), md5: createHash('md5').update(decoded).digest('hex') };
    try {
      checkDigests(file.name, file, digests, location);
    } catch {
      throw new DatasetError(`${(mismatch as Error).message}; decoding its Content-Encoding ${fetched.encoding} does not match either`);
    }
    await handle.truncate(0);
    await handle.write(decoded, 0, decoded.length, 0);
    return decoded;
  }
}

function decode(bytes: Uint8Array, encoding: string, bound: number): Uint8Array | undefined {
  const options = { maxOutputLength: Math.min(MAX_DECODED, Math.max(1, bound)) };
  let out: Buffer | undefined;
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') out = gunzipSync(bytes, options);
    else if (encoding === 'deflate') out = inflateSync(bytes, options);
    else if (encoding === 'br') out = brotliDecompressSync(bytes, options);
  } catch {}
  // A plain Uint8Array, like the undecoded path returns.
  return out && new Uint8Array(out.buffer, out.byteOffset, out.length);
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable; some platforms cannot open directories, which is harmless.
  try {
    const h = await open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {}
}

/** Hashes a file on disk (streaming). */
export async function hashFile(path: string): Promise<Required<Checksums>> {
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  for await (const chunk of createReadStream(path)) {
    sha.update(chunk as Buffer);
    md5.update(chunk as Buffer);
  }
  return { sha256: sha.digest('hex'), md5: md5.digest('hex') };
}

// `<file>.<pid>.<8 hex>.tmp`, as `downloadFile` names its temp files.
const TEMP_PATTERN = /^(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** Whether process `pid` exists (signal 0 only checks; EPERM means it exists but is someone else's). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temp files that earlier, killed downloads of `dest` left behind:
 * those named for `dest` whose process is gone. Temps of this process and of
 * other live ones (concurrent downloads) are kept. Best effort. Returns the
 * names removed. (The same rule as checkpoint saves' `removeStaleTemps`.)
 */
export async function removeStaleTemps(dest: string): Promise<string[]> {
  const target = basename(dest);
  let names: string[];
  try {
    names = await readdir(dirname(dest));
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMP_PATTERN.exec(name);
    if (!match || match[1] !== target) continue;
    const pid = Number(match[2]);
    if (pid === process.pid || isAlive(pid)) continue;
    try {
      await rm(join(dirname(dest), name), { force: true });
      removed.push(name);
    } catch {}
  }
  return removed;
}
