import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { webgpuInstallCommand } from '../src/backend.js';

/*
 * Where `webgpu` must be installed for @kindling/backend-webgpu (a dependency
 * of the trainer, with webgpu as its optional peer) to import it.
 */
describe('webgpuInstallCommand', () => {
  const root = join('/', 'home', 'ada');
  const hasPackageJson = (dirs: string[]) => (path: string) => dirs.some((d) => path === join(d, 'package.json'));

  it('npm i -g for a global install (global packages resolve through the shared lib/node_modules)', () => {
    const trainer = join('/', 'usr', 'local', 'lib', 'node_modules', '@kindling', 'trainer');
    expect(webgpuInstallCommand(trainer, hasPackageJson([]))).toBe('npm i -g webgpu');
  });

  it('npm i in the project that depends on the trainer', () => {
    const project = join(root, 'project');
    const trainer = join(project, 'node_modules', '@kindling', 'trainer');
    expect(webgpuInstallCommand(trainer, hasPackageJson([project]))).toBe(`npm i webgpu (in ${project})`);
  });

  it('one more -p under npx', () => {
    const trainer = join(root, '.npm', '_npx', '1a2b3c', 'node_modules', '@kindling', 'trainer');
    expect(webgpuInstallCommand(trainer, hasPackageJson([]))).toBe('npx -p @kindling/trainer -p webgpu kindling-train ...');
  });

  it('pnpm add in a pnpm project (the optional peer resolves from the project)', () => {
    const project = join(root, 'project');
    const trainer = join(project, 'node_modules', '.pnpm', '@kindling+trainer@0.1.0', 'node_modules', '@kindling', 'trainer');
    expect(webgpuInstallCommand(trainer, hasPackageJson([project]))).toBe(`pnpm add webgpu (in ${project})`);
  });
});
