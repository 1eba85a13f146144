/**
 * Merging dimensions that every operand walks contiguously: kernels over
 * strided views index fewer dims per element, and a broadcast (stride 0) or a
 * transposed operand keeps the dims it needs. Shared by the backends.
 */

/** A shape walked by several operands, each with its own strides. */
export interface DimWalk {
  shape: number[];
  strides: number[][];
}

/** Drops size-1 dims and merges neighbours that are contiguous for every operand. */
export function coalesceDims(shape: readonly number[], strides: readonly (readonly number[])[]): DimWalk {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * shape[d])) {
      outShape[last] *= shape[d];
      strides.forEach((s, k) => {
        outStrides[k][last] = s[d];
      });
      continue;
    }
    outShape.push(shape[d]);
    strides.forEach((s, k) => {
      outStrides[k].push(s[d]);
    });
  }
  return { shape: outShape, strides: outStrides };
}
