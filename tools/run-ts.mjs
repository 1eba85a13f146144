// Runs a TypeScript benchmark against the package sources (the `kindling-source`
// export condition), the way the tests do, without a build:
//   node tools/run-ts.mjs <file.ts> [args...]   (benchmarks, test child processes)
import { resolve } from 'node:path';
import { createViteServer } from 'vitest/node';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: node tools/run-ts.mjs <benchmark.ts> [args...]');
  process.exit(2);
}
const server = await createViteServer({
  configFile: false,
  logLevel: 'error',
  server: { middlewareMode: true, hmr: false, ws: false },
  resolve: { conditions: ['kindling-source'] },
  // 'node' as well: these conditions replace Vite's defaults, and `kindling`'s Node entry (disk datasets, save/load) is picked by it.
  ssr: { resolve: { conditions: ['kindling-source', 'node'], externalConditions: ['kindling-source', 'node'] } },
  optimizeDeps: { noDiscovery: true, include: [] },
});
let code = 0;
try {
  const mod = await server.ssrLoadModule(resolve(file));
  if (typeof mod.main === 'function') await mod.main(args);
} catch (error) {
  console.error(error);
  code = 1;
} finally {
  await server.close();
}
process.exit(code);
