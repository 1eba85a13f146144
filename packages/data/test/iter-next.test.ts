import './setup.js';
import { KindlingError, type Tensor, arange, memory, tensor } from '@kindling/tensor';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { DataLoader, Dataset, IterableDataset, StopIteration, TensorDataset, iter, len, next } from '../src/index.js';

/** A dataset that counts the batches it builds, to see what a loader builds ahead. */
class Counting extends Dataset<[Tensor, number]> {
  batches = 0;
  constructor(readonly n: number) {
    super();
  }
  get length(): number {
    return this.n;
  }
  getItem(i: number): [Tensor, number] {
    return [tensor([i, i], { dtype: 'float32' }), i % 10];
  }
  getBatch(indices: Int32Array): [Tensor, Tensor] {
    this.batches++;
    return [tensor(Float32Array.from(indices)).reshape(-1, 1).expand(indices.length, 2).contiguous(), tensor(Int32Array.from(indices))];
  }
}

const turns = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the garbage collector (vitest runs with --expose-gc) and the finalizers it queues until `done` holds. */
async function collectUntil(done: () => boolean): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  expect(gc, 'tests run with --expose-gc').toBeTypeOf('function');
  for (let i = 0; i < 20 && !done(); i++) {
    gc?.();
    await turns(5);
  }
  return done();
}

describe('iter / next (Python builtins)', () => {
  it('images, labels = next(iter(trainloader)): one batch, typed as the batch', async () => {
    const x = arange(20, { dtype: 'float32' }).reshape(10, 2);
    const y = arange(10, { dtype: 'int32' });
    const trainloader = new DataLoader(new TensorDataset(x, y), { batchSize: 4 });
    const [images, labels] = await next(iter(trainloader));
    expectTypeOf(images).toEqualTypeOf<Tensor>();
    expectTypeOf(labels).toEqualTypeOf<Tensor>();
    expect(images.shape).toEqual([4, 2]);
    expect(await labels.tolist()).toEqual([0, 1, 2, 3]);
    // Every iter() is a new pass, as in PyTorch.
    const [, again] = await next(iter(trainloader));
    expect(await again.tolist()).toEqual([0, 1, 2, 3]);
  });

  it('walks a loader to its end, then returns the default or throws StopIteration', async () => {
    const loader = new DataLoader(new TensorDataset(arange(5, { dtype: 'int32' })), { batchSize: 2 });
    const it = iter(loader);
    const sizes: number[] = [];
    for (let i = 0; i < 3; i++) sizes.push((await next(it))[0].shape[0] as number);
    expect(sizes).toEqual([2, 2, 1]);
    expect(await next(it, null)).toBeNull();
    const fallback = await next(it, 'done');
    expectTypeOf(fallback).extract<string>().toEqualTypeOf<string>();
    expect(fallback).toBe('done');
    // An explicit `undefined` is a default too (Python's next(it, None)).
    expect(await next(it, undefined)).toBeUndefined();
    const error = await next(it).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StopIteration);
    expect(error).toBeInstanceOf(KindlingError);
    expect((error as Error).name).toBe('StopIteration');
    expect((error as Error).message).toBe(
      'next: the iterator is exhausted (StopIteration), expected a value; pass a default, e.g. next(it, null)',
    );
  });

  it('works synchronously on arrays, strings, sets, datasets and generators', () => {
    const numbers = iter([1, 2]);
    const first = next(numbers);
    expectTypeOf(first).toEqualTypeOf<number>();
    expect([first, next(numbers), next(numbers, -1)]).toEqual([1, 2, -1]);
    expect(() => next(numbers)).toThrow(StopIteration);
    expect(next(iter('ab'))).toBe('a');
    expect(next(iter(new Set(['s'])))).toBe('s');
    function* gen() {
      yield 'g';
    }
    const g = gen();
    // A generator is its own iterator (iter(g) is g), as in Python.
    expect(iter(g)).toBe(g);
    expect(next(g)).toBe('g');
    expect(next(g, 'end')).toBe('end');
    const [sample, label] = next(iter(new Counting(3)));
    expect(sample.shape).toEqual([2]);
    expect(label).toBe(0);
  });

  it('works on async generators and IterableDataset loaders', async () => {
    async function* agen() {
      yield 1;
    }
    const a = iter(agen());
    expect(await next(a)).toBe(1);
    await expect(next(a)).rejects.toThrow(StopIteration);
    const stream = new DataLoader(
      IterableDataset.from(() => [1, 2, 3]),
      { batchSize: 2 },
    );
    const batch = await next(iter(stream));
    expect(await batch.tolist()).toEqual([1, 2]);
  });

  it('explains what it needs when given something else', () => {
    const loader = new DataLoader(new Counting(4));
    expect(() => iter(5 as unknown as number[])).toThrow(
      'iter: got number, expected an iterable (an array, a generator, a dataset or a DataLoader)',
    );
    // Python: TypeError: 'DataLoader' object is not an iterator.
    expect(() => next(loader as unknown as AsyncIterator<unknown>)).toThrow(
      'next: got a DataLoader, expected an iterator (it is iterable: call next(iter(x)))',
    );
    expect(() => next(null as unknown as Iterator<unknown>)).toThrow('next: got null, expected an iterator');
  });
});

describe('an iterator dropped after some batches', () => {
  it('next(iter(loader)) builds one batch and nothing ahead', async () => {
    const data = new Counting(40);
    const loader = new DataLoader(data, { batchSize: 4, prefetch: 2 });
    const before = memory().cpu.tensors;
    const [images, labels] = await next(iter(loader));
    await turns();
    expect(data.batches).toBe(1);
    // Only the batch that was taken is alive: nothing was built for nobody.
    expect(memory().cpu.tensors).toBe(before + 2);
    images.dispose();
    labels.dispose();
    expect(memory().cpu.tensors).toBe(before);
  });

  it('stops building ahead, and its prefetched batches are freed once it is garbage', async () => {
    const data = new Counting(40);
    const loader = new DataLoader(data, { batchSize: 4, prefetch: 2 });
    // Earlier tests' garbage goes first, so the count below moves only with this iterator.
    await collectUntil(() => false);
    const before = memory().cpu.tensors;
    await (async () => {
      const it = iter(loader);
      for (let i = 0; i < 3; i++) {
        const [x, y] = await next(it);
        x.dispose();
        y.dispose();
      }
    })();
    await turns();
    // Three taken, two built ahead; then nothing more however long the iterator lingers.
    expect(data.batches).toBe(5);
    await turns();
    expect(data.batches).toBe(5);
    expect(memory().cpu.tensors).toBe(before + 4);
    expect(await collectUntil(() => memory().cpu.tensors === before)).toBe(true);
  });

  it('frees its prefetched batches at once on return(), as a for-await break does', async () => {
    const data = new Counting(40);
    const before = memory().cpu.tensors;
    const it = iter(new DataLoader(data, { batchSize: 4, prefetch: 2 }));
    for (let i = 0; i < 2; i++) for (const t of await next(it)) t.dispose();
    await turns();
    expect(memory().cpu.tensors).toBe(before + 4);
    await it.return?.();
    expect(memory().cpu.tensors).toBe(before);
    expect(await next(it, 'finished')).toBe('finished');
  });
});

describe('len (Python builtin)', () => {
  it('len(trainloader) is the number of batches, len(trainloader.dataset) the number of samples', () => {
    const trainloader = new DataLoader(new Counting(10), { batchSize: 4 });
    expect(len(trainloader)).toBe(3);
    expect(len(trainloader.dataset)).toBe(10);
    expect(len(new DataLoader(new Counting(10), { batchSize: 4, dropLast: true }))).toBe(2);
  });

  it('gives the first dimension of a tensor and the length or size of collections', () => {
    expect(len(arange(6).reshape(3, 2))).toBe(3);
    expect(len([1, 2])).toBe(2);
    expect(len('abc')).toBe(3);
    expect(len(new Float32Array(4))).toBe(4);
    expect(len(new Map([[1, 2]]))).toBe(1);
    expect(len(new Set([1, 2, 3]))).toBe(3);
  });

  it('refuses what has no length, with the reason', () => {
    expect(() => len(tensor(1))).toThrow('len: got a 0-d tensor, expected a tensor with at least one dimension');
    expect(() => len(IterableDataset.from(() => [1]))).toThrow(
      'len: got an IterableDataset of unknown length, expected a length (an IterableDataset may not know its own)',
    );
    expect(() => len(new DataLoader(IterableDataset.from(() => [1])))).toThrow(
      'DataLoader.length: the IterableDataset does not know its length',
    );
    expect(() => len(5 as unknown as string)).toThrow('len: got number, expected something with a length');
  });
});
