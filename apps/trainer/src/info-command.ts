import { setupBackend } from './backend.js';
import { loadModel } from './load-model.js';
import { describeModel } from './models.js';
import { sanitizeForTerminal as clean } from './sanitize.js';

/** `kindling-train info FILE`: what a checkpoint holds and how to rebuild its model. */
export async function infoCommand(file: string, options: { json: boolean }): Promise<void> {
  const device = await setupBackend('cpu');
  const { model, spec, dataset, classes, logSoftmax, metadata, epoch, step } = await loadModel(file, device);
  const parameters = [...model.parameters()].reduce((n, p) => n + p.numel(), 0);
  const info = {
    checkpoint: file,
    model: spec,
    parameters,
    epoch,
    step,
    testAccuracy: metadata.test_accuracy === undefined ? null : Number(metadata.test_accuracy),
    tensors: Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => [k, { shape: t.shape, dtype: t.dtype }])),
  };
  if (options.json) {
    process.stdout.write(`${JSON.stringify(info)}\n`);
    return;
  }
  // Names and descriptions come from the file: printed without control characters or escape sequences.
  const lines = [
    clean(file),
    `  model      ${clean(describeModel(spec))}, ${logSoftmax ? 'LogSoftmax output (NLLLoss)' : 'logits (CrossEntropyLoss)'}`,
    `  dataset    ${clean(dataset)} (${classes.map(clean).join(', ')})`,
    `  parameters ${parameters.toLocaleString('en-US')}`,
    `  trained    ${trained(epoch, step)}${info.testAccuracy === null ? '' : `, test accuracy ${(100 * info.testAccuracy).toFixed(2)}%`}`,
    '  tensors',
    ...Object.entries(info.tensors).map(([k, t]) => `    ${clean(k).padEnd(12)} ${t.dtype} [${t.shape.join(', ')}]`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `2 epochs, 30 steps`; what the file does not record is said so, not shown as 0. */
function trained(epoch: number | null, step: number | null): string {
  if (epoch === null && step === null) return 'epochs and steps not recorded';
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  return `${epoch === null ? 'epochs not recorded' : plural(epoch, 'epoch')}, ${step === null ? 'steps not recorded' : plural(step, 'step')}`;
}
