import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * @kindling/conformance as a backend author installs it: packed by pnpm (what `pnpm publish`
 * uploads) with @kindling/tensor beside it, unpacked into a directory outside the workspace, and
 * imported by plain Node with no export conditions, so the built `dist/` must find its fixtures in
 * the tarball.
 */

const repo = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGES = [
  { name: '@kindling/tensor', dir: join(repo, 'packages/tensor') },
  { name: '@kindling/conformance', dir: join(repo, 'packages/conformance') },
];

/** Runs pnpm: the one running this test when there is one (`pnpm test`), else pnpm 10 through npx. */
function pnpm(args: readonly string[], cwd: string): string {
  const current = process.env.npm_execpath;
  const [command, prefix] = current && basename(current).startsWith('pnpm') ? [process.execPath, [current]] : ['npx', ['-y', 'pnpm@10']];
  return execFileSync(command, [...prefix, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

let root: string;
let files: string[] = [];

beforeAll(() => {
  const unbuilt = PACKAGES.filter((p) => !existsSync(join(p.dir, 'dist/index.js')));
  if (unbuilt.length > 0) throw new Error(`no dist/ in ${unbuilt.map((p) => p.name).join(', ')}: run pnpm build first`);
  root = mkdtempSync(join(tmpdir(), 'kindling-conformance-tarball-'));
  for (const { name, dir } of PACKAGES) {
    const out = pnpm(['pack', '--config.ignore-scripts=true', '--json', '--pack-destination', root], dir);
    const report = JSON.parse(out.slice(out.indexOf('{'))) as { filename: string; files: { path: string }[] };
    const target = join(root, 'node_modules', name);
    mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', report.filename, '-C', target, '--strip-components=1']);
    if (name === '@kindling/conformance') files = report.files.map((f) => f.path);
  }
}, 240_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the @kindling/conformance tarball', () => {
  it('holds the gzipped fixtures once, beside dist', () => {
    expect(files.filter((f) => /fixture|\.json\.gz/.test(f) && !f.startsWith('dist/')).sort()).toEqual([
      'fixtures/tensor-ops.json.gz',
      'fixtures/window-ops.json.gz',
    ]);
    expect(files).toContain('dist/index.js');
    expect(statSync(join(root, 'node_modules/@kindling/conformance/fixtures/tensor-ops.json.gz')).size).toBeGreaterThan(0);
  });

  it('loads its fixtures under plain Node, from outside the workspace', () => {
    const script = join(root, 'check.mjs');
    writeFileSync(
      script,
      [
        "import { runConformanceSuite, tensorOpFixtures, windowOpFixtures } from '@kindling/conformance';",
        "if (typeof runConformanceSuite !== 'function') throw new Error('no suite');",
        'console.log(JSON.stringify({ cases: tensorOpFixtures.cases.length, window: windowOpFixtures.cases.length }));',
      ].join('\n'),
    );
    const out = JSON.parse(execFileSync(process.execPath, [script], { cwd: root, encoding: 'utf8' })) as { cases: number; window: number };
    expect(out.cases).toBeGreaterThan(0);
    expect(out.window).toBeGreaterThan(0);
  });
});
