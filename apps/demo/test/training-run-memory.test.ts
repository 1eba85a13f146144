import '@kindling/backend-cpu';
import { Compose, MNIST, Normalize, ToTensor } from '@kindling/data';
import { Optimizer } from '@kindling/optim';
import type { Tensor } from '@kindling/tensor';
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { OptimizerChoice } from '../src/model/model-choices.js';
import type { LoadedSplits } from '../src/worker/dataset-cache.js';
import { type LoadedModel, disposeModel } from '../src/worker/loaded-model.js';
import type { TrainSettings } from '../src/worker/protocol.js';
import { TrainingControl } from '../src/worker/training-control.js';
import { runTraining } from '../src/worker/training-run.js';

/** A uint8 IDX file (magic 0x0000 0x08 ndim, big-endian dims, bytes), as MNIST.fromBytes reads. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const file = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(file.buffer);
  file[2] = 0x08;
  file[3] = dims.length;
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d, false);
  file.set(data, 4 + 4 * dims.length);
  return file;
}

/** `n` random 28×28 images with labels 0–9, on the CPU, preprocessed as the demo does. */
function split(n: number, train: boolean): MNIST {
  const pixels = Uint8Array.from({ length: n * 784 }, (_, i) => (i * 2654435761) % 256);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
  const transform = new Compose([new ToTensor(), new Normalize([0.5], [0.5])]);
  return MNIST.fromBytes(idx([n, 28, 28], pixels), idx([n], labels), { train, transform, device: 'cpu' });
}

describe('a training run', () => {
  const data: LoadedSplits = { train: split(64, true), test: split(32, false) };

  afterEach(() => {
    vi.restoreAllMocks();
  });

  // Adam keeps two moment buffers per parameter, SGD one momentum buffer, Adadelta two averages. They used to outlive
  // the run until the garbage collector happened to find the optimizer, which on WebGPU meant GPU memory held per run.
  test.each<OptimizerChoice>(['adam', 'sgd', 'adadelta'])(
    'frees its optimizer state and gradients when it ends (%s)',
    async (optimizer) => {
      // The loop calls zeroGrad before every batch: the spy finds the run's optimizer.
      const zeroGrad = vi.spyOn(Optimizer.prototype, 'zeroGrad');
      const stateTensors = new Set<Tensor>();
      let model: LoadedModel | null = null;
      const settings: TrainSettings = {
        dataset: 'mnist',
        model: 'medium',
        optimizer,
        lr: optimizer === 'adadelta' ? 1 : 0.001,
        epochs: 1,
        batchSize: 16,
        trainSubset: 64,
        testSubset: 32,
        seed: 0,
        dataUrl: 'http://localhost/unused/',
      };
      const result = await runTraining({
        settings,
        device: 'cpu',
        data,
        control: new TrainingControl(() => {}),
        // After each evaluation (so after some steps): note the state tensors the optimizer holds.
        emit: (event) => {
          if (event.kind !== 'evaluation') return;
          for (const opt of zeroGrad.mock.contexts as Optimizer<object>[]) {
            for (const state of opt.state.values()) for (const v of Object.values(state)) if (typeof v !== 'number') stateTensors.add(v);
          }
        },
        onModel: (m) => {
          model = m;
        },
      });
      expect(result.stopped).toBe(false);
      expect(stateTensors.size).toBeGreaterThan(0);
      expect([...stateTensors].filter((t) => !t.isDisposed)).toEqual([]);
      const trained = model as LoadedModel | null;
      expect(trained).not.toBeNull();
      if (!trained) return;
      // The model stays (the Draw page uses it), without the last batch's gradients.
      const params = [...trained.model.parameters()];
      expect(params.every((p) => !p.isDisposed && p.grad === null)).toBe(true);
      disposeModel(trained);
    },
  );
});
