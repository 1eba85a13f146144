import { DatasetError } from '../errors.js';

/**
 * How downloads treat a network that misbehaves. Every field is optional:
 * an unset one comes from its environment variable (Node), else the default.
 */
export interface NetworkOptions {
  /**
   * Milliseconds to connect (DNS, TCP and TLS) before giving up on an attempt.
   * Default 15000; `$KINDLING_DOWNLOAD_CONNECT_TIMEOUT` (seconds).
   */
  readonly connectTimeoutMs?: number;
  /**
   * Milliseconds without a byte (waiting for the response, or in the middle
   * of the body) before giving up on an attempt. Default 30000;
   * `$KINDLING_DOWNLOAD_IDLE_TIMEOUT` (seconds).
   */
  readonly idleTimeoutMs?: number;
  /**
   * Retries per mirror after a transient failure (timeout, connection reset or
   * closed early, HTTP 408/429/5xx); never after a 404 or a checksum mismatch.
   * Default 3; `$KINDLING_DOWNLOAD_RETRIES`.
   */
  readonly retries?: number;
  /** First retry's delay in ms, doubled each retry, with jitter (half to all of it). Default 500. */
  readonly retryDelayMs?: number;
  /**
   * Longest wait before a retry, in ms (default 30000). A `Retry-After` asking
   * for longer is not waited for: that mirror fails and the next is tried.
   */
  readonly maxRetryDelayMs?: number;
  /** Redirects followed before giving up (default 10). */
  readonly maxRedirects?: number;
  /**
   * Most bytes one file may have when the dataset does not pin its size
   * (`ResourceFile.size`, which is the bound otherwise). A body passing the
   * bound is stopped at once; a `Content-Length` above it is refused before
   * reading. Default 1 GiB.
   */
  readonly maxBytes?: number;
  /**
   * Slowest acceptable download, in bytes per second averaged over
   * `speedWindowMs`: a mirror dripping bytes (which the idle timeout never
   * catches) fails the attempt. Default 1024 (1 KiB/s); 0 turns the rule off.
   */
  readonly minBytesPerSecond?: number;
  /** Window of the `minBytesPerSecond` rule, in ms (default 30000). */
  readonly speedWindowMs?: number;
  /** Longest one attempt may take, in ms, however fast it goes; 0 (the default) means no limit. */
  readonly maxDurationMs?: number;
}

/** Environment variable: connect timeout of downloads, in seconds. */
export const CONNECT_TIMEOUT_ENV = 'KINDLING_DOWNLOAD_CONNECT_TIMEOUT';
/** Environment variable: idle timeout of downloads (no bytes for that long), in seconds. */
export const IDLE_TIMEOUT_ENV = 'KINDLING_DOWNLOAD_IDLE_TIMEOUT';
/** Environment variable: retries per mirror after transient failures. */
export const RETRIES_ENV = 'KINDLING_DOWNLOAD_RETRIES';

/** `NetworkOptions` with every field decided. */
export type ResolvedNetworkOptions = { readonly [K in keyof NetworkOptions]-?: number };

type Env = Record<string, string | undefined>;

function processEnv(): Env {
  return (globalThis as { process?: { env?: Env } }).process?.env ?? {};
}

function fromEnv(env: Env, name: string, scale: number, integer: boolean): number | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new DatasetError(`${name}: expected a ${integer ? 'whole number' : 'number of seconds'} ≥ 0, got "${raw}"`);
  }
  return value * scale;
}

function checked(name: string, value: number | undefined, integer = false): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new DatasetError(`download option ${name}: expected a ${integer ? 'whole number' : 'number'} ≥ 0, got ${value}`);
  }
  return value;
}

/** Fills `options` from the environment, then the defaults; throws a `DatasetError` naming a bad value. */
export function resolveNetworkOptions(options: NetworkOptions = {}, env: Env = processEnv()): ResolvedNetworkOptions {
  return {
    connectTimeoutMs: checked('connectTimeoutMs', options.connectTimeoutMs) ?? fromEnv(env, CONNECT_TIMEOUT_ENV, 1000, false) ?? 15_000,
    idleTimeoutMs: checked('idleTimeoutMs', options.idleTimeoutMs) ?? fromEnv(env, IDLE_TIMEOUT_ENV, 1000, false) ?? 30_000,
    retries: checked('retries', options.retries, true) ?? fromEnv(env, RETRIES_ENV, 1, true) ?? 3,
    retryDelayMs: checked('retryDelayMs', options.retryDelayMs) ?? 500,
    maxRetryDelayMs: checked('maxRetryDelayMs', options.maxRetryDelayMs) ?? 30_000,
    maxRedirects: checked('maxRedirects', options.maxRedirects, true) ?? 10,
    maxBytes: checked('maxBytes', options.maxBytes, true) ?? 2 ** 30,
    minBytesPerSecond: checked('minBytesPerSecond', options.minBytesPerSecond) ?? 1024,
    speedWindowMs: checked('speedWindowMs', options.speedWindowMs) ?? 30_000,
    maxDurationMs: checked('maxDurationMs', options.maxDurationMs) ?? 0,
  };
}

/** A duration for messages: `250 ms`, `15 s`, `1.5 s`. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}

/** Text naming how to change a timeout, appended to timeout messages. */
export function timeoutHint(kind: 'connect' | 'idle'): string {
  return kind === 'connect' ? `connectTimeoutMs or $${CONNECT_TIMEOUT_ENV}` : `idleTimeoutMs or $${IDLE_TIMEOUT_ENV}`;
}

/**
 * A download attempt failed because of the network or the server. `retryable`
 * says whether trying the same URL again may help; `retryAfterMs` is the
 * server's `Retry-After`, when it sent one.
 */
export class NetworkError extends DatasetError {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** The same failure with `prefix` (e.g. the file and URL) before its message; other errors get the prefix too. */
  static prefixed(error: unknown, prefix: string): Error {
    if (error instanceof NetworkError) return new NetworkError(prefix + error.message, error.retryable, error.retryAfterMs);
    if (error instanceof DatasetError) return new DatasetError(prefix + error.message);
    return error as Error;
  }
}

/** Whether HTTP `status` is worth retrying: 408, 429 and 5xx other than 501/505 (which will not change). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/** `Retry-After` (seconds or an HTTP date) in ms from `now`, or undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The error for an HTTP status that is not 200 (retryable or not, with the server's `Retry-After`). */
export function statusError(status: number, statusText: string, retryAfter: string | null | undefined): NetworkError {
  const text = `HTTP ${status}${statusText ? ` ${statusText}` : ''}`;
  return new NetworkError(text, isRetryableStatus(status), isRetryableStatus(status) ? parseRetryAfter(retryAfter) : undefined);
}

/** Delay before retry number `attempt` (0-based): exponential, capped, with "equal jitter" (half fixed, half random). */
export function backoffDelay(attempt: number, options: ResolvedNetworkOptions, random: () => number = Math.random): number {
  const full = Math.min(options.maxRetryDelayMs, options.retryDelayMs * 2 ** attempt);
  return full / 2 + (full / 2) * random();
}

function sleep(ms: number, signal: { aborted: boolean; addEventListener?: unknown } | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    // An abort ends the wait at once; the caller sees `signal.aborted` and rethrows.
    const target = signal as { addEventListener?: (type: 'abort', fn: () => void, opts: { once: boolean }) => void } | undefined;
    target?.addEventListener?.(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Runs `attempt` until it succeeds, it fails with a non-retryable error, or
 * `options.retries` retries are spent, sleeping with exponential backoff (or
 * the server's `Retry-After`, up to `maxRetryDelayMs`) in between. The last
 * error is thrown, saying how many attempts were made.
 */
export async function withRetries<T>(
  attempt: (index: number) => Promise<T>,
  options: ResolvedNetworkOptions,
  signal?: { readonly aborted: boolean },
): Promise<T> {
  for (let index = 0; ; index++) {
    try {
      return await attempt(index);
    } catch (error) {
      // The caller's own abort, whatever the request turned it into (a reset socket, a cut body).
      if (signal?.aborted) throw abortReason(signal, error);
      const retryable = error instanceof NetworkError && error.retryable;
      if (!retryable) throw index > 0 ? annotate(error, `${index + 1} attempts`) : error;
      if (index >= options.retries) throw annotate(error, `gave up after ${index + 1} attempts`);
      let delay = backoffDelay(index, options);
      const asked = (error as NetworkError).retryAfterMs;
      if (asked !== undefined) {
        if (asked > options.maxRetryDelayMs) {
          throw annotate(
            error,
            `Retry-After asks to wait ${formatDuration(asked)}, more than maxRetryDelayMs (${formatDuration(options.maxRetryDelayMs)})`,
          );
        }
        delay = asked;
      }
      await sleep(delay, signal);
      if (signal?.aborted) throw abortReason(signal, error);
    }
  }
}

function abortReason(signal: { readonly aborted: boolean }, fallback: unknown): unknown {
  return (signal as { reason?: unknown }).reason ?? fallback;
}

function annotate(error: unknown, note: string): unknown {
  if (error instanceof NetworkError) return new NetworkError(`${error.message} (${note})`, false);
  if (error instanceof DatasetError) return new DatasetError(`${error.message} (${note})`);
  return error;
}
