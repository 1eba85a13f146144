import { noGrad } from '@kindling/autograd';
import { softmax, tensor, tidy } from '@kindling/tensor';
import { imageInputShape, outputsLogProbabilities } from '../model/model-spec.js';
import { type LoadedModel, checkpointBytes, disposeModel, modelFromCheckpoint, modelInfo } from './loaded-model.js';
import type { ModelInfo, ModelSlot, Prediction } from './protocol.js';

const SLOT_ORDER: readonly ModelSlot[] = ['trained', 'pretrained-cnn', 'pretrained-mlp', 'uploaded'];

/**
 * The models the worker holds: the one being (or last) trained on the Train
 * page, the two pretrained checkpoints shipped with the site (CNN and MLP), and one the user
 * uploaded. The Draw page predicts with any of them.
 */
export class ModelSlots {
  private readonly slots = new Map<ModelSlot, LoadedModel>();

  get(slot: ModelSlot): LoadedModel {
    const m = this.slots.get(slot);
    if (!m) throw new Error(`no ${slot} model loaded yet`);
    return m;
  }

  set(slot: ModelSlot, m: LoadedModel): void {
    const old = this.slots.get(slot);
    this.slots.set(slot, m);
    if (old && old !== m) disposeModel(old);
  }

  infos(): ModelInfo[] {
    return SLOT_ORDER.flatMap((slot) => {
      const m = this.slots.get(slot);
      return m ? [modelInfo(slot, m)] : [];
    });
  }

  load(slot: ModelSlot, bytes: Uint8Array, source: string, device: string): ModelInfo {
    const m = modelFromCheckpoint(bytes, source, device);
    this.set(slot, m);
    return modelInfo(slot, m);
  }

  export(slot: ModelSlot): Promise<Uint8Array> {
    return checkpointBytes(this.get(slot));
  }

  /**
   * Moves every model to `device` through its checkpoint bytes: reading a
   * tensor back from the GPU is asynchronous, which `Module.to` cannot wait for.
   */
  async moveTo(device: string): Promise<void> {
    for (const [slot, m] of [...this.slots]) {
      if (m.model.parameters().next().value?.device === device) continue;
      const moved = modelFromCheckpoint(await checkpointBytes(m), m.source, device);
      this.set(slot, { ...moved, accuracy: m.accuracy, accuracyStep: m.accuracyStep });
    }
  }

  /**
   * Class probabilities for one 28×28 image with intensities in [0, 1],
   * given flat to an MLP and as `[1, 1, 28, 28]` to a CNN. The model is
   * switched to eval mode (no dropout) only for the synchronous forward
   * pass, so a training loop sharing it never sees the change.
   */
  async predict(slot: ModelSlot, pixels: Float32Array): Promise<Prediction> {
    const { model, spec, source } = this.get(slot);
    const shape = imageInputShape(spec, source);
    const size = shape.reduce((a, b) => a * b, 1);
    if (pixels.length !== size) throw new Error(`predict: pixels: expected ${size} values (28×28), got ${pixels.length}`);
    const device = model.parameters().next().value?.device ?? 'cpu';
    const probabilities = noGrad(() =>
      tidy(() => {
        const wasTraining = model.training;
        model.eval();
        try {
          // The model's training transform: its Normalize, or the demo's (and the seeds') 0.5.
          const { mean, std } = spec.normalize ?? { mean: [0.5], std: [0.5] };
          const x = tensor(pixels, { shape: [1, ...shape], device })
            .sub(mean[0])
            .div(std[0]);
          const out = model.forward(x);
          return outputsLogProbabilities(spec) ? out.exp() : softmax(out, 1);
        } finally {
          model.train(wasTraining);
        }
      }),
    );
    const values = Array.from(await probabilities.read());
    probabilities.dispose();
    return { classes: spec.classes ?? values.map((_, i) => String(i)), probabilities: values };
  }
}
