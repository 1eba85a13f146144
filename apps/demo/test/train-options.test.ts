import { describe, expect, test } from 'vitest';
import { MODEL_CHOICES, modelChoice } from '../src/model/model-choices.js';
import { DEFAULT_VALUES, valuesForModel, valuesFromParams } from '../src/pages/train-options.js';

describe('Train form defaults from the query string', () => {
  test('no parameters give the defaults: the seeds’ MLP with Adam', () => {
    expect(valuesFromParams(new URLSearchParams())).toEqual(DEFAULT_VALUES);
    expect(DEFAULT_VALUES).toMatchObject({ model: 'medium', optimizer: 'adam', lr: 0.001 });
  });

  test('a link can preset a short run', () => {
    const v = valuesFromParams(
      new URLSearchParams('dataset=fashion-mnist&model=small&optimizer=sgd&epochs=1&batch=32&subset=2000&test=1000'),
    );
    expect(v).toEqual({
      dataset: 'fashion-mnist',
      model: 'small',
      optimizer: 'sgd',
      lr: 0.01,
      epochs: 1,
      batchSize: 32,
      trainSubset: 2000,
      testSubset: 1000,
    });
  });

  test('size= is the old name of model=', () => {
    expect(valuesFromParams(new URLSearchParams('size=large')).model).toBe('large');
    expect(valuesFromParams(new URLSearchParams('size=large&model=cnn')).model).toBe('cnn');
  });

  test('model=cnn brings the CNN’s defaults (Adadelta at lr 1.0, as PyTorch’s example), which other parameters override', () => {
    expect(valuesFromParams(new URLSearchParams('model=cnn'))).toEqual({
      dataset: 'mnist',
      model: 'cnn',
      optimizer: 'adadelta',
      lr: 1.0,
      epochs: 1,
      batchSize: 64,
      trainSubset: 5000,
      testSubset: 1000,
    });
    expect(valuesFromParams(new URLSearchParams('model=cnn&subset=2000&optimizer=adam'))).toMatchObject({
      model: 'cnn',
      optimizer: 'adam',
      lr: 0.001,
      trainSubset: 2000,
    });
    expect(valuesFromParams(new URLSearchParams('optimizer=adadelta')).lr).toBe(1.0);
  });

  test('malformed values are ignored', () => {
    const v = valuesFromParams(new URLSearchParams('dataset=cifar&lr=-1&epochs=1.5&subset=abc&optimizer=lbfgs&model=resnet'));
    expect(v).toEqual(DEFAULT_VALUES);
  });

  test('switching models keeps the dataset and takes the model’s settings', () => {
    const v = valuesForModel({ ...DEFAULT_VALUES, dataset: 'fashion-mnist' }, 'cnn');
    expect(v).toEqual({ ...modelChoice('cnn').defaults, dataset: 'fashion-mnist', model: 'cnn' });
    expect(MODEL_CHOICES.map((m) => m.id)).toEqual(['small', 'medium', 'large', 'cnn']);
  });
});
