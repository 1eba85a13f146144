import { join, resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type { JsonValue } from '@kindling/checkpoint';
import { loadTrainingStateFile, saveFile, saveTrainingStateFile } from '@kindling/checkpoint/node';
import { DataLoader } from '@kindling/data';
import { type ModelSpec, buildModel, modelSpecMetadata } from '@kindling/nn';
import { Generator, KindlingError, type Tensor, defaultGenerator, manualSeed, tidy } from '@kindling/tensor';
import { describeDevice, setupBackend } from './backend.js';
import { TrainingDivergedError, firstNonFinite } from './divergence.js';
import { NonFiniteWatch } from './non-finite-watch.js';
import { validateResumeState, validateResumeWeights } from './resume-check.js';
import type { TrainConfig } from './config.js';
import { UsageError } from './errors.js';
import { type Evaluation, evaluate } from './evaluate.js';
import { imageShape, loadSplits } from './datasets.js';
import { describeModel, modelInput, modelSpecFor } from './models.js';
import type { EpochSummary, Reporter } from './reporter.js';
import { type RunState, isRunState } from './run-state.js';
import { buildLoss, buildOptimizer, buildScheduler } from './training-setup.js';

export interface TrainResult {
  history: EpochSummary[];
  evaluation: Evaluation | null;
  interrupted: boolean;
  lastCheckpoint: string;
  bestCheckpoint: string;
}

export interface TrainOptions {
  reporter: Reporter;
  /** Aborting (Ctrl-C) stops after the current batch and saves a resumable checkpoint. */
  signal?: AbortSignal;
}

// Reading the running loss forces a device sync; on a GPU, doing it every batch would serialize the pipeline.
const LOSS_READ_INTERVAL = 20;

/**
 * For an MLP, the seeds' checkpoint keys too (`input_size`, `output_size`,
 * `hidden_layers`), so their `load_checkpoint` recipe rebuilds it.
 */
function seedsKeys(config: TrainConfig, spec: ModelSpec): Record<string, string> {
  if (config.model !== 'mlp') return {};
  return {
    input_size: String(spec.inputShape?.[0]),
    output_size: String(spec.classes?.length),
    hidden_layers: JSON.stringify(config.hidden),
  };
}

/**
 * Trains per `config`, checkpointing every epoch into `config.out` (`last.safetensors`, `best.safetensors`).
 * Throws {@link TrainingDivergedError} (after telling the reporter) when the loss or the weights stop being
 * finite, having saved nothing since the last good epoch.
 */
export async function train(config: TrainConfig, options: TrainOptions): Promise<TrainResult> {
  try {
    return await runTraining(config, options);
  } catch (e) {
    if (e instanceof TrainingDivergedError) options.reporter.diverged?.(e.divergence);
    throw e;
  }
}

async function runTraining(config: TrainConfig, options: TrainOptions): Promise<TrainResult> {
  const { reporter, signal } = options;
  // On the CPU the kernels compile and their worker starts while the files are copied, verified and
  // inflated (~75 ms of start-up); the few tensors made before they are ready move into their memory
  // on first use. WebGPU names its device only once it is up.
  const backend = setupBackend(config.backend);
  backend.catch(() => undefined); // awaited below; a data error first must not leave it unhandled
  const device = config.backend === 'cpu' ? 'cpu' : await backend;
  manualSeed(config.seed);
  const shuffle = new Generator(config.seed);
  const { train: trainset, test: testset, normalize } = await loadSplits({ ...config, device, onProgress: (p) => reporter.download(p) });
  await backend;

  const spec = { ...modelSpecFor(config, { image: imageShape(trainset), classes: trainset.classes, dataset: config.dataset }), normalize };
  const inputShape = spec.inputShape ?? [];
  const classes = spec.classes ?? [];
  const model = buildModel(spec).to(device);
  const lossFn = buildLoss(config.loss);
  const optimizer = buildOptimizer(config, model);
  const scheduler = buildScheduler(config, optimizer);
  const metadata = { ...modelSpecMetadata(spec), ...seedsKeys(config, spec) };

  let run: RunState = {
    config,
    shuffle: shuffle.getState(),
    batchInEpoch: 0,
    partialLossSum: 0,
    partialSamples: 0,
    bestAccuracy: -1,
    history: [],
  };
  let epoch = 0;
  let step = 0;
  if (config.resume) {
    const file = resolve(config.resume);
    const state = await loadTrainingStateFile(file, { device }).catch((e: Error) => {
      throw new UsageError(`--resume ${config.resume}: ${e.message}`);
    });
    if (!isRunState(state.extra?.run as unknown))
      throw new UsageError(`--resume ${config.resume}: not a kindling-train checkpoint (no run state)`);
    validateResumeState(state, `--resume ${config.resume}`);
    await validateResumeWeights(state, `--resume ${config.resume}`);
    try {
      model.loadStateDict(state.model);
      if (state.optimizer) optimizer.loadStateDict(state.optimizer);
      if (scheduler && state.scheduler) scheduler.loadStateDict(state.scheduler);
    } catch (e) {
      if (e instanceof KindlingError)
        throw new UsageError(`--resume ${config.resume}: the checkpoint does not fit the model (${e.message.split('\n').join(' ')})`);
      throw e;
    }
    run = { ...(state.extra?.run as unknown as RunState), config };
    if (state.rng) defaultGenerator.setState(state.rng);
    shuffle.setState(run.shuffle);
    epoch = state.epoch;
    step = state.step;
  }

  // Building the next batch ahead pays only while a step awaits the device (WebGPU's reads); a CPU step
  // never does, so there each batch is built when asked for, without the prefetch job (~8 µs a batch).
  const prefetch = device === 'cpu' ? 0 : 1;
  const trainLoader = new DataLoader(trainset, { batchSize: config.batchSize, shuffle: true, generator: shuffle, prefetch });
  const batches = trainLoader.length;
  const testLoader = new DataLoader(testset, { batchSize: 1000, prefetch });
  const outDir = resolve(config.out);
  await mkdir(outDir, { recursive: true });
  const lastCheckpoint = join(outDir, 'last.safetensors');
  const bestCheckpoint = join(outDir, 'best.safetensors');

  // The last line of defence for "never overwrite a good checkpoint with a NaN one": one device read per save.
  const assertFinite = async (named: Array<[string, Tensor]>, quantity: 'weights' | 'optimizer state') => {
    const bad = await firstNonFinite(named);
    if (bad) {
      // Mid-epoch (Ctrl-C) the epoch in progress; at an epoch's end (batchInEpoch reset, epoch counted) the one just finished.
      const position = run.batchInEpoch > 0 ? { epoch: epoch + 1, step: run.batchInEpoch } : { epoch, step: batches };
      throw new TrainingDivergedError({ quantity, value: String(bad.value), ...position, globalStep: step, lr: optimizer.lrs[0] });
    }
  };
  const saveLast = async () => {
    const modelState = model.stateDict();
    const optimizerState = optimizer.stateDict();
    await assertFinite(Object.entries(modelState), 'weights');
    await assertFinite(
      Object.entries(optimizerState.state).flatMap(([id, s]) =>
        Object.entries(s).flatMap(([k, v]): Array<[string, Tensor]> => (typeof v === 'number' ? [] : [[`${id}.${k}`, v]])),
      ),
      'optimizer state',
    );
    await saveTrainingStateFile(
      {
        model: modelState,
        optimizer: optimizerState,
        scheduler: scheduler?.stateDict(),
        epoch,
        step,
        rng: defaultGenerator.getState(),
        extra: { run: run as unknown as JsonValue },
      },
      lastCheckpoint,
      { metadata },
    );
  };

  reporter.runStart({
    dataset: config.dataset,
    device: describeDevice(device),
    trainSize: trainset.length,
    testSize: testset.length,
    parameters: [...model.parameters()].reduce((n, p) => n + p.numel(), 0),
    model: describeModel(spec),
    optimizer: `${config.optimizer} lr ${config.lr}`,
    epochs: config.epochs,
    startEpoch: epoch,
    resumedFrom: config.resume,
  });

  let evaluation: Evaluation | null = null;
  let interrupted = false;
  const watch = new NonFiniteWatch([...model.parameters()]);
  while (epoch < config.epochs && !interrupted) {
    reporter.epochStart(epoch + 1, config.epochs, batches);
    model.train();
    const started = performance.now();
    const skip = run.batchInEpoch;
    let lossSum = run.partialLossSum;
    let samples = run.partialSamples;
    let trainedSamples = 0;
    let pending = 0;
    let index = 0;
    for await (const [images, labels] of trainLoader) {
      if (index++ < skip) {
        images.dispose();
        labels.dispose();
        continue;
      }
      optimizer.zeroGrad();
      const at = { epoch: epoch + 1, step: index, globalStep: step + 1, lr: optimizer.lrs[0] };
      tidy(() => {
        const loss = lossFn.forward(model.forward(modelInput(images, inputShape)), labels);
        loss.backward();
        // The watch keeps the loss for the running sum, taken at the next read.
        watch.observe(loss, at, labels.shape[0]);
        optimizer.step();
      });
      pending += labels.shape[0];
      trainedSamples += labels.shape[0];
      images.dispose();
      labels.dispose();
      step++;
      run.batchInEpoch = index;
      if (pending > 0 && (index % LOSS_READ_INTERVAL === 0 || index === batches || signal?.aborted)) {
        const beforeSave = index === batches || signal?.aborted === true;
        lossSum += await watch.read({ ...at, globalStep: step }, beforeSave);
        samples += pending;
        pending = 0;
        run.partialLossSum = lossSum;
        run.partialSamples = samples;
        reporter.batch(index, lossSum / samples, trainedSamples / ((performance.now() - started) / 1000));
      }
      if (signal?.aborted) {
        interrupted = true;
        break;
      }
    }
    if (interrupted) break;
    const seconds = (performance.now() - started) / 1000;
    const lr = optimizer.lrs[0];
    scheduler?.step();
    evaluation = await evaluate(model, testLoader, lossFn, classes.length, inputShape);
    if (!Number.isFinite(evaluation.loss)) {
      const value = String(evaluation.loss);
      throw new TrainingDivergedError({ quantity: 'test loss', value, epoch: epoch + 1, step: batches, globalStep: step, lr });
    }
    epoch++;
    const summary: EpochSummary = {
      epoch,
      trainLoss: lossSum / samples,
      testLoss: evaluation.loss,
      testAccuracy: evaluation.accuracy,
      seconds,
      samplesPerSecond: trainedSamples / seconds,
      lr,
    };
    run = {
      ...run,
      shuffle: shuffle.getState(),
      batchInEpoch: 0,
      partialLossSum: 0,
      partialSamples: 0,
      history: [...run.history, summary],
    };
    if (evaluation.accuracy > run.bestAccuracy) {
      run.bestAccuracy = evaluation.accuracy;
      const best = model.stateDict();
      await assertFinite(Object.entries(best), 'weights');
      await saveFile(best, bestCheckpoint, {
        metadata: { ...metadata, test_accuracy: String(evaluation.accuracy), epoch: String(epoch), step: String(step) },
      });
    }
    await saveLast();
    reporter.epochEnd(summary);
  }
  if (interrupted) await saveLast();
  const checkpoints = interrupted ? [lastCheckpoint] : [bestCheckpoint, lastCheckpoint];
  reporter.runEnd({ evaluation, classes, interrupted, checkpoints });
  return { history: run.history, evaluation, interrupted, lastCheckpoint, bestCheckpoint };
}
