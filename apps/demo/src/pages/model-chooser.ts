import type { AppContext } from '../client/app-context.js';
import type { AppState } from '../client/app-state.js';
import { h, replaceChildren, uniqueId } from '../ui/dom.js';
import { modelTitle, percent } from '../ui/format.js';
import type { ModelInfo, ModelSlot } from '../worker/protocol.js';

/** In order of preference: the shipped CNN is the default. */
const SLOTS: readonly { slot: ModelSlot; label: string }[] = [
  { slot: 'pretrained-cnn', label: 'Pretrained CNN (shipped with the site)' },
  { slot: 'pretrained-mlp', label: 'Pretrained MLP (shipped with the site)' },
  { slot: 'trained', label: 'Model from the Train page' },
  { slot: 'uploaded', label: 'Uploaded checkpoint' },
];

function describe(info: ModelInfo | undefined, state: AppState, slot: ModelSlot): string {
  if (info) {
    const accuracy = info.accuracy === undefined ? '' : `, ${percent(info.accuracy)} test accuracy`;
    return `${modelTitle(info)} on ${info.dataset}${accuracy}`;
  }
  if (slot === 'pretrained-cnn' || slot === 'pretrained-mlp') {
    const { status, message } = state.pretrained[slot];
    if (status === 'loading') return 'loading…';
    return status === 'missing' ? 'not included in this build' : `failed to load: ${message ?? ''}`;
  }
  return slot === 'trained' ? 'train one on the Train page first' : 'upload one below';
}

/**
 * Radio buttons choosing which model the Draw page asks. Slots without a
 * model are disabled and say why. Until the user picks one, the choice is
 * the first available (the pretrained CNN, once it has loaded); when the
 * picked one disappears it falls back the same way.
 */
export class ModelChooser {
  readonly element: HTMLElement;
  private chosen: ModelSlot | null = null;
  /** Whether the user (or an upload) picked the slot, rather than the default. */
  private picked = false;
  private readonly list: HTMLElement;
  private readonly name = uniqueId('model');

  constructor(
    ctx: AppContext,
    private readonly onChange: (slot: ModelSlot | null, info: ModelInfo | undefined) => void,
  ) {
    this.list = h('div', { class: 'radio-column' });
    this.element = h('fieldset', { class: 'model-chooser' }, h('legend', {}, 'Model'), this.list);
    ctx.state.subscribe((state) => this.render(state));
  }

  /** Selects `slot` (after an upload, say) if it holds a model. */
  select(slot: ModelSlot, state: AppState): void {
    if (state.models.some((m) => m.slot === slot)) {
      this.chosen = slot;
      this.picked = true;
      this.render(state);
    }
  }

  private render(state: AppState): void {
    const available = new Set(state.models.map((m) => m.slot));
    if (!this.picked || this.chosen === null || !available.has(this.chosen)) {
      this.picked = false;
      this.chosen = SLOTS.find((s) => available.has(s.slot))?.slot ?? null;
    }
    const rows = SLOTS.map(({ slot, label }) => {
      const id = `${this.name}-${slot}`;
      const info = state.models.find((m) => m.slot === slot);
      const radio = h('input', { type: 'radio', name: this.name, id, value: slot, disabled: !info, checked: this.chosen === slot });
      radio.addEventListener('change', () => {
        if (!radio.checked) return;
        this.chosen = slot;
        this.picked = true;
        this.onChange(slot, info);
      });
      return h(
        'label',
        { for: id, class: 'radio-option' },
        radio,
        h('span', {}, label, h('small', { class: 'muted' }, describe(info, state, slot))),
      );
    });
    replaceChildren(this.list, ...rows);
    this.onChange(
      this.chosen,
      state.models.find((m) => m.slot === this.chosen),
    );
  }
}
