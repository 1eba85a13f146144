import type { TypedArray } from './dtype.js';
import { KindlingError } from './errors.js';
import type { Tensor } from './tensor.js';

/** Nested arrays of numbers (or booleans), as `tolist()` returns. */
export type NestedArray = number | boolean | NestedArray[];

export function readTensor(t: Tensor): Promise<TypedArray> {
  t.assertAlive('read');
  return t.storage.backend.read(t.view_());
}

export function readTensorSync(t: Tensor, op: string): TypedArray {
  t.assertAlive(op);
  const b = t.storage.backend;
  if (!b.readSync) {
    throw new KindlingError(
      `${op}: the ${b.name} backend can only be read asynchronously; use 'await tensor.${op.replace('Sync', '')}()' instead`,
    );
  }
  return b.readSync(t.view_());
}

/** Row-major `data` as nested arrays of `t.shape`. */
export function toNested(t: Tensor, data: TypedArray): NestedArray {
  const asValue = t.dtype === 'bool' ? (v: number) => v !== 0 : (v: number) => v;
  const build = (dim: number, offset: number): NestedArray => {
    if (dim === t.ndim) return asValue(data[offset]);
    let inner = 1;
    for (let d = dim + 1; d < t.ndim; d++) inner *= t.shape[d];
    const out: NestedArray[] = [];
    for (let i = 0; i < t.shape[dim]; i++) out.push(build(dim + 1, offset + i * inner));
    return out;
  };
  return build(0, 0);
}
