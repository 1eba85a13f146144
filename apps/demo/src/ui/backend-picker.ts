import type { AppContext } from '../client/app-context.js';
import { isTrainingActive } from '../client/app-state.js';
import type { BackendChoice } from '../worker/protocol.js';
import { h, replaceChildren, uniqueId } from './dom.js';
import { notice } from './notice.js';

const CHOICES: readonly { value: BackendChoice; label: string }[] = [
  { value: 'webgpu', label: 'WebGPU (GPU)' },
  { value: 'cpu', label: 'CPU' },
];

/**
 * WebGPU/CPU radio buttons bound to the shared backend state, plus the
 * message explaining a fallback. Used on the Train and About pages; both
 * reflect the same worker state. Locked while a run trains, because the
 * model and data would have to move mid-step.
 */
export function backendPicker(ctx: AppContext): HTMLElement {
  const name = uniqueId('backend');
  const radios = CHOICES.map((c) => h('input', { type: 'radio', name, value: c.value, id: `${name}-${c.value}` }));
  const status = h('div', { class: 'backend-status' });
  const fieldset = h(
    'fieldset',
    { class: 'backend-picker' },
    h('legend', {}, 'Compute backend'),
    h('div', { class: 'radio-row' }, ...CHOICES.map((c, i) => h('label', { for: radios[i].id }, radios[i], ` ${c.label}`))),
    status,
  );
  for (const radio of radios) {
    radio.addEventListener('change', () => {
      if (radio.checked) void ctx.switchBackend(radio.value as BackendChoice);
    });
  }
  ctx.state.subscribe((state) => {
    const locked = state.backendSwitching || isTrainingActive(state.phase) || state.backend === null;
    for (const radio of radios) {
      radio.disabled = locked;
      // While switching, the click that started it stays visible; afterwards the worker's answer rules.
      if (state.backend && !state.backendSwitching) radio.checked = radio.value === state.backend.requested;
    }
    const info = state.backend;
    if (state.backendSwitching || !info) {
      replaceChildren(status, h('p', { class: 'muted' }, 'Setting up the backend…'));
    } else if (info.fallbackReason) {
      replaceChildren(
        status,
        notice(
          'warning',
          'WebGPU is not available, so Kindling runs on the CPU.',
          `Reason: ${info.fallbackReason}.`,
          'Everything still works, only slower.',
        ),
      );
    } else {
      const adapter =
        info.adapter && info.device === 'webgpu' ? ` (${info.adapter.description || info.adapter.vendor || 'GPU adapter'})` : '';
      replaceChildren(status, h('p', { class: 'muted' }, `In use: ${info.device}${adapter}`));
    }
    if (isTrainingActive(state.phase)) status.append(h('p', { class: 'muted' }, 'Stop training to switch backends.'));
  });
  return fieldset;
}
