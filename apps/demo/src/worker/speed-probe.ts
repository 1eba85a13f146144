import { synchronize } from '@kindling/backend-webgpu';
import { NLLLoss } from '@kindling/nn';
import { Adam } from '@kindling/optim';
import { randn, tensor, tidy } from '@kindling/tensor';
import { modelChoice } from '../model/model-choices.js';
import { buildModel, imageInputShape } from '../model/model-spec.js';
import { DEFAULT_VALUES } from '../pages/train-options.js';
import type { SpeedProbe } from './slow-adapter.js';
import { releaseOptimizer } from './training-run.js';

/**
 * Timed steps after one untimed one (which compiles the GPU pipelines). The
 * default run is latency-bound: at batch 32, each step is many small kernels,
 * and a GPU that wins a big matrix product can still lose these, so the
 * probe times what the run does rather than one large product.
 */
const STEPS = 4;
/** The model of the default run (the landing page's "Train MNIST"). */
const MODEL = DEFAULT_VALUES.model;
const CLASSES = Array.from({ length: 10 }, (_, i) => String(i));

/** Milliseconds per training step (forward, loss, backward, Adam step) of the default run's model and batch size on `device`. */
export async function timeTrainingSteps(device: string): Promise<number> {
  const choice = modelChoice(MODEL);
  const batch = DEFAULT_VALUES.batchSize;
  const spec = choice.spec({ dataset: 'mnist', classes: CLASSES });
  const model = buildModel(spec).to(device);
  model.train();
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const lossFn = new NLLLoss();
  const images = randn([batch, ...imageInputShape(spec)], { device });
  const labels = tensor(
    Int32Array.from({ length: batch }, (_, i) => i % CLASSES.length),
    { device },
  );
  const step = () => {
    optimizer.zeroGrad();
    tidy(() => {
      lossFn.forward(model.forward(images), labels).backward();
      optimizer.step();
    });
  };
  const finish = async () => {
    if (device === 'webgpu') await synchronize();
  };
  try {
    step();
    await finish();
    const start = performance.now();
    for (let i = 0; i < STEPS; i++) step();
    await finish();
    return (performance.now() - start) / STEPS;
  } finally {
    releaseOptimizer(optimizer);
    for (const p of model.parameters()) p.dispose();
    for (const [, b] of model.namedBuffers()) b.dispose();
    images.dispose();
    labels.dispose();
  }
}

/** Times a few training steps on the CPU backend and on WebGPU (which must be set up), for `slowAdapterReason`. */
export async function probeSpeed(): Promise<SpeedProbe> {
  const choice = modelChoice(MODEL);
  const model = /\d+(?:-\d+)+/.exec(choice.label)?.[0] ?? MODEL;
  return {
    cpuMs: await timeTrainingSteps('cpu'),
    webgpuMs: await timeTrainingSteps('webgpu'),
    what: `a training step of the ${model} MLP at batch ${DEFAULT_VALUES.batchSize}`,
  };
}
