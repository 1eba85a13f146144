/**
 * kindling-train against mirrors that misbehave, as a user sees it: the
 * built binary must end non-zero with every mirror's reason, no stack trace
 * and no hang (the timeouts come from the environment, kept small here).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli } from './helpers.js';

let dir: string;
beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kindling-net-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kindling-train: mirrors that stall or loop', () => {
  it('gives up on a silent mirror and a redirect loop, one line each, without hanging', async () => {
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/loop/')) {
        res.writeHead(302, { location: req.url });
        res.end();
      }
      // Any other path: accept and never answer.
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const dataDir = join(dir, 'cache');
      const started = Date.now();
      const r = await runCli(['train', '--data-dir', dataDir, '--epochs', '1', '--out', join(dir, 'run')], {
        env: {
          KINDLING_DATA_MIRROR: `${url}/silent/,${url}/loop/`,
          KINDLING_DOWNLOAD_IDLE_TIMEOUT: '0.2',
          KINDLING_DOWNLOAD_RETRIES: '1',
        },
        timeout: 20_000,
      });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(r.code).not.toBe(0);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).toContain('could not get train-images-idx3-ubyte.gz from any mirror:');
      expect(r.stderr).toMatch(
        new RegExp(
          `${url}/silent/: .*no bytes for 200 ms waiting for the response after connecting \\(idle timeout.*\\(gave up after 2 attempts\\)`,
        ),
      );
      expect(r.stderr).toMatch(new RegExp(`${url}/loop/: .*redirect loop: 1 redirects from ${url}/loop/train-images-idx3-ubyte.gz`));
      expect(await readdir(join(dataDir, 'MNIST', 'raw')).catch(() => [])).toEqual([]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }, 30_000);
});
