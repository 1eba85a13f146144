// The hand-assembled peak module of tools/bench/wasm-peak.ts: it must validate and
// compute what it claims (acc = acc * b + c over independent chains), or the
// GFLOP/s it reports would count work that was never done. No timings here.
import v8 from 'node:v8';
import { beforeAll, describe, expect, it } from 'vitest';
import { instantiatePeak, type PeakModuleOptions, peakFlops, peakModuleBytes, peakReference } from '../bench/wasm-peak-module.js';

beforeAll(() => {
  // Node 20's V8 ships relaxed SIMD behind a flag (the kernels set it the same way).
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
});

const CASES: PeakModuleOptions[] = [
  { op: 'fma', accumulators: 1, unroll: 1 },
  { op: 'fma', accumulators: 12 },
  { op: 'mul-add', accumulators: 8, unroll: 3 },
  { op: 'mul-add', accumulators: 13 },
  { op: 'fma', accumulators: 24, store: true },
  { op: 'mul-add', accumulators: 12, store: true, unroll: 2 },
];

describe('peak module', () => {
  for (const options of CASES) {
    const label = `${options.op} ×${options.accumulators}${options.store ? ', stored' : ''}, unroll ${options.unroll ?? 8}`;

    it(`validates: ${label}`, () => {
      expect(WebAssembly.validate(peakModuleBytes(options))).toBe(true);
    });

    it(`matches the float32 reference on exact values: ${label}`, () => {
      // b = 0.5 and c = 0.25 keep every product and sum exact, so fused and unfused agree bit for bit.
      for (const iters of [1, 2, 5]) {
        const peak = instantiatePeak(options);
        expect(peak(iters, 0.5, 0.25)).toBe(peakReference(options, iters, 0.5, 0.25));
      }
    });
  }

  it('does the work it counts: chains differ and each trip moves them', () => {
    const options: PeakModuleOptions = { op: 'fma', accumulators: 4, unroll: 1 };
    const peak = instantiatePeak(options);
    // Chain i starts at i; one round of a*2+1 gives 2i+1, summed over i = 0..3: 1+3+5+7.
    expect(peak(1, 2, 1)).toBe(16);
    expect(peak(2, 2, 1)).toBe(3 + 7 + 11 + 15);
  });

  it('stored chains carry their state from one call to the next', () => {
    const options: PeakModuleOptions = { op: 'mul-add', accumulators: 2, unroll: 1, store: true };
    const peak = instantiatePeak(options);
    expect(peak(1, 2, 1)).toBe(2); // 0*2+1 per chain
    expect(peak(1, 2, 1)).toBe(6); // 1*2+1 per chain
  });

  it('counts 8 FLOP per chain per unrolled round', () => {
    expect(peakFlops({ op: 'fma', accumulators: 12 }, 1000)).toBe(1000 * 12 * 8 * 8);
    expect(peakFlops({ op: 'mul-add', accumulators: 3, unroll: 2 }, 10)).toBe(10 * 3 * 2 * 8);
  });

  it('rejects chain counts it cannot encode', () => {
    expect(() => peakModuleBytes({ op: 'fma', accumulators: 0 })).toThrow(RangeError);
    expect(() => peakModuleBytes({ op: 'fma', accumulators: 4, unroll: 0 })).toThrow(RangeError);
  });
});
