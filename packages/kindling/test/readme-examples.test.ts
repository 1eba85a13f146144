import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { describe, expect, it, vi } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The first TypeScript block of a README, importing this package's sources instead of the published name. */
function firstExample(readme: string): string {
  const text = readFileSync(`${repoRoot}${readme}`, 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(text);
  if (!block) throw new Error(`${readme} has no ts example`);
  return block[1].replace(/from 'kindling'/g, "from '../src/index.js'");
}

/** Runs an example as a module (top-level await included) and returns what it logged. */
async function run(name: string, code: string): Promise<void> {
  const file = fileURLToPath(new URL(`./.example-${name}.ts`, import.meta.url));
  writeFileSync(file, `${code}\nexport {};\n`);
  try {
    await import(/* @vite-ignore */ `${file}?t=${Date.now()}`);
  } finally {
    rmSync(file, { force: true });
  }
}

/** The first TypeScript block after `heading` (a line of the README), as written. */
function exampleUnder(readme: string, heading: string): string {
  const text = readFileSync(`${repoRoot}${readme}`, 'utf8');
  const at = `\n${text}`.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`${readme} has no heading ${heading}`);
  const block = /```ts\n([\s\S]*?)```/.exec(text.slice(at));
  if (!block) throw new Error(`${readme} has no ts example under ${heading}`);
  return block[1];
}

/**
 * Runs an example in a scratch working directory (it may write files) and checks that each
 * `console.log(...)` with a trailing `// comment` printed what the comment starts with.
 */
async function runAndCheckLogs(name: string, code: string): Promise<void> {
  const expected = code
    .split('\n')
    .filter((line) => /console\.log\(.*\/\/ /.test(line))
    .map((line) => line.slice(line.lastIndexOf('// ') + 3));
  const logged: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    logged.push(format(...args));
  });
  const cwd = process.cwd();
  const scratch = mkdtempSync(join(tmpdir(), 'kindling-readme-'));
  process.chdir(scratch);
  try {
    await run(name, code);
  } finally {
    process.chdir(cwd);
    spy.mockRestore();
    rmSync(scratch, { recursive: true, force: true });
  }
  expect(logged.length, `${name}: console.log calls`).toBe(expected.length);
  logged.forEach((line, i) => {
    expect(expected[i]?.startsWith(line), `${name}: printed "${line}", the README says "${expected[i]}"`).toBe(true);
  });
}

describe('README examples run as written', () => {
  it('the root README example (train, then save a safetensors checkpoint)', async () => {
    const code = firstExample('README.md');
    expect(code).toContain('optimizer.step()');
    await run('root', code);
  });

  it("the kindling package README example (the seeds' autograd lesson)", async () => {
    await run('kindling', firstExample('packages/kindling/README.md'));
  });

  it("the kindling README's Node example (next(iter(loader)), len, kd.save / kd.load), importing only 'kindling'", async () => {
    await runAndCheckLogs('kindling-node', exampleUnder('packages/kindling/README.md', '## Node'));
  });

  it("the checkpoint README's torch.save / torch.load example", async () => {
    await runAndCheckLogs('checkpoint', exampleUnder('packages/checkpoint/README.md', '# @kindling/checkpoint'));
  });

  it("the data README's iter / next / len example", async () => {
    await runAndCheckLogs('data-iter', exampleUnder('packages/data/README.md', '### `iter`, `next` and `len`'));
  });
});
