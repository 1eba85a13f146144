import { cast, memory, tensor } from '@kindling/tensor';
import { float16Bits, float16FromBits, roundToFloat16 } from '@kindling/tensor/backend';
import { beforeAll, describe, expect, test } from 'vitest';
import { type MapSpec, runMap } from '../src/kernels/map.js';
import type { GpuRuntime } from '../src/runtime.js';
import { setupWebGPU } from './setup-gpu.js';

beforeAll(async () => {
  await setupWebGPU();
});

/** Every float32 bit pattern class that rounds differently: around each half boundary, subnormals, overflow. */
function edgeFloats(): Float32Array {
  const out: number[] = [];
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let h = 0; h < 0x7c00; h += 7) {
    const x = float16FromBits(h);
    f[0] = x;
    const bits = u[0];
    // The half itself, the float32s right around it and around the midpoint to the next half.
    for (const d of [-1, 0, 1, 0xfff, 0x1000, 0x1001]) {
      u[0] = bits + d;
      out.push(f[0], -f[0]);
    }
  }
  out.push(
    65504,
    65519.99,
    65520,
    1e6,
    2 ** -25,
    2 ** -25 * 1.0001,
    2 ** -26,
    2 ** -24 * 1.5,
    2 ** -24 * 2.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  );
  return Float32Array.from(out);
}

describe('float16 on webgpu', () => {
  test('the GPU rounds float32 to half exactly like the host (ties to even, subnormals, overflow)', async () => {
    const values = edgeFloats();
    const got = await cast(tensor(values, { device: 'webgpu' }), 'float16').read();
    const wrong: string[] = [];
    values.forEach((x, i) => {
      if (!Object.is(got[i], roundToFloat16(x)) && wrong.length < 5) wrong.push(`${x} -> ${got[i]} (host ${roundToFloat16(x)})`);
    });
    expect(wrong).toEqual([]);
  });

  test('host bit conversions round-trip every half', () => {
    for (let h = 0; h < 0x10000; h++) {
      const x = float16FromBits(h);
      if (Number.isNaN(x)) continue;
      expect(float16Bits(x)).toBe(h);
    }
  });

  test('memory() counts the bytes float16 storages take on this adapter', () => {
    const before = memory().webgpu?.bytes ?? 0;
    const x = tensor([1, 2, 3], { dtype: 'float16', device: 'webgpu' });
    // SwiftShader has no shader-f16, so halves live in f32 slots here.
    expect((memory().webgpu?.bytes ?? 0) - before).toBe(12);
    x.dispose();
  });
});

/** A runtime that records the WGSL a kernel asks for instead of compiling it. */
function recordingRuntime(nativeFloat16: boolean): { rt: GpuRuntime; sources: string[] } {
  const sources: string[] = [];
  const rt = {
    nativeFloat16,
    pipeline: (_key: string, source: () => string) => {
      sources.push(source());
      return {} as GPUComputePipeline;
    },
    dispatch: () => {},
    grid: () => [1, 1, 1],
  } as unknown as GpuRuntime;
  return { rt, sources };
}

const buffer = {} as GPUBuffer;
const spec = (dtype: 'float16' | 'float32'): MapSpec => ({
  key: 'test',
  shape: [4],
  out: { buffer, dtype: 'float16', strides: [1], offset: 0 },
  inputs: [{ buffer, dtype, strides: [1], offset: 0 }],
  expr: ([v]) => `k_round_f16(${v} * 2.0)`,
});

describe('float16 WGSL with shader-f16 (generated here; run only where the adapter has the feature)', () => {
  test('f16 storage: enables the extension, widens loads to f32 and narrows stores', () => {
    const { rt, sources } = recordingRuntime(true);
    runMap(rt, spec('float16'));
    const [wgsl] = sources;
    expect(wgsl.startsWith('enable f16;\n')).toBe(true);
    expect(wgsl).toContain('var<storage, read_write> out: array<f16>;');
    expect(wgsl).toContain('var<storage, read> in_0: array<f16>;');
    expect(wgsl).toContain('out[i] = f16(k_round_f16(f32(in_0[o_0]) * 2.0));');
  });

  test('f32 slots: no extension, values stay f32 and are rounded on store', () => {
    const { rt, sources } = recordingRuntime(false);
    runMap(rt, spec('float32'));
    const [wgsl] = sources;
    expect(wgsl).not.toContain('enable f16');
    expect(wgsl).toContain('var<storage, read_write> out: array<f32>;');
    expect(wgsl).toContain('out[i] = k_round_f16(in_0[o_0] * 2.0);');
  });
});
