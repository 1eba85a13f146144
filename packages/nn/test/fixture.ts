import { readFileSync } from 'node:fs';
import { noGrad } from '@kindling/autograd';
import { type Tensor, tensor } from '@kindling/tensor';
import { BatchNorm, type Module } from '../src/index.js';

/** tools/fixtures/data/nn-optim.json, written by tools/fixtures/generate_nn_optim.py with PyTorch 1.13. */
export const fixture = JSON.parse(readFileSync(new URL('../../../tools/fixtures/data/nn-optim.json', import.meta.url), 'utf8'));

/** sin(0.618 i + phase) * scale in float32: the generator's `pattern`. */
export function pattern(n: number, phase: number, scale: number, shape: readonly number[] = [n]): Tensor {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(i * 0.618 + phase) * scale;
  return tensor(out, { shape: [...shape] });
}

export interface Summary {
  shape: number[];
  sum: number;
  sumSq: number;
  indices: number[];
  values: number[];
}

/** Checks a tensor against the generator's summary (sum, sum of squares, sampled entries). */
export function matchesSummary(t: Tensor, s: Summary, tolerance = 1e-5): string | null {
  if (t.shape.join() !== s.shape.join()) return `shape [${t.shape}] != [${s.shape}]`;
  const data = t.readSync();
  let sum = 0;
  let sumSq = 0;
  for (const v of data) {
    sum += v;
    sumSq += v * v;
  }
  if (Math.abs(sum - s.sum) > tolerance * Math.max(1, Math.abs(s.sum)) * 10) return `sum ${sum} != ${s.sum}`;
  if (Math.abs(sumSq - s.sumSq) > tolerance * Math.max(1, s.sumSq) * 10) return `sumSq ${sumSq} != ${s.sumSq}`;
  for (let k = 0; k < s.indices.length; k++) {
    const got = data[s.indices[k]];
    if (Math.abs(got - s.values[k]) > tolerance) return `entry ${s.indices[k]}: ${got} != ${s.values[k]}`;
  }
  return null;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return a.length === b.length ? worst : Number.POSITIVE_INFINITY;
}

/** tools/fixtures/data/nn-cnn.json: the convolutional layers and CNNs (tools/fixtures/gen_nn_cnn.py). */
export const cnnFixture = JSON.parse(readFileSync(new URL('../../../tools/fixtures/data/nn-cnn.json', import.meta.url), 'utf8'));

/** The generator's `image`: `pattern` over a shape, phase 0.25 unless told. */
export function image(shape: number[], phase = 0.25): Tensor {
  return pattern(
    shape.reduce((a, b) => a * b, 1),
    phase,
    1,
    shape,
  );
}

/**
 * The generator's `fill`: parameter k (in `namedParameters` order) is
 * `pattern(numel, k, 1/√fan_in)`, a BatchNorm's weight `1 + 0.1·pattern` and
 * its bias `0.1·pattern`.
 */
export function fillPattern(model: Module): void {
  const owners = new Map(model.namedModules());
  let k = 0;
  noGrad(() => {
    for (const [name, p] of model.namedParameters()) {
      const dot = name.lastIndexOf('.');
      const owner = owners.get(dot < 0 ? '' : name.slice(0, dot)) as Module & { weight: Tensor };
      if (owner instanceof BatchNorm) {
        p.copy_(pattern(p.numel(), k, 0.1, p.shape).add(name.endsWith('weight') ? 1 : 0));
      } else {
        const w = owner.weight;
        const fanIn = w.ndim > 1 ? w.shape.slice(1).reduce((a, b) => a * b, 1) : w.shape[0];
        p.copy_(pattern(p.numel(), k, 1 / Math.sqrt(fanIn), p.shape));
      }
      k++;
    }
  });
}

/** `[key, shape, dtype]` of each state-dict entry, PyTorch's int64 written as Kindling's int32. */
export function stateKeys(model: Module): [string, number[], string][] {
  return Object.entries(model.stateDict()).map(([k, v]) => [k, [...v.shape], v.dtype]);
}

/** The fixture's state-dict listing with int64 read as int32, Kindling's integer dtype. */
export function torchStateKeys(keys: [string, number[], string][]): [string, number[], string][] {
  return keys.map(([k, s, d]) => [k, s, d === 'int64' ? 'int32' : d]);
}
