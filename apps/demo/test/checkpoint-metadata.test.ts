import '@kindling/backend-cpu';
import '@kindling/autograd';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { save } from '@kindling/checkpoint';
import { Compose, MNIST, Normalize, ToTensor } from '@kindling/data';
import { describe, expect, test } from 'vitest';
import { IDX_FILES } from '../src/data-catalog.js';
import { modelChoice } from '../src/model/model-choices.js';
import { buildModel, modelSpecMetadata } from '../src/model/model-spec.js';
import { type LoadedModel, checkpointBytes, modelFromCheckpoint } from '../src/worker/loaded-model.js';
import type { TrainSettings } from '../src/worker/protocol.js';
import { TrainingControl } from '../src/worker/training-control.js';
import { runTraining } from '../src/worker/training-run.js';
import { safetensorsMetadata } from './browser/safetensors-metadata.js';

const DATA_ROOT = process.env.KINDLING_DEMO_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const MNIST_DIR = join(DATA_ROOT, 'mnist');
const CLASSES = Array.from({ length: 10 }, (_, i) => String(i));

function smallModel(extra: Partial<LoadedModel> = {}): LoadedModel {
  const spec = modelChoice('small').spec({ dataset: 'mnist', classes: CLASSES });
  return { model: buildModel(spec), spec, source: 'test', ...extra };
}

// kindling-train's best.safetensors records `epoch` and `step` as digit strings beside `test_accuracy`,
// and `kindling-train info` reads them from there (apps/trainer/src/load-model.ts): the demo writes the same.
describe("checkpoints record the epochs and steps they trained, in kindling-train's metadata keys", () => {
  test('a model that trained writes epoch and step, and reading the file back restores them', async () => {
    const bytes = await checkpointBytes(smallModel({ accuracy: 0.5, epoch: 2, step: 30 }));
    expect(safetensorsMetadata(bytes)).toMatchObject({ test_accuracy: '0.5', epoch: '2', step: '30' });
    const loaded = modelFromCheckpoint(bytes, 'demo.safetensors', 'cpu');
    expect(loaded).toMatchObject({ accuracy: 0.5, epoch: 2, step: 30 });
    // So downloading it again (or moving it to another backend, which goes through the bytes) keeps them.
    expect(safetensorsMetadata(await checkpointBytes(loaded))).toMatchObject({ epoch: '2', step: '30' });
  });

  test('a checkpoint that does not record them (or not as counts) has none, rather than 0', async () => {
    const none = modelFromCheckpoint(await checkpointBytes(smallModel()), 'none.safetensors', 'cpu');
    expect(none.epoch).toBeUndefined();
    expect(none.step).toBeUndefined();
    expect(Object.keys(safetensorsMetadata(await checkpointBytes(none)))).not.toContain('epoch');

    const { model, spec } = smallModel();
    const odd = await save(model.stateDict(), { metadata: { ...modelSpecMetadata(spec), epoch: '1.5', step: '-3' } });
    const loaded = modelFromCheckpoint(odd, 'odd.safetensors', 'cpu');
    expect(loaded.epoch).toBeUndefined();
    expect(loaded.step).toBeUndefined();
  });
});

/** A control that stops the run after `batches` batches, as the Stop button would. */
class StopAfter extends TrainingControl {
  private seen = 0;
  constructor(private readonly batches: number) {
    super(() => {});
  }
  override async checkpoint(): Promise<boolean> {
    if (++this.seen >= this.batches) this.stop();
    return super.checkpoint();
  }
}

describe.skipIf(!existsSync(join(MNIST_DIR, IDX_FILES.trainImages)))('the Train page run counts what the weights trained', () => {
  const transform = () => new Compose([new ToTensor(), new Normalize([0.5], [0.5])]);
  const file = (name: string) => new Uint8Array(readFileSync(join(MNIST_DIR, name)));
  const data = {
    train: MNIST.fromBytes(file(IDX_FILES.trainImages), file(IDX_FILES.trainLabels), { train: true, transform: transform() }),
    test: MNIST.fromBytes(file(IDX_FILES.testImages), file(IDX_FILES.testLabels), { train: false, transform: transform() }),
  };
  // 128 images in batches of 32: 4 steps an epoch.
  const settings: TrainSettings = {
    dataset: 'mnist',
    model: 'small',
    optimizer: 'adam',
    lr: 0.001,
    epochs: 2,
    batchSize: 32,
    trainSubset: 128,
    testSubset: 64,
    seed: 1,
    dataUrl: 'http://localhost/data/mnist/',
  };

  async function train(control: TrainingControl, trainSubset = settings.trainSubset): Promise<{ stopped: boolean; model: LoadedModel }> {
    let model: LoadedModel | null = null;
    const { stopped } = await runTraining({
      settings: { ...settings, trainSubset },
      device: 'cpu',
      data,
      control,
      emit: () => {},
      onModel: (m) => {
        model = m;
      },
    });
    if (!model) throw new Error('runTraining did not report its model');
    return { stopped, model };
  }

  test('a finished run: every epoch and step', async () => {
    const { stopped, model } = await train(new TrainingControl(() => {}));
    expect(stopped).toBe(false);
    expect(model).toMatchObject({ epoch: 2, step: 8 });
    expect(safetensorsMetadata(await checkpointBytes(model))).toMatchObject({ epoch: '2', step: '8' });
  });

  test('a run stopped in its second epoch: one full epoch, and the steps it took', async () => {
    const { stopped, model } = await train(new StopAfter(6));
    expect(stopped).toBe(true);
    expect(model).toMatchObject({ epoch: 1, step: 6 });
    // With 4 batches an epoch the run evaluates after every batch, so the accuracy is that of these weights.
    expect(safetensorsMetadata(await checkpointBytes(model))).toMatchObject({
      epoch: '1',
      step: '6',
      test_accuracy: String(model.accuracy),
    });
  });

  test('a run stopped between two evaluations records no test accuracy: its weights trained past the last one', async () => {
    // 512 images: 16 batches an epoch, evaluated after every 4th; stopped after the 6th, evaluated after the 4th.
    const { model } = await train(new StopAfter(6), 512);
    expect(model).toMatchObject({ epoch: 0, step: 6, accuracyStep: 4 });
    expect(model.accuracy).toBeGreaterThan(0);
    const metadata = safetensorsMetadata(await checkpointBytes(model));
    expect(metadata).toMatchObject({ epoch: '0', step: '6' });
    expect(metadata.test_accuracy).toBeUndefined();
  });
});
