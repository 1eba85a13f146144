import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The published declarations as a user's compiler sees them: a project outside
 * the workspace whose node_modules link to the built packages (dist/, through
 * each package's `exports` `types` condition), type-checked with the strictest
 * options users turn on and `skipLibCheck: false`, so every .d.ts a consumer
 * reaches is checked, and with no DOM lib: a declaration naming `WebAssembly`,
 * `GPUDevice`, `AbortSignal`, `Blob`... fails here. It reads dist/ as built and
 * builds nothing: `pnpm build` (CI's `turbo run build`) makes it.
 */

const repo = fileURLToPath(new URL('../../', import.meta.url));

interface Entry {
  /** The import specifier, e.g. `@kindling/data/node`. */
  specifier: string;
  /** Every .d.ts its `types` conditions name (nested ones too, e.g. under `node`). */
  types: string[];
  /** Whether the entry is for Node only (`./node`): left out of the no-Node consumer. */
  nodeOnly: boolean;
}

interface Published {
  name: string;
  dir: string;
  entries: Entry[];
}

/** The paths under `types` keys of an `exports` target, at any depth of conditions. */
function typesOf(target: unknown): string[] {
  if (typeof target !== 'object' || target === null) return [];
  return Object.entries(target).flatMap(([condition, value]) =>
    condition === 'types' && typeof value === 'string' ? [value] : condition === 'kindling-source' ? [] : typesOf(value),
  );
}

/** The packages users install: every non-private packages/* with its exported entries. */
function publishedPackages(): Published[] {
  const root = join(repo, 'packages');
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'package.json')))
    .map((d) => {
      const dir = join(root, d);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name: string;
        private?: boolean;
        exports?: Record<string, unknown>;
      };
      const entries = Object.entries(pkg.exports ?? {})
        .map(([sub, target]) => ({
          specifier: sub === '.' ? pkg.name : `${pkg.name}${sub.slice(1)}`,
          types: typesOf(target).map((t) => join(dir, t)),
          nodeOnly: sub === './node' || sub.endsWith('/node'),
        }))
        .filter((e) => e.types.length > 0);
      return { name: pkg.name, dir, entries, private: pkg.private === true };
    })
    .filter((p) => !p.private);
}

/** Newest modification time under `dir` (0 if absent). */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  return Math.max(0, ...files.map((f) => statSync(join(dir, f)).mtimeMs));
}

/** Packages whose dist/ is older than their src/ (a hint when the check fails). */
function staleDist(packages: readonly Published[]): string[] {
  return packages.filter((p) => newest(join(p.dir, 'src')) > newest(join(p.dir, 'dist'))).map((p) => p.name);
}

/**
 * Code a user writes against the browser-safe entries, on APIs that are not
 * being renamed: a tensor op, a module, a loss, an optimizer step, a
 * DataLoader over a TensorDataset, checkpoint bytes saved and loaded, and the
 * `kindling` umbrella.
 */
const USAGE = `
import '@kindling/backend-cpu';
import { load, save } from '@kindling/checkpoint';
import { DataLoader, TensorDataset } from '@kindling/data';
import { CrossEntropyLoss, Linear, ReLU, Sequential } from '@kindling/nn';
import { SGD } from '@kindling/optim';
import { type Tensor, matmul, tensor, zeros } from '@kindling/tensor';
import * as kd from 'kindling';

export async function trainOnce(): Promise<readonly number[]> {
  const x: Tensor = tensor([[1, 2], [3, 4]]);
  const y = matmul(x, zeros([2, 3])).add(1);
  const model = new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 3));
  const criterion = new CrossEntropyLoss();
  const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const loader = new DataLoader(new TensorDataset(x, tensor([0, 2])), { batchSize: 2, shuffle: true });
  for await (const batch of loader) {
    const images: Tensor | undefined = batch[0];
    const labels: Tensor | undefined = batch[1];
    if (!images || !labels) continue;
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(images), labels);
    loss.backward();
    optimizer.step();
  }
  const bytes: Uint8Array = await save(model.stateDict(), { metadata: { note: 'consumer' } });
  model.loadStateDict(load(bytes).stateDict);
  const umbrella = new kd.nn.Linear(3, 1);
  const more = new kd.optim.Adam(umbrella.parameters(), { lr: 1e-3 });
  more.zeroGrad();
  const out: Tensor = umbrella.forward(kd.randn([4, 3]));
  return [...y.shape, ...out.shape];
}
`;

/** Compiler options of the two consumers (merged with the strict core below). */
const CONSUMERS = {
  /** A Node program: Node's types, Node's module resolution, every entry including the `./node` ones. */
  node: { lib: ['ES2022'], types: ['node'], module: 'NodeNext', moduleResolution: 'NodeNext' },
  /** A bundled program with neither Node's types nor the DOM lib: the browser-safe entries only. */
  plain: { lib: ['ES2022'], types: [], module: 'ESNext', moduleResolution: 'Bundler' },
  /** A browser program using WebGPU: the DOM lib and WebGPU's own types. */
  webgpu: { lib: ['ES2022', 'DOM'], types: ['@webgpu/types'], module: 'ESNext', moduleResolution: 'Bundler' },
} as const;

/**
 * With WebGPU's types in the program, the backend's signatures are WebGPU's
 * own types (they fall back to `object` only without them).
 */
const WEBGPU_USAGE = `
import { initWebGPU, type WebGPUDevice } from '@kindling/backend-webgpu';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const deviceIsGPUDevice: Same<WebGPUDevice, GPUDevice> = true;

export async function open(gpu: GPU, adapter: GPUAdapter): Promise<GPUDevice | undefined> {
  const { backend } = await initWebGPU({ gpu, adapter, powerPreference: 'high-performance', fallbackToCpu: true });
  const buffer: GPUBuffer | undefined = backend?.runtime.errors;
  buffer?.destroy();
  return backend?.runtime.device;
}
`;

const STRICT = {
  target: 'ES2022',
  strict: true,
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  noImplicitOverride: true,
  skipLibCheck: false,
  noEmit: true,
};

let project: string;
let packages: Published[];

/** A symlink at `link` to `target`, making the parent folders. */
function link(target: string, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, 'dir');
}

beforeAll(() => {
  packages = publishedPackages();
  const missing = packages.flatMap((p) =>
    p.entries.flatMap((e) => e.types.filter((t) => !existsSync(t)).map((t) => `${e.specifier} (${t})`)),
  );
  if (missing.length > 0)
    throw new Error(`consumer types: the built declarations are missing, run \`pnpm build\` first: ${missing.join(', ')}`);
  project = mkdtempSync(join(tmpdir(), 'kindling-consumer-types-'));
  for (const p of packages) link(p.dir, join(project, 'node_modules', p.name));
  link(realpathSync(join(repo, 'node_modules/@types/node')), join(project, 'node_modules/@types/node'));
  // WebGPU's types as an app using WebGPU installs them (the backend only has them as a dev dependency).
  link(realpathSync(join(repo, 'packages/backend-webgpu/node_modules/@webgpu/types')), join(project, 'node_modules/@webgpu/types'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

/**
 * Writes `files` and a tsconfig.json of `options` into `<project>/<name>/`
 * (kept there while the test runs: `tsc -p` on it reproduces a failure) and
 * returns every diagnostic of the program, formatted.
 */
function typecheck(name: string, options: Record<string, unknown>, files: Record<string, string>): string[] {
  const dir = join(project, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  const tsconfig = { compilerOptions: { ...STRICT, ...options }, files: Object.keys(files) };
  const configPath = join(dir, 'tsconfig.json');
  writeFileSync(configPath, JSON.stringify(tsconfig, null, 2));
  // Paths in messages relative to the repo: packages/<name>/dist/....
  const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => repo, getNewLine: () => '\n' };
  const format = (d: ts.Diagnostic) => ts.formatDiagnostic(d, host).trim();
  // Read as `tsc -p` reads it: types and node_modules resolve from the project, not from this repo.
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(format(d));
      },
    },
  );
  if (!parsed) throw new Error(`consumer types: could not read ${configPath}`);
  expect(parsed.errors.map(format)).toEqual([]);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  return ts.getPreEmitDiagnostics(program).map(format);
}

/** One `export * as` line per entry, so the program reaches every declaration file the entries export. */
function importAll(entries: readonly Entry[]): string {
  return `${entries.map((e, i) => `export * as entry${i} from '${e.specifier}';`).join('\n')}\n`;
}

function expectClean(diagnostics: readonly string[]): void {
  const stale = staleDist(packages);
  const hint = stale.length > 0 ? `\n(dist/ is older than src/ in ${stale.join(', ')}: run \`pnpm build\`)` : '';
  expect(diagnostics, `${diagnostics.length} diagnostics:\n${diagnostics.join('\n')}${hint}`).toEqual([]);
}

describe('the published declarations, compiled by a consumer with skipLibCheck false and no DOM lib', () => {
  it('compile for a Node consumer (lib ES2022, types node, NodeNext, strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes)', () => {
    const all = packages.flatMap((p) => p.entries);
    expectClean(typecheck('node', CONSUMERS.node, { 'entries.ts': importAll(all), 'usage.ts': USAGE }));
  });

  it('compile for a consumer with neither Node nor DOM types (lib ES2022, types []), through every browser-safe entry', () => {
    const browserSafe = packages.flatMap((p) => p.entries.filter((e) => !e.nodeOnly));
    expectClean(typecheck('plain', CONSUMERS.plain, { 'entries.ts': importAll(browserSafe), 'usage.ts': USAGE }));
  });

  it("compile for a browser consumer using WebGPU (DOM lib, @webgpu/types), where they name WebGPU's own types", () => {
    expectClean(typecheck('webgpu', CONSUMERS.webgpu, { 'usage.ts': WEBGPU_USAGE }));
  });

  it('hold no long string literal types (a generated kernel module typed `as const` once made its .d.ts 150 KB)', () => {
    const long = /'[^'\n]{500,}'|"[^"\n]{500,}"/;
    const offenders = packages.flatMap((p) =>
      readdirSync(join(p.dir, 'dist'), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.d.ts') && long.test(readFileSync(join(p.dir, 'dist', f), 'utf8')))
        .map((f) => `${p.name}: dist/${f}`),
    );
    expect(offenders).toEqual([]);
  });

  it('cover every published package and entry, the Node-only ones in the Node consumer only', () => {
    const names = packages.map((p) => p.name);
    for (const name of ['kindling', '@kindling/tensor', '@kindling/backend-cpu', '@kindling/backend-webgpu', '@kindling/data'])
      expect(names).toContain(name);
    const nodeOnly = packages.flatMap((p) => p.entries.filter((e) => e.nodeOnly).map((e) => e.specifier));
    expect(nodeOnly).toEqual(expect.arrayContaining(['@kindling/data/node', '@kindling/checkpoint/node']));
    expect(names).not.toContain('@kindling/backend-template');
  });
});
