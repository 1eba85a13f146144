import { readFileSync } from 'node:fs';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import '@kindling/backend-cpu';
import { linear, tensor } from '@kindling/tensor';
import { CheckpointError } from '../src/errors.js';
import type { HostStateDict } from '../src/host-tensor.js';
import { loadPth } from '../src/pth/index.js';
import { fromHostStateDict } from '../src/state-dict.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
type Described = Record<string, { shape: number[]; dtype: string; values: number[] }>;
const expected = JSON.parse(readFileSync(new URL('./fixtures/expected.json', import.meta.url), 'utf8')) as {
  mlp: Described;
  seedsExtra: Record<string, unknown>;
  mlpInput: number[][];
  mlpOutput: number[][];
  dtypes: Described;
  params: Described;
};

function expectTensors(got: HostStateDict, want: Described): void {
  expect(Object.keys(got)).toEqual(Object.keys(want));
  for (const [key, w] of Object.entries(want)) {
    expect({ shape: got[key].shape, dtype: got[key].dtype, values: Array.from(got[key].data) }, key).toEqual(w);
  }
}

// Hand-made pickles, opcode by opcode, for what torch itself never writes.
const enc = new TextEncoder();
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
const str = (s: string) => [0x58, ...u32(enc.encode(s).length), ...enc.encode(s)];
const int = (n: number) => [0x4a, ...u32(n)];
const global = (module: string, name: string) => [0x63, ...enc.encode(`${module}\n${name}\n`)];
const MARK = 0x28;
const TUPLE = 0x74;
const REDUCE = 0x52;
const pickle = (...body: number[][]) => new Uint8Array([0x80, 2, ...body.flat(), 0x2e]);
const dictOf = (...entries: [string, number[]][]) => [0x7d, MARK, ...entries.flatMap(([k, v]) => [...str(k), ...v]), 0x75];

/** `_rebuild_tensor_v2(('storage', torch.<type>, key, 'cpu', numel), offset, size, stride, False, OrderedDict())`. */
function tensorCall(o: { type?: string; key?: string; numel: number; offset?: number; size: number[]; stride: number[] }): number[] {
  return [
    ...global('torch._utils', '_rebuild_tensor_v2'),
    MARK,
    ...[MARK, ...str('storage'), ...global('torch', o.type ?? 'FloatStorage'), ...str(o.key ?? '0'), ...str('cpu'), ...int(o.numel), TUPLE],
    0x51, // BINPERSID
    ...int(o.offset ?? 0),
    ...[MARK, ...o.size.flatMap(int), TUPLE],
    ...[MARK, ...o.stride.flatMap(int), TUPLE],
    0x89, // NEWFALSE
    ...[...global('collections', 'OrderedDict'), 0x29, REDUCE],
    TUPLE,
    REDUCE,
  ];
}

const f32 = (...v: number[]) => new Uint8Array(new Float32Array(v).buffer);
const archive = (pkl: Uint8Array, storages: Record<string, Uint8Array> = {}, extra: Record<string, Uint8Array> = {}) =>
  zipSync(
    { 't/data.pkl': pkl, ...Object.fromEntries(Object.entries(storages).map(([k, v]) => [`t/data/${k}`, v])), ...extra },
    { level: 0 },
  );
const loadPickle = (...body: number[][]) => loadPth(archive(pickle(...body)), 'bad.pth');

function expectRefused(load: () => unknown, message: RegExp): void {
  let error: unknown;
  try {
    load();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a CheckpointError').toBeInstanceOf(CheckpointError);
  expect((error as Error).message).toMatch(message);
}

describe('loadPth: torch.save files from PyTorch 1.13', () => {
  it('loads a Sequential state_dict whose tensors compute PyTorch’s outputs', async () => {
    const { tensors, extra, skipped } = loadPth(fixture('mlp.pth'), 'mlp.pth');
    expectTensors(tensors, expected.mlp);
    expect(extra).toEqual({});
    expect(skipped).toEqual([]);
    // nn.Sequential(Linear(4, 3), ReLU(), Linear(3, 2)), spelled out in tensor ops.
    const sd = fromHostStateDict(tensors);
    const hidden = linear(tensor(expected.mlpInput), sd['0.weight'], sd['0.bias']).relu();
    const out = (await linear(hidden, sd['2.weight'], sd['2.bias']).tolist()) as number[][];
    const want = expected.mlpOutput.flat();
    out.flat().forEach((v, i) => {
      expect(Math.abs(v - want[i])).toBeLessThan(1e-6);
    });
  });

  it("loads the seeds' dict: the state dict plus input_size, output_size, hidden_layers", () => {
    const { tensors, extra, skipped } = loadPth(fixture('seeds-checkpoint.pth'));
    expectTensors(tensors, expected.mlp);
    expect(extra).toEqual(expected.seedsExtra);
    expect(skipped).toEqual([]);
  });

  it('converts every storage type and copies out transposed, offset and shared-storage views', () => {
    expectTensors(loadPth(fixture('dtypes.pth')).tensors, expected.dtypes);
  });

  it('reads an nn.Parameter (_rebuild_parameter) and an expand()ed stride-0 buffer', () => {
    expectTensors(loadPth(fixture('params.pth')).tensors, expected.params);
  });

  it('accepts a re-zipped file whose records are deflated', () => {
    expectTensors(loadPth(zipSync(unzipSync(fixture('mlp.pth')), { level: 9 })).tensors, expected.mlp);
  });

  it('refuses a pickle that would run os.system, naming it, without running it', () => {
    expectRefused(
      () => loadPth(fixture('evil.pth'), 'evil.pth'),
      /^evil\.pth: .*refusing to load global os\.system: only tensor state_dicts are supported/,
    );
  });
});

describe('loadPth: plain values, wrappers and keys', () => {
  const weight = tensorCall({ numel: 2, size: [2], stride: [1] });

  it('keeps plain values of a wrapper, lists what it cannot represent, and ignores the other tensors', () => {
    const optimizer = dictOf(['lr', [0x47, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a]]);
    const pkl = pickle(
      dictOf(
        ['epoch', int(3)],
        ['name', str('mlp')],
        ['shape', [MARK, ...int(2), ...int(5), TUPLE]],
        ['flag', [0x88]],
        ['none', [0x4e]],
        ['model_state_dict', dictOf(['w', weight], ['note', str('x')])],
        ['optimizer_state_dict', optimizer],
        ['loss', tensorCall({ numel: 2, offset: 1, size: [], stride: [] })],
      ),
    );
    const { tensors, extra, skipped } = loadPth(archive(pkl, { '0': f32(1, 2) }));
    expect(Object.keys(tensors)).toEqual(['w']);
    expect(extra).toEqual({ epoch: 3, name: 'mlp', shape: [2, 5], flag: true, none: null });
    expect(skipped).toEqual(['model_state_dict.note', 'optimizer_state_dict', 'loss']);
  });

  it('keeps a "__proto__" key as a tensor name rather than a prototype', () => {
    const { tensors } = loadPth(archive(pickle(dictOf(['__proto__', weight])), { '0': f32(1, 2) }));
    expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
    const [[key, t]] = Object.entries(tensors);
    expect([key, Array.from(t.data)]).toEqual(['__proto__', [1, 2]]);
  });

  it('handles deep nesting and long lists without recursion or argument-spread limits', () => {
    const deep = [...new Array(100_000).fill(0x5d), ...new Array(99_999).fill(0x61)];
    const long = [0x5d, MARK, ...new Array(100_000).fill(0x4e), 0x65];
    const { extra, skipped } = loadPickle(dictOf(['deep', deep], ['long', long], ['n', int(1)]));
    expect(extra).toEqual({ n: 1 });
    expect(skipped).toEqual(['deep', 'long']);
  });

  it('handles a list that contains itself', () => {
    const selfList = [0x5d, 0x71, 9, 0x68, 9, 0x61]; // EMPTY_LIST BINPUT 9 BINGET 9 APPEND
    expect(loadPickle(dictOf(['loop', selfList])).skipped).toEqual(['loop']);
  });
});

describe('loadPth: refusals are CheckpointErrors that say what was wrong', () => {
  const good = archive(pickle(dictOf(['w', tensorCall({ numel: 2, size: [2], stride: [1] })])), { '0': f32(1, 2) });

  it.each([
    ['not a zip', new Uint8Array([1, 2, 3, 4]), /bad\.pth: not a readable zip archive/],
    ['an empty file', new Uint8Array(0), /bad\.pth: not a readable zip archive/],
    ['a legacy torch.save file', pickle(dictOf()), /legacy .* not supported/],
    ['a zip without data.pkl', zipSync({ 'a/version': new Uint8Array([51]) }), /no <folder>\/data\.pkl record/],
    ['two archives in one zip', zipSync({ 'a/data.pkl': pickle(dictOf()), 'b/data.pkl': pickle(dictOf()) }), /several data\.pkl records/],
    [
      'a big-endian checkpoint',
      zipSync({ ...unzipSync(good), 't/byteorder': enc.encode('big') }),
      /bad\.pth: big-endian checkpoints are not supported/,
    ],
    ['a missing storage record', archive(unzipSync(good)['t/data.pkl']), /bad\.pth: storage record data\/0 is missing/],
    [
      'a storage record of the wrong length',
      archive(unzipSync(good)['t/data.pkl'], { '0': f32(1, 2, 3) }),
      /bad\.pth: storage data\/0: 2 F32 elements need 8 bytes, the record has 12/,
    ],
  ])('refuses %s', (_what, bytes, message) => {
    expectRefused(() => loadPth(bytes, 'bad.pth'), message);
  });

  it('refuses a zip truncated anywhere', () => {
    const bytes = fixture('mlp.pth');
    for (let end = 0; end < bytes.byteLength; end += 37) expectRefused(() => loadPth(bytes.subarray(0, end), 'cut.pth'), /^cut\.pth: /);
  });

  it.each([
    ['an unknown opcode', [[0xff]], /bad\.pth: t\/data\.pkl: unsupported or unsafe pickle opcode 0xff \(pickle byte 2\)/],
    ['a text-protocol opcode (INT)', [[0x49, 0x31, 0x0a]], /unsupported or unsafe pickle opcode 0x49/],
    ['stack underflow', [[0x73]], /stack underflow/],
    ['popping below a MARK', [[0x7d, MARK, 0x73]], /stack underflow/],
    ['a TUPLE without MARK', [[TUPLE]], /no MARK/],
    ['a missing memo entry', [[0x68, 9]], /memo entry 9 does not exist/],
    ['a string longer than the data', [[0x58, 0xff, 0xff, 0xff, 0x7f, 0x41]], /data ends early: BINUNICODE needs 2147483647 bytes, 1 left/],
    ['invalid UTF-8', [[0x8c, 1, 0xff]], /not valid UTF-8/],
    ['a GLOBAL without newline', [[0x63, 0x6f, 0x73]], /GLOBAL name without a newline/],
    ['a newer protocol', [[0x80, 9]], /protocol 9/],
    ['a persistent id that is not a storage', [str('x'), [0x51]], /unsupported persistent id/],
    ['a global outside the allow-list', [global('builtins', 'eval')], /refusing to load global builtins\.eval/],
    ['os.system through STACK_GLOBAL', [str('os'), str('system'), [0x93]], /refusing to load global os\.system/],
    ['a pickled model', [global('torch.nn.modules.linear', 'Linear')], /save model\.state_dict\(\), not the model/],
    ['calling a string', [str('x'), [0x29, REDUCE]], /refusing to call a str/],
    ['calling a storage type', [global('torch', 'FloatStorage'), [0x29, REDUCE]], /refusing to call torch\.FloatStorage/],
    ['NEWOBJ with a non-tuple', [global('collections', 'OrderedDict'), int(1), [0x81]], /arguments of collections\.OrderedDict are a int/],
    ['BUILD on a plain dict', [[0x7d, 0x7d, 0x62]], /refusing BUILD on dict/],
    ['a list as a dict key', [[0x7d, 0x5d, 0x4e, 0x73]], /unsupported dict key of type list/],
    ['a top level that is not a dict', [int(1)], /expected a state_dict \(a dict of tensors\), found a int/],
    ['no STOP', [[0x7d]], /data ends early/],
  ])('refuses a pickle with %s', (_what, body, message) => {
    // Drop the STOP pickle() appends when the case is about a missing STOP or a truncated field.
    const bytes = pickle(...body);
    const pkl = /data ends early|without a newline/.test(message.source) ? bytes.subarray(0, -1) : bytes;
    expectRefused(() => loadPth(archive(pkl), 'bad.pth'), message);
  });

  it.each([
    ['a view beyond its storage', { numel: 2, offset: 1, size: [2], stride: [1] }, /reaches element 2 of a storage of 2/],
    ['size and stride of different ranks', { numel: 2, size: [2], stride: [] }, /size has 1 dimensions but stride has 0/],
    ['a negative size', { numel: 2, size: [-1], stride: [1] }, /size must be a non-negative integer, got -1/],
    ['a stride-0 view demanding gigabytes', { numel: 2, size: [2 ** 30], stride: [0] }, /expand to over .* elements/],
    ['an unknown storage type', { type: 'QInt8Storage', numel: 2, size: [2], stride: [1] }, /refusing to load global torch\.QInt8Storage/],
  ])('refuses a tensor with %s', (_what, call, message) => {
    expectRefused(() => loadPth(archive(pickle(dictOf(['w', tensorCall(call)])), { '0': f32(1, 2) }), 'bad.pth'), message);
  });

  it('refuses one storage referenced with two types', () => {
    const body = dictOf(
      ['a', tensorCall({ numel: 2, size: [2], stride: [1] })],
      ['b', tensorCall({ type: 'IntStorage', numel: 2, size: [2], stride: [1] })],
    );
    expectRefused(
      () => loadPth(archive(pickle(body), { '0': f32(1, 2) }), 'bad.pth'),
      /storage 0 is referenced as 2 F32 and as 2 I32 elements/,
    );
  });
});

describe('loadPth: corrupted files load or throw CheckpointError, never crash or hang', () => {
  function fuzz(good: Uint8Array, iterations: number, seed: number, wrap: (bytes: Uint8Array) => Uint8Array): number {
    let state = seed;
    const rand = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    let refused = 0;
    for (let i = 0; i < iterations; i++) {
      const bytes = good.slice(0, i % 5 === 0 ? rand(good.byteLength + 1) : good.byteLength);
      for (let flips = 1 + rand(4); flips > 0 && bytes.byteLength > 0; flips--) bytes[rand(bytes.byteLength)] = rand(256);
      try {
        loadPth(wrap(bytes), 'fuzz.pth');
      } catch (e) {
        if (!(e instanceof CheckpointError)) throw new Error(`iteration ${i}: ${String(e)}`);
        refused++;
      }
    }
    return refused;
  }

  it('survives random flips and truncations of the whole file', () => {
    expect(fuzz(fixture('mlp.pth'), 400, 7, (b) => b)).toBeGreaterThan(100);
  }, 20_000);

  it('survives random flips and truncations of the pickle inside an intact zip', () => {
    const files = unzipSync(fixture('mlp.pth'));
    const rezip = (pkl: Uint8Array) => zipSync({ ...files, 'mlp/data.pkl': pkl }, { level: 0 });
    expect(fuzz(files['mlp/data.pkl'], 400, 11, rezip)).toBeGreaterThan(100);
  }, 20_000);
});
