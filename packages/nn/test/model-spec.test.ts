import '@kindling/backend-cpu';
import { KindlingError, type Tensor, manualSeed, memory, randn } from '@kindling/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  BatchNorm2d,
  Conv2d,
  type LayerSpec,
  MAX_MODEL_ELEMENTS,
  MLP_SPEC_METADATA_KEY,
  MaxPool2d,
  type MlpSpec,
  Module,
  ReLU,
  Sequential,
  buildMlp,
  buildModel,
  mlpSpecMetadata,
  mlpToModelSpec,
  modelSpecFromMetadata,
  modelSpecOf,
  modelSpecParameterCount,
  parseModelSpec,
} from '../src/index.js';

beforeEach(() => manualSeed(0));

const seq = (...layers: unknown[]) => ({ type: 'sequential', layers });

describe('buildModel: every supported layer from its description', () => {
  it('builds each layer type with its arguments and options, and describes it back the same way', () => {
    const layers: LayerSpec[] = [
      { type: 'Conv2d', args: [3, 8, [3, 5]], options: { stride: 2, padding: [1, 2], dilation: 1, groups: 1, bias: false } },
      { type: 'BatchNorm2d', args: [8], options: { eps: 0.001, momentum: null, affine: false } },
      { type: 'LeakyReLU', args: [0.2] },
      { type: 'MaxPool2d', args: [3], options: { stride: 1, padding: 1, dilation: 2, ceilMode: true } },
      { type: 'AvgPool2d', args: [[2, 1]], options: { countIncludePad: false, divisorOverride: 3 } },
      { type: 'Dropout2d', args: [0.1] },
      { type: 'ConvTranspose2d', args: [8, 4, 2], options: { stride: 2, outputPadding: 1, groups: 2 } },
      { type: 'AdaptiveAvgPool2d', args: [[4, null]] },
      { type: 'Flatten', args: [1, -1] },
      { type: 'Unflatten', args: [1, [4, -1]] },
      { type: 'Conv1d', args: [4, 6, 3], options: { padding: 'same', paddingMode: 'replicate' } },
      { type: 'BatchNorm1d', args: [6] },
      { type: 'GELU', args: ['tanh'] },
      { type: 'ELU', args: [0.5] },
      { type: 'Hardtanh', args: [-2, 2] },
      { type: 'Softplus', args: [2, 10] },
      { type: 'SiLU' },
      { type: 'Sigmoid' },
      { type: 'Tanh' },
      { type: 'LogSigmoid' },
      { type: 'Identity' },
      { type: 'Flatten', args: [1, -1] },
      { type: 'Linear', args: [6 * 68, 10], options: { bias: false } },
      { type: 'Dropout', args: [0.3] },
      { type: 'Softmax', args: [1] },
    ];
    const model = buildModel(seq(...layers));
    expect(model.length).toBe(layers.length);
    // [2, 3, 20, 20] → conv [2, 8, 10, 10] → max-pool [2, 8, 8, 8] → avg-pool [2, 8, 4, 8] → transposed conv
    // [2, 4, 9, 17] → adaptive [2, 4, 4, 17] → [2, 272] → [2, 4, 68] → conv1d [2, 6, 68] → [2, 408] → [2, 10].
    // The options equal to the defaults are not written back.
    const expected = layers.map((l) => {
      if (l.type !== 'Conv2d') return l;
      return { ...l, options: { stride: 2, padding: [1, 2], bias: false } };
    });
    expect(modelSpecOf(model).layers).toEqual(expected);
    expect(model.forward(randn(2, 3, 20, 20)).shape).toEqual([2, 10]);
  });

  it('leaves out trailing arguments that have defaults', () => {
    const model = buildModel(seq({ type: 'Flatten' }, { type: 'Dropout' }, { type: 'LeakyReLU' }, { type: 'Flatten', args: [0] }));
    expect(model.toString()).toBe(
      'Sequential(\n  (0): Flatten(start_dim=1, end_dim=-1)\n  (1): Dropout(p=0.5, inplace=False)\n' +
        '  (2): LeakyReLU(negative_slope=0.01)\n  (3): Flatten(start_dim=0, end_dim=-1)\n)',
    );
  });

  it('carries dataset, classes, input shape and normalisation through parseModelSpec', () => {
    const normalize = { mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26] };
    const spec = parseModelSpec({
      ...seq({ type: 'ReLU' }),
      dataset: 'cifar10',
      classes: ['a', 'b'],
      inputShape: [3, 32, 32],
      normalize,
      future: 1,
    });
    expect(spec).toEqual({
      type: 'sequential',
      layers: [{ type: 'ReLU' }],
      dataset: 'cifar10',
      classes: ['a', 'b'],
      inputShape: [3, 32, 32],
      normalize,
    });
  });
});

describe('untrusted descriptions are refused with one-line errors naming the layer and argument', () => {
  const refuses = (spec: unknown, message: string | RegExp) => {
    expect(() => buildModel(spec)).toThrow(KindlingError);
    expect(() => buildModel(spec)).toThrow(message);
  };

  it('refuses unknown types, fields and options', () => {
    refuses(
      seq({ type: 'Conv3d', args: [1, 2, 3] }),
      /^model spec: layers\[0\] type must be one of Linear, Conv1d, Conv2d, .*, got "Conv3d"$/,
    );
    refuses(seq({ type: '__proto__' }), /layers\[0\] type must be one of/);
    refuses(seq({ type: 'constructor' }), /layers\[0\] type must be one of/);
    refuses(seq({ type: 'ReLU', inplace: true }), 'model spec: layers[0]: unknown field "inplace"');
    refuses(
      seq({ type: 'Linear', args: [2, 3], options: { device: 'cpu' } }),
      'model spec: layers[0] (Linear): unknown option "device" (known: bias)',
    );
    refuses(seq({ type: 'ReLU', options: { x: 1 } }), 'model spec: layers[0] (ReLU): unknown option "x"');
    refuses({ type: 'cnn', layers: [] }, `model spec: type must be 'sequential' (or 'mlp'), got "cnn"`);
    refuses([], `model spec: type must be 'sequential' (or 'mlp'), got []`);
    refuses(seq('ReLU'), /layers\[0\] must be an object like \{"type": "Conv2d", "args": \[1, 32, 3\]\}, got "ReLU"/);
  });

  it('refuses arguments of the wrong kind, out of range, missing or too many', () => {
    refuses(
      seq({ type: 'Linear', args: [1e300, 2] }),
      'model spec: layers[0] (Linear) inFeatures must be an integer in [1, 16777216], got 1e+300',
    );
    refuses(seq({ type: 'Linear', args: [2.5, 2] }), /inFeatures must be an integer in \[1, 16777216\], got 2.5/);
    refuses(seq({ type: 'Linear', args: ['784', 2] }), /inFeatures must be an integer .*, got "784"/);
    refuses(seq({ type: 'Linear', args: [784] }), 'model spec: layers[0] (Linear): missing argument outFeatures');
    refuses(seq({ type: 'ReLU', args: [1] }), 'model spec: layers[0] (ReLU) args must be a list of at most 0 arguments (), got [1]');
    refuses(
      seq({ type: 'Conv2d', args: [1, 2, [3, 3, 3]] }),
      /kernelSize must be an integer in \[1, 4096\] or a pair of them, got \[3,3,3\]/,
    );
    refuses(seq({ type: 'Conv2d', args: [1, 2, 3], options: { padding: 'full' } }), /padding \(or 'same', 'valid'\) must be an integer/);
    refuses(
      seq({ type: 'Conv2d', args: [1, 2, 3], options: { paddingMode: 'circular' } }),
      /paddingMode must be one of 'zeros', 'reflect', 'replicate'/,
    );
    refuses(seq({ type: 'Dropout', args: [1.5] }), 'model spec: layers[0] (Dropout) p must be a finite number in [0, 1], got 1.5');
    refuses(seq({ type: 'BatchNorm2d', args: [4], options: { eps: 0 } }), /eps must be a finite number/);
    refuses(seq({ type: 'Unflatten', args: [1, []] }), /unflattenedSize must be a list of 1 to 8 entries, got \[\]/);
    refuses(seq({ type: 'LogSoftmax', args: [1000] }), /dim must be an integer in \[-64, 63\], got 1000/);
    refuses({ ...seq(), inputShape: [0] }, 'model spec: inputShape[0] must be an integer in [1, 16777216], got 0');
    refuses({ ...seq(), classes: 'abc' }, 'model spec: classes must be a list of strings, got "abc"');
    refuses(
      { ...seq(), normalize: { mean: [0.5], std: [0] } },
      /model spec: normalize std\[0\] must be a finite number in \[1e-12, 1000000\], got 0/,
    );
    refuses(
      { ...seq(), normalize: { mean: [0.5, 0.5], std: [0.5] } },
      'model spec: normalize std must be 2 entries, one per mean, got [0.5]',
    );
    refuses({ ...seq(), normalize: [0.5] }, /model spec: normalize must be an object like/);
  });

  it("reports a constructor's own refusal with the layer's index", () => {
    refuses(
      seq({ type: 'ReLU' }, { type: 'Conv2d', args: [3, 4, 3], options: { groups: 2 } }),
      'model spec: layers[1]: Conv2d: inChannels (3) must be divisible by groups (2)',
    );
    refuses(
      seq({ type: 'Hardtanh', args: [1, -1] }),
      'model spec: layers[0]: Hardtanh: maxVal must be greater than minVal, got minVal=1, maxVal=-1',
    );
  });

  it('computes the parameter count first and refuses more than 2^28 elements before allocating anything', () => {
    const before = memory().cpu?.bytes ?? 0;
    const huge = seq({ type: 'Linear', args: [16, 16] }, { type: 'Linear', args: [16384, 32768] });
    refuses(
      huge,
      `model spec: the layers would allocate ${16 * 16 + 16 + 16384 * 32768 + 32768} parameter and buffer elements, more than the limit of ${MAX_MODEL_ELEMENTS} (2^28)`,
    );
    refuses(seq({ type: 'Conv2d', args: [4096, 4096, [64, 64]] }), /would allocate 68719480832 parameter/);
    expect(memory().cpu?.bytes ?? 0).toBe(before);
    expect(() => modelSpecParameterCount(huge as never)).toThrow(/more than the limit/);
  });

  it('counts buffers too, and the parameters of each layer as PyTorch has them', () => {
    const spec = parseModelSpec(
      seq(
        { type: 'Conv2d', args: [4, 6, [3, 2]], options: { groups: 2 } },
        { type: 'ConvTranspose2d', args: [6, 4, 3], options: { groups: 2, bias: false } },
        { type: 'Conv1d', args: [4, 2, 5] },
        { type: 'BatchNorm1d', args: [2] },
        { type: 'BatchNorm2d', args: [3], options: { affine: false } },
      ),
    );
    // 6·2·3·2 + 6, 6·2·3·3, 2·4·5 + 2, 2 + 2, 0 (buffers are not parameters).
    expect(modelSpecParameterCount(spec)).toBe(78 + 108 + 42 + 4);
    const model = buildModel(spec);
    expect([...model.parameters()].reduce((n, p) => n + p.numel(), 0)).toBe(232);
  });

  it('refuses too many layers and inconsistent names', () => {
    refuses(seq(...Array.from({ length: 1025 }, () => ({ type: 'ReLU' }))), /layers must be a list of at most 1024 layers/);
    refuses(seq({ type: 'ReLU', name: 'a' }, { type: 'ReLU' }), 'model spec: either every layer has a name or none has');
    refuses(seq({ type: 'ReLU', name: 'a' }, { type: 'ReLU', name: 'a' }), 'model spec: layer names must be unique');
    refuses(seq({ type: 'ReLU', name: 'a.b' }), /name must be a name of letters, digits and _, got "a.b"/);
  });
});

describe('modelSpecOf', () => {
  it('refuses layers it cannot describe, subclasses of supported ones included', () => {
    class Custom extends Module {
      forward(x: Tensor) {
        return x;
      }
    }
    class MyConv extends Conv2d {}
    expect(() => modelSpecOf(new Sequential(new ReLU(), new Custom()))).toThrow(
      /^modelSpecOf: layer 1 \(Custom\) cannot be described; supported: Linear, /,
    );
    expect(() => modelSpecOf(new Sequential(new MyConv(1, 2, 3)))).toThrow(/layer 0 \(MyConv\) cannot be described/);
    expect(() => modelSpecOf(new ReLU() as unknown as Sequential)).toThrow('modelSpecOf: expected a Sequential, got ReLU()');
  });

  it('keeps MaxPool2d returnIndices, so a rebuilt layer still refuses a plain forward', () => {
    const spec = modelSpecOf(new Sequential(new MaxPool2d(2, { returnIndices: true })));
    expect(spec.layers).toEqual([{ type: 'MaxPool2d', args: [2], options: { returnIndices: true } }]);
    expect((buildModel(spec).at(0) as MaxPool2d).returnIndices).toBe(true);
  });

  it('describes BatchNorm with momentum null (cumulative average)', () => {
    const spec = modelSpecOf(new Sequential(new BatchNorm2d(4, { momentum: null })));
    expect(spec.layers).toEqual([{ type: 'BatchNorm2d', args: [4], options: { momentum: null } }]);
    expect((buildModel(spec).at(0) as BatchNorm2d).momentum).toBeNull();
  });
});

describe('old MLP specs still load', () => {
  const mlp: MlpSpec = {
    type: 'mlp',
    inputSize: 784,
    outputSize: 10,
    hidden: [128, 64],
    dropout: 0.2,
    logSoftmax: true,
    dataset: 'fashion-mnist',
    classes: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'],
  };

  it('converts to the layers buildMlp builds, with the same state-dict keys', async () => {
    const spec = mlpToModelSpec(mlp);
    expect(spec.inputShape).toEqual([784]);
    const old = buildMlp(mlp).eval();
    const model = buildModel(mlp).eval();
    expect(model.toString()).toBe(old.toString());
    model.loadStateDict(old.stateDict());
    const x = randn(2, 784);
    expect(await model.forward(x).tolist()).toEqual(await old.forward(x).tolist());
  });

  it('reads an old checkpoint metadata entry, filling in what older files left out', () => {
    const spec = modelSpecFromMetadata(mlpSpecMetadata(mlp), 'old.safetensors');
    expect(spec).toEqual(mlpToModelSpec(mlp));
    const older = modelSpecFromMetadata({ [MLP_SPEC_METADATA_KEY]: '{"type":"mlp","inputSize":4,"outputSize":3,"hidden":[5]}' }, 'f');
    expect(older).toEqual({
      type: 'sequential',
      layers: [{ type: 'Linear', args: [4, 5] }, { type: 'ReLU' }, { type: 'Linear', args: [5, 3] }, { type: 'LogSoftmax', args: [1] }],
      dataset: 'mnist',
      classes: ['0', '1', '2'],
      inputShape: [4],
    });
  });

  it('refuses malformed MLP specs and metadata, naming the file', () => {
    expect(() => modelSpecFromMetadata({}, 'a.safetensors')).toThrow(
      'a.safetensors: no "kindling.model" metadata, so the model cannot be rebuilt from the file',
    );
    expect(() => modelSpecFromMetadata({ 'kindling.model': '{' }, 'b')).toThrow('b: "kindling.model" metadata is not valid JSON');
    expect(() => modelSpecFromMetadata({ 'kindling.model': '{"type":"mlp","inputSize":1e12,"outputSize":2,"hidden":[]}' }, 'c')).toThrow(
      'c: "kindling.model": does not describe an MLP: inputSize must be an integer in [1, 16777216], got 1000000000000',
    );
    expect(() => modelSpecFromMetadata({ 'kindling.model': '{"type":"sequential","layers":[{"type":"Nope"}]}' }, 'd')).toThrow(
      /^d: "kindling.model": layers\[0\] type must be one of/,
    );
    expect(() => buildModel({ type: 'mlp', inputSize: 16384, outputSize: 32768, hidden: [] })).toThrow(/more than the limit/);
  });
});
