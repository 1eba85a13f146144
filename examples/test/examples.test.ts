import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The real MNIST and Fashion-MNIST files live beside the repository (never copied into it): <repo>/../shared/data.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const examples = join(repoRoot, 'examples');
const shared = resolve(repoRoot, '../shared/data');

/** The runnable examples (everything but helpers such as fc_model.ts and limit.ts). */
const SCRIPTS = [
  '000-loss-and-autograd.ts',
  '001-training-loop.ts',
  '002-fashion-mnist.ts',
  '003-no-grad-and-view-classify.ts',
  'mnist-cnn.ts',
];

interface Run {
  stdout: string;
  stderr: string;
  /** Files the example wrote into its working folder. */
  files: string[];
  cwd: string;
}

let cache: string;
let work: string;

/**
 * Runs an example the way its README says (`node tools/run-ts.mjs examples/<file>`), in a fresh
 * folder, on the first `limit` samples of the real data (KINDLING_EXAMPLE_LIMIT, read by limit.ts).
 */
async function run(file: string, dataset: 'mnist' | 'fashion-mnist', limit: number, args: string[] = []): Promise<Run> {
  const cwd = await mkdtemp(join(work, file.replace(/\.ts$/, '-')));
  const env = {
    ...process.env,
    KINDLING_DATA_MIRROR: join(shared, dataset),
    KINDLING_DATA_DIR: cache,
    KINDLING_EXAMPLE_LIMIT: String(limit),
    // Plain text pictures: the child's stdout is a pipe, and no colour is forced on it.
    FORCE_COLOR: '0',
  };
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((done, fail) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'tools/run-ts.mjs'), join(examples, file), ...args],
      { cwd, env, maxBuffer: 64 * 1024 * 1024 },
      (error, out, err) =>
        error ? fail(new Error(`${file} failed: ${error.message}\n${out}\n${err}`)) : done({ stdout: out, stderr: err }),
    );
  });
  return { stdout, stderr, files: await readdir(cwd), cwd };
}

/** The numbers of the lines `prefix<number>`, in order. */
function numbersAfter(stdout: string, prefix: string): number[] {
  return [...stdout.matchAll(new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(-?[\\d.]+(?:e-?\\d+)?)`, 'g'))].map((m) =>
    Number(m[1]),
  );
}

describe('the examples read like the notebooks', () => {
  /** The code of a file with comments and string literals blanked, so words in prose do not count. */
  function code(text: string): string {
    return text
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:])\/\/.*$/gm, '$1')
      .replace(/'(?:[^'\\\n]|\\.)*'/g, "''")
      .replace(/`(?:[^`\\]|\\.)*`/g, '``');
  }

  for (const file of [...SCRIPTS, 'fc_model.ts']) {
    it(`${file}: no casts, no .toString(), no .forward( calls, no any`, async () => {
      const src = code(await readFile(join(examples, file), 'utf8'));
      expect(src).not.toMatch(/\.forward\(/);
      expect(src).not.toMatch(/\.toString\(/);
      expect(src.replace(/import \* as \w+/g, '')).not.toMatch(/\bas\b/);
      expect(src).not.toMatch(/\bany\b/);
      expect(src).not.toMatch(/<[A-Z]\w*>\s*\w/); // old-style <Type>value casts
    });
  }
});

describe.skipIf(!existsSync(shared))(`the examples run on a slice of the real data in ${shared}`, () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'kindling-examples-'));
    // One dataset cache for all examples: the first run copies the files from the mirror, the others reuse them.
    cache = join(work, 'cache');
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('000: shapes, the loss with its grad_fn, probabilities, None before backward, one SGD step', async () => {
    const { stdout } = await run('000-loss-and-autograd.ts', 'mnist', 256);
    expect(stdout).toContain('Shape of images:\n [64, 1, 28, 28] \nShape of labels:\n [64]');
    expect(stdout).toContain('Reshaped images:\n [64, 784]');
    expect(stdout).toContain('Shape of scores:\n [64, 10]');
    // PyTorch names it NllLossBackward0 (CrossEntropyLoss is log_softmax + nll_loss there); Kindling's is one fused op.
    expect(stdout).toMatch(/Average loss:\n tensor\(2\.\d{4}, grad_fn=<(NllLoss|CrossEntropyLoss)Backward0>\)/);
    expect(stdout).toMatch(/NLLLoss of the log-softmax output:\n tensor\(2\.\d{4}, grad_fn=<NllLossBackward0>\)/);
    const probs = [...stdout.matchAll(/^(\d): ([\d.]+)%$/gm)];
    expect(probs.map((m) => Number(m[1]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(probs.reduce((s, m) => s + Number(m[2]), 0)).toBeCloseTo(100, 1);
    expect(stdout).toMatch(/x:\n tensor\(\[\[.*\],\n {8}\[.*\]\], requires_grad=True\)/);
    expect(stdout).toContain('grad_fn=<PowBackward0>');
    expect(stdout).toMatch(/grad object of y:\n <PowBackward0 object>/);
    expect(stdout).toMatch(/z:\n tensor\(\d\.\d{4}, grad_fn=<MeanBackward0>\)/);
    expect(stdout).toContain('Before backward:\n None\n');
    expect(stdout).toMatch(/After backward\(\):\n tensor\(\[\[.*\.\.\..*\],\n/);
    expect(stdout).toMatch(/Initial weights parameters:\n tensor\(\[( *-?\d\.\d{4},?){5}\], grad_fn=<SliceBackward0>\)/);
    expect(stdout).toMatch(/gradients\*learnrate:\n tensor\(\[/);
    expect(stdout).toMatch(/New weights parameters:\n tensor\(\[/);
  });

  it('001: the batch shapes, PowBackward0 objects, None then the gradient, and five falling training losses', async () => {
    const { stdout } = await run('001-training-loop.ts', 'mnist', 640);
    expect(stdout).toMatch(/^\[64, 1, 28, 28\]\n\[1, 28, 28\]\n\[64, 784\]\ntensor\(2\.\d{4}, grad_fn=<CrossEntropyLossBackward0>\)\n/);
    expect(stdout).toMatch(/<PowBackward0 object>\n<MeanBackward0 object>\nNone\ntensor\(\[\[/);
    expect(stdout).toContain('Before backward pass: \n None\n');
    expect(stdout).toMatch(/Initial weights - {2}Parameter containing:\ntensor\(\[\[/);
    expect(stdout).toMatch(/Updated weights - {2}Parameter containing:\ntensor\(\[\[/);
    const losses = numbersAfter(stdout, 'Training loss: ');
    expect(losses).toHaveLength(5);
    expect(losses[4]).toBeLessThan(losses[0] ?? 0);
    expect(stdout).toMatch(/\ntensor\(\d\)\n$/);
  });

  it('002: Fashion-MNIST training, accuracy, validation, fc_model, and the checkpoint saved and loaded back', async () => {
    const { stdout, files, cwd } = await run('002-fashion-mnist.ts', 'fashion-mnist', 2560);
    expect(stdout).toMatch(/^False\n<PowBackward0 object>\n/m);
    expect(numbersAfter(stdout, 'Training loss: ')).toHaveLength(5);
    expect(stdout).toMatch(/Accuracy: [\d.]+%/);
    const accuracies = numbersAfter(stdout, 'Validation accuracy: ');
    expect(accuracies).toHaveLength(5);
    expect(accuracies[4]).toBeGreaterThan(0.5);
    expect(stdout).toMatch(/Epoch: 2\/2\.\. {2}Training Loss: \d\.\d{3}\.\. {2}Test Loss: \d\.\d{3}\.\. {2}Test Accuracy: \d\.\d{3}/);
    const network = [
      'Network(',
      '  (hidden_layers): ModuleList(',
      '    (0): Linear(in_features=784, out_features=512, bias=True)',
      '    (1): Linear(in_features=512, out_features=256, bias=True)',
      '    (2): Linear(in_features=256, out_features=128, bias=True)',
      '  )',
      '  (output): Linear(in_features=128, out_features=10, bias=True)',
      '  (dropout): Dropout(p=0.5, inplace=False)',
      ')',
    ].join('\n');
    // Printed once after training and once more after load_checkpoint('checkpoint.pth').
    expect(stdout.split(network)).toHaveLength(3);
    expect(stdout).toContain(
      "['hidden_layers.0.weight', 'hidden_layers.0.bias', 'hidden_layers.1.weight', 'hidden_layers.1.bias', " +
        "'hidden_layers.2.weight', 'hidden_layers.2.bias', 'output.weight', 'output.bias']",
    );
    expect(files).toContain('checkpoint.pth');
    // One safetensors file: the tensors under state_dict.*, the JSON values in its metadata.
    const bytes = await readFile(join(cwd, 'checkpoint.pth'));
    const header = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8'));
    expect(Object.keys(header)).toContain('state_dict.output.bias');
    expect(JSON.stringify(header.__metadata__)).toMatch(/input_size.*784.*output_size.*10.*hidden_layers.*512,256,128/);
    // Part 2's `plt.imshow`: a 28-row picture in plain text (stdout is a pipe), before anything else is printed.
    const picture = stdout
      .slice(0, stdout.indexOf('False\n'))
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(picture.length).toBeGreaterThanOrEqual(14);
    expect(picture.every((line) => /^[ .:\-=+*#%@]+$/.test(line))).toBe(true);
  });

  it('003: the losses, requires_grad False, None grads, training, and view_classify as a picture', async () => {
    const { stdout } = await run('003-no-grad-and-view-classify.ts', 'mnist', 640);
    expect(stdout).toMatch(
      /^tensor\(2\.\d{4}, grad_fn=<CrossEntropyLossBackward0>\)\ntensor\(2\.\d{4}, grad_fn=<NllLossBackward0>\)\nFalse\n/,
    );
    expect(stdout).toMatch(/requires_grad=True\) \n tensor\(\[\[/);
    expect(stdout).toContain('\nNone\nNone\n');
    expect(stdout).toMatch(/grad_fn=<DivBackward0>\)/);
    expect(numbersAfter(stdout, 'Training loss: ')).toHaveLength(5);
    // helper.view_classify: the digit beside one bar per class, labelled with its probability.
    expect(stdout).toContain('Class Probability');
    const bars = [...stdout.matchAll(/ (\d) \|#* +(\d+\.\d)%$/gm)];
    expect(bars.map((m) => Number(m[1]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(bars.reduce((sum, m) => sum + Number(m[2]), 0)).toBeCloseTo(100, 0);
  });

  it('mnist-cnn: train lines, the test-set summary, and --save-model', async () => {
    const { stdout, files } = await run('mnist-cnn.ts', 'mnist', 256, ['--epochs', '1', '--log-interval', '2', '--save-model']);
    expect(stdout).toMatch(/^Train Epoch: 1 \[0\/256 \(0%\)\]\tLoss: \d\.\d{6}$/m);
    expect(stdout).toMatch(/^Train Epoch: 1 \[128\/256 \(50%\)\]\tLoss: \d\.\d{6}$/m);
    expect(stdout).toMatch(/^Test set: Average loss: \d\.\d{4}, Accuracy: \d+\/256 \(\d+%\)$/m);
    expect(files).toContain('mnist_cnn.pt');
  });
});
