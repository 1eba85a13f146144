import { KindlingError, Tensor } from '@kindling/tensor';

/**
 * Thrown by `next(iterator)` when the iterator is exhausted and no default
 * was given: Python's `StopIteration`.
 */
export class StopIteration extends KindlingError {}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return typeof value;
  // The nearest named class: an anonymous subclass (IterableDataset.from's) reads as its base.
  for (let proto = Object.getPrototypeOf(value); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && name !== '') return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
  }
  return typeof value;
}

function isPromiseLike<T>(value: unknown): value is PromiseLike<T> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<T>).then === 'function';
}

/**
 * Python's `iter(iterable)`: the iterator of `iterable`. A `DataLoader` (an
 * async iterable) gives an `AsyncIterator` of its batches; arrays, strings,
 * datasets and generators give their `Iterator`; an iterator gives itself.
 * Pair it with `next`:
 *
 * ```ts
 * const [images, labels] = await next(iter(trainloader)); // images, labels = next(iter(trainloader))
 * ```
 *
 * Each call starts a new pass, as in PyTorch (a shuffling loader draws a new
 * order). A `DataLoader` builds nothing ahead until its second batch is asked
 * for, so taking one batch and dropping the iterator costs one batch.
 */
export function iter<T>(iterable: AsyncIterable<T>): AsyncIterator<T>;
export function iter<T>(iterable: Iterable<T>): Iterator<T>;
export function iter<T>(iterable: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> | Iterator<T> {
  if (iterable !== null && iterable !== undefined) {
    const source = iterable as Partial<AsyncIterable<T> & Iterable<T>>;
    if (typeof source[Symbol.asyncIterator] === 'function') return (source as AsyncIterable<T>)[Symbol.asyncIterator]();
    if (typeof source[Symbol.iterator] === 'function') return (source as Iterable<T>)[Symbol.iterator]();
  }
  throw new KindlingError(`iter: got ${describe(iterable)}, expected an iterable (an array, a generator, a dataset or a DataLoader)`);
}

/**
 * Python's `next(iterator[, default])`: the iterator's next value. For an
 * async iterator (a `DataLoader`'s) it returns a promise, so
 * `const [x, y] = await next(iter(loader))`; for a sync one, the value itself.
 * When the iterator is exhausted it returns `defaultValue` if one was passed
 * (even `undefined`), else throws `StopIteration`.
 *
 * ```ts
 * const it = iter([1, 2]);
 * next(it); // 1
 * next(it); // 2
 * next(it, null); // null
 * next(it); // throws StopIteration
 * ```
 */
export function next<T>(iterator: AsyncIterator<T>): Promise<T>;
export function next<T, D>(iterator: AsyncIterator<T>, defaultValue: D): Promise<T | D>;
export function next<T>(iterator: Iterator<T>): T;
export function next<T, D>(iterator: Iterator<T>, defaultValue: D): T | D;
export function next<T>(iterator: AsyncIterator<T> | Iterator<T>, ...rest: unknown[]): unknown {
  if (iterator === null || typeof iterator !== 'object' || typeof (iterator as Iterator<T>).next !== 'function') {
    const iterable =
      iterator !== null && iterator !== undefined && (Symbol.asyncIterator in Object(iterator) || Symbol.iterator in Object(iterator));
    throw new KindlingError(
      `next: got ${describe(iterator)}, expected an iterator${iterable ? ' (it is iterable: call next(iter(x)))' : ''}`,
    );
  }
  const settle = (result: IteratorResult<T>): unknown => {
    if (!result.done) return result.value;
    if (rest.length > 0) return rest[0];
    throw new StopIteration('next: the iterator is exhausted (StopIteration), expected a value; pass a default, e.g. next(it, null)');
  };
  // Async or sync is told by what `next()` returns: an async iterator need not be an async iterable.
  const result = (iterator as Iterator<T>).next() as IteratorResult<T> | PromiseLike<IteratorResult<T>>;
  return isPromiseLike<IteratorResult<T>>(result) ? Promise.resolve(result).then(settle) : settle(result);
}

/**
 * Python's `len(x)`: `len(trainloader)` is the number of batches,
 * `len(trainloader.dataset)` the number of samples, `len(tensor)` the size of
 * the first dimension; arrays, strings and typed arrays give their length,
 * `Map`s and `Set`s their size.
 */
export function len(
  x: Tensor | { readonly length: number | undefined } | ReadonlyMap<unknown, unknown> | ReadonlySet<unknown> | string,
): number {
  if (x instanceof Tensor) {
    const shape = x.shape;
    if (shape.length === 0) throw new KindlingError('len: got a 0-d tensor, expected a tensor with at least one dimension');
    return shape[0] as number;
  }
  if (typeof x === 'string') return x.length;
  // Modules are callable (functions), so `len(model)` of a Sequential or ModuleList reaches here as a function.
  if (x !== null && (typeof x === 'object' || typeof x === 'function')) {
    if ('length' in x) {
      const n = x.length;
      if (typeof n === 'number') return n;
      throw new KindlingError(`len: got ${describe(x)} of unknown length, expected a length (an IterableDataset may not know its own)`);
    }
    if (x instanceof Map || x instanceof Set) return x.size;
  }
  throw new KindlingError(`len: got ${describe(x)}, expected something with a length (an array, a dataset, a DataLoader, a tensor)`);
}
