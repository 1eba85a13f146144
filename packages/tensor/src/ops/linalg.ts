import { dispatch } from '../dispatch.js';
import { DTypeError, ShapeError, fmtShape } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { add } from './elementwise.js';
import { castTo, checkSameDevice, disposeTemps, fromHandle } from './util.js';
import { expand, reshape, squeeze, transpose, unsqueeze } from './views.js';

function checkOperands(op: string, a: Tensor, b: Tensor): void {
  checkSameDevice(op, [a, b]);
  if (a.dtype !== b.dtype) {
    throw new DTypeError(`${op}: expected both operands to have the same dtype, but got ${a.dtype} and ${b.dtype}`);
  }
  if (a.dtype === 'bool') throw new DTypeError(`${op}: not supported for bool tensors`);
}

function cannotMultiply(op: string, a: Tensor, b: Tensor, k1: number, k2: number): ShapeError {
  return new ShapeError(`${op}: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied (${k1} != ${k2})`);
}

/**
 * Batched matrix product of two tensors of rank ≥ 2 with broadcast batch dims,
 * done by the backend's matmul primitive without copying inputs.
 */
function batchedMatmul(a: Tensor, b: Tensor): Tensor {
  const m = a.shape[a.ndim - 2];
  const n = b.shape[b.ndim - 1];
  const backend = a.storage.backend;
  // Two matrices (every product of an MLP step) need no batch broadcast: no expanded views to make and free.
  if (a.ndim === 2 && b.ndim === 2) return fromHandle(backend, backend.matmul(a.view_(), b.view_()), a.dtype, [m, n]);
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const ea = expand(a, [...batch, m, a.shape[a.ndim - 1]]);
  const eb = expand(b, [...batch, b.shape[b.ndim - 2], n]);
  const shape = [...batch, m, n];
  const out = fromHandle(backend, backend.matmul(ea.view_(), eb.view_()), a.dtype, shape);
  disposeTemps([ea, eb], [a, b]);
  return out;
}

/** `torch.matmul`: dot, matrix-vector, matrix-matrix or batched with broadcasting. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkOperands('matmul', a, b);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`matmul: both arguments need at least 1 dimension, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const ka = a.shape[a.ndim - 1];
  const kb = b.ndim === 1 ? b.shape[0] : b.shape[b.ndim - 2];
  if (ka !== kb) throw cannotMultiply('matmul', a, b, ka, kb);
  if (a.ndim >= 2 && b.ndim >= 2) broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  return dispatch('matmul', [a, b], {}, () => {
    // Vectors become 1-row / 1-column matrices and the added dim is dropped again.
    const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
    const b2 = b.ndim === 1 ? unsqueeze(b, 1) : b;
    const full = batchedMatmul(a2, b2);
    let out = full;
    if (a.ndim === 1 && b.ndim === 1) out = reshape(full, []);
    else if (a.ndim === 1) out = squeeze(full, -2);
    else if (b.ndim === 1) out = squeeze(full, -1);
    disposeTemps([a2, b2, full], [a, b, out]);
    return out;
  });
}

/** Matrix product of two 2-D tensors. */
export function mm(a: Tensor, b: Tensor): Tensor {
  checkOperands('mm', a, b);
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new ShapeError(`mm: expected 2-D tensors, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  if (a.shape[1] !== b.shape[0]) throw cannotMultiply('mm', a, b, a.shape[1], b.shape[0]);
  return dispatch('mm', [a, b], {}, () => batchedMatmul(a, b));
}

/**
 * `x @ weight^T + bias` (torch.nn.functional.linear): `x` is `[..., in]`,
 * `weight` `[out, in]`, `bias` `[out]`. Uses the backend's fused kernel when it has one.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkOperands('linear', x, weight);
  if (weight.ndim !== 2) throw new ShapeError(`linear: weight must be 2-D [out_features, in_features], got ${fmtShape(weight.shape)}`);
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new ShapeError(
      `linear: input ${fmtShape(x.shape)} and weight ${fmtShape(weight.shape)} cannot be multiplied (${x.shape[x.ndim - 1] ?? 'scalar'} != ${weight.shape[1]})`,
    );
  }
  if (bias) {
    checkOperands('linear', x, bias);
    if (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0]) {
      throw new ShapeError(`linear: bias must have shape [${weight.shape[0]}], got ${fmtShape(bias.shape)}`);
    }
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return dispatch('linear', inputs, { hasBias: !!bias }, () => {
    const backend = x.storage.backend;
    const fused = backend.fused?.linear;
    if (fused && x.ndim === 2) {
      const handle = fused.call(backend.fused, x.view_(), weight.view_(), bias ? bias.view_() : null);
      return fromHandle(backend, handle, x.dtype, [x.shape[0], weight.shape[0]]);
    }
    if (x.dtype !== 'float16') return lowerLinear(x, weight, bias ?? null);
    // float16 computes in float32 and rounds once, as fused kernels and PyTorch's half addmm (which
    // adds the bias in its float accumulator) do: a product rounded to half before the bias is
    // added lands several half ulps away where the two nearly cancel.
    const wide = [x, weight, ...(bias ? [bias] : [])].map((t) => castTo(t, 'float32'));
    const product = lowerLinear(wide[0], wide[1], wide[2] ?? null);
    const out = castTo(product, 'float16');
    disposeTemps([...wide, product], [out]);
    return out;
  });
}

/** `x @ weight^T + bias` from the `matmul` and `binary` primitives, each rounding to the operands' dtype. */
function lowerLinear(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor {
  const wt = transpose(weight, 0, 1);
  const product = x.ndim === 1 ? matmul(x, wt) : batchedMatmul(x, wt);
  if (!bias) {
    wt.dispose();
    return product;
  }
  const out = add(product, bias);
  disposeTemps([wt, product], [out]);
  return out;
}
