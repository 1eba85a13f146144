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
  const { model, spec } = await loadModel(file, device);
  const { test } = await loadSplits({ dataset: spec.dataset as DatasetName, dataDir: options.dataDir, mirror: options.mirror, device });
  const lossFn = buildLoss(spec.logSoftmax ? 'nll' : 'cross-entropy');
  const result = await evaluate(model, new DataLoader(test, { batchSize: options.batchSize }), lossFn, spec.outputSize);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ checkpoint: file, dataset: spec.dataset, ...result })}\n`);
    return;
  }
  const reporter = new HumanReporter();
  reporter.note(
    `${file} on the ${spec.dataset} test split (${result.samples} images): accuracy ${(100 * result.accuracy).toFixed(2)}%, loss ${result.loss.toFixed(4)}`,
  );
  reporter.runEnd({ evaluation: result, classes: spec.classes, interrupted: false, checkpoints: [] });
}
