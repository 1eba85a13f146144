import { describe, expect, it } from 'vitest';
import '@kindling/backend-cpu';
import { arange, tensor } from '@kindling/tensor';
import { CheckpointError, type HostStateDict, decodeSafetensors, encodeSafetensors, load, save } from '../src/index.js';

const sample: HostStateDict = {
  'fc.weight': { dtype: 'float32', shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-8, -7]) },
  'fc.bias': { dtype: 'float64', shape: [2], data: new Float64Array([Math.PI, -0]) },
  steps: { dtype: 'int32', shape: [], data: new Int32Array([-5]) },
  pixels: { dtype: 'uint8', shape: [1, 2, 2], data: new Uint8Array([0, 255, 7, 9]) },
  mask: { dtype: 'bool', shape: [3], data: new Uint8Array([1, 0, 1]) },
  empty: { dtype: 'float32', shape: [0, 4], data: new Float32Array(0) },
};

function header(bytes: Uint8Array): Record<string, unknown> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}

/** Builds a file from a hand-written header, to test the reader on inputs our writer never makes. */
function craft(head: unknown, data: Uint8Array = new Uint8Array(0), headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(head));
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? json.byteLength), true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

describe('safetensors byte format', () => {
  it('round-trips every dtype, shape and the metadata exactly', () => {
    const bytes = encodeSafetensors(sample, { model: 'mlp', hidden: '[128,64]' });
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ model: 'mlp', hidden: '[128,64]' });
    expect(Object.keys(back.tensors).sort()).toEqual(Object.keys(sample).sort());
    for (const [k, t] of Object.entries(sample)) {
      expect(back.tensors[k].dtype, k).toBe(t.dtype);
      expect(back.tensors[k].shape, k).toEqual(t.shape);
      expect(Array.from(back.tensors[k].data), k).toEqual(Array.from(t.data));
    }
    expect(Object.is(back.tensors['fc.bias'].data[1], -0)).toBe(true);
  });

  it('writes the layout of the reference implementation', () => {
    const bytes = encodeSafetensors({ a: sample['fc.weight'], b: sample.pixels }, { k: 'v' });
    const h = header(bytes);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    expect(h.__metadata__).toEqual({ k: 'v' });
    expect(h.a).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(h.b).toEqual({ dtype: 'U8', shape: [1, 2, 2], data_offsets: [24, 28] });
    expect(new DataView(bytes.buffer, 8 + n).getFloat32(8, true)).toBe(3.5);
    expect(bytes.byteLength).toBe(8 + n + 28);
  });

  it('reads f16 as float16, bf16 and i64 (converted), refusing int64 values beyond int32', () => {
    const data = new Uint8Array(2 + 2 + 16);
    const v = new DataView(data.buffer);
    v.setUint16(0, 0x3c00, true); // f16 1.0
    v.setUint16(2, 0xc040, true); // bf16 -3.0
    v.setBigInt64(4, -7n, true);
    v.setBigInt64(12, 2147483647n, true);
    const h = {
      h: { dtype: 'F16', shape: [1], data_offsets: [0, 2] },
      b: { dtype: 'BF16', shape: [1], data_offsets: [2, 4] },
      l: { dtype: 'I64', shape: [2], data_offsets: [4, 20] },
    };
    const { tensors } = decodeSafetensors(craft(h, data));
    expect(Array.from(tensors.h.data)).toEqual([1]);
    expect(tensors.h.dtype).toBe('float16');
    expect(Array.from(tensors.b.data)).toEqual([-3]);
    expect(tensors.l.dtype).toBe('int32');
    expect(Array.from(tensors.l.data)).toEqual([-7, 2147483647]);
    v.setBigInt64(12, 2147483648n, true);
    expect(() => decodeSafetensors(craft(h, data), 'big.safetensors')).toThrow(/big\.safetensors.*"l".*2147483648.*int32/);
  });

  it.each([
    ['too short', new Uint8Array(5), /too short/],
    ['header beyond the file', craft({}, new Uint8Array(0), 1000), /header length 1000 is beyond the file/],
    ['header that is not JSON', craft({}, new Uint8Array(0)).map((b, i) => (i === 8 ? 0x41 : b)), /not valid UTF-8 JSON/],
    ['unknown dtype', craft({ a: { dtype: 'C64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), /unsupported dtype "C64"/],
    ['bad shape', craft({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /invalid shape/],
    [
      'offsets beyond the data',
      craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)),
      /beyond the 4-byte data/,
    ],
    [
      'byte count mismatch',
      craft({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /needs 8 bytes, its offsets give 4/,
    ],
    [
      'overlapping tensors',
      craft(
        { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } },
        new Uint8Array(8),
      ),
      /overlaps/,
    ],
    ['a hole', craft({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), /belong to no tensor/],
    ['trailing bytes', craft({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8)), /trailing bytes/],
    ['non-string metadata', craft({ __metadata__: { a: 1 } }), /__metadata__ value "a" must be a string/],
    ['reversed offsets', craft({ a: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, new Uint8Array(4)), /invalid data_offsets/],
  ])('refuses %s with a CheckpointError naming the problem', (_what, bytes, message) => {
    expect(() => decodeSafetensors(bytes, 'model.safetensors')).toThrow(CheckpointError);
    expect(() => decodeSafetensors(bytes, 'model.safetensors')).toThrow(message);
  });

  it('survives random corruption: every outcome is a load or a CheckpointError', () => {
    const good = encodeSafetensors(sample, { note: 'fuzz' });
    let state = 12345;
    const rand = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      const bytes = good.slice(0, i % 5 === 0 ? rand(good.byteLength) : good.byteLength);
      for (let flips = 1 + rand(4); flips > 0 && bytes.byteLength > 0; flips--) bytes[rand(bytes.byteLength)] = rand(256);
      try {
        decodeSafetensors(bytes);
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(CheckpointError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
  });
});

describe('save and load of tensors', () => {
  it('round-trips a state dict of tensors, including non-contiguous views', async () => {
    const w = arange(6, { dtype: 'float32' }).reshape(2, 3).t();
    const bytes = await save({ w, b: tensor([true, false]) }, { metadata: { epoch: '3' } });
    const { stateDict, metadata } = load(bytes);
    expect(metadata).toEqual({ epoch: '3' });
    expect(stateDict.w.shape).toEqual([3, 2]);
    expect(await stateDict.w.tolist()).toEqual([
      [0, 3],
      [1, 4],
      [2, 5],
    ]);
    expect(stateDict.b.dtype).toBe('bool');
    expect(await stateDict.b.tolist()).toEqual([true, false]);
  });

  it('refuses a tensor named __metadata__ and non-string metadata', () => {
    expect(() => encodeSafetensors({ __metadata__: sample.steps })).toThrow(/reserved/);
    expect(() => encodeSafetensors({}, { a: 1 as unknown as string })).toThrow(/"a" must be a string/);
  });
});
