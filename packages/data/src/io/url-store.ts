import { DatasetError } from '../errors.js';
import type { PlatformAbortSignal } from './abort-signal.js';
import { verifyChecksums } from './checksum.js';
import { isGzip } from './gzip.js';
import {
  NetworkError,
  type NetworkOptions,
  type ResolvedNetworkOptions,
  formatDuration,
  resolveNetworkOptions,
  statusError,
  timeoutHint,
  withRetries,
} from './network.js';
import { type DatasetStore, type LoadRequest, type ProgressCallback, joinUrl } from './store.js';

/**
 * A store that fetches files over HTTP(S) with `fetch` and keeps nothing (the
 * browser's HTTP cache does the caching). `root`, when given, is a base URL
 * holding the files and is tried first; with `download`, the mirrors follow.
 * `network` sets timeouts and retries (see `NetworkOptions`).
 */
export class UrlStore implements DatasetStore {
  constructor(private readonly network: NetworkOptions = {}) {}

  async load<T>(request: LoadRequest<T>): Promise<T> {
    const { file } = request;
    const network = resolveNetworkOptions(this.network);
    const sources: string[] = [];
    if (request.root !== undefined) sources.push(request.root);
    if (request.download || request.root === undefined) sources.push(...(request.mirrorOverride ?? request.mirrors));
    const failures: string[] = [];
    for (const base of sources) {
      const url = joinUrl(base, file.name);
      try {
        const { bytes, encoding } = await fetchWithEncoding(url, file.name, request.onProgress, request.signal, network);
        try {
          verifyChecksums(file.name, bytes, file, url);
        } catch (error) {
          // fetch always inflates a Content-Encoding (the header may be hidden by CORS, the missing gzip magic is not):
          // the file's own bytes cannot be had, so say why they differ.
          const inflated = encoding !== undefined || (file.name.endsWith('.gz') && !isGzip(bytes));
          if (!inflated) throw error;
          throw new DatasetError(
            `${(error as Error).message}; it arrived decompressed (the server sent it with Content-Encoding: ${encoding ?? 'gzip'}, so fetch inflated it): serve it without Content-Encoding`,
          );
        }
        return request.decode(bytes);
      } catch (error) {
        if (request.signal?.aborted) throw error;
        failures.push(`  ${url}: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}`);
      }
    }
    throw new DatasetError(`load: could not get ${file.name} from any source:\n${failures.join('\n') || '  (no sources)'}`);
  }
}

/**
 * The body of `url` as bytes, reporting progress as chunks arrive. Gives up
 * on an attempt after `connectTimeoutMs` + `idleTimeoutMs` without response
 * headers or `idleTimeoutMs` without a byte of the body, and retries
 * transient failures with backoff (`network`, see `NetworkOptions`).
 */
export async function fetchBytes(
  url: string,
  name: string,
  onProgress?: ProgressCallback,
  signal?: PlatformAbortSignal,
  network?: NetworkOptions,
): Promise<Uint8Array> {
  return (await fetchWithEncoding(url, name, onProgress, signal, resolveNetworkOptions(network))).bytes;
}

async function fetchWithEncoding(
  url: string,
  name: string,
  onProgress: ProgressCallback | undefined,
  signal: PlatformAbortSignal | undefined,
  network: ResolvedNetworkOptions,
): Promise<{ bytes: Uint8Array; encoding: string | undefined }> {
  return withRetries(
    () =>
      fetchOnce(url, name, onProgress, signal as AbortSignal | undefined, network).catch((error: unknown) => {
        throw NetworkError.prefixed(error, `fetch: ${name}: `);
      }),
    network,
    signal as AbortSignal | undefined,
  );
}

async function fetchOnce(
  url: string,
  name: string,
  onProgress: ProgressCallback | undefined,
  signal: AbortSignal | undefined,
  network: ResolvedNetworkOptions,
): Promise<{ bytes: Uint8Array; encoding: string | undefined }> {
  // Our own controller, so a timeout can abort the request; the caller's signal is forwarded to it.
  const controller = new AbortController();
  const forward = () => controller.abort();
  signal?.addEventListener('abort', forward, { once: true });
  let timedOut: NetworkError | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (ms: number, message: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = new NetworkError(message, true);
      controller.abort();
    }, ms);
  };
  try {
    // fetch cannot tell connecting from waiting, so the head gets both allowances.
    const headMs = network.connectTimeoutMs + network.idleTimeoutMs;
    arm(
      headMs,
      `no response within ${formatDuration(headMs)} (connect + idle timeout; set ${timeoutHint('connect')} / ${timeoutHint('idle')})`,
    );
    const idle = `no bytes for ${formatDuration(network.idleTimeoutMs)} in the middle of the body (idle timeout; set ${timeoutHint('idle')})`;
    let response: Response;
    try {
      // Browsers ignore Accept-Encoding (a forbidden header); Node's fetch sends it.
      response = await fetch(url, { signal: controller.signal, headers: { 'accept-encoding': 'identity' } });
    } catch (error) {
      throw timedOut ?? fetchError(error, url);
    }
    if (!response.ok) {
      response.body?.cancel().catch(() => {});
      throw statusError(response.status, response.statusText, response.headers.get('retry-after'));
    }
    const coding = response.headers.get('content-encoding')?.trim().toLowerCase();
    const encoding = coding && coding !== 'identity' ? coding : undefined;
    // Content-Length counts the bytes as sent; fetch hands over decoded ones when encoded, so only compare unencoded.
    const header = encoding === undefined ? response.headers.get('content-length') : null;
    const total = header === null ? undefined : Number(header);
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    if (!response.body) return { bytes: new Uint8Array(await response.arrayBuffer()), encoding };
    const reader = response.body.getReader();
    for (;;) {
      arm(network.idleTimeoutMs, idle);
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        throw (
          timedOut ??
          new NetworkError(`connection lost after ${loaded}${total === undefined ? '' : ` of ${total}`} bytes (${describe(error)})`, true)
        );
      }
      if (next.done) break;
      chunks.push(next.value);
      loaded += next.value.length;
      onProgress?.({ file: name, loaded, total, source: url });
    }
    if (total !== undefined && loaded !== total) {
      throw new NetworkError(`connection closed after ${loaded} of ${total} bytes`, true);
    }
    const out = new Uint8Array(loaded);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return { bytes: out, encoding };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', forward);
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { message?: string; code?: string } }).cause;
  return cause?.message ?? (error as Error).message;
}

/** A failed `fetch` as a `NetworkError`: redirect limits are final, other network errors may be transient. */
function fetchError(error: unknown, url: string): Error {
  if ((error as Error)?.name === 'AbortError') return error as Error;
  const reason = describe(error);
  if (/redirect/i.test(reason)) return new NetworkError(`too many redirects or a redirect loop starting at ${url} (${reason})`, false);
  const code = (error as { cause?: { code?: string } }).cause?.code;
  const permanent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ENETUNREACH' || code === 'EHOSTUNREACH';
  return new NetworkError(`${reason}${code && !reason.includes(code) ? ` (${code})` : ''}`, !permanent);
}
