import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * The API reference (`pnpm docs`, and the demo site's `/api/`): TypeDoc in
 * packages mode over every published package, from the TSDoc in their sources.
 * The full build takes about a minute of CPU, so this test checks the
 * configuration covers every published entry point and builds one package —
 * the `kindling` umbrella, which re-exports the others — with warnings as errors.
 */

const repo = fileURLToPath(new URL('../../', import.meta.url));
const typedocBin = join(repo, 'node_modules/typedoc/bin/typedoc');

interface TypedocConfig {
  entryPointStrategy: string;
  entryPoints: string[];
  exclude?: string[];
  treatWarningsAsErrors?: boolean;
}

const config = JSON.parse(readFileSync(join(repo, 'typedoc.json'), 'utf8')) as TypedocConfig;

interface Manifest {
  name: string;
  private?: boolean;
  exports?: Record<string, string | Record<string, unknown>>;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The first `types` path under an export entry (conditions may nest, e.g. `node`). */
function typesPath(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  for (const [condition, value] of Object.entries(entry)) {
    if (condition === 'types' && typeof value === 'string') return value;
    const nested = typesPath(value);
    if (nested !== undefined) return nested;
  }
  return undefined;
}

const packageDirs = readdirSync(join(repo, 'packages'))
  .map((name) => `packages/${name}`)
  .filter((dir) => existsSync(join(repo, dir, 'package.json')));

describe('API reference', () => {
  it('documents every published package, and only those', () => {
    expect(config.entryPointStrategy).toBe('packages');
    expect(config.entryPoints).toEqual(['packages/*']);
    const excluded = new Set(config.exclude ?? []);
    for (const dir of packageDirs) {
      const manifest = readJson<Manifest>(join(repo, dir, 'package.json'));
      expect(excluded.has(dir), `${manifest.name}: documented iff published`).toBe(manifest.private === true);
    }
  });

  it("covers every public subpath export of each package with the source it's built from", () => {
    for (const dir of packageDirs) {
      const manifest = readJson<Manifest>(join(repo, dir, 'package.json'));
      if (manifest.private === true) continue;
      // Each package names its entry points and where its sources are on GitHub (`disableGit`:
      // a fresh clone's remote says nothing about the published repository).
      const own = readJson<{ entryPoints: string[]; sourceLinkTemplate: string }>(join(repo, dir, 'typedoc.json'));
      expect(own.sourceLinkTemplate).toBe(`https://github.com/kindling-js/kindling/blob/main/${dir}/src/{path}#L{line}`);
      const entryPoints = own.entryPoints;
      for (const [subpath, entry] of Object.entries(manifest.exports ?? {})) {
        if (subpath === './package.json' || subpath.endsWith('/internal')) continue;
        const types = typesPath(entry);
        if (types === undefined) continue;
        // ./dist/node/index.d.ts is built from src/node/index.ts
        const source = types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts');
        expect(entryPoints, `${manifest.name} ${subpath}`).toContain(source);
        expect(existsSync(join(repo, dir, source)), `${dir}/${source}`).toBe(true);
      }
      for (const entryPoint of entryPoints) expect(existsSync(join(repo, dir, entryPoint)), `${dir}/${entryPoint}`).toBe(true);
    }
  });

  describe('builds pages for the key symbols (the kindling package)', () => {
    const out = mkdtempSync(join(tmpdir(), 'kindling-api-'));
    afterAll(() => rmSync(out, { recursive: true, force: true }));

    it('with no warnings', { timeout: 240_000 }, () => {
      expect(config.treatWarningsAsErrors).toBe(true);
      const run = spawnSync(
        process.execPath,
        [typedocBin, '--options', 'typedoc.json', '--entryPoints', 'packages/kindling', '--out', out],
        { cwd: repo, encoding: 'utf8' },
      );
      expect(`${run.stdout}${run.stderr}`.trim()).toBe('');
      expect(run.status).toBe(0);

      const pages = [
        'index.html',
        'classes/index.Tensor.html',
        'classes/index.nn.Linear.html',
        'classes/index.optim.SGD.html',
        'classes/index.data.DataLoader.html',
        'functions/index.checkpoint.save.html',
        'functions/index.checkpoint.load.html',
        'functions/node.save.html',
        'functions/node.load.html',
      ];
      for (const page of pages) expect(existsSync(join(out, page)), page).toBe(true);

      // The pages carry the TSDoc, not only the signatures.
      const tensor = readFileSync(join(out, 'classes/index.Tensor.html'), 'utf8');
      expect(tensor).toContain('matmul');
      const linear = readFileSync(join(out, 'classes/index.nn.Linear.html'), 'utf8');
      expect(linear).toMatch(/in_?[Ff]eatures/);
      // Source links point at the file in the repository (the `..` of a re-export is resolved as a browser does).
      const sources = [...linear.matchAll(/href="(https:\/\/github\.com\/[^"#]+)#L\d+"/g)].map((m) => new URL(m[1] ?? '').href);
      expect(sources).toContain('https://github.com/kindling-js/kindling/blob/main/packages/nn/src/layers/linear.ts');
    });
  });
});
