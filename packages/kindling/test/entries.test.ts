import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as browser from '../src/index.js';
import * as node from '../src/node.js';

const packages = fileURLToPath(new URL('../../', import.meta.url));

// Runtime imports only: `import type` is erased, and dynamic `import()`s are the guarded Node paths.
const IMPORT = /^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/** Where a workspace specifier (`@kindling/data/node`) points under the `kindling-source` condition. */
function resolveWorkspace(specifier: string): string {
  const [, name, sub] = /^@kindling\/([^/]+)(\/.*)?$/.exec(specifier) as RegExpExecArray;
  const manifest = JSON.parse(readFileSync(join(packages, name as string, 'package.json'), 'utf8'));
  const target = manifest.exports[sub ? `.${sub}` : '.']['kindling-source'];
  return join(packages, name as string, typeof target === 'string' ? target : target.default);
}

/** Every `node:` module and workspace file the static import graph of `entry` reaches. */
function staticGraph(entry: string): { files: Set<string>; nodeModules: Set<string> } {
  const files = new Set<string>();
  const nodeModules = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = specifier as string;
      if (spec.startsWith('node:')) nodeModules.add(spec);
      else if (spec.startsWith('@kindling/')) visit(resolveWorkspace(spec));
      else if (spec.startsWith('.')) {
        const path = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        visit(existsSync(path) ? path : join(path, 'index.ts'));
      }
    }
  };
  visit(entry);
  return { files, nodeModules };
}

describe('the two entries of kindling', () => {
  it('the default entry stays browser-safe: its static imports reach no node: module', () => {
    const { files, nodeModules } = staticGraph(join(packages, 'kindling/src/index.ts'));
    expect(files.size).toBeGreaterThan(50);
    expect([...nodeModules]).toEqual([]);
    expect([...files].some((f) => f.includes('/data/src/node/'))).toBe(false);
  });

  it("the node entry (the `node` export condition) installs @kindling/data/node and checkpoint's file helpers", () => {
    const manifest = JSON.parse(readFileSync(join(packages, 'kindling/package.json'), 'utf8'));
    expect(manifest.exports['.'].node).toEqual({ types: './dist/node.d.ts', default: './dist/node.js' });
    expect(manifest.exports['.']['kindling-source']).toEqual({ node: './src/node.ts', default: './src/index.ts' });
    const { files, nodeModules } = staticGraph(join(packages, 'kindling/src/node.ts'));
    expect([...files]).toContain(join(packages, 'data/src/node/index.ts'));
    expect([...files]).toContain(join(packages, 'checkpoint/src/node/index.ts'));
    expect(nodeModules.has('node:zlib')).toBe(true);
  });

  it('exports everything of the default entry, plus save/load and the Node helpers', () => {
    const only = (a: object, b: object) => Object.keys(a).filter((k) => !(k in b));
    expect(only(browser, node)).toEqual([]);
    expect(only(node, browser).sort()).toEqual(['load', 'save']);
    expect(only(node.data, browser.data).sort()).toEqual(
      [
        'DATA_DIR_ENV',
        'DATA_MIRROR_ENV',
        'FileStore',
        'defaultDataDir',
        'downloadFile',
        'makeFolder',
        'hashFile',
        'isHttpMirror',
        'mirrorLocation',
        'mirrorsFromEnv',
      ].sort(),
    );
    expect(only(node.checkpoint, browser.checkpoint).sort()).toEqual(
      ['loadFile', 'loadTrainingStateFile', 'saveFile', 'saveTrainingStateFile', 'writeFileAtomic'].sort(),
    );
    // Same functions, not copies: the byte-level checkpoint save is the state-dict one in both.
    expect(node.checkpoint.save).toBe(browser.checkpoint.save);
    expect(node.iter).toBe(browser.iter);
  });

  it("re-exports the tutorials' helper as kd.vis, and print through @kindling/tensor", () => {
    for (const entry of [browser, node]) {
      expect(typeof entry.vis.imshow).toBe('function');
      expect(typeof entry.vis.viewClassify).toBe('function');
      expect(typeof entry.print).toBe('function');
    }
  });
});
