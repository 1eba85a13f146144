import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations (tools/ has no typecheck of its own)
import * as metadata from '../release/package-metadata.mjs';

/*
 * The release configuration: every published package (not `private`) carries its licence and npm
 * metadata, publishes `exports` without the workspace-only `kindling-source` condition, has the
 * prepack guard, and the changesets config and changesets agree with which packages are published.
 */

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  keywords?: string[];
  homepage?: string;
  bugs?: { url: string };
  repository?: { type: string; url: string; directory: string };
  engines?: { node?: string };
  exports?: unknown;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  files?: string[];
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  publishConfig?: { access?: string; exports?: unknown; main?: string; types?: string };
}

type GetReleasePlan = (cwd: string) => Promise<{ releases: { name: string; type: string; oldVersion: string; newVersion: string }[] }>;
type ReleasePlanModule = GetReleasePlan & { default?: GetReleasePlan };

const meta = metadata as {
  REPOSITORY: string;
  publishedPackageDirs(): string[];
  stripSourceCondition(value: unknown): unknown;
  readManifests(): Map<string, Manifest>;
  expectedMetadata(dir: string, manifest: Manifest, manifests: Map<string, Manifest>): Record<string, unknown>;
};

const repo = fileURLToPath(new URL('../../', import.meta.url));
const read = (dir: string): Manifest => JSON.parse(readFileSync(join(repo, dir, 'package.json'), 'utf8'));
const published = meta.publishedPackageDirs();
const manifests = meta.readManifests();
const rootLicense = readFileSync(join(repo, 'LICENSE'), 'utf8');
const exec = promisify(execFile);

/** Every workspace package: folder and manifest. */
function workspacePackages(): { dir: string; manifest: Manifest }[] {
  const out: { dir: string; manifest: Manifest }[] = [];
  for (const group of ['packages', 'apps', 'tools', 'examples']) {
    const dirs = group === 'tools' || group === 'examples' ? [group] : readdirSync(join(repo, group)).map((n) => `${group}/${n}`);
    for (const dir of dirs) if (existsSync(join(repo, dir, 'package.json'))) out.push({ dir, manifest: read(dir) });
  }
  return out;
}

/** The lowest Node version a range such as `>= 20.19.0`, `>=18` or `10.* || >= 12.*` allows, as [major, minor]. */
function lowestNode(range: string): [number, number] {
  const versions = [...range.matchAll(/(\d+)(?:\.(\d+|\*|x))?/g)].map((m) => [Number(m[1]), Number(m[2]) || 0] as [number, number]);
  return versions.sort((a, b) => a[0] - b[0] || a[1] - b[1])[0] ?? [0, 0];
}
const atLeast = (a: [number, number], b: [number, number]) => a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);

/** Every string in an exports map. */
function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(targets);
  return [];
}

it('publishes the packages that users install, and only those', () => {
  const names = published.map((dir) => read(dir).name);
  expect(names).toEqual(expect.arrayContaining(['kindling', '@kindling/tensor', '@kindling/nn', '@kindling/trainer']));
  for (const { manifest } of workspacePackages()) {
    if (!names.includes(manifest.name)) expect(manifest.private, `${manifest.name} is not published`).toBe(true);
  }
  expect(read('apps/trainer').bin).toHaveProperty('kindling-train');
});

describe.each(published)('%s', (dir) => {
  const manifest = read(dir);

  it('has its npm metadata (license, keywords, homepage, bugs, repository with directory, engines, publishConfig)', () => {
    const expected = meta.expectedMetadata(dir, manifest, manifests);
    for (const [key, value] of Object.entries(expected)) expect(manifest[key as keyof Manifest], key).toEqual(value);
    expect(manifest.license).toBe('MIT');
    expect(manifest.repository).toEqual({ type: 'git', url: `git+${meta.REPOSITORY}.git`, directory: dir });
    expect(manifest.homepage).toMatch(/^https:\/\/github\.com\/[\w-]+\/[\w-]+\//);
    expect(manifest.keywords?.length).toBeGreaterThanOrEqual(6);
    expect(existsSync(join(repo, dir, 'README.md'))).toBe(true);
  });

  it('states a Node minimum that its runtime dependencies allow', () => {
    const ours = lowestNode(manifest.engines?.node ?? '');
    expect(ours[0]).toBeGreaterThanOrEqual(20);
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      const local = manifests.get(dep);
      const range = local
        ? local.engines?.node
        : JSON.parse(readFileSync(join(repo, dir, 'node_modules', dep, 'package.json'), 'utf8')).engines?.node;
      if (typeof range !== 'string') continue;
      expect(atLeast(ours, lowestNode(range)), `${manifest.name} engines ${manifest.engines?.node} vs ${dep} ${range}`).toBe(true);
    }
  });

  it('publishes exports without the kindling-source condition, pointing into dist', () => {
    const { exports, publishConfig } = manifest;
    if (exports === undefined) return;
    expect(publishConfig?.exports).toEqual(meta.stripSourceCondition(exports));
    expect(JSON.stringify(publishConfig?.exports)).not.toContain('kindling-source');
    for (const target of targets(publishConfig?.exports)) expect(target, 'published export target').toMatch(/^\.\/dist\//);
    for (const field of [manifest.main, manifest.types, publishConfig?.main, publishConfig?.types, ...Object.values(manifest.bin ?? {})]) {
      if (field !== undefined) expect(field).toMatch(/^\.\/dist\//);
    }
  });

  it('carries the MIT LICENSE, identical to the root one', () => {
    expect(readFileSync(join(repo, dir, 'LICENSE'), 'utf8')).toBe(rootLicense);
  });

  it('has the prepack guard', () => {
    expect(manifest.scripts?.prepack).toBe(`node ${'../'.repeat(dir.split('/').length)}tools/release/prepack.mjs`);
    expect(manifest.scripts?.build).toBeTruthy();
  });
});

it('has an MIT LICENSE at the root for The Kindling authors', () => {
  expect(rootLicense).toMatch(/^MIT License\n\nCopyright \(c\) 2026 The Kindling authors\n/);
});

it('npm pack lists LICENSE, README.md and package.json in every published package', async () => {
  const listings = await Promise.all(
    published.map(async (dir) => {
      const { stdout } = await exec('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(repo, dir) });
      const [report] = JSON.parse(stdout) as { files: { path: string }[] }[];
      return [dir, report?.files.map((f) => f.path) ?? []] as const;
    }),
  );
  for (const [dir, files] of listings) expect(files, dir).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
}, 120_000);

describe('pnpm pack (what pnpm publish uploads)', () => {
  const dest = mkdtempSync(join(tmpdir(), 'kindling-release-config-'));
  afterAll(() => rmSync(dest, { recursive: true, force: true }));

  it('writes publishConfig.exports into the packed package.json, with LICENSE and without workspace: ranges', () => {
    const dir = join(repo, 'packages/kindling');
    const current = process.env.npm_execpath;
    const [command, prefix] = current && basename(current).startsWith('pnpm') ? [process.execPath, [current]] : ['npx', ['-y', 'pnpm@10']];
    // ignore-scripts: dist may be stale in a bare `vitest run`; only the manifest is checked here.
    const out = execFileSync(command, [...prefix, 'pack', '--config.ignore-scripts=true', '--pack-destination', dest], {
      cwd: dir,
      encoding: 'utf8',
    });
    const tarball = join(dest, readdirSync(dest).find((f) => f.endsWith('.tgz')) ?? out.trim().split('\n').pop()!);
    const packed = JSON.parse(execFileSync('tar', ['-xOzf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Manifest;
    expect(JSON.stringify(packed)).not.toContain('kindling-source');
    expect(JSON.stringify(packed)).not.toContain('workspace:');
    expect(packed.exports).toEqual(read('packages/kindling').publishConfig?.exports);
    expect(packed.repository?.directory).toBe('packages/kindling');
    const entries = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n');
    expect(entries).toContain('package/LICENSE');
  }, 120_000);
});

describe('changesets', () => {
  const config = JSON.parse(readFileSync(join(repo, '.changeset/config.json'), 'utf8')) as {
    ignore: string[];
    baseBranch: string;
    privatePackages?: { version: boolean; tag: boolean };
  };
  const all = workspacePackages().map((p) => p.manifest);
  const publishedNames = new Set(published.map((dir) => read(dir).name));

  it('ignores only private packages that exist, never a published one (the trainer is published)', () => {
    for (const name of config.ignore) {
      const pkg = all.find((p) => p.name === name);
      expect(pkg, `${name} in ignore exists`).toBeDefined();
      expect(pkg?.private, `${name} in ignore is private`).toBe(true);
    }
    expect(config.ignore).not.toContain('@kindling/trainer');
    expect(config.baseBranch).toBe('main');
    expect(config.privatePackages).toEqual({ version: false, tag: false });
  });

  it('every changeset has YAML front matter naming published packages only', () => {
    const files = readdirSync(join(repo, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = readFileSync(join(repo, '.changeset', file), 'utf8');
      const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
      expect(match, `${file} starts with --- front matter`).not.toBeNull();
      const lines = match![1]!.split('\n').filter((l) => l.trim() !== '');
      expect(lines.length, `${file} names a package`).toBeGreaterThan(0);
      for (const line of lines) {
        const entry = /^"?(@?[\w./-]+)"?:\s*(major|minor|patch)\s*$/.exec(line);
        expect(entry, `${file}: ${line}`).not.toBeNull();
        expect(publishedNames.has(entry![1]!), `${file}: ${entry![1]} is a published package`).toBe(true);
      }
      expect(text, `${file}: front matter turned into a heading`).not.toMatch(/^## "@?[\w/-]+": (major|minor|patch)/m);
    }
  });

  it('plans a sensible release: changesets parse, no package leaves 0.x, nothing private is versioned', async () => {
    // @changesets/get-release-plan (what `changeset status` and `changeset version` use) is @changesets/cli's dependency.
    const require = createRequire(realpathSync(join(repo, 'node_modules/@changesets/cli/package.json')));
    const module = require('@changesets/get-release-plan') as ReleasePlanModule;
    const plan = await (module.default ?? module)(repo);
    const releases = plan.releases.filter((r) => r.type !== 'none');
    expect(releases.length).toBeGreaterThan(0);
    for (const release of releases) {
      expect(publishedNames.has(release.name), `${release.name} is published`).toBe(true);
      expect(release.oldVersion.startsWith('0.') && !release.newVersion.startsWith('0.'), `${release.name} -> ${release.newVersion}`).toBe(
        false,
      );
    }
  });

  it('keeps Biome off .changeset/', () => {
    const biome = JSON.parse(readFileSync(join(repo, 'biome.json'), 'utf8')) as { files: { includes: string[] } };
    expect(biome.files.includes).toContain('!.changeset');
  });

  it('runs changeset status in the root test script', () => {
    expect(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).scripts.test).toContain('tools/release/changeset-status.mjs');
  });
});

describe('prepack guard', () => {
  const guard = join(repo, 'tools/release/prepack.mjs');
  const work = mkdtempSync(join(tmpdir(), 'kindling-prepack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** A package outside the workspace whose build writes dist/index.js when `builds` is true. */
  function fakePackage(name: string, builds: boolean): string {
    const dir = join(work, name);
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src/index.ts'), 'export {};\n');
    const build = builds
      ? `node -e "require('fs').mkdirSync('dist',{recursive:true});require('fs').writeFileSync('dist/index.js','')"`
      : 'node -e ""';
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: `@fake/${name}`, version: '1.0.0', exports: { '.': './dist/index.js' }, scripts: { build } }),
    );
    return dir;
  }
  const run = (cwd: string) => {
    try {
      execFileSync(process.execPath, [guard], { cwd, encoding: 'utf8', stdio: 'pipe' });
      return { ok: true, stderr: '' };
    } catch (error) {
      return { ok: false, stderr: String((error as { stderr?: string }).stderr) };
    }
  };

  it('builds a package whose dist is missing, then lets the pack go on', () => {
    const dir = fakePackage('builds', true);
    expect(run(dir).ok).toBe(true);
    expect(existsSync(join(dir, 'dist/index.js'))).toBe(true);
  }, 60_000);

  it('rebuilds when src is newer than dist', () => {
    const dir = fakePackage('stale', true);
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist/index.js'), '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'dist/index.js'), old, old);
    expect(run(dir).ok).toBe(true);
    expect(statSync(join(dir, 'dist/index.js')).mtimeMs).toBeGreaterThan(old.getTime());
  }, 60_000);

  it('removes outputs whose source is gone (an old build of a renamed module), keeping the rest', () => {
    const dir = fakePackage('leftovers', true);
    mkdirSync(join(dir, 'dist/wasm'), { recursive: true });
    for (const file of ['index.js', 'index.d.ts', 'wasm/kernels.wasm.js', 'wasm/kernels.wasm.d.ts'])
      writeFileSync(join(dir, 'dist', file), '');
    const result = run(dir);
    expect(result.ok).toBe(true);
    expect(existsSync(join(dir, 'dist/index.js'))).toBe(true);
    expect(existsSync(join(dir, 'dist/index.d.ts'))).toBe(true);
    expect(existsSync(join(dir, 'dist/wasm/kernels.wasm.js'))).toBe(false);
    expect(existsSync(join(dir, 'dist/wasm/kernels.wasm.d.ts'))).toBe(false);
  }, 60_000);

  it('refuses, with a message, when the build leaves no dist', () => {
    const result = run(fakePackage('refuses', false));
    expect(result.ok).toBe(false);
    expect(result.stderr).toMatch(/refusing to pack: dist\/ is missing/);
  }, 60_000);
});
