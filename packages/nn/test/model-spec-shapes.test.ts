import '@kindling/backend-cpu';
import { KindlingError, manualSeed } from '@kindling/tensor';
import { beforeEach, describe, expect, it } from 'vitest';
import { normalizeMlpSpec } from '../src/mlp-spec.js';
import { buildModel, checkModelSpecShapes, mlpToModelSpec, modelSpecStateShapes } from '../src/index.js';

/*
 * A description is compared with the shapes a checkpoint really holds before
 * anything is built (issue 17: `hidden: [250000]` in a small file's metadata
 * took 3 GiB to build).
 */

beforeEach(() => manualSeed(0));

const seq = (...layers: unknown[]) => ({ type: 'sequential', layers });
const cnn = seq(
  { type: 'Conv2d', args: [1, 8, 3] },
  { type: 'BatchNorm2d', args: [8] },
  { type: 'ReLU' },
  { type: 'Flatten' },
  { type: 'Linear', args: [8 * 26 * 26, 10] },
);

function shapesOf(spec: unknown): Map<string, number[]> {
  return new Map(Object.entries(buildModel(spec).stateDict()).map(([k, t]) => [k, [...t.shape]]));
}

describe('modelSpecStateShapes', () => {
  it('gives the state dict a built model has, without building it', () => {
    expect(modelSpecStateShapes(cnn)).toEqual(shapesOf(cnn));
    const named = seq(
      { type: 'Conv2d', args: [4, 8, [3, 5]], options: { groups: 2, bias: false }, name: 'conv' },
      { type: 'ConvTranspose2d', args: [8, 6, 2], options: { groups: 2 }, name: 'up' },
      { type: 'Conv1d', args: [6, 3, 4], name: 'c1' },
      { type: 'BatchNorm1d', args: [3], options: { affine: false }, name: 'bn' },
    );
    expect(modelSpecStateShapes(named)).toEqual(shapesOf(named));
  });

  it('refuses groups that do not divide the channels before computing shapes', () => {
    expect(() => modelSpecStateShapes(seq({ type: 'Conv2d', args: [3, 8, 3], options: { groups: 2 } }))).toThrow(
      'model spec: layers[0]: Conv2d: inChannels (3) must be divisible by groups (2)',
    );
  });
});

describe('checkModelSpecShapes', () => {
  const hugeMlp = mlpToModelSpec(normalizeMlpSpec({ type: 'mlp', inputSize: 784, outputSize: 10, hidden: [250000] }) ?? fail());

  it('accepts a file holding exactly the described tensors', () => {
    expect(() => checkModelSpecShapes(cnn, shapesOf(cnn), 'ok.safetensors')).not.toThrow();
  });

  it('refuses a description larger than the file, naming the key, the layer and both shapes, quickly', () => {
    const small = shapesOf(mlpToModelSpec(normalizeMlpSpec({ type: 'mlp', inputSize: 784, outputSize: 10, hidden: [16] }) ?? fail()));
    const start = performance.now();
    expect(() => checkModelSpecShapes(hugeMlp, small, 'm.safetensors')).toThrow(
      'm.safetensors: "0.weight": the model description (layers[0] Linear(784, 250000)) implies shape [250000, 784], the file holds [16, 784]',
    );
    expect(performance.now() - start).toBeLessThan(200);
  });

  it('refuses missing and extra tensors', () => {
    const shapes = shapesOf(cnn);
    shapes.delete('1.running_var');
    expect(() => checkModelSpecShapes(cnn, shapes, 'f')).toThrow(
      'f: "1.running_var": the model description (layers[1] BatchNorm2d(8)) implies shape [8], the file holds no such tensor',
    );
    const extra = new Map([...shapesOf(cnn), ['9.weight', [3, 3]]]);
    expect(() => checkModelSpecShapes(cnn, extra, 'f')).toThrow(
      'f: "9.weight": the file holds a tensor of shape [3, 3] that no layer of the model description has',
    );
  });

  it('throws KindlingErrors', () => {
    expect(() => checkModelSpecShapes(cnn, new Map(), 'f')).toThrow(KindlingError);
  });
});

function fail(): never {
  throw new Error('not an MLP spec');
}
