import '@kindling/backend-cpu';
import { KindlingError, manualSeed, randn } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { MLP_SPEC_METADATA_KEY, type MlpSpec, buildMlp, mlpSpecFromMetadata, mlpSpecMetadata } from '../src/index.js';

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

describe('MLP specs: rebuilding a model from checkpoint metadata alone', () => {
  it("builds the seeds' Fashion-MNIST classifier layout", () => {
    expect(buildMlp(spec).toString()).toContain('(3): Linear(in_features=256, out_features=128, bias=True)');
    expect(buildMlp(spec).toString()).toContain('(2): Dropout(p=0.2, inplace=False)');
    expect(buildMlp(spec).toString()).toMatch(/\(10\): LogSoftmax\(dim=1\)\n\)$/);
    expect(buildMlp({ ...spec, dropout: 0, logSoftmax: false }).toString()).not.toMatch(/Dropout|LogSoftmax/);
  });

  it("writes the JSON spec and the seeds' keys; the model rebuilt from them loads the weights and computes the same outputs", async () => {
    manualSeed(3);
    const model = buildMlp(spec).eval();
    const metadata = mlpSpecMetadata(spec);
    expect(metadata).toEqual({
      [MLP_SPEC_METADATA_KEY]: JSON.stringify(spec),
      input_size: '784',
      output_size: '10',
      hidden_layers: '[256,128,64]',
    });
    const rebuiltSpec = mlpSpecFromMetadata(metadata, 'f.safetensors');
    expect(rebuiltSpec).toEqual(spec);
    const rebuilt = buildMlp(rebuiltSpec).eval();
    rebuilt.loadStateDict(model.stateDict());
    const x = randn(2, 784);
    expect(await rebuilt.forward(x).tolist()).toEqual(await model.forward(x).tolist());
  });

  it('fills in what older files leave out: no dropout, LogSoftmax, MNIST, classes named by label', () => {
    const metadata = { [MLP_SPEC_METADATA_KEY]: '{"type":"mlp","inputSize":4,"outputSize":3,"hidden":[5],"dropout":1}' };
    expect(mlpSpecFromMetadata(metadata, 'old')).toEqual({
      type: 'mlp',
      inputSize: 4,
      outputSize: 3,
      hidden: [5],
      dropout: 0,
      logSoftmax: true,
      dataset: 'mnist',
      classes: ['0', '1', '2'],
    });
  });

  it('names the file when the spec is missing or malformed, with a KindlingError', () => {
    expect(() => mlpSpecFromMetadata({}, 'a.safetensors')).toThrow(KindlingError);
    expect(() => mlpSpecFromMetadata({}, 'a.safetensors')).toThrow(
      'a.safetensors: no "kindling.model" metadata, so the model cannot be rebuilt from the file',
    );
    expect(() => mlpSpecFromMetadata({ 'kindling.model': '{' }, 'b')).toThrow('b: "kindling.model" metadata is not valid JSON');
    const negative = '{"type":"mlp","inputSize":-1,"outputSize":2,"hidden":[]}';
    expect(() => mlpSpecFromMetadata({ 'kindling.model': negative }, 'c')).toThrow(
      'c: "kindling.model" metadata does not describe an MLP: inputSize must be an integer in [1, 16777216], got -1',
    );
    expect(() => mlpSpecFromMetadata({ 'kindling.model': '{"type":"cnn","inputSize":1,"outputSize":2,"hidden":[]}' }, 'd')).toThrow(
      /does not describe an MLP/,
    );
    expect(() => mlpSpecFromMetadata({ 'kindling.model': '{"type":"mlp","inputSize":1,"outputSize":2,"hidden":[1.5]}' }, 'e')).toThrow(
      /does not describe an MLP/,
    );
  });
});
