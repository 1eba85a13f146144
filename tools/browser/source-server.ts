import { fileURLToPath } from 'node:url';
import { createViteServer } from 'vitest/node';

/** Where Debian's `chromium` package installs the browser (override with CHROMIUM_PATH). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A running page server: its origin and how to stop it. */
export interface SourceServer {
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serves the folder `root` with Vite for a browser test, resolving Kindling's
 * packages to their sources (the `kindling-source` condition), as the Node
 * tests do, so a browser test needs no build.
 */
export async function serveSources(root: string): Promise<SourceServer> {
  const server = await createViteServer({
    root,
    configFile: false,
    logLevel: 'error',
    resolve: { conditions: ['kindling-source', 'browser', 'import', 'module', 'default'] },
    server: { host: '127.0.0.1', port: 0, fs: { allow: [repoRoot] }, hmr: false },
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  await server.listen();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { origin: `http://127.0.0.1:${port}`, close: () => server.close() };
}
