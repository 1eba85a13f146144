import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('README', () => {
  it('the example runs as written and prints what the README shows', async () => {
    const [, code] = /```ts\n([\s\S]*?)```/.exec(readme) ?? [];
    const [, printed] = /prints\n\n```text\n([\s\S]*?)```/.exec(readme) ?? [];
    expect(code).toContain("device = 'template'");
    // Run against this package's sources, as a module of its own (top-level code and all).
    const file = fileURLToPath(new URL('./.example-readme.ts', import.meta.url));
    writeFileSync(file, `${code.replace(/'@kindling\/backend-template'/g, "'../src/index.js'")}\nexport {};\n`);
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
    try {
      await import(/* @vite-ignore */ `${file}?t=${Date.now()}`);
    } finally {
      rmSync(file, { force: true });
    }
    expect(`${lines.join('\n')}\n`).toBe(printed);
  });
});
