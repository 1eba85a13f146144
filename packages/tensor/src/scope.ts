import type { Tensor } from './tensor.js';

const scopes: Set<Tensor>[] = [];

/**
 * @internal Called by the Tensor constructor: the innermost `tidy` scope takes
 * the tensor. Returns false outside every scope, where only the garbage
 * collector will free it (the constructor then registers it for that).
 */
export function trackTensor(t: Tensor): boolean {
  const scope = scopes[scopes.length - 1];
  if (scope === undefined) return false;
  scope.add(t);
  return true;
}

/**
 * Tensors that `tidy` will dispose need no garbage-collection hook: that
 * registration (and its removal) costs more than a small op. A tensor
 * leaving every scope alive gets the hook through this callback.
 */
let makeCollectable: (t: Tensor) => void = () => {};

/** @internal Set by tensor.ts (scope.ts cannot import the Tensor class). */
export function setMakeCollectable(fn: (t: Tensor) => void): void {
  makeCollectable = fn;
}

/** Removes `t` from every open `tidy` scope so it outlives them. Returns `t`. */
export function keep<T extends Tensor>(t: T): T {
  for (const s of scopes) s.delete(t);
  makeCollectable(t);
  return t;
}

/** Anything `tidy` can return; tensors found in it are kept. */
export type TidyResult =
  | Tensor
  | readonly TidyResult[]
  | { readonly [key: string]: TidyResult }
  | number
  | string
  | boolean
  | undefined
  | null;

function collect(value: unknown, into: Set<Tensor>, isTensor: (v: unknown) => v is Tensor): void {
  if (isTensor(value)) into.add(value);
  else if (Array.isArray(value)) for (const v of value) collect(v, into, isTensor);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) collect(v, into, isTensor);
}

let tensorCheck: ((v: unknown) => v is Tensor) | null = null;

/** @internal Lets scope.ts recognise tensors without importing the class (avoids an import cycle). */
export function setTensorCheck(check: (v: unknown) => v is Tensor): void {
  tensorCheck = check;
}

/**
 * Runs `fn` and disposes every tensor it created except those it returns (in
 * an array or object too) and those passed to `keep`. Returned tensors move to
 * the enclosing scope. `fn` must be synchronous.
 */
export function tidy<T extends TidyResult>(fn: () => T): T;
export function tidy(fn: () => void): void;
export function tidy(fn: () => unknown): unknown {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: unknown;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  if (result instanceof Promise) {
    for (const t of scope) t.dispose();
    throw new TypeError('tidy: fn returned a Promise; tidy only scopes synchronous code');
  }
  const kept = new Set<Tensor>();
  if (tensorCheck) collect(result, kept, tensorCheck);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (!kept.has(t)) t.dispose();
    else if (parent) parent.add(t);
    else makeCollectable(t);
  }
  return result;
}
