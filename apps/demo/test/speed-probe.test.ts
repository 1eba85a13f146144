import '@kindling/backend-cpu';
import { memory } from '@kindling/tensor';
import { describe, expect, test } from 'vitest';
import { modelChoice } from '../src/model/model-choices.js';
import { buildModel } from '../src/model/model-spec.js';
import { DEFAULT_VALUES } from '../src/pages/train-options.js';
import { timeTrainingSteps } from '../src/worker/speed-probe.js';

const liveTensors = () => memory().cpu?.tensors ?? 0;

/** Tensors that building (and disposing) the default model leaves for the garbage collector (@kindling/nn's weight init). */
function leftByBuildingTheModel(): number {
  const before = liveTensors();
  const model = buildModel(modelChoice(DEFAULT_VALUES.model).spec({ dataset: 'mnist', classes: [...'0123456789'] }));
  for (const p of model.parameters()) p.dispose();
  return liveTensors() - before;
}

describe('the WebGPU speed probe', () => {
  // It times what the default run does (small batches, many kernels), not one big product; here its CPU half.
  test('times training steps of the default model on the CPU and frees what it made', async () => {
    const fromInit = leftByBuildingTheModel();
    const before = liveTensors();
    const ms = await timeTrainingSteps('cpu');
    expect(Number.isFinite(ms)).toBe(true);
    expect(ms).toBeGreaterThan(0);
    // Without releasing the optimizer, Adam's moment buffers and the gradients would stay too.
    expect(liveTensors() - before).toBeLessThanOrEqual(fromInit);
  });
});
