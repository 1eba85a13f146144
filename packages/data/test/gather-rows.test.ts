import { describe, expect, it } from 'vitest';
import { gatherRows } from '../src/gather-rows.js';

/** One copy per row: what `gatherRows` must equal. */
function rowByRow(source: Uint8Array, rowSize: number, indices: Int32Array): Uint8Array {
  const out = new Uint8Array(indices.length * rowSize);
  for (let k = 0; k < indices.length; k++) out.set(source.subarray(indices[k] * rowSize, (indices[k] + 1) * rowSize), k * rowSize);
  return out;
}

describe('gatherRows', () => {
  const rowSize = 5;
  const source = Uint8Array.from({ length: 20 * rowSize }, (_, i) => (i * 37) % 256);
  const cases: Record<string, number[]> = {
    sequential: [0, 1, 2, 3, 4, 5, 6, 7],
    'sequential from the middle to the end': [15, 16, 17, 18, 19],
    shuffled: [7, 3, 19, 0, 12, 4],
    'runs mixed with jumps': [2, 3, 4, 9, 10, 1, 0, 1, 2, 18, 19],
    repeats: [5, 5, 6, 6],
    descending: [4, 3, 2, 1, 0],
    single: [11],
    empty: [],
  };
  for (const [name, list] of Object.entries(cases)) {
    it(`copies the rows of ${name} indices as one copy a row would`, () => {
      const indices = Int32Array.from(list);
      const out = new Uint8Array(indices.length * rowSize).fill(255);
      gatherRows(source, rowSize, indices, out);
      expect(out).toEqual(rowByRow(source, rowSize, indices));
    });
  }
});
