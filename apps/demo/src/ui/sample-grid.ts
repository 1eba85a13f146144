import './sample-grid.css';
import { h, replaceChildren } from './dom.js';
import { drawDigit, digitCanvas } from './digit-image.js';
import { percent, shortClassName } from './format.js';
import { probabilityBars } from './probability-bars.js';
import type { SampleImages } from '../worker/protocol.js';

/**
 * Test images with the model's prediction and its class probabilities as
 * bars (the seeds' `view_classify`, as a grid). Right and wrong predictions
 * are marked with a word and a symbol, not by colour alone.
 */
export class SampleGrid {
  readonly element: HTMLElement;
  private samples: SampleImages | null = null;
  private classes: string[] = [];

  constructor() {
    this.element = h('div', { class: 'sample-grid' }, h('p', { class: 'muted' }, 'Start training to see predictions on test images.'));
  }

  setSamples(samples: SampleImages, classes: string[]): void {
    this.samples = samples;
    this.classes = classes;
    this.render(null);
  }

  setProbabilities(probabilities: number[][]): void {
    this.render(probabilities);
  }

  private render(probabilities: number[][] | null): void {
    const { samples, classes } = this;
    if (!samples) return;
    const cards = samples.labels.map((label, i) => {
      const canvas = digitCanvas(`Test image ${i + 1}, labelled ${classes[label]}`);
      drawDigit(canvas, samples.pixels.subarray(i * 784, (i + 1) * 784), true);
      const probs = probabilities?.[i];
      if (!probs) return h('figure', { class: 'sample' }, canvas, h('figcaption', {}, `True: ${shortClassName(classes[label])}`));
      const predicted = probs.indexOf(Math.max(...probs));
      const correct = predicted === label;
      return h(
        'figure',
        { class: `sample ${correct ? 'correct' : 'wrong'}` },
        h('div', { class: 'sample-head' }, canvas),
        h(
          'figcaption',
          {},
          h('span', { class: 'verdict' }, correct ? '✓ ' : '✗ '),
          `Predicted ${shortClassName(classes[predicted])} (${percent(probs[predicted], 0)})`,
          correct ? '' : `, true ${shortClassName(classes[label])}`,
        ),
        probabilityBars(classes, probs, `Class probabilities for test image ${i + 1}`),
      );
    });
    replaceChildren(this.element, ...cards);
  }
}
