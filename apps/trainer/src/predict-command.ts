import { softmax, tensor } from '@kindling/tensor';
import { noGrad } from '@kindling/autograd';
import { setupBackend } from './backend.js';
import { UsageError } from './errors.js';
import { readImages } from './images.js';
import { loadModel } from './load-model.js';

export interface PredictOptions {
  topK: number;
  invert: boolean;
  backend: 'cpu' | 'webgpu';
  json: boolean;
}

export interface Prediction {
  image: string;
  top: Array<{ class: number; name: string; probability: number }>;
}

const BAR_WIDTH = 30;

/**
 * `kindling-train predict FILE IMAGES...`: the top-k classes of each image
 * with their probabilities, drawn as bars (the seeds' `view_classify`).
 */
export async function predictCommand(file: string, imageFiles: string[], options: PredictOptions): Promise<Prediction[]> {
  const device = await setupBackend(options.backend);
  const { model, spec } = await loadModel(file, device);
  const images = await readImages(imageFiles);
  const k = Math.min(options.topK, spec.outputSize);
  const predictions: Prediction[] = [];
  for (const img of images) {
    if (img.rows * img.cols !== spec.inputSize) {
      throw new UsageError(
        `${img.label}: image is ${img.cols}×${img.rows} (${img.rows * img.cols} pixels), the model expects ${spec.inputSize} pixels (28×28)`,
      );
    }
    const pixels = Float32Array.from(img.pixels, (p) => ((options.invert ? 255 - p : p) / 255 - 0.5) / 0.5);
    const { values, indices } = noGrad(() => {
      const out = model.forward(tensor(pixels, { shape: [1, spec.inputSize], device }));
      return (spec.logSoftmax ? out.exp() : softmax(out, 1)).topk(k, 1);
    });
    const [p, c] = await Promise.all([values.data(), indices.data()]);
    const top = Array.from(c, (cls, i) => ({ class: cls, name: spec.classes[cls] ?? String(cls), probability: p[i] }));
    predictions.push({ image: img.label, top });
  }
  for (const pred of predictions) {
    if (options.json) {
      process.stdout.write(`${JSON.stringify(pred)}\n`);
      continue;
    }
    process.stdout.write(`${pred.image}\n`);
    const width = Math.max(...pred.top.map((t) => t.name.length));
    for (const t of pred.top) {
      const bar = '█'.repeat(Math.round(t.probability * BAR_WIDTH)).padEnd(BAR_WIDTH, ' ');
      process.stdout.write(`  ${t.name.padEnd(width)} ${bar} ${(100 * t.probability).toFixed(1).padStart(5)}%\n`);
    }
  }
  return predictions;
}
