import { noGrad } from '@kindling/autograd';
import type { DataLoader } from '@kindling/data';
import type { Loss, Module } from '@kindling/nn';
import { type Tensor, tidy } from '@kindling/tensor';

/** Test-set results: mean loss, accuracy, and the confusion matrix (rows: true class, columns: predicted). */
export interface Evaluation {
  loss: number;
  accuracy: number;
  samples: number;
  confusion: number[][];
  perClassAccuracy: number[];
}

/** Flattens `[N, 1, 28, 28]` images to `[N, 784]`, as the seeds' `images.view(images.shape[0], -1)`. */
export function flattenImages(images: Tensor): Tensor {
  return images.reshape(images.shape[0], -1);
}

/** Runs the model over a loader in `eval()` mode under `noGrad`, restoring its previous mode. */
export async function evaluate(
  model: Module,
  loader: DataLoader<[Tensor, Tensor], [Tensor, Tensor]>,
  lossFn: Loss,
  classes: number,
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
          const out = model.forward(flattenImages(images));
          return [lossFn.forward(out, labels).mul(labels.shape[0]), out.argmax(1)];
        }),
      );
      const [l, p, y] = await Promise.all([loss.item(), predicted.data(), labels.data()]);
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
