import type { DType } from '@kindling/tensor';
import { float16Bits, float16FromBits } from '@kindling/tensor/backend';
import { CheckpointError } from './errors.js';
import type { HostData } from './host-tensor.js';

/**
 * Element encodings found in files (safetensors dtype names). Kindling writes
 * the first six; the others are read and converted to a Kindling dtype.
 */
export type StorageFormat = 'F32' | 'F64' | 'I32' | 'U8' | 'BOOL' | 'F16' | 'BF16' | 'I64' | 'I16' | 'I8';

interface FormatInfo {
  readonly bytes: number;
  /** The Kindling dtype a tensor of this format is loaded as. */
  readonly dtype: DType;
}

export const STORAGE_FORMATS: Readonly<Record<StorageFormat, FormatInfo>> = {
  F32: { bytes: 4, dtype: 'float32' },
  F64: { bytes: 8, dtype: 'float64' },
  I32: { bytes: 4, dtype: 'int32' },
  U8: { bytes: 1, dtype: 'uint8' },
  BOOL: { bytes: 1, dtype: 'bool' },
  F16: { bytes: 2, dtype: 'float16' },
  BF16: { bytes: 2, dtype: 'float32' },
  I64: { bytes: 8, dtype: 'int32' },
  I16: { bytes: 2, dtype: 'int32' },
  I8: { bytes: 1, dtype: 'int32' },
};

const WRITE_FORMAT: Readonly<Record<DType, StorageFormat>> = {
  float16: 'F16',
  float32: 'F32',
  float64: 'F64',
  int32: 'I32',
  uint8: 'U8',
  bool: 'BOOL',
};

export function isStorageFormat(name: string): name is StorageFormat {
  return Object.hasOwn(STORAGE_FORMATS, name);
}

/** The format Kindling writes a dtype in. */
export function storageFormatOf(dtype: DType): StorageFormat {
  return WRITE_FORMAT[dtype];
}

/**
 * Decodes `count` little-endian elements of `format` from `bytes` into the
 * Kindling dtype the format maps to. 64-bit integers outside int32's range are
 * refused (Kindling's integer dtype is int32), naming `what`.
 */
export function decodeElements(bytes: Uint8Array, format: StorageFormat, count: number, what: string): HostData {
  const info = STORAGE_FORMATS[format];
  if (bytes.byteLength !== count * info.bytes) {
    throw new CheckpointError(`${what}: ${format} data of ${count} elements needs ${count * info.bytes} bytes, got ${bytes.byteLength}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (format) {
    case 'F32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case 'F64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    case 'I32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    }
    case 'U8':
      return bytes.slice();
    case 'BOOL': {
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i++) out[i] = bytes[i] === 0 ? 0 : 1;
      return out;
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = float16FromBits(view.getUint16(i * 2, true));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(count);
      const word = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        word.setUint32(0, view.getUint16(i * 2, true) << 16);
        out[i] = word.getFloat32(0);
      }
      return out;
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n) {
          throw new CheckpointError(`${what}: int64 value ${v} at element ${i} does not fit int32, Kindling's integer dtype`);
        }
        out[i] = Number(v);
      }
      return out;
    }
    case 'I16': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      return out;
    }
    case 'I8': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      return out;
    }
  }
}

/** Little-endian bytes of `data` as Kindling writes `dtype`. */
export function encodeElements(data: HostData, dtype: DType): Uint8Array {
  const out = new Uint8Array(data.length * STORAGE_FORMATS[storageFormatOf(dtype)].bytes);
  const view = new DataView(out.buffer);
  switch (dtype) {
    case 'float16':
      for (let i = 0; i < data.length; i++) view.setUint16(i * 2, float16Bits(data[i]), true);
      break;
    case 'float32':
      for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
      break;
    case 'float64':
      for (let i = 0; i < data.length; i++) view.setFloat64(i * 8, data[i], true);
      break;
    case 'int32':
      for (let i = 0; i < data.length; i++) view.setInt32(i * 4, data[i], true);
      break;
    case 'uint8':
      out.set(data);
      break;
    case 'bool':
      for (let i = 0; i < data.length; i++) out[i] = data[i] ? 1 : 0;
      break;
  }
  return out;
}
