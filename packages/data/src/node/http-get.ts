import { type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { NetworkError, type ResolvedNetworkOptions, formatDuration, statusError, timeoutHint } from '../io/network.js';

/** A 200 response whose body is the bytes as sent (never decoded, whatever `Content-Encoding` says). */
export interface RawResponse {
  /** The URL that answered, after redirects. */
  readonly url: string;
  /** `Content-Length`: the length of the bytes as sent, so it compares with what `body` yields. */
  readonly total: number | undefined;
  /** `Content-Encoding`, lower case, when the server sent one other than `identity`. */
  readonly encoding: string | undefined;
  /** The body; throws a retryable `NetworkError` on a stall (idle timeout) or a dropped connection. */
  readonly body: AsyncIterable<Buffer>;
  /** Drops the connection without reading the body (e.g. a `Content-Length` that is refused). */
  readonly cancel: () => void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
// Codes where the same request may well work a moment later; refused/unknown host/unreachable will not.
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

const PLAIN: Record<string, string> = {
  ECONNREFUSED: 'connection refused (nothing listening there)',
  ECONNRESET: 'connection reset by the server',
  ENOTFOUND: 'host not found (offline, or a wrong name)',
  EAI_AGAIN: 'host name lookup failed for now (DNS)',
  ENETUNREACH: 'network unreachable (offline?)',
  EHOSTUNREACH: 'host unreachable',
};

/** A request's socket error as a `NetworkError` (retryable when the failure is transient). */
function socketError(error: unknown): Error {
  if (error instanceof NetworkError || (error as Error)?.name === 'AbortError') return error as Error;
  const e = error as NodeJS.ErrnoException;
  const text = (e.code && PLAIN[e.code]) ?? e.message;
  const code = e.code && !text.includes(e.code) ? ` (${e.code})` : '';
  return new NetworkError(`${text}${code}`, e.code === undefined || TRANSIENT_CODES.has(e.code));
}

/**
 * GETs `url` with node:http(s), asking for `Accept-Encoding: identity` and
 * never decoding: a server that labels a `.gz` file `Content-Encoding: gzip`
 * hands over the file's own bytes, which are what its checksum is of (fetch
 * would gunzip them). Follows redirects up to `maxRedirects`, naming a loop;
 * gives up after `connectTimeoutMs` without a connection and after
 * `idleTimeoutMs` without a byte. A status other than 200 is a `NetworkError`.
 */
export async function httpGet(url: string, options: ResolvedNetworkOptions, signal?: AbortSignal): Promise<RawResponse> {
  const seen = [url];
  let current = url;
  for (;;) {
    const response = await requestOnce(current, options, signal);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (REDIRECTS.has(status) && location) {
      response.resume();
      const next = new URL(location, current).href;
      if (!/^https?:$/.test(new URL(next).protocol)) throw new NetworkError(`redirected to ${next}, which is not http(s)`, false);
      if (seen.includes(next)) {
        throw new NetworkError(`redirect loop: ${seen.length} redirects from ${url} lead back to ${next}`, false);
      }
      if (seen.length > options.maxRedirects) {
        throw new NetworkError(`too many redirects: more than ${options.maxRedirects} starting at ${url} (last ${current})`, false);
      }
      seen.push(next);
      current = next;
      continue;
    }
    if (status !== 200) {
      response.resume();
      const retryAfter = response.headers['retry-after'];
      throw statusError(status, response.statusMessage ?? '', Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
    }
    const length = response.headers['content-length'];
    const encoding = response.headers['content-encoding']?.trim().toLowerCase();
    return {
      url: current,
      total: length === undefined ? undefined : Number(length),
      encoding: encoding && encoding !== 'identity' ? encoding : undefined,
      body: bodyOf(response),
      cancel: () => response.destroy(),
    };
  }
}

/** The body ended before its `Content-Length` (the server closed or reset the connection): worth a retry. */
export class ClosedEarly extends NetworkError {
  constructor(reason: string) {
    super(`connection closed early${reason}`, true);
  }
}

async function* bodyOf(response: IncomingMessage): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of response) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof NetworkError || (error as Error)?.name === 'AbortError') throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ClosedEarly(code ? `: ${code}` : '');
  } finally {
    response.destroy();
  }
}

/** One request: resolves with the response head, the socket's idle timer still running for the body. */
function requestOnce(url: string, options: ResolvedNetworkOptions, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const secure = url.startsWith('https:');
    const send = secure ? httpsRequest : httpRequest;
    let response: IncomingMessage | undefined;
    // agent: false gives each request its own socket, so the timeouts set on it affect no other request.
    const req: ClientRequest = send(url, { agent: false, signal, headers: { 'accept-encoding': 'identity' } });
    const fail = (error: Error) => {
      if (response) response.destroy(error);
      else req.destroy(error);
    };
    const connectTimer = setTimeout(() => {
      fail(
        new NetworkError(
          `could not connect within ${formatDuration(options.connectTimeoutMs)} (connect timeout; set ${timeoutHint('connect')})`,
          true,
        ),
      );
    }, options.connectTimeoutMs);
    req.on('socket', (socket: Socket) => {
      const connected = () => {
        clearTimeout(connectTimer);
        // The socket's timer restarts on every byte, so it fires only after idleTimeoutMs of silence.
        socket.setTimeout(options.idleTimeoutMs, () => {
          const stage = response ? 'in the middle of the body' : 'waiting for the response after connecting';
          fail(
            new NetworkError(
              `no bytes for ${formatDuration(options.idleTimeoutMs)} ${stage} (idle timeout; set ${timeoutHint('idle')})`,
              true,
            ),
          );
        });
      };
      if (!socket.connecting && !secure) connected();
      else socket.once(secure ? 'secureConnect' : 'connect', connected);
    });
    req.on('response', (res) => {
      response = res;
      resolve(res);
    });
    req.on('error', (error) => {
      clearTimeout(connectTimer);
      reject(socketError(error));
    });
    req.on('close', () => clearTimeout(connectTimer));
    req.end();
  });
}
