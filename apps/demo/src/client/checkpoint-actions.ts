import { downloadBytes, readBlob } from '@kindling/checkpoint/browser';
import type { ModelInfo, ModelSlot } from '../worker/protocol.js';
import type { AppContext } from './app-context.js';

/** Asks the worker for a model's safetensors bytes and offers them as a download. */
export async function downloadModel(ctx: AppContext, slot: ModelSlot, filename: string): Promise<void> {
  const bytes = await ctx.worker.call('exportCheckpoint', { slot });
  downloadBytes(bytes, filename);
}

/** Loads a `.safetensors` file the user picked into the `uploaded` slot. */
export async function uploadModel(ctx: AppContext, file: File): Promise<ModelInfo> {
  const bytes = await readBlob(file);
  return ctx.worker.call('loadCheckpoint', { slot: 'uploaded', bytes, source: file.name }, [bytes.buffer as ArrayBuffer]);
}

/** A file name that says what the model is: `kindling-mnist-784-128-64-10.safetensors` for an MLP, `kindling-mnist-cnn.safetensors`. */
export function checkpointFilename(info: Pick<ModelInfo, 'dataset' | 'modelKind' | 'layers'>): string {
  const what = info.modelKind === 'MLP' ? info.layers : info.modelKind.toLowerCase();
  return `kindling-${info.dataset}-${what}.safetensors`.replace(/[^A-Za-z0-9._-]+/g, '_');
}
