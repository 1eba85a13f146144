import { readFileSync } from 'node:fs';
import { type Tensor, tensor } from '@kindling/tensor';

/** tools/fixtures/data/nn-optim.json, written by tools/fixtures/generate_nn_optim.py with PyTorch 1.13. */
export const fixture = JSON.parse(readFileSync(new URL('../../../tools/fixtures/data/nn-optim.json', import.meta.url), 'utf8'));

/** sin(0.618 i + phase) * scale in float32: the generator's `pattern`. */
export function pattern(n: number, phase: number, scale: number, shape: number[] = [n]): Tensor {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(i * 0.618 + phase) * scale;
  return tensor(out, { shape });
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
  const data = t.dataSync();
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
