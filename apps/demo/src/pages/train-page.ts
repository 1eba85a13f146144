import type { AppContext } from '../client/app-context.js';
import { isTrainingActive } from '../client/app-state.js';
import { checkpointFilename, downloadModel } from '../client/checkpoint-actions.js';
import { DATA_PATH, type DatasetId } from '../data-catalog.js';
import { RUN_SEED } from '../train-defaults.js';
import { backendPicker } from '../ui/backend-picker.js';
import { checkpointUpload } from '../ui/checkpoint-upload.js';
import { ConfusionMatrix } from '../ui/confusion-matrix.js';
import { EXPLAIN } from '../ui/explain.js';
import { h, replaceChildren } from '../ui/dom.js';
import { bytes, count, modelTitle, ms, percent } from '../ui/format.js';
import { learnedSection } from '../ui/learned-section.js';
import { LineChart } from '../ui/line-chart.js';
import { notice } from '../ui/notice.js';
import { SampleGrid } from '../ui/sample-grid.js';
import type { WorkerEvent } from '../worker/protocol.js';
import { LANDING_RUN, landingSection } from './landing.js';
import type { Page } from './page.js';
import { trainCodePanel } from './train-code-panel.js';
import { TrainForm } from './train-form.js';

const TRAIN_COLOR = '#2f6fdf';
const TEST_COLOR = '#d9480f';

function metric(id: string, label: string): { element: HTMLElement; set(value: string, raw?: number): void } {
  const dd = h('dd', { id }, '—');
  return {
    element: h('div', { class: 'metric' }, h('dt', {}, label), dd),
    set(value, raw) {
      dd.textContent = value;
      if (raw !== undefined) dd.dataset.value = String(raw);
    },
  };
}

/**
 * Train: pick a dataset and hyper-parameters, train in the worker, and watch
 * the loss and accuracy curves, predictions on test images and the confusion
 * matrix update live. Start, pause and stop at any time; the model can be
 * downloaded as a checkpoint and is available on the Draw page.
 */
export function createTrainPage(ctx: AppContext): Page {
  const heading = h('h1', { tabindex: -1, id: 'train-title' }, 'Train a neural network in your browser');
  const form = new TrainForm(ctx);
  const dataNotice = h('div', {});
  const runError = h('div', {});
  const start = h('button', { type: 'submit', class: 'primary' }, 'Start training');
  const pause = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Pause');
  const stop = h('button', { type: 'button' }, 'Stop');
  const phaseText = h('p', { id: 'train-status', role: 'status', 'aria-live': 'polite' }, 'Ready.');
  const progress = h('progress', { id: 'train-progress', max: 1, value: 0, 'aria-label': 'Training progress' });
  const runInfo = h('p', { id: 'run-info', class: 'muted' });
  const progressHeading = h('h2', { id: 'progress-heading', tabindex: -1 }, 'Progress');
  const testAccuracy = metric('test-accuracy', 'Test accuracy');
  const testLoss = metric('test-loss', 'Test loss');
  const trainLoss = metric('train-loss', 'Train loss');
  const speed = metric('train-speed', 'Speed');
  const lossChart = new LineChart({
    title: 'Loss',
    note: EXPLAIN.loss,
    series: [
      { label: 'train', color: TRAIN_COLOR, format: (v) => v.toFixed(3) },
      { label: 'test', color: TEST_COLOR, dash: [6, 4], format: (v) => v.toFixed(3) },
    ],
  });
  const accuracyChart = new LineChart({
    title: 'Accuracy',
    note: `${EXPLAIN.accuracy} ${EXPLAIN.dropout}`,
    yRange: [0, 1],
    yTicks: (v) => `${Math.round(v * 100)}%`,
    series: [
      { label: 'train', color: TRAIN_COLOR, format: (v) => percent(v) },
      { label: 'test', color: TEST_COLOR, dash: [6, 4], format: (v) => percent(v) },
    ],
  });
  const grid = new SampleGrid();
  const confusion = new ConfusionMatrix();
  const download = h('button', { type: 'button', disabled: true }, 'Download trained model (.safetensors)');
  const downloadError = h('div', {});

  const formEl = h(
    'form',
    { class: 'train-form', 'aria-labelledby': 'train-settings-heading' },
    h('h2', { id: 'train-settings-heading' }, 'Settings'),
    form.element,
    backendPicker(ctx),
    h('div', { class: 'button-row' }, start, pause, stop),
  );

  let classes: string[] = [];
  let epochs = 1;
  const onEvent = (e: WorkerEvent) => {
    switch (e.kind) {
      case 'phase':
        phaseText.textContent = e.message;
        if (e.phase === 'failed') replaceChildren(runError, notice('error', 'Training failed', e.message));
        if (e.phase === 'finished')
          phaseText.textContent = `Finished. Test accuracy ${testAccuracy.element.querySelector('dd')?.textContent}.`;
        break;
      case 'dataProgress':
        if (ctx.state.get().phase !== 'loading-data') break;
        if (e.total === null) {
          progress.removeAttribute('value'); // indeterminate
          phaseText.textContent = `Downloading the dataset: ${bytes(e.loaded)}`;
        } else {
          progress.max = Math.max(1, e.total);
          progress.value = e.loaded;
          phaseText.textContent = `Downloading the dataset: ${bytes(e.loaded)} of ${bytes(e.total)}`;
        }
        break;
      case 'runStart':
        classes = e.classes;
        epochs = e.epochs;
        progress.max = 1;
        progress.value = 0;
        runInfo.textContent =
          `${modelTitle(e)} (${count(e.parameters)} parameters) on ${e.device}: ${count(e.trainSize)} training images ` +
          `(${count(e.batchesPerEpoch)} batches per epoch), ${count(e.testSize)} test images.`;
        grid.setSamples(e.samples, e.classes);
        break;
      case 'trainPoint':
        lossChart.add(0, e.epoch, e.loss);
        accuracyChart.add(0, e.epoch, e.accuracy);
        trainLoss.set(e.loss.toFixed(3), e.loss);
        speed.set(`${count(Math.round(e.samplesPerSecond))} images/s, ${ms(e.msPerBatch)} per batch`, e.samplesPerSecond);
        progress.value = Math.min(1, e.epoch / epochs);
        break;
      case 'evaluation':
        lossChart.add(1, e.epoch, e.loss);
        accuracyChart.add(1, e.epoch, e.accuracy);
        testAccuracy.set(percent(e.accuracy), e.accuracy);
        testLoss.set(e.loss.toFixed(3), e.loss);
        confusion.render(e.confusion, classes);
        grid.setProbabilities(e.sampleProbabilities);
        break;
      default:
        break;
    }
  };
  ctx.worker.onEvent(onEvent);
  const codePanel = trainCodePanel(ctx, form, formEl);

  const reset = () => {
    for (const m of [testAccuracy, testLoss, trainLoss, speed]) m.set('—');
    lossChart.reset();
    accuracyChart.reset();
    confusion.clear();
    replaceChildren(runError);
    runInfo.textContent = '';
  };

  formEl.addEventListener('submit', async (event) => {
    event.preventDefault();
    const values = form.read();
    if (typeof values === 'string') {
      replaceChildren(runError, notice('error', 'Check the settings', values));
      return;
    }
    reset();
    const dataUrl = new URL(`${DATA_PATH}/${values.dataset}/`, ctx.baseUrl).href;
    ctx.state.update({ phase: 'loading-data' });
    try {
      await ctx.worker.call('train', { settings: { ...values, seed: RUN_SEED, dataUrl } });
    } catch (error) {
      replaceChildren(runError, notice('error', 'Training failed', (error as Error).message));
      ctx.state.update({ phase: 'failed' });
    }
  });
  /** The landing's button: the default run, whatever the form held, then the progress panel in view. */
  function trainMnist(): void {
    form.setValues(LANDING_RUN);
    formEl.requestSubmit();
    progressHeading.focus({ preventScroll: true });
    progressHeading.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }
  pause.addEventListener('click', () => {
    void ctx.worker.call(ctx.state.get().phase === 'paused' ? 'resume' : 'pause', {});
  });
  stop.addEventListener('click', () => {
    void ctx.worker.call('stop', {});
  });
  download.addEventListener('click', async () => {
    const info = ctx.state.get().models.find((m) => m.slot === 'trained');
    if (!info) return;
    try {
      await downloadModel(ctx, 'trained', checkpointFilename(info));
      replaceChildren(downloadError);
    } catch (error) {
      replaceChildren(downloadError, notice('error', 'Download failed', (error as Error).message));
    }
  });

  ctx.state.subscribe((state) => {
    const active = isTrainingActive(state.phase);
    const available = new Set(Object.keys(state.manifest?.datasets ?? {}) as DatasetId[]);
    const datasetOk = form.setAvailable(available);
    if (state.manifest && available.size === 0) {
      replaceChildren(
        dataNotice,
        notice(
          'warning',
          'Training data is not available on this site.',
          'This build was made without the MNIST files. Run the demo with the IDX .gz files in <repo>/../shared/data (or set KINDLING_DEMO_DATA to a folder holding mnist/ and fashion-mnist/), then rebuild.',
          'The Draw page still works with the pretrained models.',
        ),
      );
    } else {
      replaceChildren(dataNotice);
    }
    form.setDisabled(active);
    start.disabled = active || !datasetOk || state.backend === null || state.backendSwitching;
    pause.disabled = !active || state.phase === 'loading-data';
    stop.disabled = !active;
    const paused = state.phase === 'paused';
    pause.textContent = paused ? 'Resume' : 'Pause';
    pause.setAttribute('aria-pressed', String(paused));
    download.disabled = !state.models.some((m) => m.slot === 'trained') || active;
  });

  const element = h(
    'section',
    { class: 'page', 'aria-labelledby': 'train-title' },
    landingSection(ctx, heading, trainMnist),
    h(
      'p',
      { class: 'lede' },
      'Or choose the dataset, the network (a multilayer perceptron or a convolutional network) and how it trains. Training runs in a Web Worker, so the page stays responsive.',
    ),
    dataNotice,
    h(
      'div',
      { class: 'train-layout' },
      formEl,
      h(
        'section',
        { class: 'panel', 'aria-labelledby': 'progress-heading' },
        progressHeading,
        phaseText,
        progress,
        runInfo,
        runError,
        h('dl', { class: 'metrics' }, testAccuracy.element, testLoss.element, trainLoss.element, speed.element),
      ),
    ),
    h('section', { class: 'charts', 'aria-label': 'Training curves' }, lossChart.element, accuracyChart.element),
    codePanel,
    h(
      'section',
      { 'aria-labelledby': 'samples-heading' },
      h('h2', { id: 'samples-heading' }, 'Predictions on test images'),
      h('p', { class: 'muted explain' }, EXPLAIN.samples),
      grid.element,
    ),
    h(
      'section',
      { 'aria-labelledby': 'confusion-heading' },
      h('h2', { id: 'confusion-heading' }, 'Confusion matrix'),
      h('p', { class: 'muted explain' }, EXPLAIN.confusion),
      confusion.element,
    ),
    learnedSection(ctx),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'checkpoint-heading' },
      h('h2', { id: 'checkpoint-heading' }, 'Checkpoints'),
      h(
        'p',
        { class: 'muted' },
        'Checkpoints are safetensors files with the model description in their metadata; kindling-train reads them too.',
      ),
      h('div', { class: 'button-row' }, download),
      downloadError,
      checkpointUpload(ctx),
    ),
  );
  heading.id = 'train-title';
  return { id: 'train', title: 'Train', element, heading };
}
