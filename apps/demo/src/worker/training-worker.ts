/**
 * The Web Worker that owns every tensor: training, evaluation, predictions,
 * checkpoints and benchmarks all run here, so the page stays responsive while
 * the CPU backend computes or the GPU queue drains.
 */
import '@kindling/autograd';
import { BackendManager } from './backend-manager.js';
import { DatasetCache, type LoadedSplits } from './dataset-cache.js';
import { firstLayerWeights, imagePixels, layerViews } from './inspect-model.js';
import { memoryReport } from './memory-report.js';
import { ModelSlots } from './model-slots.js';
import { benchmarkOps } from './op-benchmark.js';
import type { RequestMessage, Requests, RequestType, TrainSettings, WorkerEvent } from './protocol.js';
import { TrainingControl } from './training-control.js';
import { runTraining } from './training-run.js';
import { workerScope } from './worker-scope.js';

const backend = new BackendManager();
const datasets = new DatasetCache();
const models = new ModelSlots();
let run: TrainingControl | null = null;
/** The last run's test split, whose images the Train page shows among the mistakes. */
let lastTestSplit: LoadedSplits['test'] | null = null;

function emit(event: WorkerEvent): void {
  workerScope.postMessage({ kind: 'event', event });
}

function emitModels(): void {
  emit({ kind: 'models', models: models.infos() });
}

function refuseWhileTraining(what: string): void {
  if (run) throw new Error(`${what} is not possible while a training run is in progress; stop it first`);
}

async function train(settings: TrainSettings): Promise<{ stopped: boolean }> {
  refuseWhileTraining('Starting another run');
  const control = new TrainingControl((paused) =>
    emit({ kind: 'phase', phase: paused ? 'paused' : 'training', message: paused ? 'Paused' : `Training on ${backend.device}` }),
  );
  run = control;
  try {
    emit({ kind: 'phase', phase: 'loading-data', message: 'Loading the dataset…' });
    const data = await datasets.load(settings, backend.device, (loaded, total) => emit({ kind: 'dataProgress', loaded, total }));
    lastTestSplit = data.test;
    emit({ kind: 'phase', phase: 'training', message: `Training on ${backend.device}` });
    const result = await runTraining({
      settings,
      device: backend.device,
      data,
      control,
      emit,
      onModel: (model) => {
        models.set('trained', model);
        emitModels();
      },
    });
    emitModels();
    emit({ kind: 'phase', phase: result.stopped ? 'stopped' : 'finished', message: result.stopped ? 'Stopped' : 'Finished' });
    return result;
  } catch (error) {
    emit({ kind: 'phase', phase: 'failed', message: (error as Error).message });
    throw error;
  } finally {
    run = null;
  }
}

type Handlers = { [K in RequestType]: (params: Requests[K]['params']) => Promise<Requests[K]['result']> | Requests[K]['result'] };

const handlers: Handlers = {
  async setBackend({ backend: requested }) {
    refuseWhileTraining('Switching backends');
    const info = await backend.select(requested);
    await models.moveTo(info.device);
    emit({ kind: 'backend', info });
    return info;
  },
  backendInfo: () => backend.info,
  train: ({ settings }) => train(settings),
  pause: () => {
    run?.pause();
    return null;
  },
  resume: () => {
    run?.resume();
    return null;
  },
  stop: () => {
    run?.stop();
    return null;
  },
  loadCheckpoint: ({ slot, bytes, source }) => {
    if (slot === 'trained') refuseWhileTraining('Replacing the trained model');
    const info = models.load(slot, bytes, source, backend.device);
    emitModels();
    return info;
  },
  exportCheckpoint: ({ slot }) => models.export(slot),
  predict: ({ slot, pixels }) => models.predict(slot, pixels),
  benchmark: () => {
    refuseWhileTraining('Benchmarking');
    return benchmarkOps(backend.device);
  },
  memory: () => memoryReport(),
  firstLayerWeights: ({ slot }) => firstLayerWeights(models.get(slot)),
  layerViews: ({ slot, pixels }) => layerViews(models.get(slot), pixels),
  testImages: ({ indices }) => {
    // The split's tensors are freed when the cache moves to another dataset or device.
    if (!lastTestSplit || lastTestSplit.data.isDisposed) throw new Error('no test images: start a training run first');
    return imagePixels(lastTestSplit.data, indices);
  },
};

workerScope.addEventListener('message', async (event) => {
  const message: RequestMessage = event.data;
  try {
    const handler = handlers[message.type] as (params: unknown) => unknown;
    const value = await handler(message.params);
    const transfer = value instanceof Uint8Array ? [value.buffer as ArrayBuffer] : [];
    workerScope.postMessage({ kind: 'response', id: message.id, ok: true, value }, transfer);
  } catch (error) {
    workerScope.postMessage({ kind: 'response', id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
