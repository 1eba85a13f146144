// Bundles browser entries of the consumer project with Vite, as an app would, and prints (JSON) per entry:
// the gzipped bytes of every chunk emitted (dynamically imported ones too: the WebAssembly kernels of each
// instruction set, the thread pool, the convolution kernels), and, when Chromium is at hand, which of those
// files a page that runs the entry fetched, and their gzipped total: what a visitor downloads. Entries
// written `+entry.ts` are loaded that way; they set globalThis.kindlingReady once the CPU backend is ready.
//   node tools/consumer/bundle.mjs <vite package dir> <playwright-core dir | -> <chromium path | -> <project dir> [+]<entry.ts>...
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const [viteDir, playwrightDir, chromiumPath, project, ...args] = process.argv.slice(2);
const entries = args.map((a) => a.replace(/^\+/, ''));
const loaded = args.filter((a) => a.startsWith('+')).map((a) => a.slice(1));
const { build } = await import(pathToFileURL(join(viteDir, 'dist/node/index.js')).href);

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;
const report = {};
const outDirs = [];
for (const entry of entries) {
  const outDir = mkdtempSync(join(tmpdir(), 'kindling-bundle-'));
  outDirs.push(outDir);
  const result = await build({
    root: project,
    configFile: false,
    logLevel: 'silent',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      modulePreload: false,
      rollupOptions: { input: join(project, entry) },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
  const chunks = outputs.filter((o) => o.type === 'chunk');
  const entryChunk = chunks.find((c) => c.isEntry);
  writeFileSync(join(outDir, 'index.html'), `<!doctype html><script type="module" src="./${entryChunk.fileName}"></script>`);
  report[entry] = {
    outDir,
    chunks: Object.fromEntries(chunks.map((c) => [c.fileName, { gzip: gzip(c.code), modules: keptModules(c) }])),
    assets: outputs.filter((o) => o.type === 'asset').map((a) => a.fileName),
  };
}

function keptModules(chunk) {
  return Object.entries(chunk.modules ?? {})
    .filter(([, m]) => (m.renderedLength ?? 1) > 0)
    .map(([id]) => id);
}

if (playwrightDir !== '-' && chromiumPath !== '-') {
  const { chromium } = await import(pathToFileURL(join(playwrightDir, 'index.mjs')).href);
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  try {
    for (const entry of loaded) {
      const r = report[entry];
      const server = await serve(r.outDir);
      const page = await browser.newPage();
      const fetched = new Set();
      const errors = [];
      page.on('request', (req) => fetched.add(new URL(req.url()).pathname.slice(1)));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${server.address().port}/index.html`, { waitUntil: 'networkidle' });
      await page.waitForFunction(() => globalThis.kindlingReady === true || globalThis.kindlingFailed, undefined, { timeout: 30_000 });
      const failed = await page.evaluate(() => globalThis.kindlingFailed);
      if (failed) errors.push(String(failed));
      await page.close();
      server.close();
      r.fetched = [...fetched].filter((f) => f in r.chunks).sort();
      r.fetchedGzip = r.fetched.reduce((sum, f) => sum + r.chunks[f].gzip, 0);
      r.errors = errors;
    }
  } finally {
    await browser.close();
  }
}
for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
for (const r of Object.values(report)) delete r.outDir;
process.stdout.write(`${JSON.stringify(report)}\n`);

/** A static file server over `root` on a free port, as any host would serve the built files. */
function serve(root) {
  const types = { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm' };
  const server = createServer((req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    if (!path.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    if (!statSync(path, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream' });
    createReadStream(path).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
