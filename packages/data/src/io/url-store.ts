import { DatasetError } from '../errors.js';
import type { PlatformAbortSignal } from './abort-signal.js';
import { verifyChecksums } from './checksum.js';
import { type DatasetStore, type LoadRequest, type ProgressCallback, joinUrl } from './store.js';

/**
 * A store that fetches files over HTTP(S) with `fetch` and keeps nothing (the
 * browser's HTTP cache does the caching). `root`, when given, is a base URL
 * holding the files and is tried first; with `download`, the mirrors follow.
 */
export class UrlStore implements DatasetStore {
  async load<T>(request: LoadRequest<T>): Promise<T> {
    const { file } = request;
    const sources: string[] = [];
    if (request.root !== undefined) sources.push(request.root);
    if (request.download || request.root === undefined) sources.push(...(request.mirrorOverride ?? request.mirrors));
    const failures: string[] = [];
    for (const base of sources) {
      const url = joinUrl(base, file.name);
      try {
        const bytes = await fetchBytes(url, file.name, request.onProgress, request.signal);
        verifyChecksums(file.name, bytes, file, url);
        return request.decode(bytes);
      } catch (error) {
        if (request.signal?.aborted) throw error;
        failures.push(`  ${url}: ${(error as Error).message}`);
      }
    }
    throw new DatasetError(`load: could not get ${file.name} from any source:\n${failures.join('\n') || '  (no sources)'}`);
  }
}

/** The body of `url` as bytes, reporting progress as chunks arrive. */
export async function fetchBytes(
  url: string,
  name: string,
  onProgress?: ProgressCallback,
  signal?: PlatformAbortSignal,
): Promise<Uint8Array> {
  const response = await fetch(url, { signal });
  if (!response.ok) throw new DatasetError(`fetch: ${name}: HTTP ${response.status} ${response.statusText}`);
  const header = response.headers.get('content-length');
  const total = header === null ? undefined : Number(header);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.({ file: name, loaded, total, source: url });
  }
  if (total !== undefined && loaded !== total) {
    throw new DatasetError(`fetch: ${name}: connection closed after ${loaded} of ${total} bytes`);
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
