import './landing.css';
import type { AppContext } from '../client/app-context.js';
import { isTrainingActive } from '../client/app-state.js';
import { modelChoice } from '../model/model-choices.js';
import { h } from '../ui/dom.js';
import { count } from '../ui/format.js';
import { DEFAULT_VALUES, type TrainFormValues } from './train-options.js';

/** What "Train MNIST" runs: the form's defaults, long enough to watch the curves move. */
export const LANDING_RUN: TrainFormValues = DEFAULT_VALUES;

/**
 * The first thing a visitor sees: what the site is, and one button that
 * starts a sensible run, so nobody has to understand the form before seeing
 * a network learn. `heading` is the Train page's heading (the router focuses
 * it); `start` fills the form with LANDING_RUN and submits it.
 */
export function landingSection(ctx: AppContext, heading: HTMLElement, start: () => void): HTMLElement {
  const run = LANDING_RUN;
  const button = h('button', { type: 'button', class: 'primary landing-button', id: 'landing-train' }, 'Train MNIST');
  button.addEventListener('click', start);
  ctx.state.subscribe((state) => {
    const hasData = state.manifest !== null && Object.hasOwn(state.manifest.datasets, run.dataset);
    button.disabled = !hasData || isTrainingActive(state.phase) || state.backend === null || state.backendSwitching;
  });
  // "784-128-64-10" from "Medium MLP: 784-128-64-10".
  const model = /\d+(?:-\d+)+/.exec(modelChoice(run.model).label)?.[0] ?? run.model;
  const steps = run.epochs * Math.ceil(run.trainSubset / run.batchSize);
  // A plain block, not a landmark: it holds the Train page's heading, which already names the page's region.
  return h(
    'div',
    { class: 'landing' },
    heading,
    h(
      'p',
      { class: 'landing-lede' },
      'Kindling is PyTorch in TypeScript. This page trains a neural network that reads handwritten digits, here in your browser: no server, no install. Press the button and watch the loss fall and the accuracy rise, then draw a digit for it on the Draw page.',
    ),
    h(
      'div',
      { class: 'landing-action' },
      button,
      h(
        'p',
        { class: 'muted', id: 'landing-run-info' },
        `A multilayer perceptron (${model}) learns from all ${count(run.trainSubset)} MNIST training images, ${count(run.epochs)} times over in batches of ${count(run.batchSize)}: `,
        `${count(steps)} steps, tested on ${count(run.testSubset)} images it never learns from.`,
      ),
    ),
  );
}
