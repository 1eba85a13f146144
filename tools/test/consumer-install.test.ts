import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PackedPackage, manifestProblems, packPackages, publishedPackageDirs } from '../consumer/pack.js';
import { firstTsExample, writeProject } from '../consumer/project.js';

/*
 * The packages as a user gets them: every published package packed by pnpm
 * (what `pnpm publish` uploads), the tarballs installed with plain npm into a
 * project in the system's temp folder, which has no access to the monorepo
 * (third-party dependencies come from the npm registry). That project then
 * (1) type-checks strictly against the installed declarations, (2) trains the
 * seeds' MLP on real MNIST, (3) bundles browser entries with Vite within size
 * budgets, and (4) runs the exported conformance suite against a backend of its
 * own. Only tools come from the repo, by absolute path: TypeScript's `tsc`
 * and the demo's Vite. It reads dist/ as built (`pnpm build`, CI's `turbo run build`).
 */

const repo = fileURLToPath(new URL('../../', import.meta.url));
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
const viteDir = realpathSync(join(repo, 'apps/demo/node_modules/vite'));
const mnistMirror = join(repo, '../shared/data/mnist');
/**
 * Gzipped budgets of the browser bundles. `fetched`: what Chromium downloads to run the entry (JavaScript,
 * with the WebAssembly kernels of the one instruction set it runs); `emitted`: every chunk the bundle holds,
 * including those fetched only on demand (the other instruction set's kernels, the thread pool for
 * cross-origin-isolated pages, the convolution kernels for programs with convolutions).
 * Measured on 2026-12-06: named imports fetched 41.6 KB of 56.8 KB emitted (each instruction set's kernels
 * are 9.8 KB); with a CNN 51.0 KB fetched; the README's example 77.8 KB emitted. Before the kernels were
 * compressed and split, and nn stopped loading autograd, a page fetched 100 KB.
 */
const BUDGETS = {
  named: { fetched: 45 * 1024, emitted: 60 * 1024 },
  readme: { emitted: 82 * 1024 },
};
const playwrightDir = realpathSync(join(repo, 'apps/demo/node_modules/playwright-core'));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The child's environment without the npm/pnpm settings of the process running this test. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  return { ...env, ...extra };
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): string {
  try {
    return execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? e.message}`);
  }
}

/** Runs `fn`, logs how long it took under `step`, returns its result. */
function timed<T>(step: string, fn: () => T): T {
  const start = performance.now();
  const result = fn();
  console.log(`consumer: ${step} took ${((performance.now() - start) / 1000).toFixed(1)} s`);
  return result;
}

let root: string;
let project: string;
let packed: PackedPackage[];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kindling-consumer-'));
  const tarballs = join(root, 'tarballs');
  project = join(root, 'project');
  mkdirSync(tarballs);
  mkdirSync(project);
  const dirs = publishedPackageDirs(repo);
  packed = timed('pnpm pack of every published package', () => packPackages(repo, dirs, tarballs));
  expect(packed.map((p) => p.dir).sort()).toEqual([...dirs].sort());
  const suite = packed.some((p) => p.name === '@kindling/conformance') ? '@kindling/conformance' : '@kindling/tensor/testing';
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'kindling-consumer', private: true, type: 'module' }, null, 2));
  writeProject(project, {
    conformance: suite,
    backendSources: join(repo, 'packages/backend-template/src'),
    readmeExample: firstTsExample(readFileSync(join(repo, 'README.md'), 'utf8')),
  });
  timed('npm install of the tarballs', () =>
    run('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', ...packed.map((p) => p.tarball), '@types/node@20'], project),
  );
}, 300_000);

afterAll(() => {
  // CONSUMER_KEEP=1 keeps the project (its path is printed) to reproduce a failure by hand.
  if (root && process.env.CONSUMER_KEEP) console.log(`consumer: kept ${project}`);
  else if (root) rmSync(root, { recursive: true, force: true });
});

describe('consumer outside the workspace: packed tarballs installed with npm', () => {
  it('packs every published package with workspace ranges rewritten to versions and no kindling-source condition', () => {
    const names = packed.map((p) => p.name);
    for (const name of ['kindling', '@kindling/tensor', '@kindling/backend-cpu', '@kindling/nn', '@kindling/trainer'])
      expect(names).toContain(name);
    expect(packed.flatMap((p) => manifestProblems(p.manifest))).toEqual([]);
    // Installed from the tarballs, not from the registry: the versions in node_modules are the packed ones.
    for (const p of packed) {
      const installed = JSON.parse(readFileSync(join(project, 'node_modules', p.name, 'package.json'), 'utf8')) as { version: string };
      expect(installed.version, p.name).toBe(p.manifest.version);
    }
    // Nothing links back into the repo.
    expect(realpathSync(join(project, 'node_modules/@kindling/tensor')).startsWith(project)).toBe(true);
  });

  it('(1) type-checks a strict program (skipLibCheck false, no DOM) with moduleResolution node16 and bundler', () => {
    timed('tsc node16 (emits out/)', () => run(process.execPath, [tsc, '-p', 'tsconfig.node16.json'], project));
    timed('tsc bundler', () => run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json'], project));
    timed('tsc of the copied template backend (node16, emits out/)', () =>
      run(process.execPath, [tsc, '-p', 'tsconfig.template.json'], project),
    );
    timed("tsc of the README's example (bundler)", () => run(process.execPath, [tsc, '-p', 'tsconfig.readme.json'], project));
    expect(existsSync(join(project, 'out/train.js'))).toBe(true);
  });

  it('(2) trains the seeds’ MLP one epoch on 2000 real MNIST images, and the loss falls', (ctx) => {
    if (!existsSync(join(mnistMirror, 'train-images-idx3-ubyte.gz'))) {
      ctx.skip(`no local MNIST mirror at ${mnistMirror}`);
      return;
    }
    const env = cleanEnv({ KINDLING_DATA_MIRROR: mnistMirror, KINDLING_DATA_DIR: join(root, 'cache'), CONSUMER_SAMPLES: '2000' });
    const out = timed('training one epoch', () => run(process.execPath, ['out/train.js'], project, env));
    const { images, steps, before, after, losses } = JSON.parse(out.trim().split('\n').pop() ?? '') as {
      images: number;
      steps: number;
      before: number;
      after: number;
      losses: number[];
    };
    console.log(
      `consumer: ${steps} steps; mean loss over the ${images} images ${before.toFixed(4)} before the epoch, ${after.toFixed(4)} after` +
        ` (batches: first ${losses[0]?.toFixed(3)}, last ${losses.at(-1)?.toFixed(3)})`,
    );
    expect(images).toBe(2000);
    expect(steps).toBe(Math.ceil(2000 / 64));
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(after).toBeLessThan(before);
  });

  it('(3) bundles browser entries with Vite within the size budgets, and a page fetches only what it runs', (ctx) => {
    const browser = existsSync(CHROMIUM);
    const out = timed('vite builds (and Chromium loading the pages)', () =>
      run(
        process.execPath,
        [
          join(repo, 'tools/consumer/bundle.mjs'),
          viteDir,
          browser ? playwrightDir : '-',
          browser ? CHROMIUM : '-',
          project,
          '+src/browser-named.ts',
          '+src/browser-cnn.ts',
          'src/browser-readme.ts',
        ],
        project,
      ),
    );
    type Bundle = {
      chunks: Record<string, { gzip: number; modules: string[] }>;
      fetched?: string[];
      fetchedGzip?: number;
      errors?: string[];
    };
    const report = JSON.parse(out) as Record<string, Bundle>;
    const named = report['src/browser-named.ts'] as Bundle;
    const cnn = report['src/browser-cnn.ts'] as Bundle;
    const readme = report['src/browser-readme.ts'] as Bundle;
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    const emitted = (b: Bundle) => Object.values(b.chunks).reduce((sum, c) => sum + c.gzip, 0);
    const modulesOf = (b: Bundle, files: string[]) => files.flatMap((f) => b.chunks[f]?.modules ?? []);
    const describeBundle = (b: Bundle) =>
      `${kb(emitted(b))} gzipped in ${Object.keys(b.chunks).length} chunks` +
      (b.fetched ? `; a page running it fetched ${kb(b.fetchedGzip ?? 0)} (${b.fetched.length} files)` : '');
    console.log(`consumer: named imports of tensor + backend-cpu + nn: ${describeBundle(named)}`);
    console.log(`consumer: the same with a CNN (Conv2d, MaxPool2d): ${describeBundle(cnn)}`);
    console.log(`consumer: README's import * as kd from 'kindling': ${describeBundle(readme)}`);
    expect(emitted(named)).toBeLessThanOrEqual(BUDGETS.named.emitted);
    expect(emitted(readme)).toBeLessThanOrEqual(BUDGETS.readme.emitted);
    // The README example trains with SGD on a TensorDataset and saves safetensors bytes: no pickle reader,
    // no Adam, no datasets, gzip or hashes from the data package may come along. (Destructuring the
    // namespace, `const { nn, optim, data } = kd`, once pulled them all in: 162 KB.)
    const readmeModules = modulesOf(readme, Object.keys(readme.chunks));
    const unused = readmeModules.filter((id) =>
      /[\\/](pth|pickle)[^\\/]*|[\\/]adam\.js$|[\\/]data[\\/]dist[\\/](datasets|io)[\\/]|[\\/](fflate|@noble)[\\/]/.test(id),
    );
    expect(readmeModules.length).toBeGreaterThan(0);
    expect(unused).toEqual([]);
    // Inference needs no gradients: nn does not bring autograd.
    expect(modulesOf(named, Object.keys(named.chunks)).filter((id) => /[\\/]autograd[\\/]/.test(id))).toEqual([]);
    if (!browser) {
      ctx.skip(`no Chromium at ${CHROMIUM}: what a page fetches is not measured`);
      return;
    }
    expect(named.errors).toEqual([]);
    expect(cnn.errors).toEqual([]);
    const fetchedModules = (b: Bundle) => modulesOf(b, b.fetched ?? []);
    const windowKernels = /[\\/]kernels[\\/](wasm-conv|wasm-pool|wasm-unfold|wasm-winograd)\.js$/;
    // One instruction set's kernels, no thread pool (the page is not cross-origin isolated), no convolution kernels.
    expect(fetchedModules(named).filter((id) => /kernels-(simd|relaxed)\.wasm\.js$/.test(id))).toHaveLength(1);
    expect(fetchedModules(named).filter((id) => /thread-pool\.js$|worker-source\.js$/.test(id))).toEqual([]);
    expect(fetchedModules(named).filter((id) => windowKernels.test(id))).toEqual([]);
    expect(named.fetchedGzip).toBeLessThanOrEqual(BUDGETS.named.fetched);
    // A CNN's page does fetch the convolution kernels.
    expect(fetchedModules(cnn).filter((id) => windowKernels.test(id))).toHaveLength(4);
  });

  it('(4) runs the exported conformance suite against a backend the consumer defines (a copy of the template)', () => {
    const out = timed('conformance suite', () => run(process.execPath, ['out/conformance.js'], project));
    const result = JSON.parse(out.trim().split('\n').pop() ?? '') as { passed: number; failed: number; failures: string[] };
    console.log(`consumer: conformance ${result.passed} passed, ${result.failed} failed`);
    expect(result.failures).toEqual([]);
    expect(result.passed).toBeGreaterThan(100);
  });
});
