import { noGrad } from '@kindling/autograd';
import type { DataLoader } from '@kindling/data';
import type { Loss, Sequential } from '@kindling/nn';
import { type Tensor, softmax, tidy } from '@kindling/tensor';
import type { Mistakes } from './inspection-types.js';

export interface Evaluation {
  loss: number;
  accuracy: number;
  /** Rows: true class, columns: predicted class. */
  confusion: number[][];
  /** Class probabilities of each sample image. */
  sampleProbabilities: number[][];
  /** Every test image predicted wrong (the loader must not shuffle, so positions are test-set indices). */
  mistakes: Mistakes;
}

/** How to feed the model and read its output. */
export interface EvaluationShape {
  classes: number;
  /** One image's shape as the model takes it (`[784]`, `[1, 28, 28]`). */
  inputShape: readonly number[];
  /** Whether the output is log-probabilities (else logits). */
  logSoftmax: boolean;
}

/**
 * Test loss, accuracy and confusion matrix in eval mode under `noGrad`, plus
 * the class probabilities of the sample images the page shows. The previous
 * mode is restored, so training resumes with dropout where it had it.
 */
export async function evaluate(
  model: Sequential,
  loader: DataLoader<[Tensor, Tensor], [Tensor, Tensor]>,
  lossFn: Loss,
  { classes, inputShape, logSoftmax }: EvaluationShape,
  sampleImages: Tensor,
): Promise<Evaluation> {
  const wasTraining = model.training;
  model.eval();
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let lossSum = 0;
  let samples = 0;
  const mistakes: Mistakes = { indices: [], labels: [], predicted: [], confidence: [] };
  try {
    for await (const [images, labels] of loader) {
      const [loss, predicted, confidence] = noGrad(() =>
        tidy(() => {
          const out = model.forward(images.reshape(images.shape[0], ...inputShape));
          const [best, bestIndex] = (logSoftmax ? out.exp() : softmax(out, 1)).max(1);
          return [lossFn.forward(out, labels).mul(labels.shape[0]), bestIndex, best];
        }),
      );
      const [l, p, y, c] = await Promise.all([loss.item(), predicted.read(), labels.read(), confidence.read()]);
      lossSum += l as number;
      for (let i = 0; i < y.length; i++) {
        confusion[y[i]][p[i]]++;
        if (y[i] === p[i]) continue;
        mistakes.indices.push(samples + i);
        mistakes.labels.push(y[i]);
        mistakes.predicted.push(p[i]);
        mistakes.confidence.push(c[i]);
      }
      samples += y.length;
      for (const t of [loss, predicted, confidence, images, labels]) t.dispose();
    }
    const probabilities = noGrad(() =>
      tidy(() => {
        const out = model.forward(sampleImages);
        return logSoftmax ? out.exp() : softmax(out, 1);
      }),
    );
    const flat = await probabilities.read();
    probabilities.dispose();
    const sampleProbabilities = Array.from({ length: sampleImages.shape[0] }, (_, i) =>
      Array.from(flat.subarray(i * classes, (i + 1) * classes)),
    );
    const correct = confusion.reduce((s, row, i) => s + row[i], 0);
    return { loss: lossSum / samples, accuracy: correct / samples, confusion, sampleProbabilities, mistakes };
  } finally {
    model.train(wasTraining);
  }
}
