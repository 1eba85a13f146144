import '@kindling/backend-cpu';
import '@kindling/autograd';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { preprocessDigit } from '../src/draw/preprocess-digit.js';
import { PRETRAINED_MODELS } from '../src/pretrained-model.js';
import { modelFromCheckpoint, modelInfo } from '../src/worker/loaded-model.js';
import { ModelSlots } from '../src/worker/model-slots.js';

const publicFile = (path: string) => fileURLToPath(new URL(`../public/${path}`, import.meta.url));

/** A vertical stroke down the middle of the 280×280 canvas: a "1". */
function drawnOne(): Float32Array {
  const canvas = { width: 280, height: 280, data: new Float32Array(280 * 280) };
  for (let y = 40; y < 240; y++) for (let x = 130; x < 150; x++) canvas.data[y * 280 + x] = 1;
  const digit = preprocessDigit(canvas);
  if (!digit) throw new Error('no digit');
  return digit.data;
}

const EXPECTED = {
  'pretrained-cnn': { modelKind: 'CNN', layers: 'conv 1→32 3×3, conv 32→64 3×3, max-pool 2×2, linear 9216-128-10', accuracy: 0.99 },
  'pretrained-mlp': { modelKind: 'MLP', layers: '784-128-64-10', accuracy: 0.95 },
} as const;

describe('the checkpoints shipped with the site', () => {
  test.each(PRETRAINED_MODELS)('$path loads and reads a drawn vertical stroke as a 1', async ({ slot, path }) => {
    const loaded = modelFromCheckpoint(new Uint8Array(readFileSync(publicFile(path))), path, 'cpu');
    const { modelKind, layers, accuracy } = EXPECTED[slot];
    expect(modelInfo(slot, loaded)).toMatchObject({ modelKind, layers, dataset: 'mnist' });
    expect(loaded.accuracy).toBeGreaterThanOrEqual(accuracy);

    const slots = new ModelSlots();
    slots.set(slot, loaded);
    const { classes, probabilities } = await slots.predict(slot, drawnOne());
    const best = probabilities.indexOf(Math.max(...probabilities));
    expect(classes[best]).toBe('1 - one');
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  });
});
