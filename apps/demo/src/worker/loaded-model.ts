import { load, save } from '@kindling/checkpoint';
import type { Sequential } from '@kindling/nn';
import { type ModelSpec, buildModel, describeLayers, specFromMetadata, specMetadata } from '../model/model-spec.js';
import type { ModelInfo, ModelSlot } from './protocol.js';

/** A model the worker holds, with what is needed to describe, save and rebuild it. */
export interface LoadedModel {
  model: Sequential;
  spec: ModelSpec;
  source: string;
  accuracy?: number;
}

export function modelInfo(slot: ModelSlot, m: LoadedModel): ModelInfo {
  const parameters = [...m.model.parameters()].reduce((n, p) => n + p.numel(), 0);
  return {
    slot,
    layers: describeLayers(m.spec),
    dataset: m.spec.dataset,
    classes: m.spec.classes,
    parameters,
    source: m.source,
    ...(m.accuracy === undefined ? {} : { accuracy: m.accuracy }),
  };
}

/** safetensors bytes with the trainer's metadata, so `kindling-train eval/predict/info` read them too. */
export function checkpointBytes(m: LoadedModel): Promise<Uint8Array> {
  const metadata = specMetadata(m.spec);
  if (m.accuracy !== undefined) metadata.test_accuracy = String(m.accuracy);
  return save(m.model.stateDict(), { metadata });
}

/** Rebuilds a model from checkpoint bytes on `device`, in eval mode. */
export function modelFromCheckpoint(bytes: Uint8Array, source: string, device: string): LoadedModel {
  const { stateDict, metadata } = load(bytes, { device, name: source });
  const spec = specFromMetadata(metadata, source);
  const model = buildModel(spec).to(device);
  model.loadStateDict(stateDict);
  for (const t of Object.values(stateDict)) t.dispose();
  model.eval();
  const accuracy = metadata.test_accuracy === undefined ? undefined : Number(metadata.test_accuracy);
  return { model, spec, source, ...(accuracy === undefined || Number.isNaN(accuracy) ? {} : { accuracy }) };
}

/** Frees a model's parameters now rather than whenever the garbage collector gets to them. */
export function disposeModel(m: LoadedModel): void {
  for (const p of m.model.parameters()) p.dispose();
}
