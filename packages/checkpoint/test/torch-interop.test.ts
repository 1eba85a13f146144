import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@kindling/backend-cpu';
import { type Tensor, arange, linear } from '@kindling/tensor';
import { load, save } from '../src/index.js';

const fixture = new URL('./fixtures/kindling-mlp.safetensors', import.meta.url);
const torchOutput = JSON.parse(readFileSync(new URL('./fixtures/kindling-mlp.torch-output.json', import.meta.url), 'utf8')) as {
  output: number[][];
  keys: string[];
};

/** The fixture's network, `Sequential(Linear(4, 3), ReLU(), Linear(3, 2))`, in tensor ops. */
function forward(sd: Record<string, Tensor>, x: Tensor): Tensor {
  return linear(linear(x, sd['0.weight'], sd['0.bias']).relu(), sd['2.weight'], sd['2.bias']);
}

describe('Kindling → PyTorch (safetensors)', () => {
  it('the writer is deterministic: saving the committed file’s tensors and metadata gives the same bytes', async () => {
    const { stateDict, metadata } = load(new Uint8Array(readFileSync(fixture)));
    expect(metadata).toEqual({ input_size: '4', output_size: '2', hidden_layers: '[3]' });
    const bytes = await save(stateDict, { metadata });
    // Rewriting the fixture (after a deliberate format change) is opt-in; then run tools/fixtures/torch_reads_kindling.py.
    if (process.env.KINDLING_WRITE_FIXTURES) writeFileSync(fixture, bytes);
    expect(Buffer.from(bytes).equals(readFileSync(fixture))).toBe(true);
  });

  it('PyTorch loaded the file into torch.nn.Sequential (strict) and computed the same outputs', async () => {
    const { stateDict, metadata } = load(new Uint8Array(readFileSync(fixture)));
    expect(torchOutput.keys).toEqual(Object.keys(stateDict));
    expect(JSON.parse(metadata.hidden_layers)).toEqual([3]);
    const out = (await forward(stateDict, arange(8, { dtype: 'float32' }).reshape(2, 4).div(10)).tolist()) as number[][];
    out.flat().forEach((v, i) => {
      expect(Math.abs(v - torchOutput.output.flat()[i])).toBeLessThan(1e-6);
    });
  });
});
