import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@kindling/backend-cpu';
import { Linear, ReLU, Sequential } from '@kindling/nn';
import { arange, manualSeed } from '@kindling/tensor';
import { load, save } from '../src/index.js';

const fixture = new URL('./fixtures/kindling-mlp.safetensors', import.meta.url);
const torchOutput = JSON.parse(readFileSync(new URL('./fixtures/kindling-mlp.torch-output.json', import.meta.url), 'utf8')) as {
  output: number[][];
  keys: string[];
};

function model(): Sequential {
  return new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
}

describe('Kindling → PyTorch (safetensors)', () => {
  it('the writer is deterministic: the committed file is what save() produces today', async () => {
    manualSeed(0);
    const bytes = await save(model().stateDict(), { metadata: { input_size: '4', output_size: '2', hidden_layers: '[3]' } });
    // Regenerating the fixture is opt-in; then run tools/fixtures/torch_reads_kindling.py.
    if (process.env.KINDLING_WRITE_FIXTURES) writeFileSync(fixture, bytes);
    expect(Buffer.from(bytes).equals(readFileSync(fixture))).toBe(true);
  });

  it('PyTorch loaded the file into torch.nn.Sequential (strict) and computed the same outputs', async () => {
    const { stateDict, metadata } = load(new Uint8Array(readFileSync(fixture)));
    expect(torchOutput.keys).toEqual(Object.keys(stateDict));
    const net = model();
    net.loadStateDict(stateDict);
    expect(JSON.parse(metadata.hidden_layers)).toEqual([3]);
    const out = (await net.forward(arange(8, { dtype: 'float32' }).reshape(2, 4).div(10)).tolist()) as number[][];
    out.flat().forEach((v, i) => {
      expect(Math.abs(v - torchOutput.output.flat()[i])).toBeLessThan(1e-6);
    });
  });
});
