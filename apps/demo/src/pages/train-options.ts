import { type DatasetId, isDatasetId } from '../data-catalog.js';
import type { ModelSize } from '../model/model-sizes.js';
import type { OptimizerChoice } from '../worker/protocol.js';

/** The Train form's values, before the data URL is attached. */
export interface TrainFormValues {
  dataset: DatasetId;
  size: ModelSize;
  optimizer: OptimizerChoice;
  lr: number;
  epochs: number;
  batchSize: number;
  trainSubset: number;
  testSubset: number;
}

export const DEFAULT_LR: Record<OptimizerChoice, number> = { adam: 0.001, sgd: 0.01 };

export const DEFAULT_VALUES: TrainFormValues = {
  dataset: 'mnist',
  size: 'medium',
  optimizer: 'adam',
  lr: DEFAULT_LR.adam,
  epochs: 3,
  batchSize: 64,
  trainSubset: 10_000,
  testSubset: 10_000,
};

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
 * `?dataset=fashion-mnist&size=small&optimizer=sgd&lr=0.05&epochs=1&batch=32&subset=2000&test=1000`.
 * Unknown or malformed values are ignored.
 */
export function valuesFromParams(params: URLSearchParams): TrainFormValues {
  const v = { ...DEFAULT_VALUES };
  const dataset = params.get('dataset');
  if (dataset && isDatasetId(dataset)) v.dataset = dataset;
  const size = params.get('size');
  if (size === 'small' || size === 'medium' || size === 'large') v.size = size;
  const optimizer = params.get('optimizer');
  if (optimizer === 'adam' || optimizer === 'sgd') {
    v.optimizer = optimizer;
    v.lr = DEFAULT_LR[optimizer];
  }
  v.lr = positiveNumber(params.get('lr')) ?? v.lr;
  v.epochs = positiveInteger(params.get('epochs')) ?? v.epochs;
  v.batchSize = positiveInteger(params.get('batch')) ?? v.batchSize;
  v.trainSubset = positiveInteger(params.get('subset')) ?? v.trainSubset;
  v.testSubset = positiveInteger(params.get('test')) ?? v.testSubset;
  return v;
}
