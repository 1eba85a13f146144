import './confusion-matrix.css';
import { h, replaceChildren } from './dom.js';
import { count, shortClassName } from './format.js';

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
      // Fashion-MNIST's names ("Ankle boot") need a wider first column and upright-turned column headers.
      { class: names.some((n) => n.length > 3) ? 'confusion long-names' : 'confusion' },
      h('caption', {}, 'Test-set confusion matrix: rows are true classes, columns are predicted classes.'),
      h(
        'thead',
        {},
        // Axis names in their own header row, so the corner cell stays as narrow as a number and the table fits a phone.
        h(
          'tr',
          {},
          h('th', { rowspan: 2, class: 'confusion-corner' }, 'true ↓'),
          h('th', { scope: 'colgroup', colspan: names.length, class: 'confusion-axis' }, 'predicted →'),
        ),
        h('tr', {}, ...names.map((n, i) => h('th', { scope: 'col', title: classes[i], class: 'confusion-class' }, n))),
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
              return h('td', { class: `${kind}${share > 0.5 ? ' strong' : ''}`, style }, count(value));
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
