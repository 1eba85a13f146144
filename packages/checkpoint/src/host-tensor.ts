import type { DType } from '@kindling/tensor';

/** Typed array holding a host tensor's elements (bool uses `Uint8Array` of 0/1). */
export type HostData = Float32Array | Float64Array | Int32Array | Uint8Array;

/**
 * A tensor's values in host memory, row-major and contiguous: what the
 * byte-level readers and writers exchange, free of any backend or device.
 */
export interface HostTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: HostData;
}

/** A flat name → tensor map, as in a `state_dict`. */
export type HostStateDict = Record<string, HostTensor>;
