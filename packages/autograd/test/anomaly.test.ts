import '@kindling/backend-cpu';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Tensor, tensor } from '@kindling/tensor';
import { describe, expect, it } from 'vitest';
import {
  type FunctionNode,
  defineFunction,
  detectAnomaly,
  grad,
  isAnomalyCheckNanEnabled,
  isAnomalyEnabled,
  noGrad,
  setDetectAnomaly,
} from '../src/index.js';

const values = (t: Tensor | null) => Array.from((t as Tensor).readSync());
const leaf = (data: number[]) => tensor(data, { dtype: 'float32', requiresGrad: true });

const testFile = fileURLToPath(import.meta.url);
const source = readFileSync(testFile, 'utf8').split('\n');

/** `path:line` of the line of this file carrying the comment `// forward: ${tag}`, as the error should show it. */
function where(tag: string): string {
  const line = source.findIndex((l) => l.includes(`// forward: ${tag}`));
  if (line < 0) throw new Error(`no line tagged ${tag}`);
  return `${testFile}:${line + 1}:`;
}

/** The message `fn` throws (it must throw). */
function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('anomaly mode (torch.autograd.detect_anomaly)', () => {
  it('is off by default and costs nodes nothing: no forward location is recorded', () => {
    expect(isAnomalyEnabled()).toBe(false);
    const y = leaf([1]).mul(2);
    expect((y.gradFn as FunctionNode).forwardTrace).toBeNull();
  });

  it('names the node whose gradient is NaN (sqrt of a negative), its forward op and the line that called it', () => {
    const message = messageOf(() =>
      detectAnomaly(() => {
        const x = leaf([-1, 4]);
        const y = x.sqrt(); // forward: sqrt
        y.sum().backward();
      }),
    );
    const lines = message.split('\n');
    expect(lines[0]).toBe("Function 'SqrtBackward0' returned nan values in its 0th output.");
    expect(lines[1]).toBe("  SqrtBackward0 was created by the forward op 'sqrt', called at:");
    expect(lines[2]).toContain(where('sqrt'));
    // Only the user's frames: none inside Kindling's packages (tensor methods, dispatch, recording, detectAnomaly).
    expect(message).not.toMatch(/packages\/[a-z-]+\/src\//);
  });

  it('catches 0/0 in the divisor gradient of div, naming which output of DivBackward0', () => {
    const a = tensor([0], { dtype: 'float32' });
    const b = leaf([0]);
    const message = messageOf(() =>
      detectAnomaly(() => {
        a.div(b).sum().backward(); // forward: div
      }),
    );
    expect(message.split('\n')[0]).toBe("Function 'DivBackward0' returned nan values in its 1th output.");
    expect(message).toContain("DivBackward0 was created by the forward op 'div', called at:");
    expect(message).toContain(where('div'));
  });

  it('stops at the first bad node: log(0) * 0 passes MulBackward0 (finite) and fails at LogBackward0', () => {
    const x = leaf([0, 1]);
    const message = messageOf(() =>
      detectAnomaly(() => {
        const l = x.log(); // forward: log
        l.mul(0).sum().backward();
      }),
    );
    expect(message.split('\n')[0]).toBe("Function 'LogBackward0' returned nan values in its 0th output.");
    expect(message).toContain(where('log'));
    expect(x.grad).toBeNull(); // backward stopped before reaching the leaf
  });

  it('also catches infinite gradients (PyTorch checks NaN only)', () => {
    const message = messageOf(() =>
      detectAnomaly(() => {
        leaf([1])
          .div(tensor([0], { dtype: 'float32' }))
          .sum()
          .backward();
      }),
    );
    expect(message.split('\n')[0]).toBe("Function 'DivBackward0' returned inf values in its 0th output.");
  });

  it('raises nothing when off: the NaN reaches .grad silently, as in PyTorch', () => {
    const x = leaf([-1]);
    x.sqrt().sum().backward();
    expect(values(x.grad)).toEqual([Number.NaN]);
  });

  it('raises nothing when every gradient is finite, and gives the same gradients', () => {
    const x = leaf([1, 4]);
    detectAnomaly(() => x.sqrt().mul(x).sum().backward());
    expect(values(x.grad)).toEqual([1.5, 3]);
  });

  it('checks the functional grad() too', () => {
    const x = leaf([-4]);
    expect(() => detectAnomaly(() => grad(x.sqrt().sum(), x))).toThrow(/^Function 'SqrtBackward0' returned nan values/);
  });

  it("checks custom functions' nodes, named after the custom function", () => {
    const bad = defineFunction({
      name: 'Bad',
      forward: (_ctx, x) => x.mul(2),
      backward: (_ctx, g) => g.mul(Number.NaN),
    });
    const message = messageOf(() =>
      detectAnomaly(() => {
        const y = bad(leaf([1, 2])); // forward: custom
        y.sum().backward();
      }),
    );
    expect(message.split('\n')[0]).toBe("Function 'BadBackward' returned nan values in its 0th output.");
    expect(message).toContain("BadBackward was created by the custom function 'Bad', called at:");
    expect(message).toContain(where('custom'));
  });

  it('adds the forward location to errors raised inside a backward (a saved tensor changed in place)', () => {
    const message = messageOf(() =>
      detectAnomaly(() => {
        const y = leaf([1, 2]).mul(2);
        const z = y.mul(y).sum(); // forward: saves y
        noGrad(() => y.add_(1));
        z.backward();
      }),
    );
    const lines = message.split('\n');
    expect(lines[0]).toMatch(/modified by an in-place operation/);
    expect(lines[1]).toBe("  MulBackward0 was created by the forward op 'mul', called at:");
    expect(lines[2]).toContain(where('saves y'));
  });

  it('says so when the bad node was recorded before anomaly mode was turned on', () => {
    const y = leaf([-1]).sqrt();
    const message = messageOf(() => detectAnomaly(() => y.sum().backward()));
    expect(message).toContain('SqrtBackward0 was created before anomaly mode was turned on');
  });

  it('with { checkNan: false } records locations but lets NaN through', () => {
    const x = leaf([-1]);
    detectAnomaly(
      () => {
        expect(isAnomalyCheckNanEnabled()).toBe(false);
        x.sqrt().sum().backward();
      },
      { checkNan: false },
    );
    expect(values(x.grad)).toEqual([Number.NaN]);
  });

  it('setDetectAnomaly turns the mode on and off globally', () => {
    setDetectAnomaly(true);
    try {
      expect(isAnomalyEnabled()).toBe(true);
      expect(() => leaf([-1]).sqrt().sum().backward()).toThrow(/SqrtBackward0/);
    } finally {
      setDetectAnomaly(false);
    }
    expect(isAnomalyEnabled()).toBe(false);
    expect(() => leaf([-1]).sqrt().sum().backward()).not.toThrow();
  });

  it('restores the previous mode after nested detectAnomaly calls, also when they throw', () => {
    detectAnomaly(() => {
      detectAnomaly(
        () => {
          expect(isAnomalyEnabled()).toBe(true);
          expect(isAnomalyCheckNanEnabled()).toBe(false);
        },
        { checkNan: false },
      );
      expect(isAnomalyCheckNanEnabled()).toBe(true);
      expect(() =>
        detectAnomaly(() => {
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(isAnomalyEnabled()).toBe(true);
    });
    expect(isAnomalyEnabled()).toBe(false);
    setDetectAnomaly(true);
    detectAnomaly(() => {});
    expect(isAnomalyEnabled()).toBe(true); // restored to on, not forced off
    setDetectAnomaly(false);
  });

  it('accepts an async function and restores the mode when it settles', async () => {
    const x = leaf([-1]);
    const pending = detectAnomaly(async () => {
      await Promise.resolve();
      expect(isAnomalyEnabled()).toBe(true);
      x.sqrt().sum().backward();
    });
    await expect(pending).rejects.toThrow(/^Function 'SqrtBackward0' returned nan values in its 0th output\./);
    expect(isAnomalyEnabled()).toBe(false);
    await expect(detectAnomaly(async () => 42)).resolves.toBe(42);
  });

  it('does not leak into the next test after a failing detectAnomaly', () => {
    expect(() => detectAnomaly(() => leaf([-1]).sqrt().sum().backward())).toThrow();
  });

  it('is off again here', () => {
    expect(isAnomalyEnabled()).toBe(false);
    expect(isAnomalyCheckNanEnabled()).toBe(true);
    expect((leaf([1]).mul(2).gradFn as FunctionNode).forwardTrace).toBeNull();
  });
});
