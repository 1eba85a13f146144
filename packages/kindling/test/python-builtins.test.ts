import * as kd from 'kindling';
import { describe, expect, it } from 'vitest';

const { nn } = kd;

describe("Python's builtins on Kindling objects", () => {
  it('len() of a Sequential and a ModuleList (callable modules are functions) is their number of modules', () => {
    const model = new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));
    expect(kd.len(model)).toBe(3);
    expect(kd.len(new nn.ModuleList([new nn.ReLU(), new nn.ReLU()]))).toBe(2);
  });

  it('the retired size-returning dim(n) throws in plain JavaScript instead of returning the rank', () => {
    const x = kd.zeros(2, 5);
    const dim = x.dim as (n: number) => number;
    expect(() => dim.call(x, 1)).toThrow(
      'dim: takes no argument and returns the number of dimensions; for the length of dim 1 use size(1)',
    );
    expect(x.dim()).toBe(2);
  });
});
