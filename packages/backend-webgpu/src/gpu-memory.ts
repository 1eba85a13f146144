import { type DType, DTypeError, KindlingError, type TypedArray } from '@kindling/tensor';
import { type StorageHandle, type View, checkAllocation, float16Bits, float16FromBits, roundToFloat16 } from '@kindling/tensor/backend';
import type { Operand } from './kernels/map.js';
import type { StridedInput } from './kernels/reduce.js';
import { isDense, product, rowMajor } from './layout.js';
import type { GpuRuntime } from './runtime.js';
import { GpuStorage, elementBytes } from './storage.js';

/** The dtypes WebGPU can hold: no float64 (WGSL has no f64). */
export const WEBGPU_DTYPES: readonly DType[] = ['float16', 'float32', 'int32', 'uint8', 'bool'];

/** The dtype float16 kernels compute in (float32); any other dtype computes in itself. */
export function f32ForHalf(dtype: DType): DType {
  return dtype === 'float16' ? 'float32' : dtype;
}

export function storageOf(handle: StorageHandle, op: string): GpuStorage {
  if (!(handle instanceof GpuStorage)) throw new KindlingError(`${op}: the handle was not made by the webgpu backend`);
  if (handle.freed) throw new KindlingError(`${op}: the storage was already freed`);
  return handle;
}

export function input(view: View, op: string): StridedInput {
  return { buffer: storageOf(view.handle, op).buffer, dtype: view.dtype, shape: view.shape, strides: view.strides, offset: view.offset };
}

export function operand(view: View, op: string): Operand {
  return { buffer: storageOf(view.handle, op).buffer, dtype: view.dtype, strides: view.strides, offset: view.offset };
}

/** A 0-d input as one element of rank 1: reducing "dim 0" of a scalar reduces that element. */
export function asRank1(x: StridedInput): StridedInput {
  return x.shape.length > 0 ? x : { ...x, shape: [1], strides: [0] };
}

/**
 * The memory half of the WebGPU backend: storages as pooled `GPUBuffer`s,
 * uploads and reads, and float16 widened to float32 for kernels that compute
 * in f32 only. `WebGPUBackend` adds the kernels.
 */
export abstract class GpuMemory {
  readonly dtypes = WEBGPU_DTYPES;

  constructor(readonly runtime: GpuRuntime) {}

  /** A contiguous copy of `x` converted to `dtype` (the backend's `cast` kernel). */
  abstract cast(x: View, dtype: DType): StorageHandle;

  protected checkDType(op: string, dtype: DType): void {
    if (!WEBGPU_DTYPES.includes(dtype)) {
      throw new DTypeError(`${op}: the webgpu backend does not support dtype ${dtype} (supported: ${WEBGPU_DTYPES.join(', ')})`);
    }
  }

  bytesPerElement(dtype: DType): number {
    return elementBytes(dtype, this.runtime.nativeFloat16);
  }

  /** Bytes of a storage of `size` elements, whole 4-byte words (copies and clears work in words). */
  protected byteSize(dtype: DType, size: number): number {
    return Math.ceil((size * this.bytesPerElement(dtype)) / 4) * 4;
  }

  /** The device's largest buffer a kernel can bind (`maxBufferSize` and `maxStorageBufferBindingSize`, whichever is smaller). */
  get maxStorageBytes(): number {
    const { maxBufferSize, maxStorageBufferBindingSize } = this.runtime.device.limits;
    return Math.min(maxBufferSize, maxStorageBufferBindingSize);
  }

  protected fresh(op: string, dtype: DType, size: number): GpuStorage {
    this.checkDType(op, dtype);
    const limits = { name: 'webgpu', maxStorageBytes: this.maxStorageBytes, bytesPerElement: (d: DType) => this.bytesPerElement(d) };
    checkAllocation(limits, dtype, size);
    return new GpuStorage(this.runtime.pool.acquire(Math.max(4, this.byteSize(dtype, size))), dtype, size);
  }

  /**
   * A float16 view as float32 for kernels that compute in f32 only: with f32
   * slots the same buffer relabelled, with native f16 a converted copy (in
   * `temps`, freed by the caller). Other dtypes pass through.
   */
  protected widen(view: View, temps: StorageHandle[]): View {
    if (view.dtype !== 'float16') return view;
    if (!this.runtime.nativeFloat16) return { ...view, dtype: 'float32' };
    const handle = this.cast(view, 'float32');
    temps.push(handle);
    return { handle, dtype: 'float32', shape: view.shape, strides: rowMajor(view.shape), offset: 0 };
  }

  /** A float32 kernel result as `dtype`: rounded into a float16 storage (freeing the f32 one), or as is. */
  protected narrow(handle: StorageHandle, shape: readonly number[], dtype: DType): StorageHandle {
    if (dtype !== 'float16') return handle;
    const out = this.cast({ handle, dtype: 'float32', shape, strides: rowMajor(shape), offset: 0 }, 'float16');
    this.free(handle);
    return out;
  }

  /** Runs an f32-only kernel on float16 operands: widened inputs, result narrowed to `outDtype`. */
  protected viaFloat32(
    views: readonly View[],
    outShape: readonly number[],
    outDtype: DType,
    run: (views: View[], computeDtype: DType) => StorageHandle,
  ): StorageHandle {
    const temps: StorageHandle[] = [];
    try {
      const wide = views.map((v) => this.widen(v, temps));
      const computeDtype = outDtype === 'float16' ? 'float32' : outDtype;
      return this.narrow(run(wide, computeDtype), outShape, outDtype);
    } finally {
      for (const t of temps) this.free(t);
    }
  }

  protected out(s: GpuStorage, shape: readonly number[]): Operand {
    return { buffer: s.buffer, dtype: s.dtype, strides: rowMajor(shape), offset: 0 };
  }

  alloc(dtype: DType, size: number): StorageHandle {
    const s = this.fresh('alloc', dtype, size);
    this.runtime.clear(s.buffer, this.byteSize(dtype, size));
    return s;
  }

  upload(dtype: DType, data: TypedArray): StorageHandle {
    const s = this.fresh('upload', dtype, data.length);
    let words: ArrayBufferView;
    if (dtype === 'float16' && this.runtime.nativeFloat16) {
      // Whole words: an odd count gets a zero half at the end.
      const halves = new Uint16Array(Math.ceil(data.length / 2) * 2);
      for (let i = 0; i < data.length; i++) halves[i] = float16Bits(data[i]);
      words = halves;
    } else if (dtype === 'float16') words = Float32Array.from(data, roundToFloat16);
    else if (dtype === 'float32') words = data instanceof Float32Array ? data : Float32Array.from(data);
    else if (dtype === 'int32') words = data instanceof Int32Array ? data : Int32Array.from(data);
    else if (dtype === 'bool') words = Uint32Array.from(data, (v) => (v !== 0 ? 1 : 0));
    else words = Uint32Array.from(data, (v) => v & 255);
    this.runtime.write(s.buffer, words);
    return s;
  }

  free(handle: StorageHandle): void {
    const s = storageOf(handle, 'free');
    s.freed = true;
    this.runtime.pool.release(s.buffer);
  }

  async read(view: View): Promise<TypedArray> {
    const s = storageOf(view.handle, 'read');
    const n = product(view.shape);
    const per = this.bytesPerElement(view.dtype);
    let source = s;
    let offset = view.offset;
    // Buffer copies start on 4-byte boundaries, which an odd offset of 2-byte halves misses.
    if (n > 0 && (!isDense(view.shape, view.strides) || (offset * per) % 4 !== 0)) {
      source = storageOf(this.cast(view, view.dtype), 'read');
      offset = 0;
    }
    try {
      const bytes = await this.runtime.read(source.buffer, offset * per, n * per);
      if (view.dtype === 'float16' && per === 2) return Float32Array.from(new Uint16Array(bytes), float16FromBits);
      if (view.dtype === 'float32' || view.dtype === 'float16') return new Float32Array(bytes);
      if (view.dtype === 'int32') return new Int32Array(bytes);
      return Uint8Array.from(new Uint32Array(bytes));
    } finally {
      if (source !== s) this.free(source);
    }
  }
}
