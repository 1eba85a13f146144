import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';
import { datasetFilesPlugin } from './config/dataset-files-plugin.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Where the IDX `.gz` files live: `<repo>/../shared/data` unless KINDLING_DEMO_DATA says otherwise. */
const dataRoot = process.env.KINDLING_DEMO_DATA ?? resolve(here, '../../../shared/data');

// `kindling-source` resolves the workspace packages to their TypeScript
// sources, so the demo runs and builds without building the packages first.
const conditions = ['kindling-source', ...defaultClientConditions];

/**
 * Cross-origin isolation: with these two headers the browser allows shared
 * WebAssembly memory, so the CPU backend runs its worker threads here too.
 * `public/_headers` asks static hosts for the same (see README, Hosting).
 */
const crossOriginIsolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  // Relative asset URLs: the static site works from any sub-path (GitHub Pages, a file server).
  base: './',
  resolve: { conditions },
  plugins: [datasetFilesPlugin(dataRoot)],
  worker: { format: 'es' },
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
  optimizeDeps: {
    // The worker imports these through @kindling/data; listing them avoids a mid-session re-optimisation reload.
    entries: ['index.html', 'src/worker/training-worker.ts'],
    include: ['uplot'],
  },
});
