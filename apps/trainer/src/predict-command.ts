import { softmax, tensor } from '@kindling/tensor';
import { noGrad } from '@kindling/autograd';
import { setupBackend } from './backend.js';
import { UsageError } from './errors.js';
import { readImages } from './images.js';
import { loadModel } from './load-model.js';
import { sanitizeForTerminal } from './sanitize.js';

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
  const { model, inputShape, classes, logSoftmax, normalize } = await loadModel(file, device);
  // An MLP takes flat pixels ([784]); a CNN [C, H, W].
  const [channels, rows, cols] = inputShape.length === 3 ? inputShape : [1, Math.sqrt(inputShape[0]), Math.sqrt(inputShape[0])];
  const images = await readImages(imageFiles, channels);
  const k = Math.min(options.topK, classes.length);
  const predictions: Prediction[] = [];
  for (const img of images) {
    if (img.rows !== rows || img.cols !== cols) {
      throw new UsageError(`${img.label}: image is ${img.cols}×${img.rows}, the model expects ${cols}×${rows} images`);
    }
    // The checkpoint's Normalize, per channel (pixels are HWC, so the channel is the index mod channels).
    const pixels = Float32Array.from(img.pixels, (p, i) => {
      const c = i % channels;
      return ((options.invert ? 255 - p : p) / 255 - normalize.mean[c]) / normalize.std[c];
    });
    const { values, indices } = noGrad(() => {
      // Pixels arrive HWC; the model takes CHW (the same thing when there is one channel).
      const hwc = tensor(pixels, { shape: [1, rows, cols, channels], device });
      const out = model.forward(hwc.permute(0, 3, 1, 2).reshape([1, ...inputShape]));
      return (logSoftmax ? out.exp() : softmax(out, 1)).topk(k, 1);
    });
    const [p, c] = await Promise.all([values.read(), indices.read()]);
    const top = Array.from(c, (cls, i) => ({ class: cls, name: classes[cls] ?? String(cls), probability: p[i] }));
    predictions.push({ image: img.label, top });
  }
  for (const pred of predictions) {
    if (options.json) {
      process.stdout.write(`${JSON.stringify(pred)}\n`);
      continue;
    }
    process.stdout.write(`${sanitizeForTerminal(pred.image)}\n`);
    // Class names come from the checkpoint: escape sequences in them must not reach the terminal.
    const names = pred.top.map((t) => sanitizeForTerminal(t.name));
    const width = Math.max(...names.map((n) => n.length));
    for (const [i, t] of pred.top.entries()) {
      const bar = '█'.repeat(Math.round(t.probability * BAR_WIDTH)).padEnd(BAR_WIDTH, ' ');
      process.stdout.write(`  ${names[i].padEnd(width)} ${bar} ${(100 * t.probability).toFixed(1).padStart(5)}%\n`);
    }
  }
  return predictions;
}
