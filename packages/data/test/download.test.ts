import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DownloadProgress, type LoadRequest, type ResourceFile, UrlStore, gunzip, parseIdx } from '../src/index.js';
import { DATA_DIR_ENV, DATA_MIRROR_ENV, FileStore, defaultDataDir, mirrorsFromEnv } from '../src/node/index.js';
import { makeSplit, md5, serve, sha256 } from './helpers.js';

const NAME = 'train-images-idx3-ubyte.gz';
const split = makeSplit(6);
const good = split.imagesGz;
const file: ResourceFile = { name: NAME, sha256: sha256(good) };

function request(root: string, overrides: Partial<LoadRequest<Uint8Array>> = {}): LoadRequest<Uint8Array> {
  return {
    folder: 'MNIST',
    file,
    root,
    download: true,
    mirrors: [],
    mirrorOverride: undefined,
    decode: (bytes) => parseIdx(gunzip(bytes, NAME), NAME, { shape: [6, 28, 28] }).data as Uint8Array,
    onProgress: undefined,
    signal: undefined,
    ...overrides,
  };
}

/** Every file under `dir`, recursively, relative to it. */
async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1));
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'kindling-data-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('FileStore download', () => {
  const store = new FileStore();
  const cached = () => join(root, 'MNIST', 'raw', NAME);

  it('downloads into <root>/<dataset>/raw, then serves from the cache', async () => {
    const server = await serve({ [`/a/${NAME}`]: { body: good } });
    try {
      const data = await store.load(request(root, { mirrors: [`${server.url}/a/`] }));
      expect([...data]).toEqual([...split.images]);
      expect(await readFile(cached())).toEqual(Buffer.from(good));
      expect(await listFiles(root)).toEqual([join('MNIST', 'raw', NAME)]);
      await store.load(request(root, { mirrors: [`${server.url}/a/`] }));
      expect(server.hits[`/a/${NAME}`]).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('falls back to the next mirror when one 404s or serves corrupt data', async () => {
    const corrupt = good.slice();
    corrupt[100] ^= 0xff;
    const server = await serve({ [`/bad/${NAME}`]: { body: corrupt }, [`/good/${NAME}`]: { body: good } });
    try {
      const mirrors = [`${server.url}/missing`, `${server.url}/bad`, `${server.url}/good`];
      const data = await store.load(request(root, { mirrors }));
      expect(data.length).toBe(6 * 28 * 28);
      expect(server.hits).toEqual({ [`/missing/${NAME}`]: 1, [`/bad/${NAME}`]: 1, [`/good/${NAME}`]: 1 });
      expect(await listFiles(root)).toEqual([join('MNIST', 'raw', NAME)]);
    } finally {
      await server.close();
    }
  });

  it('reports every mirror when all fail and leaves nothing in the cache (checksum mismatch)', async () => {
    const corrupt = good.slice();
    corrupt[50] ^= 1;
    const server = await serve({ [`/bad/${NAME}`]: { body: corrupt } });
    try {
      const error = await store.load(request(root, { mirrors: [`${server.url}/nope`, `${server.url}/bad`] })).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toContain(`could not get ${NAME} from any mirror`);
      expect(message).toContain('HTTP 404');
      expect(message).toContain(`has sha256 ${sha256(corrupt)}, expected ${sha256(good)}`);
      expect(await listFiles(root)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('rejects a truncated gzip, bad IDX magic and wrong counts, naming the file and caching nothing', async () => {
    const badMagic = makeSplit(6).imagesIdx.slice();
    badMagic[3] = 0;
    const { gzipSync } = await import('node:zlib');
    const cases: [Uint8Array, RegExp][] = [
      [good.subarray(0, good.length - 100), new RegExp(`${NAME} is truncated or corrupt`)],
      [new Uint8Array(gzipSync(badMagic)), new RegExp(`${NAME} has bad IDX magic`)],
      [makeSplit(5).imagesGz, new RegExp(`${NAME} has shape \\[5,28,28\\], expected \\[6,28,28\\]`)],
    ];
    for (const [body, pattern] of cases) {
      const server = await serve({ [`/m/${NAME}`]: { body } });
      try {
        // The publisher's checksum matches these bytes: the damage must be caught by decoding.
        const req = request(root, { file: { name: NAME, md5: md5(body) }, mirrors: [`${server.url}/m`] });
        await expect(store.load(req)).rejects.toThrow(pattern);
        expect(await listFiles(root)).toEqual([]);
      } finally {
        await server.close();
      }
    }
  });

  it('rejects a connection that closes early', async () => {
    const server = await serve({ [`/m/${NAME}`]: { body: good.subarray(0, 1000), claimLength: good.length } });
    try {
      // No retries: the default backoff would make this test wait seconds (retries are tested in download-network.test.ts).
      const once = new FileStore({ retries: 0 });
      await expect(once.load(request(root, { mirrors: [`${server.url}/m`] }))).rejects.toThrow(new RegExp(NAME));
      expect(await listFiles(root)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('reports progress as bytes arrive', async () => {
    const server = await serve({ [`/m/${NAME}`]: { body: good } });
    try {
      const events: DownloadProgress[] = [];
      await store.load(request(root, { mirrors: [`${server.url}/m`], onProgress: (p) => events.push(p) }));
      expect(events.length).toBeGreaterThanOrEqual(2);
      expect(events.every((e) => e.file === NAME && e.total === good.length && e.source === `${server.url}/m/${NAME}`)).toBe(true);
      const loaded = events.map((e) => e.loaded);
      expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
      expect(loaded[loaded.length - 1]).toBe(good.length);
    } finally {
      await server.close();
    }
  });

  it('is safe under concurrent downloads of the same file', async () => {
    const server = await serve({ [`/m/${NAME}`]: { body: good, delay: 20 } });
    try {
      const loads = Array.from({ length: 4 }, () => store.load(request(root, { mirrors: [`${server.url}/m`] })));
      const results = await Promise.all(loads);
      for (const r of results) expect([...r]).toEqual([...split.images]);
      expect(await readFile(cached())).toEqual(Buffer.from(good));
      expect(await listFiles(root)).toEqual([join('MNIST', 'raw', NAME)]);
    } finally {
      await server.close();
    }
  });

  it('recovers from an interrupted earlier run: stale temp files and a corrupt cached file', async () => {
    await mkdir(join(root, 'MNIST', 'raw'), { recursive: true });
    // A pid no process can have (past Linux's largest pid_max, 2^22): pid 999 was sometimes alive on CI.
    const stale = `${cached()}.4194305.deadbeef.tmp`;
    await writeFile(stale, good.subarray(0, 10));
    const old = new Date(Date.now() - 2 * 3600 * 1000);
    await utimes(stale, old, old);
    await writeFile(cached(), good.subarray(0, 500));
    // Without download the corrupt file is reported, with its path, and left for the user.
    await expect(store.load(request(root, { download: false }))).rejects.toThrow(/sha256 .* expected .*; delete .* or pass download: true/);
    const server = await serve({ [`/m/${NAME}`]: { body: good } });
    try {
      await store.load(request(root, { mirrors: [`${server.url}/m`] }));
      expect(await readFile(cached())).toEqual(Buffer.from(good));
      expect(await listFiles(root)).toEqual([join('MNIST', 'raw', NAME)]);
    } finally {
      await server.close();
    }
  });

  it('says how to get a missing file when download is off', async () => {
    await expect(store.load(request(root, { download: false }))).rejects.toThrow(
      new RegExp(`${NAME} not found at .*; pass download: true \\(set ${DATA_MIRROR_ENV}`),
    );
  });

  it('copies from local folder mirrors (paths and file: URLs)', async () => {
    const mirror = join(root, 'mirror');
    await mkdir(mirror);
    await writeFile(join(mirror, NAME), good);
    const cache = join(root, 'cache');
    await store.load(request(cache, { mirrors: [join(root, 'nothing-here'), mirror] }));
    expect(await readFile(join(cache, 'MNIST', 'raw', NAME))).toEqual(Buffer.from(good));
    const cache2 = join(root, 'cache2');
    await store.load(request(cache2, { mirrors: ['https://example.invalid/'], mirrorOverride: [pathToFileURL(mirror).href] }));
    expect(existsSync(join(cache2, 'MNIST', 'raw', NAME))).toBe(true);
  });

  it('takes the cache folder and mirrors from the environment', async () => {
    expect(defaultDataDir({ [DATA_DIR_ENV]: '/data/k' })).toBe('/data/k');
    expect(defaultDataDir({ XDG_CACHE_HOME: '/xdg', HOME: '/h' })).toBe('/xdg/kindling');
    expect(defaultDataDir({})).toMatch(/\.cache[/\\]kindling$/);
    expect(mirrorsFromEnv({ [DATA_MIRROR_ENV]: ' /a , http://b/ ,' })).toEqual(['/a', 'http://b/']);
    expect(mirrorsFromEnv({})).toBeUndefined();

    const mirror = join(root, 'env-mirror');
    await mkdir(mirror);
    await writeFile(join(mirror, NAME), good);
    const saved = { dir: process.env[DATA_DIR_ENV], mirror: process.env[DATA_MIRROR_ENV] };
    process.env[DATA_DIR_ENV] = join(root, 'env-cache');
    process.env[DATA_MIRROR_ENV] = mirror;
    try {
      await store.load(request(root, { root: undefined, mirrors: ['https://example.invalid/'] }));
      expect(existsSync(join(root, 'env-cache', 'MNIST', 'raw', NAME))).toBe(true);
    } finally {
      for (const [key, value] of [
        [DATA_DIR_ENV, saved.dir],
        [DATA_MIRROR_ENV, saved.mirror],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe('UrlStore (browser)', () => {
  it('fetches from root, then mirrors, verifying checksums', async () => {
    const corrupt = good.slice();
    corrupt[9] ^= 1;
    const server = await serve({ [`/root/${NAME}`]: { body: corrupt }, [`/m/${NAME}`]: { body: good } });
    try {
      const store = new UrlStore();
      const data = await store.load(request(`${server.url}/root/`, { mirrors: [`${server.url}/m`] }));
      expect([...data]).toEqual([...split.images]);
      await expect(store.load(request(`${server.url}/root`, { download: false }))).rejects.toThrow(/has sha256/);
    } finally {
      await server.close();
    }
  });
});
