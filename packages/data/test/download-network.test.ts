import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { type Socket, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LoadRequest, type NetworkOptions, type ResourceFile, UrlStore, gunzip, parseIdx } from '../src/index.js';
import { FileStore } from '../src/node/index.js';
import { makeSplit, sha256 } from './helpers.js';
import { type Handler, listen, misbehave } from './network-helpers.js';

const NAME = 'train-images-idx3-ubyte.gz';
const split = makeSplit(6);
const good = split.imagesGz;
const file: ResourceFile = { name: NAME, sha256: sha256(good) };
// Small everything, so each misbehaving server costs milliseconds.
const FAST: NetworkOptions = { connectTimeoutMs: 300, idleTimeoutMs: 150, retries: 0, retryDelayMs: 10 };

function request(root: string, mirrors: string[], overrides: Partial<LoadRequest<Uint8Array>> = {}): LoadRequest<Uint8Array> {
  return {
    folder: 'MNIST',
    file,
    root,
    download: true,
    mirrors,
    mirrorOverride: undefined,
    decode: (bytes) => parseIdx(gunzip(bytes, NAME), NAME, { shape: [6, 28, 28] }).data as Uint8Array,
    onProgress: undefined,
    signal: undefined,
    ...overrides,
  };
}

const sendGood = (res: ServerResponse) => {
  res.writeHead(200, { 'content-length': String(good.length) });
  res.end(good);
};

let root: string;
let servers: { close(): Promise<void> }[];
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kindling-net-'));
  servers = [];
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await rm(root, { recursive: true, force: true });
});

async function server(handler: Handler) {
  const s = await misbehave(handler);
  servers.push(s);
  return s;
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => new Error('no error'),
    (e: Error) => e,
  );
const cachedFiles = async () => readdir(join(root, 'MNIST', 'raw')).catch(() => []);

describe('FileStore on a misbehaving network', () => {
  it('gives up on a server that accepts and never answers (idle timeout), naming the URL, then tries the next mirror', async () => {
    const silent = await server(() => {});
    const fine = await server((_req, res) => sendGood(res));
    const started = Date.now();
    const data = await new FileStore(FAST).load(request(root, [`${silent.url}/m`, `${fine.url}/m`]));
    expect(data.length).toBe(6 * 28 * 28);
    expect(Date.now() - started).toBeLessThan(2000);
    const error = await failure(new FileStore(FAST).load(request(join(root, 'b'), [`${silent.url}/m`])));
    expect(error.message).toContain(`${silent.url}/m/${NAME}: no bytes for 150 ms waiting for the response after connecting (idle timeout`);
    expect(error.message).toContain('KINDLING_DOWNLOAD_IDLE_TIMEOUT');
  });

  it('gives up on a body that stalls after the headers', async () => {
    const stall = await server((_req, res) => {
      res.writeHead(200, { 'content-length': String(good.length) });
      res.write(good.subarray(0, 100));
    });
    const error = await failure(new FileStore(FAST).load(request(root, [`${stall.url}/m`])));
    expect(error.message).toContain('no bytes for 150 ms in the middle of the body (idle timeout');
    expect(await cachedFiles()).toEqual([]);
  });

  it('gives up on a connection that never completes (connect timeout: TLS handshake never answered)', async () => {
    const sockets: Socket[] = [];
    const tcp = await listen(createTcpServer((socket) => sockets.push(socket)));
    servers.push({
      close: async () => {
        for (const s of sockets) s.destroy();
      },
    });
    servers.push(tcp);
    const error = await failure(new FileStore(FAST).load(request(root, [`https://127.0.0.1:${tcp.port}/m`])));
    expect(error.message).toContain(`https://127.0.0.1:${tcp.port}/m/${NAME}: could not connect within 300 ms (connect timeout`);
    expect(error.message).toContain('KINDLING_DOWNLOAD_CONNECT_TIMEOUT');
  });

  it('retries 503 with backoff and succeeds on the third attempt', async () => {
    const flaky = await server((_req, res, hit) => {
      if (hit <= 2) {
        res.writeHead(503);
        res.end('busy');
      } else sendGood(res);
    });
    const started = Date.now();
    const data = await new FileStore({ ...FAST, retries: 3, retryDelayMs: 40 }).load(request(root, [`${flaky.url}/m`]));
    expect(data.length).toBe(6 * 28 * 28);
    expect(flaky.hits[`/m/${NAME}`]).toBe(3);
    // Equal jitter: at least half of 40 ms, then half of 80 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('gives up after the retries, saying how many attempts were made', async () => {
    const down = await server((_req, res) => {
      res.writeHead(503, 'Service Unavailable');
      res.end();
    });
    const error = await failure(new FileStore({ ...FAST, retries: 2 }).load(request(root, [`${down.url}/m`])));
    expect(error.message).toContain('HTTP 503 Service Unavailable (gave up after 3 attempts)');
    expect(down.hits[`/m/${NAME}`]).toBe(3);
  });

  it('honours Retry-After on 429, and refuses one longer than maxRetryDelayMs', async () => {
    const limited = await server((_req, res, hit) => {
      if (hit === 1) {
        res.writeHead(429, { 'retry-after': '0' });
        res.end();
      } else sendGood(res);
    });
    await new FileStore({ ...FAST, retries: 1 }).load(request(root, [`${limited.url}/m`]));
    expect(limited.hits[`/m/${NAME}`]).toBe(2);

    const slow = await server((_req, res) => {
      res.writeHead(429, { 'retry-after': '3600' });
      res.end();
    });
    const started = Date.now();
    const error = await failure(
      new FileStore({ ...FAST, retries: 3, maxRetryDelayMs: 1000 }).load(request(join(root, 'b'), [`${slow.url}/m`])),
    );
    expect(error.message).toContain('HTTP 429');
    expect(error.message).toContain('Retry-After asks to wait 3600 s, more than maxRetryDelayMs (1 s)');
    expect(slow.hits[`/m/${NAME}`]).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('does not retry a 404', async () => {
    const missing = await server((_req, res) => {
      res.writeHead(404, 'Not Found');
      res.end();
    });
    const error = await failure(new FileStore({ ...FAST, retries: 3 }).load(request(root, [`${missing.url}/m`])));
    expect(error.message).toContain(`${missing.url}/m/${NAME}: HTTP 404 Not Found`);
    expect(error.message).not.toContain('attempts');
    expect(missing.hits[`/m/${NAME}`]).toBe(1);
  });

  it('names a redirect loop and too many redirects', async () => {
    const loop = await server((req, res) => {
      res.writeHead(302, { location: req.url?.startsWith('/a/') ? `/b/${NAME}` : `/a/${NAME}` });
      res.end();
    });
    const error = await failure(new FileStore(FAST).load(request(root, [`${loop.url}/a`])));
    expect(error.message).toContain(`redirect loop: 2 redirects from ${loop.url}/a/${NAME} lead back to ${loop.url}/a/${NAME}`);

    const endless = await server((req, res) => {
      res.writeHead(301, { location: `/r${Number(req.url?.match(/\/r(\d*)/)?.[1] ?? 0) + 1}/${NAME}` });
      res.end();
    });
    const error2 = await failure(new FileStore({ ...FAST, maxRedirects: 3 }).load(request(join(root, 'b'), [`${endless.url}/r0`])));
    expect(error2.message).toContain(`too many redirects: more than 3 starting at ${endless.url}/r0/${NAME}`);
    expect(Object.values(endless.hits).reduce((a, b) => a + b)).toBe(4);
  });

  it('keeps the .gz bytes a server labels Content-Encoding: gzip (checksum passes)', async () => {
    const labelled = await server((req, res) => {
      expect(req.headers['accept-encoding']).toBe('identity');
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/x-gzip', 'content-length': String(good.length) });
      res.end(good);
    });
    const data = await new FileStore(FAST).load(request(root, [`${labelled.url}/m`]));
    expect([...data]).toEqual([...split.images]);
    expect(await readFile(join(root, 'MNIST', 'raw', NAME))).toEqual(Buffer.from(good));
  });

  it('takes the decoded bytes when a server really compresses a file despite Accept-Encoding: identity', async () => {
    const raw = split.imagesIdx;
    const rawFile = { name: 'train-images-idx3-ubyte', sha256: sha256(raw) };
    const body = gzipSync(raw);
    const compressing = await server((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(body.length) });
      res.end(body);
    });
    const req = request(root, [`${compressing.url}/m`], { file: rawFile, decode: (b) => b });
    expect(await new FileStore(FAST).load(req)).toEqual(new Uint8Array(raw));
    expect(await readFile(join(root, 'MNIST', 'raw', rawFile.name))).toEqual(Buffer.from(raw));
  });

  it('retries a connection that closes early and restarts the file from its first byte', async () => {
    const dropping = await server((_req, res, hit) => {
      if (hit === 1) {
        res.writeHead(200, { 'content-length': String(good.length) });
        res.write(good.subarray(0, 500), () => res.destroy());
      } else sendGood(res);
    });
    await new FileStore({ ...FAST, retries: 1 }).load(request(root, [`${dropping.url}/m`]));
    expect(dropping.hits[`/m/${NAME}`]).toBe(2);
    expect(await readFile(join(root, 'MNIST', 'raw', NAME))).toEqual(Buffer.from(good));

    const always = await server((_req, res) => {
      res.writeHead(200, { 'content-length': String(good.length) });
      res.write(good.subarray(0, 500), () => res.destroy());
    });
    const error = await failure(new FileStore({ ...FAST, retries: 1 }).load(request(join(root, 'b'), [`${always.url}/m`])));
    expect(error.message).toMatch(/(connection reset by the server|connection closed early).*\(gave up after 2 attempts\)/);
  });

  it('reports every mirror in one message, one cause a line', async () => {
    const missing = await server((_req, res) => {
      res.writeHead(404, 'Not Found');
      res.end();
    });
    const silent = await server(() => {});
    const loop = await server((_req, res) => {
      res.writeHead(302, { location: `/m/${NAME}` });
      res.end();
    });
    const mirrors = [`${missing.url}/m`, `${silent.url}/m`, `${loop.url}/m`];
    const error = await failure(new FileStore(FAST).load(request(root, mirrors)));
    const lines = error.message.split('\n');
    expect(lines[0]).toBe(`download: could not get ${NAME} from any mirror:`);
    expect(lines.slice(1, 4).map((l) => l.split(': ')[0].trim())).toEqual(mirrors);
    expect(lines[1]).toContain('HTTP 404');
    expect(lines[2]).toContain('idle timeout');
    expect(lines[3]).toContain('redirect loop: 1 redirects');
    expect(lines[4]).toMatch(/^Nothing was written to /);
  });

  it('stops at once when the caller aborts, during a stall or a backoff wait', async () => {
    const stall = await server((_req, res) => {
      res.writeHead(200, { 'content-length': String(good.length) });
      res.write(good.subarray(0, 100));
    });
    const down = await server((_req, res) => {
      res.writeHead(503);
      res.end();
    });
    const slow: NetworkOptions = { idleTimeoutMs: 60_000, retries: 5, retryDelayMs: 60_000 };
    for (const url of [stall.url, down.url]) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = Date.now();
      const error = await failure(
        new FileStore(slow).load(request(join(root, url.slice(-5)), [`${url}/m`], { signal: controller.signal })),
      );
      expect(error.name).toBe('AbortError');
      expect(Date.now() - started).toBeLessThan(2000);
    }
    expect(await cachedFiles()).toEqual([]);
  });

  it('takes timeouts and retries from the environment, and names a bad value', async () => {
    const silent = await server(() => {});
    const saved = { ...process.env };
    try {
      process.env.KINDLING_DOWNLOAD_IDLE_TIMEOUT = '0.1';
      process.env.KINDLING_DOWNLOAD_RETRIES = '0';
      const error = await failure(new FileStore().load(request(root, [`${silent.url}/m`])));
      expect(error.message).toContain('no bytes for 100 ms');
      process.env.KINDLING_DOWNLOAD_CONNECT_TIMEOUT = 'soon';
      const bad = await failure(new FileStore().load(request(root, [`${silent.url}/m`])));
      expect(bad.message).toBe('KINDLING_DOWNLOAD_CONNECT_TIMEOUT: expected a number of seconds ≥ 0, got "soon"');
    } finally {
      process.env = saved;
    }
  });
});

describe('UrlStore (fetch) on a misbehaving network', () => {
  it('times out a silent server and a stalled body, and retries a 503', async () => {
    const silent = await server(() => {});
    const stall = await server((_req, res) => {
      res.writeHead(200, { 'content-length': String(good.length) });
      res.write(good.subarray(0, 100));
    });
    const e1 = await failure(new UrlStore(FAST).load(request(`${silent.url}/m`, [])));
    expect(e1.message).toContain(`${silent.url}/m/${NAME}: fetch: ${NAME}: no response within 450 ms`);
    const e2 = await failure(new UrlStore(FAST).load(request(`${stall.url}/m`, [])));
    expect(e2.message).toContain('no bytes for 150 ms in the middle of the body (idle timeout');

    const flaky = await server((_req, res, hit) => {
      if (hit === 1) {
        res.writeHead(503);
        res.end();
      } else sendGood(res);
    });
    const data = await new UrlStore({ ...FAST, retries: 1 }).load(request(`${flaky.url}/m`, []));
    expect(data.length).toBe(6 * 28 * 28);
  });

  it('names a redirect loop, and why a Content-Encoding: gzip file fails its checksum', async () => {
    const loop = await server((_req, res) => {
      res.writeHead(302, { location: `/m/${NAME}` });
      res.end();
    });
    const e1 = await failure(new UrlStore(FAST).load(request(`${loop.url}/m`, [])));
    expect(e1.message).toContain(`too many redirects or a redirect loop starting at ${loop.url}/m/${NAME}`);

    const labelled = await server((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(good.length) });
      res.end(good);
    });
    const e2 = await failure(new UrlStore(FAST).load(request(`${labelled.url}/m`, [])));
    // Not "got 7840016 of 1648877 bytes": lengths of decoded and sent bytes are not compared.
    expect(e2.message).not.toContain('bytes');
    expect(e2.message).toContain('arrived decompressed (the server sent it with Content-Encoding: gzip, so fetch inflated it)');
  });
});

describe('FileStore against endless, oversized and dripping bodies', () => {
  const sized: ResourceFile = { ...file, size: good.length };
  // Sends 64 KiB chunks without a Content-Length until the client hangs up.
  const endless = (_req: unknown, res: ServerResponse) => {
    res.writeHead(200);
    const chunk = Buffer.alloc(64 * 1024, 7);
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    const pump = () => {
      if (!closed) res.write(chunk, () => setImmediate(pump));
    };
    pump();
  };

  it('stops an endless body as soon as it passes the file size (or maxBytes), naming the file, URL and bound', async () => {
    const s = await server(endless);
    const started = Date.now();
    const error = await failure(new FileStore({ ...FAST, retries: 3 }).load(request(root, [`${s.url}/m`], { file: sized })));
    expect(error.message).toContain(`${NAME} from ${s.url}/m/${NAME}: body passes the ${good.length}-byte bound`);
    expect(s.hits[`/m/${NAME}`]).toBe(1);
    const unsized = await failure(new FileStore({ ...FAST, maxBytes: 200_000 }).load(request(join(root, 'b'), [`${s.url}/m`])));
    expect(unsized.message).toContain('body passes the 200000-byte bound');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await cachedFiles()).toEqual([]);
  });

  it('refuses a Content-Length above the bound at once, without retrying', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-length': String(10 ** 12) });
      res.flushHeaders();
    });
    const started = Date.now();
    // A long idle timeout: the refusal must not wait for a body byte.
    const options = { ...FAST, retries: 3, idleTimeoutMs: 5000 };
    const error = await failure(new FileStore(options).load(request(root, [`${s.url}/m`], { file: sized })));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.message).toContain(`${s.url}/m/${NAME}: Content-Length 1000000000000 bytes is more than the ${good.length}-byte bound`);
    expect(s.hits[`/m/${NAME}`]).toBe(1);
    expect(await cachedFiles()).toEqual([]);
  });

  it('fails a body dripping 1 byte per 50 ms by the minimum-speed rule, naming the URL and the rate', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-length': String(good.length) });
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed || sent >= good.length) return clearInterval(timer);
        res.write(good.subarray(sent, sent + 1));
        sent++;
      }, 50);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const options = { ...FAST, minBytesPerSecond: 100, speedWindowMs: 300 };
    const error = await failure(new FileStore(options).load(request(root, [`${s.url}/m`])));
    expect(error.message).toMatch(
      new RegExp(`${s.url}/m/${NAME}: too slow: [\\d.]+ bytes/s over the last \\d+ ms, below minBytesPerSecond \\(100 bytes/s\\)`),
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("removes a dead process's temp files after a successful download, and keeps a live one's", async () => {
    const dir = join(root, 'MNIST', 'raw');
    await mkdir(dir, { recursive: true });
    const child = spawnSync(process.execPath, ['-e', '0']);
    const dead = join(dir, `${NAME}.${child.pid}.deadbeef.tmp`);
    const live = join(dir, `${NAME}.${process.ppid}.cafef00d.tmp`);
    const other = join(dir, `other.gz.${child.pid}.deadbeef.tmp`);
    for (const p of [dead, live, other]) await writeFile(p, 'partial');
    const s = await server((_req, res) => sendGood(res));
    await new FileStore(FAST).load(request(root, [`${s.url}/m`]));
    expect((await readdir(dir)).sort()).toEqual(
      [NAME, `${NAME}.${process.ppid}.cafef00d.tmp`, `other.gz.${child.pid}.deadbeef.tmp`].sort(),
    );
  });
});
