/**
 * @packageDocumentation
 * Browser helpers of `@kindling/checkpoint`: get checkpoint bytes from a URL,
 * a `File`/`Blob` or the origin-private file system (OPFS), and hand them
 * back as a download or to OPFS. They pair with the byte-level `save`/`load`.
 */
import { CheckpointError } from '../errors.js';
import type { FetchInit, PlatformBlob } from './platform-types.js';

/** Fetches checkpoint bytes from a URL, failing clearly on HTTP errors. */
export async function fetchCheckpoint(url: string, init?: FetchInit): Promise<Uint8Array> {
  const response = await fetch(url, init);
  if (!response.ok) throw new CheckpointError(`fetchCheckpoint: ${url} answered ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Reads a `Blob` (a `File` from an `<input type="file">`, say). */
export async function readBlob(blob: PlatformBlob): Promise<Uint8Array> {
  return new Uint8Array(await blob.arrayBuffer());
}

/** Offers `bytes` to the user as a file download named `filename`. */
export function downloadBytes(bytes: Uint8Array, filename: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/**
 * Stores `bytes` in the origin-private file system under `name`. The
 * writable stream only replaces the file when closed, so an interrupted save
 * keeps the previous content.
 */
export async function saveToOpfs(name: string, bytes: Uint8Array): Promise<void> {
  const root = await navigator.storage.getDirectory();
  const handle = await root.getFileHandle(name, { create: true });
  const writable = await handle.createWritable();
  try {
    await writable.write(bytes as Uint8Array<ArrayBuffer>);
    await writable.close();
  } catch (e) {
    await writable.abort();
    throw e;
  }
}

/** Reads a file saved with `saveToOpfs`; throws a `CheckpointError` if it does not exist. */
export async function loadFromOpfs(name: string): Promise<Uint8Array> {
  const root = await navigator.storage.getDirectory();
  let handle: FileSystemFileHandle;
  try {
    handle = await root.getFileHandle(name);
  } catch {
    throw new CheckpointError(`loadFromOpfs: no checkpoint named "${name}" in this origin's storage`);
  }
  return readBlob(await handle.getFile());
}
