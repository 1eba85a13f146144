import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '@kindling/backend-cpu';
import { noGrad } from '@kindling/autograd';
import { Linear, LogSoftmax, ReLU, Sequential } from '@kindling/nn';
import { rand } from '@kindling/tensor';
import { expect, it, vi } from 'vitest';
import { imshow, viewClassify } from '../src/index.js';

it("the README's example runs: a model's probabilities beside its input, in the terminal and as a PNG", () => {
  const dir = mkdtempSync(join(tmpdir(), 'kindling-vis-readme-'));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const model = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10), new LogSoftmax(1));
    const img = rand(1, 784);
    const ps = noGrad(() => model(img).exp());
    imshow(img.view(1, 28, 28));
    const text = viewClassify(img.view(1, 28, 28), ps);
    viewClassify(img.view(1, 28, 28), ps, { file: join(dir, 'prediction.png'), print: false });
    expect(write).toHaveBeenCalledTimes(2);
    expect(text).toContain('Class Probability');
    expect(statSync(join(dir, 'prediction.png')).size).toBeGreaterThan(1000);
  } finally {
    write.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }
});
