import { load, save } from '@kindling/checkpoint';
import type { Sequential } from '@kindling/nn';
import { defaultGenerator } from '@kindling/tensor';
import {
  type ModelSpec,
  buildModel,
  describeLayers,
  imageInputShape,
  modelKind,
  modelSpecFromMetadata,
  modelSpecMetadata,
} from '../model/model-spec.js';
import type { ModelInfo, ModelSlot } from './protocol.js';

/** A model the worker holds, with what is needed to describe, save and rebuild it. */
export interface LoadedModel {
  model: Sequential;
  spec: ModelSpec;
  source: string;
  accuracy?: number;
  /** Full epochs and optimizer steps the weights have trained, recorded in checkpoints as kindling-train does. */
  epoch?: number;
  step?: number;
  /** The step `accuracy` was measured at, while training: weights trained further no longer have that accuracy. */
  accuracyStep?: number;
}

export function modelInfo(slot: ModelSlot, m: LoadedModel): ModelInfo {
  const parameters = [...m.model.parameters()].reduce((n, p) => n + p.numel(), 0);
  return {
    slot,
    modelKind: modelKind(m.spec),
    layers: describeLayers(m.spec),
    dataset: m.spec.dataset ?? 'an unknown dataset',
    classes: m.spec.classes ?? [],
    parameters,
    source: m.source,
    ...(m.accuracy === undefined ? {} : { accuracy: m.accuracy }),
  };
}

/** safetensors bytes with the trainer's metadata, so `kindling-train eval/predict/info` read them too. */
export function checkpointBytes(m: LoadedModel): Promise<Uint8Array> {
  const metadata = modelSpecMetadata(m.spec);
  // Like kindling-train, which records a test accuracy only with weights it evaluated (a run stopped
  // between evaluations trained on past its last one).
  if (m.accuracy !== undefined && (m.accuracyStep === undefined || m.accuracyStep === m.step)) {
    metadata.test_accuracy = String(m.accuracy);
  }
  // The keys and format of kindling-train's best.safetensors, which `kindling-train info` reads.
  if (m.epoch !== undefined) metadata.epoch = String(m.epoch);
  if (m.step !== undefined) metadata.step = String(m.step);
  return save(m.model.stateDict(), { metadata });
}

/**
 * Rebuilds a model from checkpoint bytes on `device`, in eval mode: any
 * `Sequential` the metadata describes (MLP checkpoints in the old format
 * too), as long as it reads 28×28 grayscale images. The throwaway initial
 * weights do not draw from the default generator, so loading a checkpoint
 * while a run trains does not change the run's dropout masks.
 */
export function modelFromCheckpoint(bytes: Uint8Array, source: string, device: string): LoadedModel {
  const { stateDict, metadata } = load(bytes, { device, name: source });
  try {
    const spec = modelSpecFromMetadata(metadata, source);
    imageInputShape(spec, source);
    const rng = defaultGenerator.getState();
    let model: Sequential;
    try {
      model = buildModel(spec, source).to(device);
    } finally {
      defaultGenerator.setState(rng);
    }
    model.loadStateDict(stateDict);
    model.eval();
    const accuracy = metadata.test_accuracy === undefined ? undefined : Number(metadata.test_accuracy);
    const epoch = metadataCount(metadata, 'epoch');
    const step = metadataCount(metadata, 'step');
    return {
      model,
      spec,
      source,
      ...(accuracy === undefined || Number.isNaN(accuracy) ? {} : { accuracy }),
      ...(epoch === undefined ? {} : { epoch }),
      ...(step === undefined ? {} : { step }),
    };
  } finally {
    for (const t of Object.values(stateDict)) t.dispose();
  }
}

/** A count from the metadata strings (`epoch`, `step`), as kindling-train reads them: digits only, else absent. */
function metadataCount(metadata: Record<string, string>, key: string): number | undefined {
  const value = metadata[key];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Frees a model's parameters and buffers now rather than whenever the garbage collector gets to them. */
export function disposeModel(m: LoadedModel): void {
  for (const p of m.model.parameters()) p.dispose();
  for (const [, b] of m.model.namedBuffers()) b.dispose();
}
