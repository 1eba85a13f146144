import './probability-bars.css';
import { h } from './dom.js';
import { percent, shortClassName } from './format.js';

/**
 * Class probabilities as horizontal bars, like the seeds' `view_classify`:
 * one row per class, the most likely one highlighted. Each row also states
 * its value in text, so the chart reads the same without seeing the bars.
 */
export function probabilityBars(classes: readonly string[], probabilities: readonly number[], caption: string): HTMLElement {
  const best = probabilities.indexOf(Math.max(...probabilities));
  return h(
    'figure',
    { class: 'prob-bars' },
    h('figcaption', { class: 'visually-hidden' }, caption),
    h(
      'ul',
      {},
      ...classes.map((name, i) =>
        h(
          'li',
          { class: i === best ? 'best' : undefined },
          h('span', { class: 'prob-label', title: name }, shortClassName(name)),
          h(
            'span',
            { class: 'prob-track', 'aria-hidden': 'true' },
            h('span', { class: 'prob-fill', style: `width: ${(probabilities[i] * 100).toFixed(1)}%` }),
          ),
          h('span', { class: 'prob-value' }, percent(probabilities[i])),
        ),
      ),
    ),
  );
}

/** The `k` most likely classes, most likely first. */
export function topK(classes: readonly string[], probabilities: readonly number[], k: number): { name: string; probability: number }[] {
  return probabilities
    .map((probability, i) => ({ name: classes[i], probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, k);
}
