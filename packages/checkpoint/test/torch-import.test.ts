import { readFileSync } from 'node:fs';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import '@kindling/backend-cpu';
import { Linear, ReLU, Sequential } from '@kindling/nn';
import { tensor } from '@kindling/tensor';
import { CheckpointError, fromHostStateDict, loadTorchCheckpoint } from '../src/index.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
type Described = Record<string, { shape: number[]; dtype: string; values: number[] }>;
const expected = JSON.parse(readFileSync(new URL('./fixtures/pth-expected.json', import.meta.url), 'utf8')) as {
  mlp: Described;
  dtypes: Described;
  mlpInput: number[][];
  mlpOutput: number[][];
};

function expectTensors(got: ReturnType<typeof loadTorchCheckpoint>['tensors'], want: Described): void {
  expect(Object.keys(got)).toEqual(Object.keys(want));
  for (const [k, w] of Object.entries(want)) {
    expect(got[k].shape, k).toEqual(w.shape);
    expect(got[k].dtype, k).toBe(w.dtype);
    expect(Array.from(got[k].data), k).toEqual(w.values);
  }
}

describe('PyTorch .pth import (torch.save zip files, PyTorch 1.13)', () => {
  it('loads a Sequential state_dict that gives PyTorch’s outputs in a Kindling model', async () => {
    const { tensors, extra } = loadTorchCheckpoint(fixture('mlp.pth'), 'mlp.pth');
    expectTensors(tensors, expected.mlp);
    expect(extra).toEqual({});
    const model = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
    model.loadStateDict(fromHostStateDict(tensors));
    const out = (await model.forward(tensor(expected.mlpInput)).tolist()) as number[][];
    out.flat().forEach((v, i) => {
      expect(Math.abs(v - expected.mlpOutput.flat()[i])).toBeLessThan(1e-6);
    });
  });

  it("loads the seeds' checkpoint dict: the state dict plus input_size, output_size, hidden_layers", () => {
    const { tensors, extra } = loadTorchCheckpoint(fixture('seeds-checkpoint.pth'));
    expectTensors(tensors, expected.mlp);
    expect(extra).toEqual({ input_size: 4, output_size: 2, hidden_layers: [3] });
  });

  it('converts every storage type, strided and offset views, and shared storages', () => {
    expectTensors(loadTorchCheckpoint(fixture('dtypes.pth')).tensors, expected.dtypes);
  });

  it('refuses a pickle that would run os.system, without running it', () => {
    expect(() => loadTorchCheckpoint(fixture('evil.pth'), 'evil.pth')).toThrow(CheckpointError);
    expect(() => loadTorchCheckpoint(fixture('evil.pth'), 'evil.pth')).toThrow(/evil\.pth: refusing to load global (posix|os)\.system/);
  });

  it.each([
    ['not a zip', new Uint8Array([1, 2, 3, 4]), /not a PyTorch zip checkpoint/],
    ['a zip without data.pkl', zipSync({ 'a/version': new Uint8Array([51]) }), /no data\.pkl/],
    ['an unknown opcode', zipSync({ 'a/data.pkl': new Uint8Array([0x80, 2, 0xff]) }), /unsupported or unsafe pickle opcode 0xff/],
    ['stack underflow', zipSync({ 'a/data.pkl': new Uint8Array([0x80, 2, 0x74]) }), /no MARK/],
    ['a missing memo entry', zipSync({ 'a/data.pkl': new Uint8Array([0x80, 2, 0x68, 9, 0x2e]) }), /memo entry 9 does not exist/],
    ['a truncated string', zipSync({ 'a/data.pkl': new Uint8Array([0x80, 2, 0x58, 0xff, 0xff, 0, 0]) }), /data ends early/],
    ['no STOP', zipSync({ 'a/data.pkl': new Uint8Array([0x80, 2, 0x7d]) }), /data ends early/],
    [
      'a top level that is not a dict',
      zipSync({ 'a/data.pkl': new Uint8Array([0x80, 2, 0x4b, 1, 0x2e]) }),
      /expected a dict or OrderedDict/,
    ],
  ])('refuses %s with a CheckpointError', (_what, bytes, message) => {
    expect(() => loadTorchCheckpoint(bytes, 'bad.pth')).toThrow(CheckpointError);
    expect(() => loadTorchCheckpoint(bytes, 'bad.pth')).toThrow(message);
  });

  it('a storage shorter than its tensors needs, or a view beyond it, is refused', () => {
    const files = Object.fromEntries(
      Object.entries(readZip(fixture('mlp.pth'))).map(([k, v]) => [k, k.endsWith('data/0') ? v.subarray(0, 8) : v]),
    );
    expect(() => loadTorchCheckpoint(zipSync(files), 'short.pth')).toThrow(/short\.pth: storage 0 has 8 bytes/);
  });

  it('survives random corruption: every outcome is a load or a CheckpointError, never a crash or hang', () => {
    const good = fixture('dtypes.pth');
    let state = 99;
    const rand = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    let refused = 0;
    for (let i = 0; i < 600; i++) {
      const bytes = good.slice(0, i % 7 === 0 ? rand(good.byteLength) : good.byteLength);
      for (let flips = 1 + rand(3); flips > 0 && bytes.byteLength > 0; flips--) bytes[rand(bytes.byteLength)] = rand(256);
      try {
        loadTorchCheckpoint(bytes);
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(CheckpointError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(50);
  });
});

function readZip(bytes: Uint8Array): Record<string, Uint8Array> {
  return unzipSync(bytes);
}
