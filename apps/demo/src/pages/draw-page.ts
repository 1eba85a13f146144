import type { AppContext } from '../client/app-context.js';
import { checkpointFilename, downloadModel } from '../client/checkpoint-actions.js';
import { DrawingCanvas } from '../draw/drawing-canvas.js';
import { preprocessDigit } from '../draw/preprocess-digit.js';
import { checkpointUpload } from '../ui/checkpoint-upload.js';
import { digitCanvas, drawDigit } from '../ui/digit-image.js';
import { h, replaceChildren } from '../ui/dom.js';
import { percent, shortClassName } from '../ui/format.js';
import { LayerViews } from '../ui/layer-views.js';
import { notice } from '../ui/notice.js';
import { probabilityBars, topK } from '../ui/probability-bars.js';
import type { ModelInfo, ModelSlot, Prediction } from '../worker/protocol.js';
import './draw-layout.css';
import { ModelChooser } from './model-chooser.js';
import type { Page } from './page.js';

/**
 * Draw: sketch a digit and watch the model's top-3 guesses update as you
 * draw. The drawing goes through MNIST's own preprocessing (bounding box,
 * 20×20, centre of mass in 28×28), shown as "what the model sees".
 */
export function createDrawPage(ctx: AppContext): Page {
  const heading = h('h1', { tabindex: -1, id: 'draw-title' }, 'Draw a digit');
  const help = h(
    'p',
    { id: 'draw-help', class: 'muted' },
    'Draw with the mouse, a finger or a pen. With the keyboard: focus the canvas, move with the arrow keys (Shift for bigger steps), press Space or Enter to put the pen down or lift it, Delete to clear.',
  );
  const top3 = h('ol', { id: 'top-predictions', class: 'top3', 'aria-label': 'Top 3 predictions' });
  const topStatus = h(
    'p',
    { id: 'draw-status', role: 'status', 'aria-live': 'polite', class: 'muted' },
    'Draw something to see predictions.',
  );
  const bars = h('div', { class: 'draw-bars' });
  const preview = digitCanvas('What the model sees: your drawing at 28 by 28 pixels');
  const datasetHint = h('div', {});
  const error = h('div', {});
  const layers = new LayerViews(ctx);
  let slot: ModelSlot | null = null;
  let visible = false;
  let inFlight = false;
  let again = false;

  const render = (prediction: Prediction) => {
    const best = topK(prediction.classes, prediction.probabilities, 3);
    replaceChildren(
      top3,
      ...best.map((b, i) =>
        h(
          'li',
          { class: i === 0 ? 'best' : undefined },
          h('span', { class: 'top3-name' }, shortClassName(b.name)),
          h(
            'span',
            { class: 'top3-track', 'aria-hidden': 'true' },
            h('span', { class: 'top3-fill', style: `width: ${(b.probability * 100).toFixed(1)}%` }),
          ),
          h('span', { class: 'top3-value' }, percent(b.probability)),
        ),
      ),
    );
    topStatus.textContent = `Best guess: ${best[0].name} (${percent(best[0].probability)}).`;
    replaceChildren(bars, probabilityBars(prediction.classes, prediction.probabilities, 'Probabilities of every class'));
  };

  const predict = async () => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    try {
      do {
        again = false;
        const digit = canvas.isEmpty ? null : preprocessDigit(canvas.image());
        if (!digit) {
          drawDigit(preview, new Float32Array(784), false);
          replaceChildren(top3);
          replaceChildren(bars);
          topStatus.textContent = 'Draw something to see predictions.';
          layers.clear();
          continue;
        }
        drawDigit(preview, digit.data, false);
        if (!slot) {
          topStatus.textContent = 'No model yet: train one on the Train page or upload a checkpoint.';
          layers.clear();
          continue;
        }
        render(await ctx.worker.call('predict', { slot, pixels: digit.data }));
        layers.show(slot, digit.data);
        replaceChildren(error);
      } while (again);
    } catch (e) {
      replaceChildren(error, notice('error', 'Prediction failed', (e as Error).message));
    } finally {
      inFlight = false;
    }
  };

  const canvas = new DrawingCanvas(() => {
    if (visible) void predict();
  }, 'draw-help');
  const clear = h('button', { type: 'button' }, 'Clear');
  clear.addEventListener('click', () => canvas.clear());

  const chooser = new ModelChooser(ctx, (chosen: ModelSlot | null, info: ModelInfo | undefined) => {
    slot = chosen;
    replaceChildren(
      datasetHint,
      info && info.dataset !== 'mnist'
        ? notice(
            'info',
            `This model was trained on ${info.dataset}.`,
            `Its classes are: ${info.classes.join(', ')}. Digits will not mean much to it.`,
          )
        : null,
    );
    if (visible && !canvas.isEmpty) void predict();
  });
  const download = h('button', { type: 'button' }, 'Download the chosen model');
  download.addEventListener('click', async () => {
    const info = ctx.state.get().models.find((m) => m.slot === slot);
    if (!info || !slot) return;
    try {
      await downloadModel(ctx, slot, checkpointFilename(info));
    } catch (e) {
      replaceChildren(error, notice('error', 'Download failed', (e as Error).message));
    }
  });
  ctx.state.subscribe((state) => {
    download.disabled = !state.models.some((m) => m.slot === slot);
  });

  const element = h(
    'section',
    { class: 'page', 'aria-labelledby': 'draw-title' },
    heading,
    h(
      'div',
      { class: 'draw-layout' },
      h('div', { class: 'panel draw-input' }, canvas.element, h('div', { class: 'button-row draw-actions' }, clear), help),
      h(
        'div',
        { class: 'panel draw-result' },
        h('h2', {}, 'Top 3'),
        topStatus,
        top3,
        error,
        h('div', { class: 'preview' }, preview, h('p', { class: 'muted' }, 'What the model sees (28×28, centred by mass like MNIST)')),
        h('details', {}, h('summary', {}, 'All class probabilities'), bars),
      ),
      h(
        'div',
        { class: 'panel' },
        chooser.element,
        datasetHint,
        h('div', { class: 'button-row' }, download),
        checkpointUpload(ctx, () => chooser.select('uploaded', ctx.state.get())),
      ),
    ),
    layers.element,
  );
  return {
    id: 'draw',
    title: 'Draw',
    element,
    heading,
    onShow() {
      visible = true;
      void predict();
    },
    onHide() {
      visible = false;
    },
  };
}
