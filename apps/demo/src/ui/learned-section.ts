import type { AppContext } from '../client/app-context.js';
import type { WorkerEvent } from '../worker/protocol.js';
import { ClassAccuracy } from './class-accuracy.js';
import { h } from './dom.js';
import { MistakesList } from './mistakes-list.js';
import { WeightTiles } from './weight-tiles.js';
import './inspect-views.css';

/**
 * "What the network learned" on the Train page: the first layer's weights
 * as pictures, the accuracy of each class and every test image the model
 * gets wrong. It follows the run through the worker's events: cleared when
 * a run starts, refreshed after each test evaluation.
 */
export function learnedSection(ctx: AppContext): HTMLElement {
  const weights = new WeightTiles();
  const perClass = new ClassAccuracy();
  const mistakes = new MistakesList((indices) => ctx.worker.call('testImages', { indices }));
  const weightError = h('p', { class: 'muted', hidden: true });
  let classes: string[] = [];
  let run = 0;
  let fetching = false;
  let fetchAgain = false;

  /** One request at a time: evaluations can come faster than big weight tensors are read and drawn. */
  const refreshWeights = async () => {
    if (fetching) {
      fetchAgain = true;
      return;
    }
    fetching = true;
    const forRun = run;
    try {
      do {
        fetchAgain = false;
        const result = await ctx.worker.call('firstLayerWeights', { slot: 'trained' });
        if (forRun !== run) break;
        weights.render(result);
        weightError.hidden = true;
      } while (fetchAgain);
    } catch (error) {
      weightError.textContent = `The weights could not be read: ${(error as Error).message}`;
      weightError.hidden = false;
    } finally {
      fetching = false;
    }
  };

  ctx.worker.onEvent((e: WorkerEvent) => {
    if (e.kind === 'runStart') {
      run++;
      classes = e.classes;
      weights.clear('The weights appear after the first evaluation.');
      perClass.clear();
      mistakes.clear();
    } else if (e.kind === 'evaluation') {
      perClass.render(e.confusion, classes);
      const evaluated = e.confusion.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
      mistakes.render(e.mistakes, classes, evaluated);
      void refreshWeights();
    }
  });

  return h(
    'section',
    { class: 'learned', 'aria-labelledby': 'learned-heading' },
    h('h2', { id: 'learned-heading' }, 'What the network learned'),
    h(
      'div',
      { class: 'learned-grid' },
      h(
        'section',
        { 'aria-labelledby': 'weights-heading' },
        h('h3', { id: 'weights-heading' }, 'First-layer weights'),
        weights.element,
        weightError,
      ),
      h(
        'section',
        { 'aria-labelledby': 'class-accuracy-heading' },
        h('h3', { id: 'class-accuracy-heading' }, 'Accuracy per class'),
        perClass.element,
      ),
    ),
    h(
      'section',
      { 'aria-labelledby': 'mistakes-heading' },
      h('h3', { id: 'mistakes-heading' }, 'Test images it gets wrong'),
      h(
        'p',
        { class: 'muted' },
        'Every test image the latest evaluation got wrong, with its true class, the model’s guess and the probability the model gave its guess.',
      ),
      mistakes.element,
    ),
  );
}
