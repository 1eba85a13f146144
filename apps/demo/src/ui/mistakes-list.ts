import type { Mistakes } from '../worker/inspection-types.js';
import { drawDigit } from './digit-image.js';
import { h, replaceChildren, uniqueId } from './dom.js';
import { count, percent, shortClassName } from './format.js';

/** Images per page: enough to see patterns in the mistakes, few enough to fetch and draw at once. */
export const MISTAKES_PER_PAGE = 40;

const EMPTY_TEXT = 'Appears after the first evaluation.';

/** Fetches the uint8 28×28 pixels of test images by index, one image after another. */
export type FetchTestImages = (indices: number[]) => Promise<Uint8Array>;

type Order = 'index' | 'confidence';

/**
 * Every test image the last evaluation got wrong, a page at a time, with
 * its true class, the model's guess and how sure it was; filtered by true
 * class and sorted by test-set position or by confidence (confident
 * mistakes are often badly written digits, or wrong labels). The images
 * are fetched from the worker for the page shown only.
 */
export class MistakesList {
  readonly element: HTMLElement;
  // Not a live region: it changes at every evaluation, which would interrupt a screen reader all through a run.
  private readonly summary = h('p', { id: 'mistakes-summary' }, EMPTY_TEXT);
  private readonly classFilter = h('select', { id: uniqueId('mistakes-class') });
  private readonly order = h(
    'select',
    { id: uniqueId('mistakes-order') },
    h('option', { value: 'index' }, 'test-set order'),
    h('option', { value: 'confidence' }, 'most confident first'),
  );
  private readonly list = h('ol', { id: 'mistakes-list', class: 'mistake-grid', 'aria-label': 'Test images predicted wrong' });
  private readonly previous = h('button', { type: 'button' }, 'Previous');
  private readonly next = h('button', { type: 'button' }, 'Next');
  private readonly pageText = h('span', { class: 'muted' });
  private readonly controls: HTMLElement;
  private mistakes: Mistakes | null = null;
  private classes: string[] = [];
  private evaluated = 0;
  private page = 0;
  /** Bumped on each render, so pixels that arrive for an older page are dropped. */
  private generation = 0;

  constructor(private readonly fetchImages: FetchTestImages) {
    this.controls = h(
      'div',
      { class: 'mistakes-controls', hidden: true },
      h('label', { for: this.classFilter.id }, 'True class '),
      this.classFilter,
      h('label', { for: this.order.id }, 'Order '),
      this.order,
    );
    const pager = h('div', { class: 'button-row mistakes-pager' }, this.previous, this.pageText, this.next);
    this.element = h('div', { class: 'mistakes' }, this.summary, this.controls, this.list, pager);
    this.classFilter.addEventListener('change', () => this.show(0));
    this.order.addEventListener('change', () => this.show(0));
    this.previous.addEventListener('click', () => this.show(this.page - 1));
    this.next.addEventListener('click', () => this.show(this.page + 1));
    this.updatePager(0);
  }

  /** The latest evaluation's mistakes out of `evaluated` test images; the page shown stays where it can. */
  render(mistakes: Mistakes, classes: string[], evaluated: number): void {
    const classesChanged = classes.join('|') !== this.classes.join('|');
    this.mistakes = mistakes;
    this.classes = classes;
    this.evaluated = evaluated;
    const chosen = classesChanged ? '' : this.classFilter.value;
    const perClass = classes.map((_, c) => mistakes.labels.filter((l) => l === c).length);
    replaceChildren(
      this.classFilter,
      h('option', { value: '' }, `all (${count(mistakes.indices.length)})`),
      ...classes.map((name, c) => h('option', { value: String(c) }, `${shortClassName(name)} (${count(perClass[c])})`)),
    );
    this.classFilter.value = chosen;
    this.controls.hidden = false;
    this.show(this.page);
  }

  clear(): void {
    this.mistakes = null;
    this.generation++;
    this.page = 0;
    this.summary.textContent = EMPTY_TEXT;
    delete this.summary.dataset.count;
    this.controls.hidden = true;
    replaceChildren(this.list);
    this.updatePager(0);
  }

  /** Positions (into the mistakes arrays) shown with the current filter and order. */
  private selection(): number[] {
    const m = this.mistakes;
    if (!m) return [];
    const wanted = this.classFilter.value === '' ? null : Number(this.classFilter.value);
    const picked = m.labels.flatMap((label, i) => (wanted === null || label === wanted ? [i] : []));
    if ((this.order.value as Order) === 'confidence') picked.sort((a, b) => m.confidence[b] - m.confidence[a]);
    return picked;
  }

  private show(page: number): void {
    const m = this.mistakes;
    if (!m) return;
    const picked = this.selection();
    const pages = Math.max(1, Math.ceil(picked.length / MISTAKES_PER_PAGE));
    this.page = Math.max(0, Math.min(page, pages - 1));
    const shown = picked.slice(this.page * MISTAKES_PER_PAGE, (this.page + 1) * MISTAKES_PER_PAGE);
    const total = m.indices.length;
    this.summary.dataset.count = String(total);
    this.summary.textContent =
      `${count(total)} of ${count(this.evaluated)} test images predicted wrong (${percent(total / Math.max(1, this.evaluated))}).` +
      (picked.length === total
        ? ''
        : ` ${count(picked.length)} of them are ${shortClassName(this.classes[Number(this.classFilter.value)])}.`);
    const canvases = shown.map(() => h('canvas', { class: 'digit', width: 28, height: 28, 'aria-hidden': 'true' }));
    replaceChildren(
      this.list,
      ...shown.map((i, k) => {
        const truth = this.classes[m.labels[i]];
        const guess = this.classes[m.predicted[i]];
        return h(
          'li',
          {
            class: 'mistake',
            'data-true': m.labels[i],
            'data-predicted': m.predicted[i],
            'data-confidence': m.confidence[i],
          },
          canvases[k],
          h('span', {}, `True ${shortClassName(truth)}`),
          h('span', {}, `Predicted ${shortClassName(guess)} (${percent(m.confidence[i], 0)})`),
          h('span', { class: 'muted mistake-index' }, `test image ${count(m.indices[i] + 1)}`),
        );
      }),
    );
    this.updatePager(pages);
    const generation = ++this.generation;
    if (shown.length === 0) return;
    this.fetchImages(shown.map((i) => m.indices[i])).then(
      (pixels) => {
        if (generation !== this.generation) return;
        canvases.forEach((canvas, k) => {
          drawDigit(canvas, pixels.subarray(k * 784, (k + 1) * 784), true);
        });
      },
      () => {
        // The images are gone (another dataset was loaded): the labels still say what went wrong.
      },
    );
  }

  private updatePager(pages: number): void {
    this.pageText.textContent = pages > 1 ? `Page ${count(this.page + 1)} of ${count(pages)}` : '';
    this.previous.disabled = this.page <= 0;
    this.next.disabled = this.page >= pages - 1;
    this.previous.hidden = pages <= 1;
    this.next.hidden = pages <= 1;
  }
}
