import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Checksums } from '../io/checksum.js';
import { checkDigests } from '../io/checksum.js';
import { DatasetError } from '../errors.js';
import { type ProgressCallback, type ResourceFile, joinUrl } from '../io/store.js';

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

interface Source {
  total: number | undefined;
  chunks: AsyncIterable<Uint8Array>;
}

async function openSource(location: string, name: string, signal: AbortSignal | undefined): Promise<Source> {
  if (isHttpMirror(location)) {
    const response = await fetch(location, { signal });
    if (!response.ok || !response.body) throw new DatasetError(`download: ${name}: HTTP ${response.status} ${response.statusText}`);
    const header = response.headers.get('content-length');
    return { total: header === null ? undefined : Number(header), chunks: response.body as unknown as AsyncIterable<Uint8Array> };
  }
  let size: number;
  try {
    size = (await stat(location)).size;
  } catch {
    throw new DatasetError(`download: ${name}: no such file ${location}`);
  }
  return { total: size, chunks: createReadStream(location, { signal }) };
}

/** Options of `downloadFile`. */
export interface DownloadOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** Checks the downloaded bytes (e.g. gunzip and parse); a throw discards the file. */
  validate?: (bytes: Uint8Array) => void;
}

/**
 * Copies `file` from one mirror (URL or local folder) to `dest`, atomically:
 * the bytes go to a temp file beside `dest` (unique per call, so concurrent
 * downloads never interleave), are hashed while they stream, fsynced,
 * checked against the file's checksums and `validate`, and only then renamed
 * over `dest`. On any failure the temp file is removed and `dest` is untouched.
 * Returns the file's bytes.
 */
export async function downloadFile(mirror: string, file: ResourceFile, dest: string, options: DownloadOptions = {}): Promise<Uint8Array> {
  const location = mirrorLocation(mirror, file.name);
  const temp = `${dest}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx');
  let committed = false;
  try {
    const source = await openSource(location, file.name, options.signal);
    const sha = createHash('sha256');
    const md5 = createHash('md5');
    const chunks: Buffer[] = [];
    let loaded = 0;
    for await (const chunk of source.chunks) {
      const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      await handle.write(buf);
      sha.update(buf);
      md5.update(buf);
      chunks.push(buf);
      loaded += buf.length;
      options.onProgress?.({ file: file.name, loaded, total: source.total, source: location });
    }
    if (source.total !== undefined && loaded !== source.total) {
      throw new DatasetError(`download: ${file.name} from ${location}: got ${loaded} of ${source.total} bytes (connection closed early)`);
    }
    const actual: Checksums = { sha256: sha.digest('hex'), md5: md5.digest('hex') };
    checkDigests(file.name, file, actual, location);
    const bytes = new Uint8Array(Buffer.concat(chunks, loaded));
    options.validate?.(bytes);
    await handle.sync();
    await handle.close();
    await rename(temp, dest);
    committed = true;
    await syncDir(dirname(dest));
    return bytes;
  } finally {
    if (!committed) {
      await handle.close().catch(() => {});
      await rm(temp, { force: true });
    }
  }
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

const STALE_MS = 60 * 60 * 1000;

/**
 * Removes temp files an earlier, killed download of `dest` left behind
 * (older than an hour, so a concurrent download's temp file is spared).
 */
export async function removeStaleTemps(dest: string): Promise<void> {
  const prefix = `${basename(dest)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(dest));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const path = join(dirname(dest), name);
    try {
      if (Date.now() - (await stat(path)).mtimeMs > STALE_MS) await rm(path, { force: true });
    } catch {}
  }
}
