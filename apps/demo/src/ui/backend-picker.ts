import type { AppContext } from '../client/app-context.js';
import { isTrainingActive } from '../client/app-state.js';
import type { BackendChoice, BackendInfo } from '../worker/protocol.js';
import { cpuThreadsText } from './cpu-threads-text.js';
import { h, replaceChildren, uniqueId } from './dom.js';
import { EXPLAIN } from './explain.js';
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
  const hintId = `${name}-hint`;
  const fieldset = h(
    'fieldset',
    { class: 'backend-picker', 'aria-describedby': hintId },
    h('legend', {}, 'Compute backend'),
    h('p', { id: hintId, class: 'muted backend-hint' }, EXPLAIN.backend),
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
      // While switching, the click that started it stays visible; afterwards the device in use rules
      // (a WebGPU request that fell back to the CPU leaves CPU checked).
      if (state.backend && !state.backendSwitching) radio.checked = radio.value === state.backend.device;
    }
    const info = state.backend;
    if (state.backendSwitching || !info) {
      replaceChildren(status, h('p', { class: 'muted' }, 'Setting up the backend…'));
    } else {
      replaceChildren(status, ...backendStatus(info));
    }
    if (isTrainingActive(state.phase)) status.append(h('p', { class: 'muted' }, 'Stop training to switch backends.'));
  });
  return fieldset;
}

/** What is in use (with the CPU's threads), and a notice when WebGPU is missing or slower than the CPU. */
function backendStatus(info: BackendInfo): HTMLElement[] {
  const adapterName = info.adapter?.description || info.adapter?.vendor || 'GPU adapter';
  const inUse =
    info.device === 'webgpu'
      ? h('p', { class: 'muted' }, `In use: webgpu (${adapterName})`)
      : h('p', { class: 'muted' }, `In use: cpu, ${cpuThreadsText(info.cpu)}`);
  if (info.fallbackReason) {
    return [
      notice(
        'warning',
        'WebGPU is not available, so Kindling runs on the CPU.',
        `Reason: ${info.fallbackReason}.`,
        'Everything still works, only slower.',
      ),
      inUse,
    ];
  }
  if (info.slowAdapter && info.device === 'cpu' && info.requested === 'auto') {
    return [
      notice('info', 'Kindling uses the CPU: it is faster here than WebGPU.', `Why: ${info.slowAdapter}.`, 'You can still choose WebGPU.'),
      inUse,
    ];
  }
  if (info.slowAdapter && info.device === 'webgpu') {
    return [
      notice('warning', 'This WebGPU adapter is slower than the CPU.', `Why: ${info.slowAdapter}.`, 'Choose CPU to train faster.'),
      inUse,
    ];
  }
  return [inUse];
}
