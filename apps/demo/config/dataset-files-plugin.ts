import { createReadStream, existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { DATA_PATH, DATASETS, type DataManifest, type DatasetId, IDX_FILES, MANIFEST_FILE } from '../src/data-catalog.js';

/** One dataset found on disk: its id and the absolute path of each file, by file name. */
interface FoundDataset {
  id: DatasetId;
  files: Map<string, string>;
}

/** Datasets whose four IDX files are all present under `root`. */
export function findDatasets(root: string): FoundDataset[] {
  const found: FoundDataset[] = [];
  for (const dataset of DATASETS) {
    for (const folder of dataset.folders) {
      const dir = join(root, folder);
      const names = Object.values(IDX_FILES);
      if (names.every((name) => existsSync(join(dir, name)))) {
        found.push({ id: dataset.id, files: new Map(names.map((name) => [name, join(dir, name)])) });
        break;
      }
    }
  }
  return found;
}

function manifestOf(found: FoundDataset[]): DataManifest {
  const manifest: DataManifest = { datasets: {} };
  for (const d of found) {
    manifest.datasets[d.id] = { files: Object.fromEntries([...d.files].map(([name, path]) => [name, statSync(path).size])) };
  }
  return manifest;
}

/**
 * Serves the IDX `.gz` files of MNIST and Fashion-MNIST from a local folder
 * (dev server) and copies them into the build, so datasets never live in the
 * repository. `vite preview` serves the build as it is. A missing folder is not an error: the manifest is then
 * empty and the Train page says so.
 *
 * The files go out as opaque bytes: a `Content-Encoding: gzip` header would
 * make the browser gunzip them behind the parser's back.
 */
export function datasetFilesPlugin(dataRoot: string): Plugin {
  const root = resolve(dataRoot);
  let outDir = 'dist';
  const scan = () => findDatasets(root);

  const middleware = (base: string) => (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const prefix = `${base}${DATA_PATH}/`;
    const url = (req.url ?? '').split('?')[0];
    if (!url.startsWith(prefix)) return next();
    const rest = url.slice(prefix.length);
    if (rest === MANIFEST_FILE) {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-cache');
      res.end(JSON.stringify(manifestOf(scan())));
      return;
    }
    const [id, name] = rest.split('/');
    const path = scan()
      .find((d) => d.id === id)
      ?.files.get(name ?? '');
    if (!path) return next();
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(statSync(path).size));
    createReadStream(path).pipe(res);
  };

  return {
    name: 'kindling-demo-dataset-files',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(middleware(server.config.base));
    },
    async writeBundle() {
      const found = scan();
      const manifest = manifestOf(found);
      await mkdir(join(outDir, DATA_PATH), { recursive: true });
      for (const d of found) {
        const target = join(outDir, DATA_PATH, d.id);
        await mkdir(target, { recursive: true });
        for (const [name, path] of d.files) await copyFile(path, join(target, name));
      }
      await writeFile(join(outDir, DATA_PATH, MANIFEST_FILE), JSON.stringify(manifest));
      const summary = found.length ? found.map((d) => d.id).join(', ') : `none (no IDX files under ${root})`;
      this.info(`datasets copied into the build: ${summary}`);
    },
  };
}
