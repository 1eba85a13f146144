import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors } from '@kindling/checkpoint';
import { MODEL_SPEC_METADATA_KEY } from '@kindling/nn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sanitizeForTerminal } from '../src/sanitize.js';
import { assertBuilt, runCli } from './helpers.js';

/*
 * Checkpoint names are data (issue 17): strings from a file (class names,
 * dataset, layer names) reach the terminal without control characters or
 * escape sequences, so a checkpoint cannot recolour, retitle or rewrite it.
 */

let dir: string;
beforeAll(async () => {
  assertBuilt();
  dir = await mkdtemp(join(tmpdir(), 'kindling-info-sanitize-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sanitizeForTerminal', () => {
  it('removes CSI, OSC and other escape sequences and control characters, keeping the text', () => {
    expect(sanitizeForTerminal('\x1b[31mred\x1b[0m')).toBe('red');
    expect(sanitizeForTerminal('\x1b]0;pwned\x07title')).toBe('title');
    expect(sanitizeForTerminal('\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\')).toBe('link');
    expect(sanitizeForTerminal('a\x9b2Jb\x9d0;t\x9cc')).toBe('abc');
    expect(sanitizeForTerminal('bell\x07\r\nline\x7f\x1bc')).toBe('bellline');
    expect(sanitizeForTerminal('chat déjà 猫')).toBe('chat déjà 猫');
  });
});

describe('kindling-train info on hostile metadata', () => {
  it('prints class and dataset names without ESC or BEL bytes', async () => {
    const spec = {
      type: 'sequential',
      layers: [{ type: 'Flatten' }, { type: 'Linear', args: [4, 2] }],
      inputShape: [1, 2, 2],
      dataset: 'toy\x1b]0;owned\x07set',
      classes: ['\x1b[2J\x1b[Hcat', 'dog\x1b[31m\x07\x9b1m'],
    };
    const t = (shape: number[]) => ({ dtype: 'float32' as const, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    const file = join(dir, 'hostile.safetensors');
    await writeFile(
      file,
      encodeSafetensors({ '1.weight': t([2, 4]), '1.bias': t([2]) }, { [MODEL_SPEC_METADATA_KEY]: JSON.stringify(spec) }),
    );
    const r = await runCli(['info', file], { timeout: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const controls = [...r.stdout].filter((c) => c !== '\n' && (c < ' ' || (c >= '\x7f' && c <= '\x9f')));
    expect(controls).toEqual([]);
    expect(r.stdout).toContain('toyset (cat, dog)');
  });
});
