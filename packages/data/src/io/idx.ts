import { DatasetError } from '../errors.js';

/** Element types of the IDX format (LeCun's MNIST files), by their type code. */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** A parsed IDX array: row-major `data` of `shape`. */
export interface IdxArray {
  readonly type: IdxType;
  readonly shape: readonly number[];
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { type: IdxType; size: number }> = {
  8: { type: 'uint8', size: 1 },
  9: { type: 'int8', size: 1 },
  11: { type: 'int16', size: 2 },
  12: { type: 'int32', size: 4 },
  13: { type: 'float32', size: 4 },
  14: { type: 'float64', size: 8 },
};

/** What a caller expects of an IDX file; anything else is an error naming the file. */
export interface IdxExpectation {
  /** Number of dimensions (3 for images, 1 for labels). */
  ndim?: number;
  /** Element type. */
  type?: IdxType;
  /** Expected sizes; `null` entries are not checked (e.g. `[60000, null, null]`). */
  shape?: readonly (number | null)[];
}

/**
 * Parses an uncompressed IDX file: magic `00 00 <type> <ndim>`, `ndim`
 * big-endian uint32 sizes, then the elements big-endian. A uint8 file is
 * returned without copying (`data` views `bytes`). Bad magic, a wrong
 * length or an unexpected shape throws a `DatasetError` naming `name`.
 */
export function parseIdx(bytes: Uint8Array, name: string, expect: IdxExpectation = {}): IdxArray {
  if (bytes.length < 4) throw new DatasetError(`parseIdx: ${name} is too short for an IDX header (${bytes.length} bytes)`);
  const typeInfo = TYPES[bytes[2]];
  const ndim = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !typeInfo || ndim === 0) {
    const magic = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('');
    throw new DatasetError(`parseIdx: ${name} has bad IDX magic 0x${magic} (expected 0x0000TTNN with a known type TT and NN > 0 dims)`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = 4 + 4 * ndim;
  if (bytes.length < headerSize) throw new DatasetError(`parseIdx: ${name} is truncated inside its header (${bytes.length} bytes)`);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(dv.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerSize + count * typeInfo.size;
  if (bytes.length !== expected) {
    throw new DatasetError(
      `parseIdx: ${name} has ${bytes.length - headerSize} data bytes, but its header [${shape.join(',')}] (${typeInfo.type}) needs ${count * typeInfo.size}` +
        (bytes.length < expected ? ' (file truncated)' : ' (trailing bytes)'),
    );
  }
  checkExpectation(name, typeInfo.type, shape, expect);
  return { type: typeInfo.type, shape, data: readElements(bytes, dv, headerSize, count, typeInfo.type) };
}

function checkExpectation(name: string, type: IdxType, shape: readonly number[], expect: IdxExpectation): void {
  if (expect.type !== undefined && type !== expect.type) {
    throw new DatasetError(`parseIdx: ${name} holds ${type} elements, expected ${expect.type}`);
  }
  const ndim = expect.ndim ?? expect.shape?.length;
  if (ndim !== undefined && shape.length !== ndim) {
    throw new DatasetError(`parseIdx: ${name} has ${shape.length} dims [${shape.join(',')}], expected ${ndim}`);
  }
  expect.shape?.forEach((s, i) => {
    if (s !== null && shape[i] !== s) {
      const want = expect.shape?.map((d) => d ?? '*').join(',');
      throw new DatasetError(`parseIdx: ${name} has shape [${shape.join(',')}], expected [${want}]`);
    }
  });
}

function readElements(bytes: Uint8Array, dv: DataView, start: number, count: number, type: IdxType): IdxArray['data'] {
  switch (type) {
    case 'uint8':
      return bytes.subarray(start, start + count);
    case 'int8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + start, count);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getInt16(start + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(start + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(start + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(start + 8 * i, false);
      return out;
    }
  }
}

/** Encodes an IDX file (big-endian), the inverse of `parseIdx`; used to make test fixtures and custom datasets. */
export function encodeIdx(array: IdxArray): Uint8Array {
  const code = Number(Object.entries(TYPES).find(([, v]) => v.type === array.type)?.[0]);
  const size = TYPES[code].size;
  const count = array.shape.reduce((a, b) => a * b, 1);
  if (array.data.length !== count) {
    throw new DatasetError(`encodeIdx: shape [${array.shape.join(',')}] needs ${count} elements, got ${array.data.length}`);
  }
  const headerSize = 4 + 4 * array.shape.length;
  const out = new Uint8Array(headerSize + count * size);
  const dv = new DataView(out.buffer);
  out[2] = code;
  out[3] = array.shape.length;
  array.shape.forEach((s, i) => {
    dv.setUint32(4 + 4 * i, s, false);
  });
  for (let i = 0; i < count; i++) {
    const at = headerSize + i * size;
    const v = array.data[i];
    if (array.type === 'uint8') out[at] = v;
    else if (array.type === 'int8') dv.setInt8(at, v);
    else if (array.type === 'int16') dv.setInt16(at, v, false);
    else if (array.type === 'int32') dv.setInt32(at, v, false);
    else if (array.type === 'float32') dv.setFloat32(at, v, false);
    else dv.setFloat64(at, v, false);
  }
  return out;
}
