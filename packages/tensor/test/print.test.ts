import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeDevtoolsFormatter } from '../src/devtools-formatter.js';
import { hasRepr, printAsRepr } from '../src/inspect.js';
import { formatPrint, print, repr } from '../src/print.js';

/** What `print` writes to process.stdout while `fn` runs. */
function captured(fn: () => void): string {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

class Node0 {
  toString(): string {
    return '<PowBackward0 object>';
  }
}
printAsRepr(Node0);

describe('print: Python print', () => {
  afterEach(() => vi.restoreAllMocks());

  it('joins with a space, ends with a newline and writes to process.stdout', () => {
    expect(captured(() => print('Before backward pass: \n', null))).toBe('Before backward pass: \n None\n');
    expect(captured(() => print())).toBe('\n');
  });

  it('None, True/False, numbers like Python', () => {
    expect(formatPrint([undefined, null, true, false, 3, 0.5, Number.NaN, -Infinity])).toBe('None None True False 3 0.5 nan -inf');
  });

  it('lists, dicts and sets; strings quoted only inside containers', () => {
    expect(formatPrint([[64, 1, 28, 28]])).toBe('[64, 1, 28, 28]');
    expect(formatPrint(['a', ['a', "it's"]])).toBe(`a ['a', "it's"]`);
    expect(formatPrint([{ input_size: 784, hidden: [512, 256], drop: null, ok: true }])).toBe(
      "{'input_size': 784, 'hidden': [512, 256], 'drop': None, 'ok': True}",
    );
    expect(formatPrint([new Map([['w', 1]]), new Set([1, 2]), new Set()])).toBe("{'w': 1} {1, 2} set()");
    expect(formatPrint([new Float32Array([1, 0.5])])).toBe('[1, 0.5]');
    expect(repr('line\nbreak')).toBe("'line\\nbreak'");
  });

  it('a container holding itself prints [...] as Python does', () => {
    const a: unknown[] = [1];
    a.push(a);
    expect(repr(a)).toBe('[1, [...]]');
  });

  it('objects with a repr print it, also inside containers; other instances print their class', () => {
    expect(formatPrint(['\ngrad object of y:\n', new Node0()])).toBe('\ngrad object of y:\n <PowBackward0 object>');
    expect(repr([new Node0()])).toBe('[<PowBackward0 object>]');
    class Plain {}
    expect(repr(new Plain())).toBe('<Plain object>');
    expect(repr(function step() {})).toBe('<function step>');
    expect(repr(Promise.resolve(1))).toBe('<Promise: await it for its value>');
  });

  it('a function object whose class prints a repr (a callable module) prints it', () => {
    const callable = Object.setPrototypeOf(() => 0, Node0.prototype) as object;
    expect(hasRepr(callable)).toBe(true);
    expect(repr(callable)).toBe('<PowBackward0 object>');
  });

  it('print.with sets sep and end', () => {
    expect(captured(() => print.with({ sep: '', end: '!' })('a', 'b'))).toBe('ab!');
    expect(captured(() => print.with({ sep: ', ' })(1, 2))).toBe('1, 2\n');
  });

  it('without process.stdout (a browser) it calls console.log once with the text', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    vi.stubGlobal('process', undefined);
    try {
      print('x:', [1, 2]);
      print.with({ end: '' })('no newline');
    } finally {
      vi.unstubAllGlobals();
    }
    expect(log.mock.calls).toEqual([['x: [1, 2]'], ['no newline']]);
  });
});

describe('Chrome DevTools custom formatter', () => {
  const f = makeDevtoolsFormatter(hasRepr);

  it('is registered on globalThis.devtoolsFormatters once', () => {
    const list = (globalThis as { devtoolsFormatters?: unknown[] }).devtoolsFormatters ?? [];
    printAsRepr(class Again {});
    const ours = list.filter((e) => typeof e === 'object' && e !== null && Symbol.for('kindling.devtoolsFormatter') in e);
    expect(ours).toHaveLength(1);
  });

  it('shows a one-line repr as the header, a longer one collapsed with the rest in the body', () => {
    class Multi {
      toString(): string {
        return 'Sequential(\n  (0): ReLU()\n)';
      }
    }
    printAsRepr(Multi);
    expect(f.header(new Node0())).toEqual(['span', { style: 'font-family: monospace;' }, '<PowBackward0 object>']);
    expect(f.hasBody(new Node0())).toBe(false);
    expect(f.header(new Multi())?.[2]).toBe('Sequential( …');
    expect(f.hasBody(new Multi())).toBe(true);
    expect(f.body(new Multi())?.[2]).toBe('Sequential(\n  (0): ReLU()\n)');
  });

  it('leaves other objects to DevTools', () => {
    expect(f.header({ a: 1 })).toBeNull();
    expect(f.header([1])).toBeNull();
  });
});
