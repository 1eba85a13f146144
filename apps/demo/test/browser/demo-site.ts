import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';

/** apps/demo */
export const DEMO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface DemoSite {
  url: string;
  close(): Promise<void>;
}

/**
 * Builds the static site into a temporary folder (so the test checks what
 * ships, not the dev server) and serves it with `vite preview` on a free port.
 * `dataRoot` overrides where the build looks for datasets (KINDLING_DEMO_DATA).
 */
export async function serveBuiltSite(options: { dataRoot?: string } = {}): Promise<DemoSite> {
  const outDir = mkdtempSync(join(tmpdir(), 'kindling-demo-'));
  const saved = process.env.KINDLING_DEMO_DATA;
  if (options.dataRoot !== undefined) process.env.KINDLING_DEMO_DATA = options.dataRoot;
  try {
    await build({ root: DEMO_ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    if (saved === undefined) delete process.env.KINDLING_DEMO_DATA;
    else process.env.KINDLING_DEMO_DATA = saved;
  }
  const server = await preview({
    root: DEMO_ROOT,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  const address = server.httpServer.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
