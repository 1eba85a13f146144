import { DataLoader } from '@kindling/data';
import { NLLLoss } from '@kindling/nn';
import { Adadelta, Adam, type Optimizer, SGD } from '@kindling/optim';
import { Generator, type Tensor, manualSeed, tidy, zeros } from '@kindling/tensor';
import { modelChoice } from '../model/model-choices.js';
import { buildModel, describeLayers, imageInputShape, modelKind } from '../model/model-spec.js';
import { EVALUATIONS_PER_EPOCH, SGD_MOMENTUM } from '../train-defaults.js';
import type { LoadedSplits } from './dataset-cache.js';
import { firstSamples, readFirstRows } from './dataset-cache.js';
import { evaluate } from './evaluate.js';
import type { LoadedModel } from './loaded-model.js';
import { LoopPhaseReporter } from './loop-phase-reporter.js';
import type { TrainSettings, WorkerEvent } from './protocol.js';
import type { TrainingControl } from './training-control.js';

/** Reading the running loss forces a device sync; on a GPU, doing it every batch would stall the pipeline. */
const REPORT_EVERY_BATCHES = 10;
/** Test images shown with their predictions on the Train page. */
export const SAMPLE_COUNT = 12;

export interface RunContext {
  settings: TrainSettings;
  device: string;
  data: LoadedSplits;
  control: TrainingControl;
  emit: (event: WorkerEvent) => void;
  /** Called once the model exists, so the Draw page can use it while it trains. */
  onModel: (model: LoadedModel) => void;
}

function buildOptimizer(settings: TrainSettings, params: Iterable<Tensor>): Optimizer<object> {
  switch (settings.optimizer) {
    case 'adam':
      return new Adam(params, { lr: settings.lr });
    case 'adadelta':
      return new Adadelta(params, { lr: settings.lr });
    default:
      return new SGD(params, { lr: settings.lr, momentum: SGD_MOMENTUM });
  }
}

/**
 * Frees what only training needs once a run ends: the optimizer's state
 * (Adam's two moment buffers per parameter, SGD's momentum, Adadelta's
 * averages) and the last gradients. The model stays, for the Draw page;
 * without this every run left its optimizer's tensors behind (on WebGPU,
 * GPU memory).
 */
export function releaseOptimizer(optimizer: Optimizer<object>): void {
  optimizer.zeroGrad({ setToNone: true });
  for (const state of optimizer.state.values()) {
    for (const value of Object.values(state)) if (typeof value !== 'number') value.dispose();
  }
  optimizer.state.clear();
}

/**
 * One training run, like kindling-train's loop: one of the trainer's MLPs or
 * PyTorch's MNIST CNN, with LogSoftmax + NLLLoss (images flat for the MLP,
 * `[N, 1, 28, 28]` for the CNN), shuffled batches, running loss and accuracy every few
 * batches, and a test evaluation (loss, accuracy, confusion matrix, sample
 * predictions) a few times per epoch. Returns whether it was stopped early.
 */
export async function runTraining(ctx: RunContext): Promise<{ stopped: boolean }> {
  const { settings, device, data, control, emit } = ctx;
  manualSeed(settings.seed);
  const classes = [...data.train.classes];
  const choice = modelChoice(settings.model);
  const spec = choice.spec({ dataset: settings.dataset, classes });
  const inputShape = imageInputShape(spec);
  const model = buildModel(spec).to(device);
  // epoch and step count what the weights have trained, for the downloaded checkpoint's metadata.
  const loaded: LoadedModel = { model, spec, source: 'trained on the Train page', epoch: 0, step: 0 };
  ctx.onModel(loaded);
  const optimizer = buildOptimizer(settings, model.parameters());
  const lossFn = new NLLLoss();
  const trainset = firstSamples(data.train, settings.trainSubset);
  const testset = firstSamples(data.test, settings.testSubset);
  const trainLoader = new DataLoader<[Tensor, Tensor], [Tensor, Tensor]>(trainset, {
    batchSize: settings.batchSize,
    shuffle: true,
    generator: new Generator(settings.seed),
  });
  const testLoader = new DataLoader<[Tensor, Tensor], [Tensor, Tensor]>(testset, { batchSize: choice.evalBatchSize });

  const sampleIndices = Int32Array.from({ length: Math.min(SAMPLE_COUNT, data.test.length) }, (_, i) => i);
  const [sampleBatch, sampleLabels] = data.test.getBatch(sampleIndices);
  const sampleImages = sampleBatch.reshape(sampleIndices.length, ...inputShape);
  const samplePixels = (await readFirstRows(data.test.data, sampleIndices.length)) as Uint8Array;
  const batches = trainLoader.length;
  emit({
    kind: 'runStart',
    trainSize: trainset.length,
    testSize: testset.length,
    batchesPerEpoch: batches,
    epochs: settings.epochs,
    device,
    parameters: [...model.parameters()].reduce((n, p) => n + p.numel(), 0),
    modelKind: modelKind(spec),
    layers: describeLayers(spec),
    classes,
    samples: { pixels: Uint8Array.from(samplePixels), labels: Array.from(await sampleLabels.read()) },
  });
  sampleLabels.dispose();

  const evaluateEvery = Math.max(1, Math.ceil(batches / EVALUATIONS_PER_EPOCH));
  const phases = new LoopPhaseReporter(emit, batches);
  const runEvaluation = async (epoch: number) => {
    const epochIndex = Math.max(0, Math.ceil(epoch) - 1);
    phases.mark('evaluate', epochIndex, Math.round((epoch - epochIndex) * batches), true);
    emit({ kind: 'phase', phase: 'evaluating', message: `Evaluating on ${testset.length.toLocaleString('en-US')} test images…` });
    const result = await evaluate(model, testLoader, lossFn, { classes: classes.length, inputShape, logSoftmax: true }, sampleImages);
    loaded.accuracy = result.accuracy;
    loaded.accuracyStep = loaded.step;
    emit({ kind: 'evaluation', epoch, ...result });
    emit({ kind: 'phase', phase: control.isPaused ? 'paused' : 'training', message: `Training on ${device}` });
  };

  let stopped = false;
  try {
    await runEvaluation(0);
    for (let epoch = 0; epoch < settings.epochs && !stopped; epoch++) {
      model.train();
      let pendingLoss = zeros([], { device });
      let pendingCorrect = zeros([], { device });
      let pendingSamples = 0;
      let index = 0;
      let windowStart = performance.now();
      let windowBatches = 0;
      for await (const [images, labels] of trainLoader) {
        const n = labels.shape[0];
        optimizer.zeroGrad();
        const [lossSum, correct] = tidy(() => {
          phases.mark('forward', epoch, index + 1);
          const out = model.forward(images.reshape(n, ...inputShape));
          phases.mark('loss', epoch, index + 1);
          const loss = lossFn.forward(out, labels);
          phases.mark('backward', epoch, index + 1);
          loss.backward();
          phases.mark('step', epoch, index + 1);
          optimizer.step();
          phases.between();
          return [pendingLoss.add(loss.detach().mul(n)), pendingCorrect.add(out.detach().argmax(1).eq(labels).float().sum())];
        });
        pendingLoss.dispose();
        pendingCorrect.dispose();
        pendingLoss = lossSum;
        pendingCorrect = correct;
        images.dispose();
        labels.dispose();
        pendingSamples += n;
        index++;
        loaded.step = (loaded.step ?? 0) + 1;
        windowBatches++;
        if (index % REPORT_EVERY_BATCHES === 0 || index === batches) {
          const [l, c] = await Promise.all([pendingLoss.item(), pendingCorrect.item()]);
          const seconds = (performance.now() - windowStart) / 1000;
          emit({
            kind: 'trainPoint',
            epoch: epoch + index / batches,
            loss: (l as number) / pendingSamples,
            accuracy: (c as number) / pendingSamples,
            samplesPerSecond: pendingSamples / seconds,
            msPerBatch: (seconds * 1000) / windowBatches,
          });
          pendingLoss.dispose();
          pendingCorrect.dispose();
          pendingLoss = zeros([], { device });
          pendingCorrect = zeros([], { device });
          pendingSamples = 0;
          windowBatches = 0;
          windowStart = performance.now();
        }
        const asideFrom = performance.now();
        if (index % evaluateEvery === 0 || index === batches) await runEvaluation(epoch + index / batches);
        const keepGoing = await control.checkpoint(() => phases.paused(epoch, index));
        // Time spent evaluating or paused is not training time.
        windowStart += performance.now() - asideFrom;
        if (!keepGoing) {
          stopped = true;
          break;
        }
      }
      pendingLoss.dispose();
      pendingCorrect.dispose();
      if (index === batches) loaded.epoch = epoch + 1;
    }
  } finally {
    sampleImages.dispose();
    sampleBatch.dispose();
    releaseOptimizer(optimizer);
    model.eval();
  }
  return { stopped };
}
