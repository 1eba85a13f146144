import type { DType } from '@kindling/tensor';
import type { WebGPUBuffer } from './gpu-types.js';

/** A WebGPU storage: one pooled buffer holding `size` elements (4 bytes each; 2 for native float16). */
export class GpuStorage {
  freed = false;
  constructor(
    readonly buffer: WebGPUBuffer,
    readonly dtype: DType,
    readonly size: number,
  ) {}
}

/** Bytes per stored element: 4 for every dtype (uint8 and bool widen to u32), except float16 stored as WGSL f16. */
export function elementBytes(dtype: DType, nativeFloat16: boolean): number {
  return dtype === 'float16' && nativeFloat16 ? 2 : 4;
}
