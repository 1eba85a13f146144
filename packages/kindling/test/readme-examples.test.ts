import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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

describe('README examples run as written', () => {
  it('the root README example (train, then save a safetensors checkpoint)', async () => {
    const code = firstExample('README.md');
    expect(code).toContain('optimizer.step()');
    await run('root', code);
  });

  it("the kindling package README example (the seeds' autograd lesson)", async () => {
    await run('kindling', firstExample('packages/kindling/README.md'));
  });
});
