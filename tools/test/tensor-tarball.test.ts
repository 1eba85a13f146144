import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * @kindling/tensor as a user installs it: packed by pnpm (what `pnpm publish`
 * uploads), unpacked into a directory outside the workspace, and imported by
 * plain Node with no export conditions, so `@kindling/tensor/testing`
 * resolves to the built `dist/` and must find its fixtures in the tarball.
 */

const repo = fileURLToPath(new URL('../../', import.meta.url));
const tensorDir = join(repo, 'packages/tensor');
/** The one place the conformance fixtures may be, relative to the package root. */
const FIXTURES = 'fixtures/tensor-ops.json.gz';

/** Runs pnpm: the one running this test when there is one (`pnpm test`), else pnpm 10 through npx, as the README does. */
function pnpm(args: readonly string[], cwd: string): string {
  const current = process.env.npm_execpath;
  const [command, prefix] = current && basename(current).startsWith('pnpm') ? [process.execPath, [current]] : ['npx', ['-y', 'pnpm@10']];
  return execFileSync(command, [...prefix, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Whether dist/ exists and is newer than every source file (as make decides). */
function distIsCurrent(): boolean {
  const built = join(tensorDir, 'dist/index.js');
  if (!existsSync(built)) return false;
  const sources = readdirSync(join(tensorDir, 'src'), { recursive: true, encoding: 'utf8' });
  const newest = Math.max(...sources.map((f) => statSync(join(tensorDir, 'src', f)).mtimeMs));
  return statSync(built).mtimeMs >= newest;
}

interface Packed {
  /** Entries of the tarball, relative to the package root. */
  files: string[];
  /** Bytes of the .tgz. */
  packedBytes: number;
  /** Where it was unpacked: `<root>/node_modules/@kindling/tensor`. */
  root: string;
}

let packed: Packed;

beforeAll(() => {
  // `pnpm pack` takes dist/ as it is: `pnpm test` has just built it, a bare `vitest run` may not have.
  if (!distIsCurrent()) pnpm(['--filter', '@kindling/tensor', 'build'], repo);
  const root = mkdtempSync(join(tmpdir(), 'kindling-tensor-tarball-'));
  const report = JSON.parse(pnpm(['pack', '--json', '--pack-destination', root], tensorDir)) as {
    filename: string;
    files: { path: string }[];
  };
  const pkg = join(root, 'node_modules/@kindling/tensor');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', report.filename, '-C', pkg, '--strip-components=1']);
  packed = { files: report.files.map((f) => f.path), packedBytes: statSync(report.filename).size, root };
}, 240_000);

afterAll(() => {
  if (packed) rmSync(packed.root, { recursive: true, force: true });
});

describe('the @kindling/tensor tarball', () => {
  it('holds the conformance fixtures exactly once, gzipped, and no JSON copy in src or dist', () => {
    const fixtureLike = packed.files.filter((f) => /fixtures?[^/]*\.json|tensor-ops/.test(f));
    expect(fixtureLike).toEqual([FIXTURES]);
    expect(packed.files).not.toContain('src/testing/fixtures.json');
    expect(packed.files).toContain('dist/testing/index.js');
    const fixtureBytes = statSync(join(packed.root, 'node_modules/@kindling/tensor', FIXTURES)).size;
    console.log(
      `@kindling/tensor tarball: ${packed.packedBytes} bytes packed, ${packed.files.length} files; fixtures ${fixtureBytes} bytes`,
    );
    // The fixtures gzipped are about 0.2 MB; the whole package compresses to well under 1 MB.
    expect(packed.packedBytes).toBeLessThan(1_000_000);
  });

  it('loads its fixtures under plain Node, from outside the workspace', () => {
    const script = join(packed.root, 'check.mjs');
    writeFileSync(
      script,
      [
        "import { tensorOpFixtures } from '@kindling/tensor/testing';",
        "if (!(tensorOpFixtures.cases.length > 0)) throw new Error('no fixture cases');",
        'console.log(JSON.stringify({ cases: tensorOpFixtures.cases.length }));',
      ].join('\n'),
    );
    const out = execFileSync(process.execPath, [script], { cwd: packed.root, encoding: 'utf8' });
    expect((JSON.parse(out) as { cases: number }).cases).toBeGreaterThan(0);
  });
});
