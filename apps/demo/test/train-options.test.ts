import { describe, expect, test } from 'vitest';
import { DEFAULT_VALUES, valuesFromParams } from '../src/pages/train-options.js';

describe('Train form defaults from the query string', () => {
  test('no parameters give the defaults', () => {
    expect(valuesFromParams(new URLSearchParams())).toEqual(DEFAULT_VALUES);
  });

  test('a link can preset a short run', () => {
    const v = valuesFromParams(
      new URLSearchParams('dataset=fashion-mnist&size=small&optimizer=sgd&epochs=1&batch=32&subset=2000&test=1000'),
    );
    expect(v).toEqual({
      dataset: 'fashion-mnist',
      size: 'small',
      optimizer: 'sgd',
      lr: 0.01,
      epochs: 1,
      batchSize: 32,
      trainSubset: 2000,
      testSubset: 1000,
    });
  });

  test('malformed values are ignored', () => {
    const v = valuesFromParams(new URLSearchParams('dataset=cifar&lr=-1&epochs=1.5&subset=abc&optimizer=lbfgs'));
    expect(v).toEqual(DEFAULT_VALUES);
  });
});
