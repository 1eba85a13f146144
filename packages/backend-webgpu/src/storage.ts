import type { DType } from '@kindling/tensor';

/** A WebGPU storage: one pooled buffer holding `size` elements of 4 bytes each. */
export class GpuStorage {
  freed = false;
  constructor(
    readonly buffer: GPUBuffer,
    readonly dtype: DType,
    readonly size: number,
  ) {}
}

/** Bytes per stored element: every dtype the backend supports takes 4 (uint8 and bool widen to u32). */
export const ELEMENT_BYTES = 4;
