import type { AppContext } from './client/app-context.js';

/** Where the build puts the checkpoint from public/models (see README: how it was made). */
export const PRETRAINED_PATH = 'models/mnist-mlp.safetensors';

/**
 * Fetches the shipped checkpoint and hands it to the worker. A build without
 * it is fine: the Draw page then says so. (Dev servers answer unknown paths
 * with index.html, hence the content-type check.)
 */
export async function loadPretrained(ctx: AppContext): Promise<void> {
  try {
    const response = await fetch(new URL(PRETRAINED_PATH, ctx.baseUrl));
    if (!response.ok || response.headers.get('content-type')?.includes('text/html')) {
      ctx.state.update({ pretrained: { status: 'missing' } });
      return;
    }
    const bytes = new Uint8Array(await response.arrayBuffer());
    await ctx.worker.call('loadCheckpoint', { slot: 'pretrained', bytes, source: PRETRAINED_PATH }, [bytes.buffer]);
    ctx.state.update({ pretrained: { status: 'ready' } });
  } catch (error) {
    ctx.state.update({ pretrained: { status: 'failed', message: (error as Error).message } });
  }
}
