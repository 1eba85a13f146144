import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * What npm users download: every published package packed by pnpm (as `pnpm publish` would upload
 * it), its size checked against the budgets and its contents against what a user needs. Runs after
 * `turbo build` (the root `test` script builds first): packing uses the `dist/` already there.
 */

const repo = fileURLToPath(new URL('../../', import.meta.url));
const KB = 1024;
/** @kindling/tensor packed (the conformance suite's PyTorch fixtures live in @kindling/conformance). */
const TENSOR_PACKED_BUDGET = 150 * KB;
/** Any one declaration file: a bigger one is a type written out by accident (a literal, an inlined union). */
const DTS_BUDGET = 20 * KB;

/** What a tarball may hold, beyond files a package lists in EXTRA_FILES. */
const ALLOWED = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/, /^dist\/.+\.(js|d\.ts)$/];
/** Deliberate extras, by package. */
const EXTRA_FILES: Record<string, RegExp[]> = {
  // The PyTorch results the suite checks against, gzipped, shipped once.
  '@kindling/conformance': [/^fixtures\/(tensor|window)-ops\.json\.gz$/],
};

interface Entry {
  path: string;
  bytes: number;
}
interface Packed {
  name: string;
  dir: string;
  packedBytes: number;
  files: Entry[];
}

/** The published (non-private) packages of the workspace, by folder. */
function publishedPackages(): { name: string; dir: string }[] {
  const found: { name: string; dir: string }[] = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(join(repo, group)).sort()) {
      const manifest = join(repo, group, entry, 'package.json');
      if (!existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; private?: boolean };
      if (!pkg.private) found.push({ name: pkg.name, dir: join(repo, group, entry) });
    }
  }
  return found;
}

/** Runs pnpm: the one running this test when there is one (`pnpm test`), else pnpm 10 through npx. */
async function pnpm(args: readonly string[], cwd: string): Promise<string> {
  const current = process.env.npm_execpath;
  const [command, prefix] = current && basename(current).startsWith('pnpm') ? [process.execPath, [current]] : ['npx', ['-y', 'pnpm@10']];
  return (await promisify(execFile)(command, [...prefix, ...args], { cwd, encoding: 'utf8' })).stdout;
}

/** The regular files of a .tgz and their sizes, read from the tar headers (the entries sit under `package/`). */
export function tarEntries(tgz: Uint8Array): Entry[] {
  const tar = gunzipSync(tgz);
  const text = (from: number, length: number) => {
    const bytes = tar.subarray(from, from + length);
    const end = bytes.indexOf(0);
    return Buffer.from(end < 0 ? bytes : bytes.subarray(0, end)).toString('utf8');
  };
  const entries: Entry[] = [];
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const name = text(offset, 100);
    if (!name) break;
    const bytes = Number.parseInt(text(offset + 124, 12).trim() || '0', 8);
    const type = text(offset + 156, 1);
    const prefix = text(offset + 345, 155);
    const path = (prefix ? `${prefix}/${name}` : name).replace(/^package\//, '');
    if (type === '0' || type === '') entries.push({ path, bytes });
    offset += 512 + Math.ceil(bytes / 512) * 512;
  }
  return entries;
}

const kb = (bytes: number) => `${(bytes / KB).toFixed(1)} KB`;

let destination: string;
const packed: Packed[] = [];

beforeAll(async () => {
  const packages = publishedPackages();
  const unbuilt = packages.filter((p) => !existsSync(join(p.dir, 'dist')));
  if (unbuilt.length > 0) throw new Error(`no dist/ in ${unbuilt.map((p) => p.name).join(', ')}: run pnpm build first`);
  destination = mkdtempSync(join(tmpdir(), 'kindling-pack-budgets-'));
  const pack = async ({ name, dir }: { name: string; dir: string }): Promise<Packed> => {
    // ignore-scripts: the prepack guard would rebuild a stale dist; this test checks what `turbo build` left.
    const out = await pnpm(['pack', '--config.ignore-scripts=true', '--json', '--pack-destination', destination], dir);
    const report = JSON.parse(out.slice(out.indexOf('{'))) as { filename: string };
    return { name, dir, packedBytes: statSync(report.filename).size, files: tarEntries(readFileSync(report.filename)) };
  };
  // Three at a time: each pack is mostly pnpm starting up.
  for (let i = 0; i < packages.length; i += 3) packed.push(...(await Promise.all(packages.slice(i, i + 3).map(pack))));
  const rows = packed.map((p) => {
    const unpacked = p.files.reduce((sum, f) => sum + f.bytes, 0);
    const largestDts = Math.max(0, ...p.files.filter((f) => f.path.endsWith('.d.ts')).map((f) => f.bytes));
    return `${p.name.padEnd(24)} ${kb(p.packedBytes).padStart(10)} ${kb(unpacked).padStart(10)} ${String(p.files.length).padStart(6)} ${kb(largestDts).padStart(12)}`;
  });
  console.log(
    [
      `${'package'.padEnd(24)} ${'packed'.padStart(10)} ${'unpacked'.padStart(10)} ${'files'.padStart(6)} ${'largest .d.ts'.padStart(12)}`,
      ...rows,
    ].join('\n'),
  );
}, 300_000);

afterAll(() => {
  if (destination) rmSync(destination, { recursive: true, force: true });
});

describe('published tarballs', () => {
  it('@kindling/tensor stays within its packed budget, without the conformance fixtures', () => {
    const tensor = packed.find((p) => p.name === '@kindling/tensor');
    expect(tensor).toBeDefined();
    expect(tensor?.packedBytes).toBeLessThanOrEqual(TENSOR_PACKED_BUDGET);
    expect(tensor?.files.filter((f) => /fixture|testing/.test(f.path))).toEqual([]);
  });

  it('ship the conformance fixtures once, in @kindling/conformance', () => {
    const holders = packed.flatMap((p) => p.files.filter((f) => f.path.endsWith('.json.gz')).map((f) => `${p.name}:${f.path}`));
    expect(holders.sort()).toEqual([
      '@kindling/conformance:fixtures/tensor-ops.json.gz',
      '@kindling/conformance:fixtures/window-ops.json.gz',
    ]);
  });

  it('hold no dist file whose source is gone (left over from an older build)', () => {
    const orphans = packed.flatMap((p) =>
      p.files
        .filter((f) => /^dist\/.+(\.d\.ts|\.js)$/.test(f.path))
        .filter((f) => !existsSync(join(p.dir, f.path.replace(/^dist\//, 'src/').replace(/(\.d\.ts|\.js)$/, '.ts'))))
        .map((f) => `${p.name}:${f.path}`),
    );
    expect(orphans).toEqual([]);
  });

  it(`have no declaration file over ${DTS_BUDGET / KB} KB`, () => {
    const big = packed.flatMap((p) =>
      p.files.filter((f) => f.path.endsWith('.d.ts') && f.bytes > DTS_BUDGET).map((f) => `${p.name}:${f.path} (${kb(f.bytes)})`),
    );
    expect(big).toEqual([]);
  });

  it('hold only what a user needs: dist (no maps, tests or build info), README, LICENSE, package.json', () => {
    const stray = packed.flatMap((p) => {
      const allowed = [...ALLOWED, ...(EXTRA_FILES[p.name] ?? [])];
      return p.files.filter((f) => !allowed.some((re) => re.test(f.path))).map((f) => `${p.name}:${f.path}`);
    });
    expect(stray).toEqual([]);
    for (const p of packed) {
      expect(p.files.map((f) => f.path)).toContain('package.json');
      expect(p.files.map((f) => f.path)).toContain('LICENSE');
      expect(p.files.some((f) => /(^|\/)(test|__tests__)\/|\.test\.(js|d\.ts)$/.test(f.path))).toBe(false);
    }
  });
});
