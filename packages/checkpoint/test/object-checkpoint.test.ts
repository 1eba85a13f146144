import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import '@kindling/backend-cpu';
import { type Tensor, arange, tensor } from '@kindling/tensor';
import {
  CheckpointError,
  OBJECT_METADATA_KEY,
  type SavedValue,
  decodeObject,
  encodeObject,
  encodeSafetensors,
  save as saveStateDict,
} from '../src/index.js';
import { load, save } from '../src/node/index.js';

/** The tutorial's checkpoint dict: `{'input_size': 784, ..., 'state_dict': model.state_dict()}`, small. */
function tutorialCheckpoint() {
  return {
    input_size: 4,
    output_size: 2,
    hidden_layers: [3],
    state_dict: {
      'hidden_layers.0.weight': arange(12, { dtype: 'float32' }).reshape(3, 4).div(10),
      'hidden_layers.0.bias': tensor([0.5, -0.5, 0.25]),
      'output.weight': arange(6, { dtype: 'float32' }).reshape(2, 3),
      'output.bias': tensor([1, 2], { dtype: 'float32' }),
    },
  };
}

interface Tutorial {
  input_size: number;
  output_size: number;
  hidden_layers: number[];
  state_dict: Record<string, Tensor>;
}

/** The safetensors header of `bytes`, as the reference reader sees it. */
function header(bytes: Uint8Array): { length: number; json: Record<string, unknown> } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return { length, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) };
}

const python = ['/usr/bin/python3', `${process.env.HOME}/torch-venv/bin/python`].find(
  (p) => existsSync(p) && spawnSync(p, ['-c', 'import numpy, torch'], { encoding: 'utf8' }).status === 0,
);

describe('encodeObject / decodeObject (torch.save / torch.load of a dict)', () => {
  it('gives back the checkpoint dict: JSON values as they were, the state dict in order', async () => {
    const saved = tutorialCheckpoint();
    const loaded = decodeObject<Tutorial>(await encodeObject(saved));
    expectTypeOf(loaded.state_dict).toEqualTypeOf<Record<string, Tensor>>();
    expect(loaded.input_size).toBe(4);
    expect(loaded.output_size).toBe(2);
    expect(loaded.hidden_layers).toEqual([3]);
    expect(Object.keys(loaded.state_dict)).toEqual(Object.keys(saved.state_dict));
    for (const [key, t] of Object.entries(saved.state_dict)) {
      const got = loaded.state_dict[key] as Tensor;
      expect(got.shape, key).toEqual(t.shape);
      expect(got.dtype, key).toBe(t.dtype);
      expect(got.device, key).toBe('cpu');
      expect(await got.tolist(), key).toEqual(await t.tolist());
    }
  });

  it('keeps tensors at any depth, every dtype, and every JSON value', async () => {
    const obj = {
      name: 'mlp',
      ok: true,
      none: null,
      empty: {},
      nothing: [],
      nested: { optimizer: { lr: 0.003, betas: [0.9, 0.999], momentum: { buffer: tensor([1, 2], { dtype: 'float64' }) } } },
      list: [tensor([[1, 2]], { dtype: 'int32' }), { mask: tensor([true, false], { dtype: 'bool' }) }, 'text'],
      bytes: tensor([0, 255], { dtype: 'uint8' }),
    };
    const back = decodeObject<typeof obj>(await encodeObject(obj));
    expect(Object.keys(back)).toEqual(Object.keys(obj));
    expect({ ...back, nested: undefined, list: undefined, bytes: undefined }).toEqual({
      ...obj,
      nested: undefined,
      list: undefined,
      bytes: undefined,
    });
    expect(back.nested.optimizer.lr).toBe(0.003);
    expect(back.nested.optimizer.betas).toEqual([0.9, 0.999]);
    const buffer = back.nested.optimizer.momentum.buffer;
    expect([buffer.dtype, await buffer.tolist()]).toEqual(['float64', [1, 2]]);
    const [ints, { mask }, text] = back.list as [Tensor, { mask: Tensor }, string];
    expect([ints.dtype, ints.shape, await ints.tolist()]).toEqual(['int32', [1, 2], [[1, 2]]]);
    expect([mask.dtype, await mask.tolist()]).toEqual(['bool', [true, false]]);
    expect(text).toBe('text');
    expect([back.bytes.dtype, await back.bytes.tolist()]).toEqual(['uint8', [0, 255]]);
  });

  it('saves a bare tensor or array, and loads a plain safetensors state dict as its tensors', async () => {
    const t = decodeObject<Tensor>(await encodeObject(tensor([3, 4])));
    expect(await t.tolist()).toEqual([3, 4]);
    const arr = decodeObject(await encodeObject([1, tensor([5])]));
    expect(Array.isArray(arr) && arr[0]).toBe(1);
    const plain = decodeObject<Record<string, Tensor>>(await saveStateDict(tutorialCheckpoint().state_dict));
    expect(Object.keys(plain)).toEqual(['hidden_layers.0.weight', 'hidden_layers.0.bias', 'output.weight', 'output.bias']);
  });

  it('writes a plain safetensors file: tensors under dotted paths, the JSON as one metadata string', async () => {
    const bytes = await encodeObject(tutorialCheckpoint());
    const { length, json } = header(bytes);
    expect(length % 8).toBe(0);
    const { __metadata__: metadata, ...entries } = json as { __metadata__: Record<string, unknown> } & Record<string, unknown>;
    expect(Object.keys(entries)).toEqual([
      'state_dict.hidden_layers.0.weight',
      'state_dict.hidden_layers.0.bias',
      'state_dict.output.weight',
      'state_dict.output.bias',
    ]);
    expect(entries['state_dict.hidden_layers.0.weight']).toEqual({ dtype: 'F32', shape: [3, 4], data_offsets: expect.any(Array) });
    // safetensors requires a string → string metadata map.
    expect(Object.keys(metadata)).toEqual([OBJECT_METADATA_KEY]);
    const stored = JSON.parse(metadata[OBJECT_METADATA_KEY] as string);
    expect(stored.format).toBe(1);
    expect(stored.value).toEqual({
      input_size: 4,
      output_size: 2,
      hidden_layers: [3],
      state_dict: { 'hidden_layers.0.weight': null, 'hidden_layers.0.bias': null, 'output.weight': null, 'output.bias': null },
    });
    expect(stored.tensors['state_dict.output.bias']).toEqual(['state_dict', 'output.bias']);
    // The data section holds exactly the tensors' bytes.
    expect(bytes.byteLength - 8 - length).toBe((12 + 3 + 6 + 2) * 4);
  });

  it('keeps a key named __proto__ as data, on save and on load', async () => {
    const obj = JSON.parse('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    // JSON.parse makes `__proto__` an own data property, which `Object.keys` lists like any key.
    const own = Object.getOwnPropertyDescriptor(obj, '__proto__')?.value as object;
    Object.defineProperty(own, 't', { value: tensor([1]), enumerable: true });
    const back = decodeObject<Record<string, Record<string, unknown>>>(await encodeObject(obj));
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    const inner = Object.getOwnPropertyDescriptor(back, '__proto__')?.value as Record<string, unknown>;
    expect(inner.polluted).toBe(1);
    expect(await (inner.t as Tensor).tolist()).toEqual([1]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('encodeObject refuses what would not come back the same, naming where', () => {
  const model = Object.assign(() => 0, { stateDict: () => ({}) });
  class Network {
    stateDict() {
      return {};
    }
  }
  const cyclic: Record<string, unknown> = { a: { b: 1 } };
  (cyclic.a as Record<string, unknown>).self = cyclic.a;

  it.each([
    [
      { model: new Network() },
      'encodeObject: obj.model is a Network (it has stateDict()), expected tensors and JSON values: save its stateDict(), e.g. model.stateDict()',
    ],
    [
      { model },
      'encodeObject: obj.model is a Function (it has stateDict()), expected tensors and JSON values: save its stateDict(), e.g. model.stateDict()',
    ],
    [{ activation: () => 0 }, 'encodeObject: obj.activation is a function, expected tensors and JSON values (functions cannot be saved)'],
    [
      { best: { loss: Number.NaN } },
      'encodeObject: obj.best.loss is NaN, expected a finite number (JSON has no NaN or Infinity; store it as a tensor)',
    ],
    [{ hidden_layers: [1, Number.POSITIVE_INFINITY] }, 'encodeObject: obj.hidden_layers[1] is Infinity, expected a finite number'],
    [{ dropout: undefined }, 'encodeObject: obj.dropout is undefined, expected a value JSON keeps (use null, or leave the key out)'],
    [cyclic, 'encodeObject: obj.a.self is obj.a again (a cycle), expected a tree of values'],
    [{ 'fc 1': { steps: 1n } }, 'encodeObject: obj["fc 1"].steps is a bigint, expected a number, string, boolean or null'],
    [{ classes: new Map() }, 'encodeObject: obj.classes is a Map, expected a tensor, a JSON value, an array or a plain object'],
    [
      { raw: new Float32Array(2) },
      'obj.raw is a Float32Array, expected a tensor, a JSON value, an array or a plain object (wrap typed arrays with tensor(...))',
    ],
    [{ list: Object.assign(new Array(3), { 0: 1, 2: 2 }) }, 'encodeObject: obj.list[1] is a hole, expected a value'],
    [
      { a: { 'b.c': tensor([1]) }, 'a.b': { c: tensor([2]) } },
      'encodeObject: obj["a.b"].c and obj.a["b.c"] both give the safetensors key "a.b.c", expected one tensor per key (rename one)',
    ],
    [{ __metadata__: tensor([1]) }, 'encodeObject: obj.__metadata__ gives the reserved key "__metadata__"'],
  ])('%#: %s', async (value, message) => {
    const error = await encodeObject(value).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('decodeObject checks the file against its own structure', () => {
  const withObject = (stored: unknown, tensors = {}) =>
    encodeSafetensors(tensors, { [OBJECT_METADATA_KEY]: typeof stored === 'string' ? stored : JSON.stringify(stored) });
  const one = { x: { dtype: 'float32' as const, shape: [1], data: new Float32Array([1]) } };

  it.each([
    [withObject({ format: 2, value: null, tensors: {} }), 'm.safetensors: object checkpoint format 2 is not supported, expected 1'],
    [withObject('{oops'), 'm.safetensors: kindling.object metadata is not valid JSON'],
    [withObject({ format: 1 }), 'm.safetensors: kindling.object metadata is {"format":1}, expected { format, value, tensors }'],
    [
      withObject({ format: 1, value: {}, tensors: { x: ['x'] } }, one),
      'm.safetensors: tensor "x" has path ["x"], which is not in the saved object',
    ],
    [
      withObject({ format: 1, value: { x: null }, tensors: { x: ['x'] } }),
      'm.safetensors: the object refers to tensor "x", which the file does not have',
    ],
    [withObject({ format: 1, value: {}, tensors: {} }, one), 'm.safetensors: tensor "x" has no place in the saved object'],
  ])('%#: %s', (bytes, message) => {
    expect(() => decodeObject(bytes, { name: 'm.safetensors' })).toThrow(message);
  });
});

describe('Node save(obj, path) / load(path) (torch.save / torch.load)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kindling-object-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one file and loads the same dict, so load_checkpoint(filepath) ports as written', async () => {
    const filepath = join(dir, 'checkpoint.safetensors');
    await save(tutorialCheckpoint(), filepath);
    const checkpoint = await load<Tutorial>(filepath);
    expect([checkpoint.input_size, checkpoint.output_size, checkpoint.hidden_layers]).toEqual([4, 2, [3]]);
    expect(await (checkpoint.state_dict['output.bias'] as Tensor).tolist()).toEqual([1, 2]);
    const untyped = await load(filepath, { device: 'cpu' });
    expectTypeOf(untyped).toEqualTypeOf<SavedValue>();
    expect(Object.keys(untyped as object)).toEqual(['input_size', 'output_size', 'hidden_layers', 'state_dict']);
  });

  it('replaces the file atomically, and a refused object leaves the previous file as it was', async () => {
    const filepath = join(dir, 'checkpoint.safetensors');
    await save({ epoch: 1 }, filepath);
    await save({ epoch: 2 }, filepath);
    expect(await load(filepath)).toEqual({ epoch: 2 });
    const before = await readFile(filepath);
    await expect(save({ epoch: 3, loss: Number.NaN }, filepath)).rejects.toThrow('obj.loss is NaN');
    expect((await readFile(filepath)).equals(before)).toBe(true);
    expect(await readdir(dir)).toEqual(['checkpoint.safetensors']);
    await expect(load(join(dir, 'missing.safetensors'))).rejects.toThrow(/ENOENT/);
  });

  it.skipIf(!python)('is read by PyTorch as safetensors: the tensors by key, the JSON from the metadata', async () => {
    const filepath = join(dir, 'checkpoint.safetensors');
    await save(tutorialCheckpoint(), filepath);
    // The reference reader's layout (safetensors may be absent from the test machine's PyTorch).
    const script = `
import json, struct, sys
import numpy as np, torch
raw = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n])
meta = header.pop('__metadata__')
assert all(isinstance(v, str) for v in meta.values())
data = raw[8 + n:]
dtypes = {'F32': np.float32, 'F64': np.float64, 'I32': np.int32, 'U8': np.uint8, 'BOOL': np.bool_}
sd = {k: torch.from_numpy(np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]], dtype=dtypes[v['dtype']]).reshape(v['shape']).copy()) for k, v in header.items()}
obj = json.loads(meta['kindling.object'])['value']
model = torch.nn.Sequential(torch.nn.Linear(obj['input_size'], obj['hidden_layers'][0]), torch.nn.ReLU(), torch.nn.Linear(obj['hidden_layers'][0], obj['output_size']))
prefix = 'state_dict.'
names = {'hidden_layers.0': '0', 'output': '2'}
model.load_state_dict({names[k[len(prefix):].rsplit('.', 1)[0]] + '.' + k.rsplit('.', 1)[1]: v for k, v in sd.items()}, strict=True)
print(json.dumps({'keys': list(sd), 'out': model(torch.ones(1, 4)).tolist()}))
`;
    await writeFile(join(dir, 'read.py'), script);
    const run = spawnSync(python as string, [join(dir, 'read.py'), filepath], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const { keys, out } = JSON.parse(run.stdout) as { keys: string[]; out: number[][] };
    expect(keys).toEqual([
      'state_dict.hidden_layers.0.weight',
      'state_dict.hidden_layers.0.bias',
      'state_dict.output.weight',
      'state_dict.output.bias',
    ]);
    // ones(4) through the saved weights, computed here: relu(W1·1 + b1), then W2·h + b2.
    const w1 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((v) => v / 10);
    const h = [0, 1, 2].map((r) => Math.max(0, w1.slice(r * 4, r * 4 + 4).reduce((a, b) => a + b, 0) + [0.5, -0.5, 0.25][r]));
    const expected = [0, 1].map((r) => [0, 1, 2].reduce((a, c) => a + (r * 3 + c) * h[c], 0) + [1, 2][r]);
    out[0].forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i], 5);
    });
  });
});
