import { DataLoader } from '@kindling/data';
import { setupBackend } from './backend.js';
import type { DatasetName } from './config.js';
import { loadSplits } from './datasets.js';
import { evaluate } from './evaluate.js';
import { HumanReporter } from './human-reporter.js';
import { loadModel } from './load-model.js';
import { buildLoss } from './training-setup.js';

export interface EvalOptions {
  dataDir?: string;
  mirror?: string;
  backend: 'cpu' | 'webgpu';
  batchSize: number;
  json: boolean;
}

/** `kindling-train eval FILE`: the checkpoint's accuracy on its dataset's test split. */
export async function evalCommand(file: string, options: EvalOptions): Promise<void> {
  const device = await setupBackend(options.backend);
  const { model, dataset, classes, inputShape, logSoftmax, normalize } = await loadModel(file, device);
  const { test } = await loadSplits({
    dataset: dataset as DatasetName,
    dataDir: options.dataDir,
    mirror: options.mirror,
    device,
    normalize,
  });
  const lossFn = buildLoss(logSoftmax ? 'nll' : 'cross-entropy');
  const result = await evaluate(model, new DataLoader(test, { batchSize: options.batchSize }), lossFn, classes.length, inputShape);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ checkpoint: file, dataset, ...result })}\n`);
    return;
  }
  const reporter = new HumanReporter();
  reporter.note(
    `${file} on the ${dataset} test split (${result.samples} images): accuracy ${(100 * result.accuracy).toFixed(2)}%, loss ${result.loss.toFixed(4)}`,
  );
  reporter.runEnd({ evaluation: result, classes, interrupted: false, checkpoints: [] });
}
