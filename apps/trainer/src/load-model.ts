import { resolve } from 'node:path';
import { loadTrainingStateFile } from '@kindling/checkpoint/node';
import { KindlingError } from '@kindling/tensor';
import { type MlpSpec, type Sequential, buildMlp, mlpSpecFromMetadata } from '@kindling/nn';
import { UsageError } from './errors.js';

export interface LoadedModel {
  model: Sequential;
  spec: MlpSpec;
  metadata: Record<string, string>;
  epoch: number;
  step: number;
}

/**
 * Rebuilds a model from a `best.safetensors` or `last.safetensors` file
 * alone (its metadata says how), then loads the weights strictly.
 */
export async function loadModel(file: string, device: string): Promise<LoadedModel> {
  const state = await loadTrainingStateFile(resolve(file), { device }).catch((e: Error) => {
    throw new UsageError(e.message.includes(file) ? e.message : `${file}: ${e.message}`);
  });
  const spec = mlpSpecFromMetadata(state.metadata, file);
  const model = buildMlp(spec).to(device);
  try {
    model.loadStateDict(state.model);
  } catch (e) {
    if (e instanceof KindlingError)
      throw new UsageError(`${file}: the checkpoint does not fit the model it describes (${e.message.split('\n').join(' ')})`);
    throw e;
  }
  model.eval();
  // best.safetensors is a plain model file; its epoch is in the metadata.
  const epoch = state.epoch || Number(state.metadata.epoch ?? 0);
  return { model, spec, metadata: state.metadata, epoch, step: state.step };
}
