import '@kindling/backend-cpu';
import { tensor } from '@kindling/tensor';
import { beforeAll, describe, expect, test } from 'vitest';
import { setupWebGPU } from './setup-gpu.js';

beforeAll(async () => {
  await setupWebGPU();
});

describe('moving tensors between cpu and webgpu', () => {
  test("to('webgpu') uploads, and back needs toAsync", async () => {
    const cpu = tensor(
      [
        [1.5, 2],
        [3, 4],
      ],
      { device: 'cpu' },
    );
    const gpu = cpu.to('webgpu');
    expect(gpu.device).toBe('webgpu');
    expect(() => gpu.to('cpu')).toThrow(/use 'await tensor.toAsync\('cpu'\)'/);
    const back = await gpu.mul(2).toAsync('cpu');
    expect(back.device).toBe('cpu');
    expect(back.tolistSync()).toEqual([
      [3, 4],
      [6, 8],
    ]);
  });

  test('every dtype survives the round trip', async () => {
    for (const dtype of ['float32', 'int32', 'uint8', 'bool'] as const) {
      const values = dtype === 'bool' ? [1, 0, 1] : [0, 7, 200];
      const t = tensor(values, { device: 'cpu', dtype }).to('webgpu');
      const back = await t.toAsync('cpu');
      expect(back.dtype).toBe(dtype);
      expect(Array.from(await back.read())).toEqual(values);
    }
  });
});
