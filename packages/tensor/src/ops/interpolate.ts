import type { Backend } from '../backend.js';
import type { DType } from '../dtype.js';
import { dispatch } from '../dispatch.js';
import { KindlingError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { add, mul } from './elementwise.js';
import { accumulateDType, checkFloatingInput, gatherAlong, hostTensor, indexAlong } from './pool-windows.js';
import { backendOf, castTo, disposeTemps, fromHandle } from './util.js';
import { type Pair, pair } from './window-args.js';

/** Options of `interpolate`: exactly one of `size` and `scaleFactor`. */
export interface InterpolateOptions {
  /** The output's `[H, W]`. */
  size?: Pair;
  /** Output size `floor(input size * scaleFactor)`; the factor itself (not the rounded ratio) maps coordinates, as in PyTorch. */
  scaleFactor?: number | readonly [number, number];
  /** `nearest` (default; PyTorch's legacy `floor(dst * scale)` rule) or `bilinear`. */
  mode?: 'nearest' | 'bilinear';
  /** Bilinear only: align the corner pixels' centres (default false). */
  alignCorners?: boolean;
}

/** The checked arguments of an `interpolate` call, as its gradient needs them. */
export interface InterpolateAttrs {
  readonly mode: 'nearest' | 'bilinear';
  readonly alignCorners: boolean;
  readonly size: readonly [number, number];
  readonly scales: readonly [number | null, number | null];
}

/**
 * `torch.nn.functional.interpolate` of a `[N, C, H, W]` input to a new
 * `[H', W']`. `bilinear` computes in float32 for float16 input and rounds
 * once; `nearest` takes any dtype.
 */
export function interpolate(input: Tensor, options: InterpolateOptions): Tensor {
  const op = 'interpolate';
  input.assertAlive(op);
  const mode = options.mode ?? 'nearest';
  if (mode !== 'nearest' && mode !== 'bilinear') throw new KindlingError(`${op}: mode must be 'nearest' or 'bilinear', got '${mode}'`);
  if (input.ndim !== 4)
    throw new ShapeError(`${op}: expected a 4-D [N, C, H, W] input for ${mode} mode, got shape ${fmtShape(input.shape)}`);
  if (mode === 'bilinear') checkFloatingInput(op, input);
  if (options.alignCorners !== undefined && mode !== 'bilinear') {
    throw new KindlingError(`${op}: alignCorners can only be set with mode 'bilinear', got mode '${mode}'`);
  }
  const hasSize = options.size !== undefined && options.size !== null;
  const hasScale = options.scaleFactor !== undefined && options.scaleFactor !== null;
  if (hasSize === hasScale)
    throw new KindlingError(`${op}: exactly one of size and scaleFactor must be given, got ${hasSize ? 'both' : 'neither'}`);
  const inSize = [input.shape[2], input.shape[3]];
  let size: [number, number];
  let scales: [number | null, number | null] = [null, null];
  if (hasSize) {
    size = pair(op, 'size', options.size as Pair, 1);
  } else {
    const raw = options.scaleFactor as number | readonly [number, number];
    const factors = typeof raw === 'number' ? [raw, raw] : [raw[0], raw[1]];
    if ((typeof raw !== 'number' && raw.length !== 2) || !factors.every((f) => Number.isFinite(f) && f > 0)) {
      throw new KindlingError(`${op}: scaleFactor must be a positive number or a pair of them, got ${JSON.stringify(raw)}`);
    }
    scales = [factors[0], factors[1]];
    size = [Math.floor(inSize[0] * factors[0]), Math.floor(inSize[1] * factors[1])];
    if (size[0] < 1 || size[1] < 1) {
      throw new ShapeError(
        `${op}: scaleFactor ${JSON.stringify(raw)} gives an empty output ${fmtShape(size)} for input ${fmtShape(input.shape)}`,
      );
    }
  }
  if (input.shape[1] === 0 || inSize[0] === 0 || inSize[1] === 0) {
    throw new ShapeError(`${op}: expected non-empty channel and spatial dims, got input shape ${fmtShape(input.shape)}`);
  }
  const attrs: InterpolateAttrs = { mode, alignCorners: options.alignCorners ?? false, size, scales };
  return dispatch(op, [input], { ...attrs }, () => {
    const b = backendOf(input);
    if (mode === 'nearest') {
      const tables = [0, 1].map((d) => nearestTable(inSize[d], size[d], scales[d]));
      const rows = gatherAlong(b, input, 2, tables[0]);
      const out = gatherAlong(b, rows, 3, tables[1]);
      rows.dispose();
      return out;
    }
    const wide = accumulateDType(input.dtype);
    const [h, w] = [0, 1].map((d) => linearTable(inSize[d], size[d], attrs.alignCorners, scales[d], wide));
    const x = castTo(input, wide);
    // Along the width first, then the height: PyTorch's order of the products and sums.
    const y = blend(b, x, 3, w, wide);
    const out = blend(b, y, 2, h, wide);
    const result = castTo(out, input.dtype);
    disposeTemps([x, y, out], [input, result]);
    return result;
  });
}

/** PyTorch's `compute_scales_value`: `1 / scaleFactor` when given, else `in / out`, in the compute type. */
function scaleOf(inSize: number, outSize: number, factor: number | null, round: (v: number) => number): number {
  return factor !== null ? round(1 / factor) : round(round(inSize) / outSize);
}

/** PyTorch's `nearest_idx`: the source of every output position (float arithmetic, as its kernel). */
function nearestTable(inSize: number, outSize: number, factor: number | null): Int32Array {
  const table = new Int32Array(outSize);
  const scale = scaleOf(inSize, outSize, factor, Math.fround);
  for (let o = 0; o < outSize; o++) {
    if (outSize === inSize) table[o] = o;
    else if (outSize === 2 * inSize) table[o] = o >> 1;
    else table[o] = Math.min(Math.floor(Math.fround(o * scale)), inSize - 1);
  }
  return table;
}

/** The two taps and weights of linear interpolation at every output position (`compute_indices_weights_linear`). */
interface LinearTable {
  readonly index: readonly [Int32Array, Int32Array];
  readonly weight: readonly [Float64Array, Float64Array];
}

function linearTable(inSize: number, outSize: number, alignCorners: boolean, factor: number | null, dtype: DType): LinearTable {
  const f = dtype === 'float64' ? (v: number) => v : Math.fround;
  let scale: number;
  if (alignCorners) scale = outSize > 1 ? f(f(inSize - 1) / (outSize - 1)) : 0;
  else scale = scaleOf(inSize, outSize, factor, f);
  const index: [Int32Array, Int32Array] = [new Int32Array(outSize), new Int32Array(outSize)];
  const weight: [Float64Array, Float64Array] = [new Float64Array(outSize), new Float64Array(outSize)];
  for (let o = 0; o < outSize; o++) {
    let src = alignCorners ? f(scale * o) : f(f(scale * f(o + 0.5)) - 0.5);
    if (src < 0) src = 0;
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const l1 = Math.min(Math.max(f(src - i0), 0), 1);
    index[0][o] = i0;
    index[1][o] = i0 < inSize - 1 ? i0 + 1 : i0;
    weight[0][o] = f(1 - l1);
    weight[1][o] = l1;
  }
  return { index, weight };
}

/** A `[n]` weight vector shaped to broadcast along `dim` of a 4-D tensor. */
function weightAlong(b: Backend, values: Float64Array, dim: number, dtype: DType): Tensor {
  return hostTensor(b, dtype, values, dim === 3 ? [values.length] : [values.length, 1]);
}

/** `x[.., i0, ..] * w0 + x[.., i1, ..] * w1` along `dim`. */
function blend(b: Backend, x: Tensor, dim: number, table: LinearTable, dtype: DType): Tensor {
  const parts = [0, 1].map((k) => {
    const taps = gatherAlong(b, x, dim, table.index[k]);
    const weight = weightAlong(b, table.weight[k], dim, dtype);
    const part = mul(taps, weight);
    disposeTemps([taps, weight], []);
    return part;
  });
  const out = add(parts[0], parts[1]);
  disposeTemps(parts, []);
  return out;
}

/** `grad` (`[..., n, ...]` along `dim`) summed into zeros of `size` along `dim` at `table`'s positions, after scaling by `weight`. */
function scatterAlong(b: Backend, grad: Tensor, dim: number, table: Int32Array, size: number, into: Tensor | null): Tensor {
  const shape = grad.shape.map((s, d) => (d === dim ? size : s));
  const out =
    into ??
    fromHandle(
      b,
      b.alloc(
        grad.dtype,
        shape.reduce((a, s) => a * s, 1),
      ),
      grad.dtype,
      shape,
    );
  const index = hostTensor(b, 'int32', table, [table.length]);
  b.scatterAdd(out.view_(), dim, indexAlong(index, grad.shape, dim), grad.view_());
  index.dispose();
  return out;
}

/** The gradient of `interpolate` for an input of `shape`: each output's gradient sent back to the taps it read. */
export function interpolateBackward(grad: Tensor, shape: readonly number[], attrs: InterpolateAttrs): Tensor {
  return dispatch('interpolateBackward', [grad], {}, () => {
    const b = backendOf(grad);
    const wide = accumulateDType(grad.dtype);
    const g = castTo(grad, wide);
    const inSize = [shape[2], shape[3]];
    let result: Tensor;
    if (attrs.mode === 'nearest') {
      const tables = [0, 1].map((d) => nearestTable(inSize[d], attrs.size[d], attrs.scales[d]));
      const cols = scatterAlong(b, g, 3, tables[1], inSize[1], null);
      result = scatterAlong(b, cols, 2, tables[0], inSize[0], null);
      cols.dispose();
    } else {
      const [h, w] = [0, 1].map((d) => linearTable(inSize[d], attrs.size[d], attrs.alignCorners, attrs.scales[d], wide));
      let rows: Tensor | null = null;
      for (const k of [0, 1]) {
        const weight = weightAlong(b, h.weight[k], 2, wide);
        const part = mul(g, weight);
        rows = scatterAlong(b, part, 2, h.index[k], inSize[0], rows);
        disposeTemps([weight, part], []);
      }
      let image: Tensor | null = null;
      for (const k of [0, 1]) {
        const weight = weightAlong(b, w.weight[k], 3, wide);
        const part = mul(rows as Tensor, weight);
        image = scatterAlong(b, part, 3, w.index[k], inSize[1], image);
        disposeTemps([weight, part], []);
      }
      (rows as Tensor).dispose();
      result = image as Tensor;
    }
    const out = castTo(result, grad.dtype);
    disposeTemps([g, result], [grad, out]);
    return out;
  });
}
