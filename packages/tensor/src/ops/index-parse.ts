import type { TypedArray } from '../dtype.js';
import { KindlingError, ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { tensor } from './create.js';

/**
 * A Python slice `start:stop:step` as an object, for when the bounds are
 * computed (`span(i, i + 5)` where Python writes `i:i+5`). Made by `span`.
 */
export interface Span {
  readonly kind: 'span';
  readonly start: number | null;
  readonly stop: number | null;
  readonly step: number | null;
}

/**
 * One item of a Python index, as `Tensor.at` and `Tensor.indexPut_` take it:
 * - a number: picks one position and removes the dim (`x[0]`, `x[-1]`);
 * - a slice string `'start:stop:step'` (`':'`, `'0:5'`, `'::2'`, `'-3:'`) or a `Span`;
 * - `null`: a new axis of size 1 (Python's `None`);
 * - `'...'`: Python's `Ellipsis`, as many `':'` as the other items leave;
 * - an int32 tensor or array of integers: advanced (copying) indexing;
 * - a bool tensor or array of booleans: a mask over as many dims as it has.
 */
export type IndexItem = number | string | null | Span | Tensor | readonly number[] | readonly boolean[];

/**
 * Python's `slice(start, stop, step)`: `x.at(':', span(1, -1))` is `x[:, 1:-1]`.
 * Omitted or null bounds mean the start/end, as in Python. It is named `span`
 * because `slice` is already the exported `slice(x, dim, start, end, step)` op
 * (`torch.Tensor.slice` style); a slice string such as `'1:-1'` does the same
 * when the bounds are constants.
 */
export function span(start?: number | null, stop?: number | null, step?: number | null): Span {
  return { kind: 'span', start: start ?? null, stop: stop ?? null, step: step ?? null };
}

/** One view step of basic indexing; `dim` is a dim of the tensor the earlier steps made. */
export type BasicStep =
  | { readonly op: 'select'; readonly dim: number; readonly index: number; readonly source: number }
  | { readonly op: 'slice'; readonly dim: number; readonly start: number | null; readonly stop: number | null; readonly step: number }
  | { readonly op: 'unsqueeze'; readonly dim: number };

/** A tensor index of the view the basic steps make (a mask is already its coordinates). */
export interface AdvancedIndex {
  readonly dim: number;
  /** The dim of the indexed tensor it stands for, for error messages. */
  readonly source: number;
  readonly index: Tensor;
}

/** `x[items]` as views (steps) and then tensor indices into the resulting view. */
export interface IndexPlan {
  readonly steps: readonly BasicStep[];
  readonly advanced: readonly AdvancedIndex[];
  /** The items with masks replaced by their coordinate tensors: the same index, readable without the masks' values. */
  readonly resolved: readonly IndexItem[];
}

/** Host copies of mask values, read ahead of time by the async forms. */
export type MaskValues = ReadonlyMap<Tensor, TypedArray>;

const SLICE = /^\s*([+-]?\d+)?\s*:\s*([+-]?\d+)?\s*(?::\s*([+-]?\d+)?\s*)?$/;

function isSpan(item: IndexItem): item is Span {
  return typeof item === 'object' && item !== null && !(item instanceof Tensor) && !Array.isArray(item) && (item as Span).kind === 'span';
}

/** The span a slice string stands for, or null when the string is not one. */
function parseSlice(s: string): Span | null {
  const m = SLICE.exec(s);
  if (!m) return null;
  const num = (g: string | undefined) => (g === undefined ? null : Number(g));
  return span(num(m[1]), num(m[2]), num(m[3]));
}

function describe(item: unknown): string {
  if (item instanceof Tensor) return `a ${item.dtype} tensor of shape ${fmtShape(item.shape)}`;
  if (typeof item === 'string') return `'${item}'`;
  return Array.isArray(item) ? `[${item.join(', ')}]` : String(item);
}

const ITEM_EXPECTED = 'expected an integer, a slice string like "1:3" or "::2", span(...), null, "...", or an int32/bool tensor';

/** Arrays become tensors on the indexed tensor's device; other items pass through. */
function asItem(op: string, item: IndexItem, pos: number, device: string): Exclude<IndexItem, readonly unknown[]> {
  if (!Array.isArray(item)) return item as Exclude<IndexItem, readonly unknown[]>;
  const arr = item as readonly unknown[];
  const bools = arr.length > 0 && arr.every((v) => typeof v === 'boolean');
  if (!bools && !arr.every((v) => Number.isInteger(v))) {
    throw new KindlingError(`${op}: index ${pos} is ${describe(item)}, expected an array of integers or of booleans`);
  }
  return tensor(arr as number[] | boolean[], { dtype: bools ? 'bool' : 'int32', device });
}

/** The coordinates of a mask's true elements, one int32 tensor per mask dim (torch.nonzero, as columns). */
function maskCoordinates(mask: Tensor, values: TypedArray): Tensor[] {
  const dims = mask.ndim;
  const hits: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i]) hits.push(i);
  return Array.from({ length: dims }, (_, d) => {
    let inner = 1;
    for (let k = d + 1; k < dims; k++) inner *= mask.shape[k];
    const coord = new Int32Array(hits.length);
    hits.forEach((flat, j) => {
      coord[j] = Math.floor(flat / inner) % mask.shape[d];
    });
    return tensor(coord, { device: mask.device });
  });
}

function maskValues(op: string, mask: Tensor, known: MaskValues | undefined): TypedArray {
  const pre = known?.get(mask);
  if (pre) return pre;
  const backend = mask.storage.backend;
  if (!backend.readSync) {
    const instead =
      op === 'at' ? "use 'await x.atAsync(...)'" : 'a write of a scalar with the mask as the only index works on every backend';
    throw new KindlingError(
      `${op}: a boolean mask index needs its number of true elements, which the ${backend.name} backend can only read asynchronously; ${instead}`,
    );
  }
  return backend.readSync(mask.view_());
}

/**
 * Parses a Python index for a tensor of `shape` into view steps and tensor
 * indices, following PyTorch (`torch/csrc/autograd/python_variable_indexing.cpp`):
 * integers select and slices narrow first, left to right, and tensor indices
 * then index the view that leaves.
 */
export function planIndex(op: string, x: Tensor, items: readonly IndexItem[], masks?: MaskValues): IndexPlan {
  const list = items.map((item, pos) => asItem(op, item, pos, x.device));
  let consumed = 0;
  let ellipses = 0;
  list.forEach((item, pos) => {
    if (item === '...') ellipses++;
    else if (item instanceof Tensor) consumed += item.dtype === 'bool' ? item.ndim : 1;
    else if (item !== null) consumed++;
    if (ellipses > 1) throw new KindlingError(`${op}: an index can only have a single ellipsis ('...'), got a second at index ${pos}`);
  });
  if (consumed > x.ndim) throw new ShapeError(`${op}: too many indices for tensor of dimension ${x.ndim}`);
  const steps: BasicStep[] = [];
  const advanced: AdvancedIndex[] = [];
  const resolved: IndexItem[] = [];
  let dim = 0; // dim of the view the steps so far make
  let source = 0; // dim of x the next item indexes
  list.forEach((item, pos) => {
    if (item === null) {
      steps.push({ op: 'unsqueeze', dim: dim++ });
    } else if (item === '...') {
      const skip = x.ndim - consumed;
      dim += skip;
      source += skip;
    } else if (typeof item === 'number') {
      if (!Number.isInteger(item)) throw new KindlingError(`${op}: index ${pos} is ${item}, expected an integer`);
      const size = x.shape[source];
      if (item < -size || item >= size) {
        throw new ShapeError(`${op}: index ${item} is out of bounds for dimension ${source} with size ${size}`);
      }
      steps.push({ op: 'select', dim, index: item < 0 ? item + size : item, source });
      source++;
    } else if (typeof item === 'string' || isSpan(item)) {
      const s = typeof item === 'string' ? parseSlice(item) : item;
      if (s === null) throw new KindlingError(`${op}: index ${pos} is ${describe(item)}, ${ITEM_EXPECTED}`);
      for (const bound of [s.start, s.stop, s.step]) {
        if (bound !== null && !Number.isInteger(bound)) {
          throw new KindlingError(`${op}: index ${pos} is a slice with bound ${bound}, expected integer bounds`);
        }
      }
      if (s.step !== null && s.step <= 0) throw new ShapeError(`${op}: slice step must be positive, got ${s.step}`);
      steps.push({ op: 'slice', dim: dim++, start: s.start, stop: s.stop, step: s.step ?? 1 });
      source++;
    } else if (item instanceof Tensor) {
      if (item.dtype === 'bool') {
        const values = maskValues(op, item, masks);
        if (item.ndim === 0) {
          // PyTorch: x[True] is x[None] picking the one row, x[False] picks none of it.
          steps.push({ op: 'unsqueeze', dim });
          const index = tensor(values[0] ? [0] : [], { dtype: 'int32', device: x.device });
          advanced.push({ dim: dim++, source, index });
          resolved.push(null, index);
          return;
        }
        const covered = x.shape.slice(source, source + item.ndim);
        if (covered.some((s, k) => s !== item.shape[k])) {
          throw new ShapeError(
            `${op}: the shape of the mask ${fmtShape(item.shape)} at index ${pos} does not match the shape ${fmtShape(covered)} of the indexed dims starting at dimension ${source}`,
          );
        }
        const coords = maskCoordinates(item, values);
        for (const index of coords) advanced.push({ dim: dim++, source: source++, index });
        resolved.push(...coords);
        return;
      }
      if (item.ndim === 0 && item.dtype === 'int32' && item.storage.backend.readSync) {
        // PyTorch selects with a 0-dim integer tensor as with its value (a view); without a synchronous read it stays an index tensor.
        const value = item.storage.backend.readSync(item.view_())[0];
        const size = x.shape[source];
        if (value < -size || value >= size) {
          throw new ShapeError(`${op}: index ${value} is out of bounds for dimension ${source} with size ${size}`);
        }
        steps.push({ op: 'select', dim, index: value < 0 ? value + size : value, source });
        source++;
        resolved.push(item);
        return;
      }
      if (item.dtype !== 'int32') {
        throw new KindlingError(`${op}: tensors used as indices must be int32 or bool, got ${item.dtype} at index ${pos}`);
      }
      advanced.push({ dim: dim++, source: source++, index: item });
    } else {
      throw new KindlingError(`${op}: index ${pos} is ${describe(item)}, ${ITEM_EXPECTED}`);
    }
    resolved.push(item);
  });
  return { steps, advanced, resolved };
}
