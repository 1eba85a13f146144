import { noGrad } from '@kindling/autograd';
import type { DataLoader } from '@kindling/data';
import type { Loss, Module } from '@kindling/nn';
import { type Tensor, tidy } from '@kindling/tensor';
import { modelInput } from './models.js';

/** Test-set results: mean loss, accuracy, and the confusion matrix (rows: true class, columns: predicted). */
export interface Evaluation {
  loss: number;
  accuracy: number;
  samples: number;
  confusion: number[][];
  perClassAccuracy: number[];
}

/** Runs the model over a loader in `eval()` mode under `noGrad`, restoring its previous mode. */
export async function evaluate(
  model: Module,
  loader: DataLoader<[Tensor, Tensor], [Tensor, Tensor]>,
  lossFn: Loss,
  classes: number,
  inputShape: readonly number[],
): Promise<Evaluation> {
  const wasTraining = model.training;
  model.eval();
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let lossSum = 0;
  let samples = 0;
  try {
    for await (const [images, labels] of loader) {
      const [loss, predicted] = noGrad(() =>
        tidy(() => {
          const out = model.forward(modelInput(images, inputShape));
          return [lossFn.forward(out, labels).mul(labels.shape[0]), out.argmax(1)];
        }),
      );
      const [l, p, y] = await Promise.all([loss.item(), predicted.read(), labels.read()]);
      lossSum += l as number;
      for (let i = 0; i < y.length; i++) confusion[y[i]][p[i]]++;
      samples += y.length;
      for (const t of [loss, predicted, images, labels]) t.dispose();
    }
  } finally {
    model.train(wasTraining);
  }
  const correct = confusion.reduce((s, row, i) => s + row[i], 0);
  return {
    loss: lossSum / samples,
    accuracy: correct / samples,
    samples,
    confusion,
    perClassAccuracy: confusion.map(
      (row, i) =>
        row[i] /
        Math.max(
          1,
          row.reduce((a, b) => a + b, 0),
        ),
    ),
  };
}
