import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CodeSettings } from '../src/code/generated-code.js';
import { MODEL_CHOICES, type OptimizerChoice } from '../src/model/model-choices.js';
import { DEMO_ROOT } from './browser/demo-site.js';

/** The settings the generated-code tests (generated-code*.test.ts) try, and their helpers. */

export const REPO = resolve(DEMO_ROOT, '../..');
export const EXAMPLES = join(REPO, 'examples');
export const SHARED = resolve(REPO, '../shared/data');
/** Debian's Python carries PyTorch 1.13 and torchvision here; elsewhere whatever `python3` is. */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const OPTIMIZERS: OptimizerChoice[] = ['adam', 'sgd', 'adadelta'];
const LR: Record<OptimizerChoice, number> = { adam: 0.001, sgd: 0.01, adadelta: 1 };

/** Every model with every optimizer, on a few images so each runs in seconds, and one Fashion-MNIST run. */
export const CASES: CodeSettings[] = [
  ...MODEL_CHOICES.flatMap((m) =>
    OPTIMIZERS.map(
      (optimizer): CodeSettings => ({
        dataset: 'mnist',
        model: m.id,
        optimizer,
        lr: LR[optimizer],
        epochs: 1,
        batchSize: 32,
        trainSubset: 96,
        testSubset: 50,
        seed: 0,
      }),
    ),
  ),
  {
    dataset: 'fashion-mnist',
    model: 'large',
    optimizer: 'adam',
    lr: 0.001,
    epochs: 2,
    batchSize: 16,
    trainSubset: 64,
    testSubset: 40,
    seed: 1,
  },
];
/** The medium MLP's settings as the form suggested them when this test was written. */
export const MEDIUM: CodeSettings = {
  dataset: 'mnist',
  model: 'medium',
  optimizer: 'adam',
  lr: 0.001,
  epochs: 3,
  batchSize: 64,
  trainSubset: 10_000,
  testSubset: 10_000,
  seed: 0,
};
export const name = (s: CodeSettings) => `${s.dataset.replace('-', '_')}_${s.model}_${s.optimizer}`;

export function exec(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((done, fail) => {
    execFile(file, args, { ...options, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? fail(new Error(`${file} ${args.join(' ')} failed: ${error.message}\n${stdout}\n${stderr}`)) : done(stdout),
    );
  });
}
