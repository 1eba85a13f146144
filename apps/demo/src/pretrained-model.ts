import type { AppContext } from './client/app-context.js';
import type { PretrainedSlot } from './client/app-state.js';

export interface PretrainedModel {
  slot: PretrainedSlot;
  /** Where the build puts the checkpoint from public/models (see README: how each was made). */
  path: string;
}

/** The checkpoints shipped with the site, loaded in this order: the CNN, the Draw page's default, first. */
export const PRETRAINED_MODELS: readonly PretrainedModel[] = [
  { slot: 'pretrained-cnn', path: 'models/mnist-cnn.safetensors' },
  { slot: 'pretrained-mlp', path: 'models/mnist-mlp.safetensors' },
];

/**
 * Fetches a shipped checkpoint and hands it to the worker. A build without
 * it is fine: the Draw page then says so. (Dev servers answer unknown paths
 * with index.html, hence the content-type check.)
 */
async function loadOne(ctx: AppContext, { slot, path }: PretrainedModel): Promise<void> {
  const set = (value: { status: 'ready' | 'missing' | 'failed'; message?: string }) =>
    ctx.state.update({ pretrained: { ...ctx.state.get().pretrained, [slot]: value } });
  try {
    const response = await fetch(new URL(path, ctx.baseUrl));
    if (!response.ok || response.headers.get('content-type')?.includes('text/html')) {
      set({ status: 'missing' });
      return;
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    await ctx.worker.call('loadCheckpoint', { slot, bytes, source: path }, [bytes.buffer]);
    set({ status: 'ready' });
  } catch (error) {
    set({ status: 'failed', message: (error as Error).message });
  }
}

/** Loads every shipped checkpoint, one after the other (the worker handles one request at a time anyway). */
export async function loadPretrained(ctx: AppContext): Promise<void> {
  for (const model of PRETRAINED_MODELS) await loadOne(ctx, model);
}
