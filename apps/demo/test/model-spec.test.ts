import '@kindling/backend-cpu';
import '@kindling/autograd';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { preprocessDigit } from '../src/draw/preprocess-digit.js';
import { type ModelSpec, buildModel, describeLayers, specFromMetadata, specMetadata } from '../src/model/model-spec.js';
import { modelFromCheckpoint } from '../src/worker/loaded-model.js';
import { ModelSlots } from '../src/worker/model-slots.js';

const SPEC: ModelSpec = {
  type: 'mlp',
  inputSize: 784,
  outputSize: 10,
  hidden: [128, 64],
  dropout: 0.2,
  logSoftmax: true,
  dataset: 'mnist',
  classes: Array.from({ length: 10 }, (_, i) => String(i)),
};

const PRETRAINED = fileURLToPath(new URL('../public/models/mnist-mlp.safetensors', import.meta.url));

describe('model spec (compatible with kindling-train checkpoints)', () => {
  test('metadata round-trips and carries the seeds’ keys', () => {
    const metadata = specMetadata(SPEC);
    expect(specFromMetadata(metadata, 'x')).toEqual(SPEC);
    expect(metadata.hidden_layers).toBe('[128,64]');
  });

  test('bad metadata is reported with the file name', () => {
    expect(() => specFromMetadata({}, 'a.safetensors')).toThrow(/a\.safetensors: no "kindling\.model" metadata/);
    expect(() => specFromMetadata({ 'kindling.model': '{' }, 'b')).toThrow(/not valid JSON/);
    expect(() => specFromMetadata({ 'kindling.model': '{"type":"cnn"}' }, 'c')).toThrow(/does not describe an MLP/);
  });

  test('the network matches the trainer’s layer layout', () => {
    const names = Object.keys(buildModel(SPEC).stateDict());
    // Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear, LogSoftmax
    expect(names).toEqual(['0.weight', '0.bias', '3.weight', '3.bias', '6.weight', '6.bias']);
    expect(describeLayers(SPEC)).toBe('784-128-64-10');
  });
});

describe('the shipped pretrained checkpoint', () => {
  test('loads, and reads a drawn vertical stroke as a 1', async () => {
    const bytes = new Uint8Array(readFileSync(PRETRAINED));
    const loaded = modelFromCheckpoint(bytes, 'mnist-mlp.safetensors', 'cpu');
    expect(describeLayers(loaded.spec)).toBe('784-128-64-10');
    expect(loaded.accuracy).toBeGreaterThan(0.95);

    const slots = new ModelSlots();
    slots.set('pretrained', loaded);
    const canvas = { width: 280, height: 280, data: new Float32Array(280 * 280) };
    for (let y = 40; y < 240; y++) for (let x = 130; x < 150; x++) canvas.data[y * 280 + x] = 1;
    const digit = preprocessDigit(canvas);
    if (!digit) throw new Error('no digit');
    const { classes, probabilities } = await slots.predict('pretrained', digit.data);
    const best = probabilities.indexOf(Math.max(...probabilities));
    expect(classes[best]).toBe('1 - one');
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  });
});
