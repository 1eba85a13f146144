import { h, replaceChildren } from './dom.js';
import { shortClassName } from './format.js';

/**
 * The confusion matrix as a real table (rows: true class, columns: predicted
 * class), so it reads cell by cell with a screen reader. Cell shading is the
 * share of the row, which makes off-diagonal mistakes stand out.
 */
export class ConfusionMatrix {
  readonly element: HTMLElement;

  constructor() {
    this.element = h('div', { class: 'confusion-wrap' }, h('p', { class: 'muted' }, 'Appears after the first evaluation.'));
  }

  render(confusion: number[][], classes: readonly string[]): void {
    const names = classes.map(shortClassName);
    const table = h(
      'table',
      { class: 'confusion' },
      h('caption', {}, 'Test-set confusion matrix: rows are true classes, columns are predicted classes.'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'true \\ predicted'),
          ...names.map((n, i) => h('th', { scope: 'col', title: classes[i] }, n)),
        ),
      ),
      h(
        'tbody',
        {},
        ...confusion.map((row, r) => {
          const total = Math.max(
            1,
            row.reduce((a, b) => a + b, 0),
          );
          return h(
            'tr',
            {},
            h('th', { scope: 'row', title: classes[r] }, names[r]),
            ...row.map((value, c) => {
              const share = value / total;
              const kind = r === c ? 'hit' : 'miss';
              const style = value === 0 ? undefined : `--share: ${share.toFixed(3)}`;
              return h('td', { class: `${kind}${share > 0.5 ? ' strong' : ''}`, style }, value);
            }),
          );
        }),
      ),
    );
    replaceChildren(this.element, table);
  }

  clear(): void {
    replaceChildren(this.element, h('p', { class: 'muted' }, 'Appears after the first evaluation.'));
  }
}
