// Bundles browser entries of the consumer project with Vite, as an app would, and prints per entry
// the minified and gzipped bytes of its JavaScript (all of it, and without the WebAssembly binaries the
// CPU backend embeds as base64 strings, measured apart) and the modules that kept code in it (JSON).
//   node tools/consumer/bundle.mjs <vite package dir> <project dir> <entry.ts>...
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const [viteDir, project, ...entries] = process.argv.slice(2);
const { build } = await import(pathToFileURL(join(viteDir, 'dist/node/index.js')).href);

const gzip = (text) => gzipSync(text, { level: 9 }).length;
const report = {};
for (const entry of entries) {
  const result = await build({
    root: project,
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      target: 'es2022',
      modulePreload: false,
      rollupOptions: { input: join(project, entry) },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
  const chunks = outputs.filter((o) => o.type === 'chunk');
  const code = chunks.map((c) => c.code).join('\n');
  const modules = chunks.flatMap((c) =>
    Object.entries(c.modules ?? {})
      .filter(([, m]) => (m.renderedLength ?? 1) > 0)
      .map(([id]) => id),
  );
  const assets = outputs.filter((o) => o.type === 'asset').map((a) => a.fileName);
  const base64 = /(["'`])[A-Za-z0-9+/]{4096,}={0,2}\1/g;
  const embedded = (code.match(base64) ?? []).join('');
  const rest = code.replace(base64, '""');
  report[entry] = {
    bytes: Buffer.byteLength(code),
    gzip: gzip(code),
    codeGzip: gzip(rest),
    embeddedWasmGzip: embedded ? gzip(embedded) : 0,
    chunks: chunks.length,
    modules,
    assets,
  };
}
process.stdout.write(`${JSON.stringify(report)}\n`);
