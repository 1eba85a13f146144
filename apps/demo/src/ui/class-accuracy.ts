import { h, replaceChildren } from './dom.js';
import { count, percent, shortClassName } from './format.js';

const EMPTY_TEXT = 'Appears after the first evaluation.';

/** Each class's accuracy from a confusion matrix (rows: true class): the diagonal over the row's total; null for a class with no test images. */
export function classAccuracies(confusion: readonly (readonly number[])[]): { correct: number; total: number; accuracy: number | null }[] {
  return confusion.map((row, r) => {
    const total = row.reduce((a, b) => a + b, 0);
    return { correct: row[r], total, accuracy: total === 0 ? null : row[r] / total };
  });
}

/**
 * Accuracy per class as a table with a bar in each row, from the latest
 * confusion matrix, so the classes the model finds hard stand out (on
 * Fashion-MNIST, shirts against T-shirts and pullovers).
 */
export class ClassAccuracy {
  readonly element: HTMLElement;

  constructor() {
    this.element = h('div', { class: 'class-accuracy-wrap' }, h('p', { class: 'muted' }, EMPTY_TEXT));
  }

  render(confusion: readonly (readonly number[])[], classes: readonly string[]): void {
    const rows = classAccuracies(confusion);
    const known = rows.flatMap((row, i) => (row.accuracy === null ? [] : [{ ...row, i, accuracy: row.accuracy }]));
    const weakest = known.reduce<(typeof known)[number] | null>((w, row) => (w === null || row.accuracy < w.accuracy ? row : w), null);
    replaceChildren(
      this.element,
      weakest
        ? h(
            'p',
            { class: 'muted' },
            `Hardest class for this model: ${shortClassName(classes[weakest.i])}, ${percent(weakest.accuracy)} right.`,
          )
        : null,
      h(
        'table',
        { id: 'class-accuracy', class: 'class-accuracy' },
        h('caption', {}, 'Share of each class’s test images predicted right: the confusion matrix’s diagonal cell over its row.'),
        h(
          'thead',
          {},
          h('tr', {}, h('th', { scope: 'col' }, 'class'), h('th', { scope: 'col' }, 'accuracy'), h('th', { scope: 'col' }, 'right')),
        ),
        h(
          'tbody',
          {},
          ...rows.map((row, i) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row', title: classes[i] }, shortClassName(classes[i])),
              h(
                'td',
                { class: 'class-accuracy-value', 'data-value': row.accuracy === null ? undefined : String(row.accuracy) },
                h(
                  'span',
                  { class: 'class-accuracy-track', 'aria-hidden': 'true' },
                  h('span', { class: 'class-accuracy-fill', style: `width: ${((row.accuracy ?? 0) * 100).toFixed(1)}%` }),
                ),
                row.accuracy === null ? '—' : percent(row.accuracy),
              ),
              h('td', {}, `${count(row.correct)} of ${count(row.total)}`),
            ),
          ),
        ),
      ),
    );
  }

  clear(): void {
    replaceChildren(this.element, h('p', { class: 'muted' }, EMPTY_TEXT));
  }
}
