import type { Backend } from '../backend.js';
import { dispatch } from '../dispatch.js';
import { KindlingError, ShapeError, fmtShape } from '../errors.js';
import { contiguousStrides } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { gatherAlong, hostTensor, indexAlong } from './pool-windows.js';
import { backendOf, disposeTemps, fromHandle } from './util.js';

/** How `pad` fills the new border. */
export type PadMode = 'constant' | 'reflect' | 'replicate';

/** Options of `pad`, with PyTorch's defaults. */
export interface PadOptions {
  /** `constant` (default) writes `value`; `reflect` mirrors without repeating the edge; `replicate` repeats the edge. */
  mode?: PadMode;
  /** The fill of `constant` mode (default 0). */
  value?: number;
}

/** The checked arguments of a `pad` call, as its gradient needs them. */
export interface PadAttrs {
  /** `[left, right]` per padded dim, innermost dim last (the reverse of the flat `pad` list). */
  readonly sides: readonly (readonly [number, number])[];
  readonly mode: PadMode;
}

/**
 * `torch.nn.functional.pad`: `pad` lists `[left, right]` amounts from the
 * last dim backwards (`[wLeft, wRight, hTop, hBottom, ...]`). `constant`
 * pads any number of trailing dims with `value` and crops where an amount is
 * negative; `reflect` and `replicate` pad the last 1, 2 or 3 dims of a
 * batched or unbatched input (2–3, 3–4 or 4–5 dims), and `reflect` needs
 * every amount below the size of its dim.
 */
export function pad(input: Tensor, pad: readonly number[], options: PadOptions = {}): Tensor {
  input.assertAlive('pad');
  const mode = options.mode ?? 'constant';
  const value = options.value ?? 0;
  if (!['constant', 'reflect', 'replicate'].includes(mode)) {
    throw new KindlingError(`pad: mode must be 'constant', 'reflect' or 'replicate', got '${mode}'`);
  }
  if (pad.length % 2 !== 0 || !pad.every(Number.isInteger)) {
    throw new KindlingError(`pad: pad must be an even-length list of integers, got ${fmtShape(pad)}`);
  }
  const k = pad.length / 2;
  if (k > input.ndim) throw new ShapeError(`pad: pad ${fmtShape(pad)} pads ${k} dims, but the input has shape ${fmtShape(input.shape)}`);
  if (mode !== 'constant' && value !== 0) throw new KindlingError(`pad: value applies only to 'constant' mode, got mode '${mode}'`);
  const first = input.ndim - k;
  const sides = Array.from({ length: k }, (_, i) => [pad[2 * (k - 1 - i)], pad[2 * (k - 1 - i) + 1]] as const);
  const shape = input.shape.map((s, d) => (d < first ? s : s + sides[d - first][0] + sides[d - first][1]));
  const bad = shape.findIndex((s) => s < 0);
  if (bad >= 0)
    throw new ShapeError(`pad: pad ${fmtShape(pad)} would make dim ${bad} of input ${fmtShape(input.shape)} size ${shape[bad]}`);
  if (mode !== 'constant') checkBorderPad(input, pad, mode, first, sides);
  const attrs: PadAttrs = { sides, mode };
  return dispatch('pad', [input], { ...attrs }, () => {
    const b = backendOf(input);
    if (mode === 'constant') return constantPad(b, input, shape, first, sides, value);
    let x = input;
    for (let d = first; d < input.ndim; d++) {
      const next = gatherAlong(b, x, d, borderTable(x.shape[d], sides[d - first], mode));
      if (x !== input) x.dispose();
      x = next;
    }
    return x;
  });
}

function checkBorderPad(
  input: Tensor,
  pad: readonly number[],
  mode: PadMode,
  first: number,
  sides: readonly (readonly [number, number])[],
): void {
  const k = sides.length;
  if (k === 0 || k > 3 || (input.ndim !== k + 1 && input.ndim !== k + 2)) {
    throw new ShapeError(
      `pad: ${mode} padding of the last ${k} dim(s) needs a ${k + 1}-D or ${k + 2}-D input${k > 3 ? ' (at most 3 dims are padded)' : ''}, got shape ${fmtShape(input.shape)}`,
    );
  }
  for (let d = 0; d < input.ndim; d++) {
    const side = d >= first ? sides[d - first] : null;
    if (input.shape[d] === 0 && (d >= first || d === input.ndim - k - 1)) {
      throw new ShapeError(`pad: ${mode} padding needs non-empty padded and channel dims, got input shape ${fmtShape(input.shape)}`);
    }
    if (mode === 'reflect' && side && (side[0] >= input.shape[d] || side[1] >= input.shape[d])) {
      throw new ShapeError(
        `pad: reflect padding [${side.join(',')}] of dim ${d} must be less than its size ${input.shape[d]} (input ${fmtShape(input.shape)}, pad ${fmtShape(pad)})`,
      );
    }
  }
}

/** A fresh tensor of `shape` filled with `value`, with the overlap of `x` copied in. */
function constantPad(
  b: Backend,
  x: Tensor,
  shape: readonly number[],
  first: number,
  sides: readonly (readonly [number, number])[],
  value: number,
): Tensor {
  const out = fromHandle(
    b,
    b.alloc(
      x.dtype,
      shape.reduce((a, s) => a * s, 1),
    ),
    x.dtype,
    shape,
  );
  if (value !== 0 && out.numel() > 0) b.fill(out.view_(), value);
  const src = x.view_();
  const dstStrides = contiguousStrides(shape);
  const lengths = [...x.shape];
  let srcOffset = src.offset;
  let dstOffset = 0;
  for (let d = first; d < x.ndim; d++) {
    const [left, right] = sides[d - first];
    lengths[d] = x.shape[d] - Math.max(0, -left) - Math.max(0, -right);
    srcOffset += Math.max(0, -left) * src.strides[d];
    dstOffset += Math.max(0, left) * dstStrides[d];
  }
  if (lengths.every((l) => l > 0)) {
    b.assign({ ...out.view_(), shape: lengths, offset: dstOffset }, { ...src, shape: lengths, offset: srcOffset });
  }
  return out;
}

/** Source position of every output position of a reflected or replicated dim. */
function borderTable(size: number, [left, right]: readonly [number, number], mode: PadMode): Int32Array {
  const table = new Int32Array(size + left + right);
  for (let o = 0; o < table.length; o++) {
    const i = o - left;
    table[o] = mode === 'replicate' ? Math.min(Math.max(i, 0), size - 1) : i < 0 ? -i : i >= size ? 2 * (size - 1) - i : i;
  }
  return table;
}

/**
 * The gradient of `pad` for an input of `shape`: the inner part of `grad`
 * (zero where the pad cropped) for `constant`; for `reflect`/`replicate`,
 * every output's gradient summed back onto the input position it copied.
 */
export function padBackward(grad: Tensor, shape: readonly number[], attrs: PadAttrs): Tensor {
  return dispatch('padBackward', [grad], {}, () => {
    const b = backendOf(grad);
    const first = shape.length - attrs.sides.length;
    if (attrs.mode === 'constant') {
      const negated = attrs.sides.map(([l, r]) => [-l, -r] as const);
      return constantPad(b, grad, shape, first, negated, 0);
    }
    let g = grad;
    for (let d = shape.length - 1; d >= first; d--) {
      const table = borderTable(shape[d], attrs.sides[d - first], attrs.mode);
      const index = hostTensor(b, 'int32', table, [table.length]);
      const target = g.shape.map((s, i) => (i === d ? shape[d] : s));
      const next = fromHandle(
        b,
        b.alloc(
          g.dtype,
          target.reduce((a, s) => a * s, 1),
        ),
        g.dtype,
        target,
      );
      b.scatterAdd(next.view_(), d, indexAlong(index, g.shape, d), g.view_());
      disposeTemps([index, ...(g !== grad ? [g] : [])], []);
      g = next;
    }
    return g;
  });
}
