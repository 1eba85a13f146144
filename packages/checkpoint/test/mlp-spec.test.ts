import { describe, expect, it } from 'vitest';
import '@kindling/backend-cpu';
import { manualSeed, randn } from '@kindling/tensor';
import { CheckpointError, type MlpSpec, buildMlp, load, mlpSpecFromMetadata, mlpSpecMetadata, save } from '../src/index.js';

const spec: MlpSpec = {
  type: 'mlp',
  inputSize: 784,
  outputSize: 10,
  hidden: [256, 128, 64],
  dropout: 0.2,
  logSoftmax: true,
  dataset: 'fashion-mnist',
  classes: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
};

describe('MLP specs: rebuilding a model from the file alone', () => {
  it("builds the seeds' Fashion-MNIST classifier layout", () => {
    expect(buildMlp(spec).toString()).toContain('(3): Linear(in_features=256, out_features=128, bias=True)');
    expect(buildMlp({ ...spec, dropout: 0, logSoftmax: false }).toString()).not.toMatch(/Dropout|LogSoftmax/);
  });

  it('save with the spec metadata, then rebuild and load into a fresh model that computes the same outputs', async () => {
    manualSeed(3);
    const model = buildMlp(spec).eval();
    const bytes = await save(model.stateDict(), { metadata: mlpSpecMetadata(spec) });
    const { stateDict, metadata } = load(bytes);
    expect(metadata.hidden_layers).toBe('[256,128,64]');
    const rebuilt = buildMlp(mlpSpecFromMetadata(metadata, 'f.safetensors')).eval();
    rebuilt.loadStateDict(stateDict);
    const x = randn(2, 784);
    expect(await rebuilt.forward(x).tolist()).toEqual(await model.forward(x).tolist());
  });

  it('names the file when the spec is missing or malformed', () => {
    expect(() => mlpSpecFromMetadata({}, 'a.safetensors')).toThrow(CheckpointError);
    expect(() => mlpSpecFromMetadata({}, 'a.safetensors')).toThrow(/a\.safetensors: no "kindling.model" metadata/);
    expect(() => mlpSpecFromMetadata({ 'kindling.model': '{' }, 'b')).toThrow(/not valid JSON/);
    expect(() => mlpSpecFromMetadata({ 'kindling.model': '{"type":"mlp","inputSize":-1,"outputSize":2,"hidden":[]}' }, 'c')).toThrow(
      /does not describe an MLP/,
    );
  });
});
