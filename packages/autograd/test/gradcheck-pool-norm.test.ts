import '@kindling/backend-cpu';
import * as kd from '@kindling/tensor';
import { getBackend, registerBackend } from '@kindling/tensor/backend';
import { describe, expect, it } from 'vitest';
import { gradcheck } from '../src/index.js';
import { poolNormCases } from './pool-norm-cases.js';

// The CPU backend (its fused pooling and batch-norm kernels) and the same kernels without `fused`,
// which runs every op as its lowering to primitives.
if (!kd.hasBackend('cpu-primitives')) {
  registerBackend(Object.create(getBackend('cpu'), { name: { value: 'cpu-primitives' }, fused: { value: undefined } }));
}

describe.each(['cpu', 'cpu-primitives'])('gradcheck of pooling, batch norm, pad and interpolate on %s', (device) => {
  it.each(poolNormCases.map((c) => [`${c.op} ${c.what}`, c] as const))('%s', (_name, c) => {
    kd.manualSeed(11);
    const { fn, inputs } = c.run(device);
    expect(gradcheck(fn, inputs)).toBe(true);
  });
});
