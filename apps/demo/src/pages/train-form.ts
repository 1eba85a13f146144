import './train-form.css';
import type { AppContext } from '../client/app-context.js';
import { DATASETS, type DatasetId } from '../data-catalog.js';
import { MODEL_CHOICES, type ModelChoice, type ModelDefaults, type OptimizerChoice, modelChoice } from '../model/model-choices.js';
import { SGD_MOMENTUM } from '../train-defaults.js';
import { h } from '../ui/dom.js';
import { EXPLAIN } from '../ui/explain.js';
import { count } from '../ui/format.js';
import { DEFAULT_LR, type TrainFormValues, valuesFromParams } from './train-options.js';

type Option = { value: string; label: string };

function field(id: string, label: string, control: HTMLElement, hint?: string, extraClass?: string): HTMLElement {
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h(
    'div',
    { class: extraClass ? `field ${extraClass}` : 'field' },
    h('label', { for: id }, label),
    control,
    hint ? h('small', { id: hintId, class: 'muted' }, hint) : null,
  );
}

/** Selects `value`, adding it as an option first when the list lacks it (a value from the query string). */
function setSelect(el: HTMLSelectElement, value: string): void {
  if (![...el.options].some((o) => o.value === value)) el.append(h('option', { value }, value));
  el.value = value;
}

function select(id: string, options: Option[], value: string): HTMLSelectElement {
  const el = h('select', { id, name: id }, ...options.map((o) => h('option', { value: o.value }, o.label)));
  setSelect(el, value);
  return el;
}

/** Subset choices (every model's default among them), plus whatever the query string asked for. */
function subsetOptions(choices: number[], total: number, current: number): Option[] {
  const values = [...new Set([...choices, current])].filter((n) => n < total).sort((a, b) => a - b);
  return [...values.map((n) => ({ value: String(n), label: count(n) })), { value: String(total), label: `${count(total)} (all)` }];
}

/**
 * The run settings: dataset, model, optimizer, learning rate, epochs, batch
 * size and how much of the data to use. Defaults come from the query string.
 * Picking another model suggests its settings (the CNN: Adadelta, fewer
 * images), and another optimizer its usual learning rate, except for fields
 * edited by hand.
 */
export class TrainForm {
  readonly element: HTMLElement;
  private readonly dataset: HTMLSelectElement;
  private readonly model: HTMLSelectElement;
  private readonly optimizer: HTMLSelectElement;
  private readonly lr: HTMLInputElement;
  private readonly epochs: HTMLInputElement;
  private readonly batchSize: HTMLSelectElement;
  private readonly trainSubset: HTMLSelectElement;
  private readonly testSubset: HTMLSelectElement;
  /** Fields the user changed, which model and optimizer changes leave alone. */
  private readonly edited = new Set<keyof ModelDefaults>();

  constructor(ctx: AppContext) {
    const v = valuesFromParams(ctx.params);
    this.dataset = select(
      'train-dataset',
      DATASETS.map((d) => ({ value: d.id, label: d.label })),
      v.dataset,
    );
    this.model = select(
      'train-model',
      MODEL_CHOICES.map((m) => ({ value: m.id, label: m.label })),
      v.model,
    );
    this.optimizer = select(
      'train-optimizer',
      [
        { value: 'adam', label: 'Adam' },
        { value: 'sgd', label: `SGD with momentum ${SGD_MOMENTUM}` },
        { value: 'adadelta', label: 'Adadelta (PyTorch’s MNIST example)' },
      ],
      v.optimizer,
    );
    this.lr = h('input', {
      id: 'train-lr',
      name: 'lr',
      type: 'number',
      min: '0.00001',
      max: '10',
      step: 'any',
      required: true,
      value: v.lr,
    });
    this.epochs = h('input', {
      id: 'train-epochs',
      name: 'epochs',
      type: 'number',
      min: 1,
      max: 100,
      step: 1,
      required: true,
      value: v.epochs,
    });
    this.batchSize = select(
      'train-batch',
      [16, 32, 64, 128, 256].map((n) => ({ value: String(n), label: count(n) })),
      String(v.batchSize),
    );
    this.trainSubset = select('train-subset', subsetOptions([2_000, 5_000, 10_000], 60_000, v.trainSubset), String(v.trainSubset));
    this.testSubset = select('train-test-subset', subsetOptions([1_000], 10_000, v.testSubset), String(v.testSubset));
    const fields: [keyof ModelDefaults, HTMLElement][] = [
      ['optimizer', this.optimizer],
      ['lr', this.lr],
      ['epochs', this.epochs],
      ['batchSize', this.batchSize],
      ['trainSubset', this.trainSubset],
      ['testSubset', this.testSubset],
    ];
    // Values set from code fire no events, so only the user's edits are recorded.
    for (const [key, el] of fields) el.addEventListener(el instanceof HTMLSelectElement ? 'change' : 'input', () => this.edited.add(key));
    this.optimizer.addEventListener('change', () => {
      if (!this.edited.has('lr')) this.lr.value = String(DEFAULT_LR[this.optimizer.value as OptimizerChoice]);
    });
    this.model.addEventListener('change', () => this.suggest(modelChoice(this.model.value as ModelChoice).defaults));
    this.element = h(
      'div',
      { class: 'form-grid' },
      field('train-dataset', 'Dataset', this.dataset, EXPLAIN.dataset),
      field('train-model', 'Model', this.model, EXPLAIN.model, 'field-wide'),
      field('train-optimizer', 'Optimizer', this.optimizer, EXPLAIN.optimizer),
      field('train-lr', 'Learning rate', this.lr, EXPLAIN.lr),
      field('train-epochs', 'Epochs', this.epochs, EXPLAIN.epochs),
      field('train-batch', 'Batch size', this.batchSize, EXPLAIN.batchSize),
      field('train-subset', 'Training images', this.trainSubset, EXPLAIN.trainSubset),
      field('train-test-subset', 'Test images', this.testSubset, EXPLAIN.testSubset),
    );
  }

  /** Fills in a model's suggested settings, except where the user typed or picked something. */
  private suggest(defaults: ModelDefaults): void {
    const set = (key: keyof ModelDefaults, apply: () => void) => {
      if (!this.edited.has(key)) apply();
    };
    set('optimizer', () => setSelect(this.optimizer, defaults.optimizer));
    set('lr', () => {
      this.lr.value = String(this.edited.has('optimizer') ? DEFAULT_LR[this.optimizer.value as OptimizerChoice] : defaults.lr);
    });
    set('epochs', () => {
      this.epochs.value = String(defaults.epochs);
    });
    set('batchSize', () => setSelect(this.batchSize, String(defaults.batchSize)));
    set('trainSubset', () => setSelect(this.trainSubset, String(defaults.trainSubset)));
    set('testSubset', () => setSelect(this.testSubset, String(defaults.testSubset)));
  }

  /** Puts `values` in every field (the landing's "Train MNIST" run), forgetting earlier edits. */
  setValues(values: TrainFormValues): void {
    setSelect(this.dataset, values.dataset);
    setSelect(this.model, values.model);
    this.edited.clear();
    this.suggest(values);
  }

  /** Marks datasets the site does not carry; returns whether the selected one is available. */
  setAvailable(available: ReadonlySet<DatasetId>): boolean {
    for (const option of this.dataset.options) {
      const id = option.value as DatasetId;
      const label = DATASETS.find((d) => d.id === id)?.label ?? id;
      option.disabled = !available.has(id);
      option.textContent = available.has(id) ? label : `${label} — not available`;
    }
    if (!available.has(this.dataset.value as DatasetId)) {
      const first = [...available][0];
      if (first) this.dataset.value = first;
    }
    return available.has(this.dataset.value as DatasetId);
  }

  setDisabled(disabled: boolean): void {
    for (const el of [this.dataset, this.model, this.optimizer, this.lr, this.epochs, this.batchSize, this.trainSubset, this.testSubset]) {
      el.disabled = disabled;
    }
  }

  /** The values, or a message naming the field that is wrong. */
  read(): TrainFormValues | string {
    const lr = Number(this.lr.value);
    if (!(lr > 0 && lr <= 10)) return 'Learning rate must be a number above 0 and at most 10.';
    const epochs = Number(this.epochs.value);
    if (!Number.isInteger(epochs) || epochs < 1 || epochs > 100) return 'Epochs must be a whole number from 1 to 100.';
    return {
      dataset: this.dataset.value as DatasetId,
      model: this.model.value as ModelChoice,
      optimizer: this.optimizer.value as OptimizerChoice,
      lr,
      epochs,
      batchSize: Number(this.batchSize.value),
      trainSubset: Number(this.trainSubset.value),
      testSubset: Number(this.testSubset.value),
    };
  }
}
