import { cpuBackend, cpuReady } from '@kindling/backend-cpu';
import { type RandomKey, philoxFill } from '@kindling/tensor/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { dataOf } from '../src/kernels/storage.js';
import { wasmRandom } from '../src/kernels/wasm-random.js';
import { activeKernels } from '../src/wasm-path.js';

// The Philox stream on the WebAssembly kernels gives exactly the words of the
// TypeScript reference (the recipe every backend follows), wherever the
// counter starts and however the draws split across threads.

beforeAll(async () => {
  await cpuReady();
});

const KEYS: [string, RandomKey, number][] = [
  ['offset 0', { seed: [1, 2], offset: 0 }, 37],
  ['a seed with the high bits set', { seed: [0xfedcba98, 0x89abcdef], offset: 12345 }, 1000],
  ['a counter crossing 2^31 (the sign bit of the low word)', { seed: [7, 0], offset: 2 ** 31 - 3 }, 11],
  ['a counter crossing 2^32', { seed: [7, 0], offset: 2 ** 32 - 6 }, 19],
  ['a counter past 2^40', { seed: [3, 9], offset: 2 ** 40 + 3 }, 10],
  ['enough draws for threads', { seed: [5, 6], offset: 99 }, 300_001],
];

describe('wasm Philox', () => {
  for (const [name, key, size] of KEYS) {
    it(`${name}: float32 uniforms and int32 bits equal philoxFill`, () => {
      const k = activeKernels();
      expect(k).not.toBeNull();
      for (const [kind, dtype, ArrayType] of [
        ['uniform', 'float32', Float32Array],
        ['bits', 'int32', Int32Array],
      ] as const) {
        const got = wasmRandom(k!, kind, dtype, size, key);
        expect(got).not.toBeNull();
        const want = new ArrayType(size);
        philoxFill(kind, key, want);
        expect(dataOf(got!)).toEqual(want);
      }
    });
  }

  it('leaves normals and other dtypes to the TypeScript reference (same stream through the backend)', () => {
    const k = activeKernels()!;
    const key: RandomKey = { seed: [1, 1], offset: 5 };
    expect(wasmRandom(k, 'normal', 'float32', 8, key)).toBeNull();
    expect(wasmRandom(k, 'uniform', 'float64', 8, key)).toBeNull();
    const want = new Float32Array(8);
    philoxFill('normal', key, want);
    expect(dataOf(cpuBackend.random('normal', 'float32', 8, key))).toEqual(want);
  });
});
