import '@kindling/backend-cpu';
import { ShapeError, tensor, zeros } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import { CLASS_NAMES, viewClassify } from '../src/index.js';

const quiet = { print: false } as const;
const ps = () => tensor([[0.05, 0.6, 0.05, 0.05, 0.05, 0.05, 0.05, 0.04, 0.03, 0.03]]);
// A 2x2 image: a plain-text picture two lines high.
const img = () =>
  tensor(
    [
      [
        [0, 1],
        [1, 0],
      ],
    ],
    { dtype: 'float32' },
  );

describe('viewClassify in the terminal', () => {
  it('plain text: the image beside labelled bars with percentages', () => {
    const text = viewClassify(img(), ps(), { ...quiet, color: false, barColumns: 10 });
    expect(text.split('\n')).toEqual([
      '          Class Probability',
      '       0 |#            5.0%',
      '       1 |######      60.0%',
      '       2 |#            5.0%',
      '  @@   3 |#            5.0%',
      '@@     4 |#            5.0%',
      '       5 |#            5.0%',
      '       6 |#            5.0%',
      '       7 |             4.0%',
      '       8 |             3.0%',
      '       9 |             3.0%',
    ]);
  });

  it("Fashion-MNIST's class names with version: 'Fashion', or any classes", () => {
    const text = viewClassify(img(), ps(), { ...quiet, color: false, version: 'Fashion' });
    for (const name of CLASS_NAMES.Fashion) expect(text).toContain(`${name} |`);
    const two = viewClassify(img(), tensor([0.25, 0.75]), { ...quiet, color: false, classes: ['cat', 'dog'], barColumns: 4 });
    expect(two).toContain('cat |#     25.0%');
    expect(two).toContain('dog |###   75.0%');
  });

  it('colour: the image in half blocks and bars of eighth blocks', () => {
    const text = viewClassify(img(), ps(), { ...quiet, color: true, barColumns: 10 });
    expect(text).toContain('▀');
    expect(text).toContain('1 |\x1b[38;2;31;119;180m██████\x1b[0m    '); // 60% of 10 columns
    expect(text).toContain('0 |\x1b[38;2;31;119;180m▌\x1b[0m'); // 5% of 10 columns is half a column
  });
});

describe('viewClassify errors', () => {
  it('ps of a batch, or of the wrong number of classes', () => {
    expect(() => viewClassify(img(), zeros(64, 10), quiet)).toThrow(ShapeError);
    expect(() => viewClassify(img(), zeros(64, 10), quiet)).toThrow(
      'viewClassify: ps has shape [64, 10], expected the probabilities of one image, [10] or [1, 10]',
    );
    expect(() => viewClassify(img(), zeros(1, 5), quiet)).toThrow(
      'viewClassify: ps has shape [1, 5], expected 10 probabilities, one per MNIST class (pass { classes } to name others)',
    );
    expect(() => viewClassify(img(), zeros(3), { ...quiet, classes: ['a', 'b'] })).toThrow(
      'viewClassify: ps has shape [3], expected 2 probabilities, one per name in classes',
    );
  });

  it('log-probabilities instead of probabilities', () => {
    expect(() => viewClassify(img(), tensor([-0.5, -1]), { ...quiet, classes: ['a', 'b'] })).toThrow(
      'viewClassify: ps holds -0.5, expected probabilities in [0, 1] (for log-probabilities, pass ps.exp(); for scores, their softmax)',
    );
  });

  it('a bad image shape names the image', () => {
    expect(() => viewClassify(zeros(2, 2, 2), ps(), quiet)).toThrow('viewClassify: image has shape [2, 2, 2], expected');
  });
});
