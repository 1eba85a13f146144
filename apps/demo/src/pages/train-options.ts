import { type DatasetId, isDatasetId } from '../data-catalog.js';
import { DEFAULT_LR, type ModelChoice, type ModelDefaults, isModelChoice, isOptimizerChoice, modelChoice } from '../model/model-choices.js';

export { DEFAULT_LR } from '../model/model-choices.js';

/** The Train form's values, before the data URL is attached. */
export interface TrainFormValues extends ModelDefaults {
  dataset: DatasetId;
  model: ModelChoice;
}

/** The model shown first, and its defaults. */
export const DEFAULT_VALUES: TrainFormValues = { dataset: 'mnist', model: 'medium', ...modelChoice('medium').defaults };

/** The form values a model suggests, on top of `values` (the dataset stays). */
export function valuesForModel(values: TrainFormValues, model: ModelChoice): TrainFormValues {
  return { ...values, model, ...modelChoice(model).defaults };
}

function positiveNumber(text: string | null): number | undefined {
  if (text === null) return undefined;
  const n = Number(text);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function positiveInteger(text: string | null): number | undefined {
  const n = positiveNumber(text);
  return n !== undefined && Number.isInteger(n) ? n : undefined;
}

/**
 * Form defaults from the query string, so a link (or a test) can preset a run:
 * `?dataset=fashion-mnist&model=cnn&optimizer=sgd&lr=0.05&epochs=1&batch=32&subset=2000&test=1000`.
 * The model comes first and brings its own defaults (`model=cnn`: Adadelta,
 * lr 1.0, 5,000 images, 1 epoch); `size` is the old name of `model` (`small`,
 * `medium`, `large`). Unknown or malformed values are ignored.
 */
export function valuesFromParams(params: URLSearchParams): TrainFormValues {
  let v = { ...DEFAULT_VALUES };
  const dataset = params.get('dataset');
  if (dataset && isDatasetId(dataset)) v.dataset = dataset;
  const model = params.get('model') ?? params.get('size');
  if (model && isModelChoice(model)) v = valuesForModel(v, model);
  const optimizer = params.get('optimizer');
  if (optimizer && isOptimizerChoice(optimizer)) {
    v.optimizer = optimizer;
    v.lr = DEFAULT_LR[v.optimizer];
  }
  v.lr = positiveNumber(params.get('lr')) ?? v.lr;
  v.epochs = positiveInteger(params.get('epochs')) ?? v.epochs;
  v.batchSize = positiveInteger(params.get('batch')) ?? v.batchSize;
  v.trainSubset = positiveInteger(params.get('subset')) ?? v.trainSubset;
  v.testSubset = positiveInteger(params.get('test')) ?? v.testSubset;
  return v;
}
