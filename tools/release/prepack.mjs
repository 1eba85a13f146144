#!/usr/bin/env node
// prepack guard of every published package (`"prepack": "node ../../tools/release/prepack.mjs"`):
// a tarball must never lack `dist` or ship a `dist` older than `src`. Run by `pnpm pack` / `pnpm publish`
// (and npm's) in the package's folder: when `dist` is missing, lacks a file the manifest points at, or
// is older than `src` or a tsconfig, it builds the package (with its workspace dependencies, through
// turbo, when run inside the monorepo) and checks again; if the build fails or `dist` is still not
// right, it exits non-zero with a message, which stops the pack. Outputs whose source was removed are
// deleted first, so an old build's leftovers are never published.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const dir = process.cwd();
const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const name = manifest.name;

/** Newest modification time (ms) of the files under `path` (a file or a folder); 0 when absent. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

/** Every relative file the manifest points at (main, types, bin, exports) that is under dist/. */
function distTargets() {
  const targets = new Set();
  const add = (value) => {
    if (typeof value === 'string') {
      if (/^\.\/dist\//.test(value) && !value.includes('*')) targets.add(value);
    } else if (Array.isArray(value)) value.forEach(add);
    else if (value && typeof value === 'object') Object.values(value).forEach(add);
  };
  add([manifest.main, manifest.types, manifest.bin, manifest.exports, manifest.publishConfig?.exports]);
  return [...targets];
}

/** Why `dist` cannot be packed as it is, or null when it can. */
function problem() {
  const dist = join(dir, 'dist');
  if (!existsSync(dist)) return 'dist/ is missing';
  const missing = distTargets().filter((file) => !existsSync(join(dir, file)));
  if (missing.length > 0) return `dist/ lacks ${missing.join(', ')}`;
  const inputs = Math.max(newest(join(dir, 'src')), newest(join(dir, 'tsconfig.build.json')));
  if (inputs > newest(dist)) return 'dist/ is older than src/';
  return null;
}

function workspaceRoot(from) {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(join(d, 'pnpm-workspace.yaml'))) return d;
    if (dirname(d) === d) return null;
  }
}

function build() {
  const root = workspaceRoot(dir);
  const turbo = root && resolve(root, 'node_modules', '.bin', process.platform === 'win32' ? 'turbo.cmd' : 'turbo');
  const [command, args, cwd] =
    turbo && existsSync(turbo)
      ? [turbo, ['run', 'build', `--filter=${name}`, '--output-logs=errors-only'], root]
      : ['npm', ['run', 'build'], dir];
  console.error(`prepack ${name}: building (${command.split(/[\\/]/).pop()} ${args.join(' ')})`);
  const result = spawnSync(command, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  return result.status === 0;
}

/**
 * Removes `dist` files whose source is gone (tsc never deletes outputs, so a renamed or removed
 * module would otherwise be published from an old build). Returns the removed paths.
 */
function removeStaleOutputs(folder = join(dir, 'dist'), rel = '') {
  if (!existsSync(folder)) return [];
  const removed = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    const relPath = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      removed.push(...removeStaleOutputs(path, relPath));
      continue;
    }
    const stem = relPath.replace(/\.d\.ts$|\.js$/, '');
    if (stem === relPath) continue;
    if (!['.ts', '.tsx', '.mts'].some((ext) => existsSync(join(dir, 'src', stem + ext)))) {
      rmSync(path);
      removed.push(`dist/${relPath}`);
    }
  }
  return removed;
}

const stale = removeStaleOutputs();
if (stale.length > 0) console.error(`prepack ${name}: removed ${stale.length} stale file(s) with no source: ${stale.join(', ')}`);

const before = problem();
if (before !== null) {
  console.error(`prepack ${name}: ${before}.`);
  if (!manifest.scripts?.build) {
    console.error(`prepack ${name}: refusing to pack: there is no build script to make dist/.`);
    process.exit(1);
  }
  const built = build();
  const after = problem();
  if (!built || after !== null) {
    console.error(
      `prepack ${name}: refusing to pack: ${built ? after : 'the build failed'}. Run \`pnpm install\` and \`pnpm build\` at the repository root, then pack again.`,
    );
    process.exit(1);
  }
}
