#!/usr/bin/env node
// Writes the npm metadata of every published package.json: license, keywords, homepage, bugs,
// repository (with its directory), engines, the prepack guard and publishConfig.exports (the
// `exports` map without the workspace-only `kindling-source` condition, which `pnpm pack` and
// `pnpm publish` put in the packed package.json). Each file is read and written back at once, so
// edits others made to other fields are kept. Run `node tools/release/package-metadata.mjs` after
// changing a package's `exports` or dependencies; tools/test/release-config.test.ts checks the result.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The one place the project's public repository is named. */
export const REPOSITORY = 'https://github.com/kindling-js/kindling';
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const LICENSE_HOLDER = 'The Kindling authors';

/** Oldest Node each runtime dependency supports (its own `engines`); `>=20` otherwise (Node 18 is end-of-life). */
const DEPENDENCY_NODE_MINIMUM = { '@noble/hashes': '20.19.0', commander: '20.0.0' };
const BASE_NODE_MINIMUM = '20.0.0';

const COMMON_KEYWORDS = ['kindling', 'pytorch', 'tensor', 'machine-learning', 'deep-learning', 'neural-network'];
const PACKAGE_KEYWORDS = {
  kindling: ['autograd', 'webgpu', 'webassembly', 'torch'],
  '@kindling/tensor': ['ndarray', 'strided', 'broadcasting', 'dtype'],
  '@kindling/autograd': ['autograd', 'automatic-differentiation', 'backpropagation', 'gradient'],
  '@kindling/backend-cpu': ['cpu', 'webassembly', 'wasm', 'simd', 'backend'],
  '@kindling/backend-webgpu': ['webgpu', 'gpu', 'wgsl', 'backend'],
  '@kindling/nn': ['torch.nn', 'layers', 'loss', 'conv2d'],
  '@kindling/optim': ['optimizer', 'sgd', 'adam', 'lr-scheduler'],
  '@kindling/data': ['dataset', 'dataloader', 'mnist', 'cifar10', 'transforms'],
  '@kindling/checkpoint': ['checkpoint', 'safetensors', 'state-dict', 'serialization'],
  '@kindling/vis': ['visualization', 'terminal', 'png', 'imshow'],
  '@kindling/trainer': ['cli', 'training', 'mnist', 'kindling-train'],
};

/** Directories (relative to the root) of the packages that are published: not `private`. */
export function publishedPackageDirs() {
  const dirs = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(ROOT, group)).sort()) {
      const file = join(ROOT, group, name, 'package.json');
      if (!existsSync(file)) continue;
      if (!JSON.parse(readFileSync(file, 'utf8')).private) dirs.push(`${group}/${name}`);
    }
  }
  return dirs;
}

/** `exports` with every `kindling-source` condition removed (recursively). */
export function stripSourceCondition(value) {
  if (Array.isArray(value)) return value.map(stripSourceCondition);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key !== 'kindling-source') out[key] = stripSourceCondition(inner);
  }
  return out;
}

const compare = (a, b) => {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
};

/** The Node minimum of a package: the highest minimum over its dependency closure (workspace packages included). */
function nodeMinimum(name, manifests, seen = new Set()) {
  if (seen.has(name)) return BASE_NODE_MINIMUM;
  seen.add(name);
  const manifest = manifests.get(name);
  let min = BASE_NODE_MINIMUM;
  for (const dep of Object.keys({ ...manifest.dependencies })) {
    const depMin = manifests.has(dep) ? nodeMinimum(dep, manifests, seen) : (DEPENDENCY_NODE_MINIMUM[dep] ?? BASE_NODE_MINIMUM);
    if (compare(depMin, min) > 0) min = depMin;
  }
  return min;
}

/** The metadata fields a published package gets, from its current manifest. */
export function expectedMetadata(dir, manifest, manifests) {
  const min = nodeMinimum(manifest.name, manifests);
  const publishConfig = { ...manifest.publishConfig, access: 'public' };
  if (manifest.exports) publishConfig.exports = stripSourceCondition(manifest.exports);
  return {
    license: 'MIT',
    keywords: [...COMMON_KEYWORDS, ...(PACKAGE_KEYWORDS[manifest.name] ?? [])],
    homepage: `${REPOSITORY}/tree/main/${dir}#readme`,
    bugs: { url: `${REPOSITORY}/issues` },
    repository: { type: 'git', url: `git+${REPOSITORY}.git`, directory: dir },
    engines: { node: `>=${min.replace(/\.0$/, '').replace(/\.0$/, '')}` },
    publishConfig,
  };
}

export function readManifests() {
  const manifests = new Map();
  for (const dir of publishedPackageDirs()) {
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
    manifests.set(manifest.name, manifest);
  }
  return manifests;
}

const METADATA_KEYS = ['license', 'keywords', 'homepage', 'bugs', 'repository', 'engines'];

function main() {
  const manifests = readManifests();
  for (const dir of publishedPackageDirs()) {
    const file = join(ROOT, dir, 'package.json');
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    const meta = expectedMetadata(dir, manifest, manifests);
    const prepack = `node ${relative(join(ROOT, dir), join(ROOT, 'tools/release/prepack.mjs')).replaceAll('\\', '/')}`;
    // Keep the existing key order; new keys go after `license` (metadata) and at the end (publishConfig).
    const out = {};
    const anchor = 'description' in manifest ? 'description' : 'name';
    for (const [key, value] of Object.entries(manifest)) {
      if (METADATA_KEYS.includes(key)) continue;
      out[key] = value;
      if (key === anchor) for (const k of METADATA_KEYS) out[k] = meta[k];
    }
    out.scripts = { ...out.scripts, prepack };
    out.publishConfig = meta.publishConfig;
    writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`${dir}: node ${meta.engines.node}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
