import { describe, expect, it } from 'vitest';
import '@kindling/backend-cpu';
import { tensor } from '@kindling/tensor';
import {
  CheckpointError,
  type HostStateDict,
  decodeObject,
  decodeSafetensors,
  encodeObject,
  encodeSafetensors,
  load,
  loadTrainingState,
  save,
  saveTrainingState,
} from '../src/index.js';

/** A file whose header is exactly `json` (a string, so duplicate keys can be written). */
function withHeader(json: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const text = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + text.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.byteLength), true);
  out.set(text, 8);
  out.set(data, 8 + text.byteLength);
  return out;
}

const PROTO = '__proto__';
const odd = [PROTO, 'constructor', 'toString', 'hasOwnProperty'];

describe('checkpoint names are data', () => {
  it('keeps tensors named __proto__, constructor, toString through a round trip', () => {
    const tensors: HostStateDict = Object.create(null);
    odd.forEach((name, i) => {
      tensors[name] = { dtype: 'float32', shape: [1], data: new Float32Array([i + 1]) };
    });
    const metadata: Record<string, string> = Object.create(null);
    metadata[PROTO] = 'meta';
    const decoded = decodeSafetensors(encodeSafetensors(tensors, metadata));
    expect(Object.keys(decoded.tensors)).toEqual(odd);
    odd.forEach((name, i) => {
      expect(Object.hasOwn(decoded.tensors, name)).toBe(true);
      expect([...decoded.tensors[name].data]).toEqual([i + 1]);
    });
    expect(Object.getPrototypeOf(decoded.tensors)).toBe(null);
    expect(Object.hasOwn(decoded.metadata, '__proto__')).toBe(true);
    expect(decoded.metadata[PROTO]).toBe('meta');
  });

  it('reads a hand-written __proto__ tensor without touching any prototype', () => {
    const bytes = withHeader(
      '{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
      new Uint8Array(new Float32Array([7]).buffer),
    );
    const { tensors } = decodeSafetensors(bytes);
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect([...tensors[PROTO].data]).toEqual([7]);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined();
  });

  it('load, training states and object checkpoints keep a __proto__ tensor', async () => {
    const sd: Record<string, ReturnType<typeof tensor>> = Object.create(null);
    sd[PROTO] = tensor([1, 2]);
    sd.w = tensor([3]);
    const loaded = load(await save(sd)).stateDict;
    expect(Object.keys(loaded)).toEqual(['__proto__', 'w']);
    expect([...(await loaded[PROTO].read())]).toEqual([1, 2]);
    const state = loadTrainingState(await saveTrainingState({ model: sd, epoch: 1, step: 2 }));
    expect(Object.keys(state.model)).toEqual(['__proto__', 'w']);
    const obj = decodeObject<Record<string, unknown>>(await encodeObject(sd));
    expect(Object.keys(obj)).toEqual(['__proto__', 'w']);
  });

  it('refuses duplicate tensor names in one line naming the name', () => {
    const entry = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    const data = new Uint8Array(4);
    const dup = withHeader(`{"a":${entry}, "a" :${entry}}`, data);
    expect(() => decodeSafetensors(dup, 'x.safetensors')).toThrow(CheckpointError);
    expect(() => decodeSafetensors(dup, 'x.safetensors')).toThrow(
      new CheckpointError('x.safetensors: the header names tensor "a" more than once'),
    );
    // The same name spelled with an escape is the same name; nested keys and string values do not count.
    const escaped = withHeader(`{"__proto__":${entry},"\\u005f_proto__":${entry}}`, data);
    expect(() => decodeSafetensors(escaped, 'y')).toThrow('y: the header names tensor "__proto__" more than once');
    const nested = withHeader(
      '{"__metadata__":{"dtype":"a","a":"dtype, \\"a\\": {"},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
      data,
    );
    expect(Object.keys(decodeSafetensors(nested).tensors)).toEqual(['a']);
  });
});
