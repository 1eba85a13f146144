import { KindlingError, type Tensor, keep, tensor } from '@kindling/tensor';

/** Where a tensor's elements sit in its storage; every tensor, view or not, has one. */
export interface Layout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export const layoutOf = (t: Tensor): Layout => ({ shape: t.shape, strides: t.strides, offset: t.offset });

/** The storage address of each element of `l`, in row-major order. */
function addresses(l: Layout): Int32Array {
  const n = l.shape.reduce((a, b) => a * b, 1);
  const out = new Int32Array(n);
  const rank = l.shape.length;
  const at = new Array<number>(rank).fill(0);
  let addr = l.offset;
  for (let i = 0; i < n; i++) {
    out[i] = addr;
    for (let d = rank - 1; d >= 0; d--) {
      at[d]++;
      addr += l.strides[d];
      if (at[d] < l.shape[d]) break;
      addr -= at[d] * l.strides[d];
      at[d] = 0;
    }
  }
  return out;
}

/**
 * For each element of `view` (row-major), the row-major index of the element
 * of `base` at the same storage address: what PyTorch's `as_strided` on the
 * base's gradient reads. With `write`, a view that reaches one element twice
 * (expanded, or overlapping `unfold` windows) is refused, as PyTorch refuses
 * to write through one: its gradient would be ambiguous.
 */
export function baseIndices(op: string, base: Layout, view: Layout, write: boolean): Int32Array {
  const to = addresses(view);
  const count = base.shape.reduce((a, b) => a * b, 1);
  const indexAt = isRowMajor(base) ? (addr: number) => addr - base.offset : addressTable(op, base);
  const seen = write ? new Uint8Array(count) : null;
  const out = new Int32Array(to.length);
  for (let j = 0; j < to.length; j++) {
    const i = indexAt(to[j]);
    if (!(i >= 0 && i < count)) throw new KindlingError(`${op}: a view reaches storage outside its base; clone() it first`);
    if (seen) {
      if (seen[i]) {
        throw new KindlingError(
          `${op}: more than one element of the written-to view refers to a single memory location; clone() it before the in-place op`,
        );
      }
      seen[i] = 1;
    }
    out[j] = i;
  }
  return out;
}

/** Whether `l` lays its elements out densely in row-major order (most bases): then an address minus the offset is the index. */
function isRowMajor(l: Layout): boolean {
  let expected = 1;
  for (let d = l.shape.length - 1; d >= 0; d--) {
    if (l.shape[d] !== 1 && l.strides[d] !== expected) return false;
    expected *= l.shape[d];
  }
  return true;
}

/** The row-major index of the base element at each storage address, for bases laid out otherwise. */
function addressTable(op: string, base: Layout): (addr: number) => number {
  const from = addresses(base);
  if (from.length === 0) return () => -1;
  let min = from[0];
  let max = from[0];
  for (const a of from) {
    if (a < min) min = a;
    if (a > max) max = a;
  }
  const table = new Int32Array(max - min + 1).fill(-1);
  for (let i = 0; i < from.length; i++) {
    if (table[from[i] - min] !== -1) {
      throw new KindlingError(`${op}: the base of this view has elements sharing memory (an expanded base); clone() it first`);
    }
    table[from[i] - min] = i;
  }
  return (addr) => (addr >= min && addr <= max ? table[addr - min] : -1);
}

/**
 * The base positions a view covers, as tensors on the base's device, built
 * on first use (backward often never reaches a view's node) and kept out of
 * `tidy` scopes, since a retained graph reuses them in a later backward.
 */
export class Region {
  private indexTensor: Tensor | null = null;
  private maskTensor: Tensor | null = null;

  constructor(
    readonly indices: Int32Array,
    private readonly baseShape: readonly number[],
    private readonly device: string,
  ) {}

  /** The row-major base index of each view element (int32, 1-D). */
  index(): Tensor {
    this.indexTensor ??= keep(tensor(this.indices, { dtype: 'int32', device: this.device }));
    return this.indexTensor;
  }

  /** True where the view lies, in the base's shape. */
  mask(): Tensor {
    if (!this.maskTensor) {
      const bytes = new Uint8Array(this.baseShape.reduce((a, b) => a * b, 1));
      for (const i of this.indices) bytes[i] = 1;
      this.maskTensor = keep(tensor(bytes, { dtype: 'bool', shape: this.baseShape, device: this.device }));
    }
    return this.maskTensor;
  }
}
