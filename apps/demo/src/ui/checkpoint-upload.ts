import type { AppContext } from '../client/app-context.js';
import { uploadModel } from '../client/checkpoint-actions.js';
import { h, replaceChildren, uniqueId } from './dom.js';
import { notice } from './notice.js';
import { modelTitle, percent } from './format.js';

/** A labelled file input that loads a safetensors checkpoint into the `uploaded` slot and reports how it went. */
export function checkpointUpload(ctx: AppContext, onLoaded?: () => void): HTMLElement {
  const id = uniqueId('upload');
  const input = h('input', { id, type: 'file', accept: '.safetensors,application/octet-stream' });
  const result = h('div', { 'aria-live': 'polite' });
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (!file) return;
    replaceChildren(result, h('p', { class: 'muted' }, `Loading ${file.name}…`));
    try {
      const info = await uploadModel(ctx, file);
      const accuracy = info.accuracy === undefined ? '' : `, test accuracy ${percent(info.accuracy)}`;
      replaceChildren(result, notice('info', `Loaded ${file.name}`, `${modelTitle(info)} trained on ${info.dataset}${accuracy}.`));
      onLoaded?.();
    } catch (error) {
      replaceChildren(result, notice('error', `Could not load ${file.name}`, (error as Error).message));
    } finally {
      input.value = '';
    }
  });
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, 'Upload a checkpoint (.safetensors from this demo or kindling-train)'),
    input,
    result,
  );
}
