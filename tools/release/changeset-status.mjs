#!/usr/bin/env node
// `changeset status` for CI (root `test` script). It fails on a changeset that does not parse (front
// matter), names an unknown package, or mixes ignored and published packages, and on packages changed
// since `main` without a changeset. `changeset status` needs a local `main` to diff against; in a
// clone without one (a CI checkout of another branch or of a detached commit), the release plan of
// every changeset is still computed, which is what checks the changesets themselves.
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { baseBranch = 'main' } = JSON.parse(readFileSync(join(root, '.changeset', 'config.json'), 'utf8'));
const hasBase =
  spawnSync('git', ['rev-parse', '--verify', '--quiet', `${baseBranch}^{commit}`], { cwd: root, stdio: 'ignore' }).status === 0;

if (hasBase) {
  const bin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'changeset.cmd' : 'changeset');
  const result = spawnSync(bin, ['status'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  process.exit(result.status ?? 1);
}

// @changesets/get-release-plan is a dependency of @changesets/cli (pnpm does not hoist it).
const require = createRequire(realpathSync(join(root, 'node_modules', '@changesets', 'cli', 'package.json')));
const getReleasePlan = require('@changesets/get-release-plan');
try {
  const plan = await (getReleasePlan.default ?? getReleasePlan)(root);
  const releases = plan.releases.filter((r) => r.type !== 'none');
  console.log(`changeset status: no local "${baseBranch}" branch, so only the changesets are checked.`);
  console.log(
    `${plan.changesets.length} changesets; ${releases.map((r) => `${r.name} ${r.newVersion} (${r.type})`).join(', ') || 'nothing to release'}`,
  );
} catch (error) {
  console.error(`changeset status: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
