import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/** One published package, packed as `pnpm publish` would upload it. */
export interface PackedPackage {
  name: string;
  /** The package's folder in the repo. */
  dir: string;
  /** Absolute path of the .tgz. */
  tarball: string;
  /** The package.json inside the tarball (what npm reads on install). */
  manifest: Manifest;
}

export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  exports?: unknown;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Every published (non-private) package of the workspace: packages/* and apps/*. */
export function publishedPackageDirs(repo: string): string[] {
  return ['packages', 'apps'].flatMap((group) => {
    const root = join(repo, group);
    return readdirSync(root)
      .map((d) => join(root, d))
      .filter((dir) => existsSync(join(dir, 'package.json')))
      .filter((dir) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest).private !== true);
  });
}

/** Runs pnpm: the one running this test when there is one (`pnpm test`), else pnpm 10 through npx, as the README does. */
export function pnpm(args: readonly string[], cwd: string): string {
  const current = process.env.npm_execpath;
  const [command, prefix] = current && basename(current).startsWith('pnpm') ? [process.execPath, [current]] : ['npx', ['-y', 'pnpm@10']];
  return execFileSync(command, [...prefix, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Packs the packages in `dirs` into `destination` with one recursive pnpm run
 * (pnpm rewrites `workspace:` ranges to versions and applies `publishConfig`,
 * and runs each package's `prepack` guard), and reads each packed package.json back.
 */
export function packPackages(repo: string, dirs: readonly string[], destination: string): PackedPackage[] {
  const names = dirs.map((dir) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest).name);
  const out = pnpm(['-r', ...names.flatMap((n) => ['--filter', n]), 'pack', '--json', '--pack-destination', destination], repo);
  // The JSON report comes last, after what the prepack scripts print.
  const json = out.slice(out.lastIndexOf('\n[') + 1);
  const reports = JSON.parse(json.startsWith('[') ? json : out.slice(out.indexOf('['))) as { name: string; filename: string }[];
  return reports.map((report) => {
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', report.filename, 'package/package.json'], { encoding: 'utf8' })) as Manifest;
    const dir = dirs[names.indexOf(report.name)] ?? '';
    return { name: manifest.name, dir, tarball: report.filename, manifest };
  });
}

/** What in a packed manifest would break an install outside the workspace (empty when none). */
export function manifestProblems(manifest: Manifest): string[] {
  const problems: string[] = [];
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (range.startsWith('workspace:')) problems.push(`${manifest.name}: ${field}.${dep} is still "${range}"`);
    }
  }
  if (JSON.stringify(manifest.exports ?? {}).includes('kindling-source'))
    problems.push(`${manifest.name}: exports still name the kindling-source condition`);
  return problems;
}
