import { KindlingError, type Tensor, isFloating, noGrad } from '@kindling/tensor';
import { grad } from './grad.js';

export interface GradcheckOptions {
  /** Finite-difference step. */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Throw a descriptive error on mismatch (default) instead of returning false. */
  raiseException?: boolean;
}

/** A 0-dim view of element `flat` of `t` (row-major), so it can be nudged in place whatever the strides. */
function elementView(t: Tensor, flat: number): Tensor {
  let view = t;
  let rest = flat;
  for (let d = 0; d < t.ndim; d++) {
    const inner = t.shape.slice(d + 1).reduce((a, b) => a * b, 1);
    view = view.select(0, Math.floor(rest / inner));
    rest %= inner;
  }
  return view;
}

function outputsOf(result: Tensor | readonly Tensor[]): Tensor[] {
  return (Array.isArray(result) ? [...result] : [result as Tensor]).filter((o) => isFloating(o.dtype));
}

/**
 * Compares the gradients autograd computes for `fn` with central finite
 * differences (`torch.autograd.gradcheck`). Inputs that require grad must be
 * float64 and on a backend that reads synchronously.
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor | readonly Tensor[],
  inputs: readonly Tensor[],
  options: GradcheckOptions = {},
): boolean {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const diff = inputs.filter((t) => t.requiresGrad);
  for (const t of diff) {
    if (t.dtype !== 'float64') throw new KindlingError(`gradcheck: inputs that require grad must be float64 for precision, got ${t.dtype}`);
  }
  const outputs = outputsOf(fn(...inputs));
  const numeric = diff.map((x) => outputs.map((o) => new Float64Array(x.numel() * o.numel())));
  noGrad(() => {
    diff.forEach((x, xi) => {
      for (let k = 0; k < x.numel(); k++) {
        const element = elementView(x, k);
        const original = element.itemSync();
        element.fill_(original + eps);
        const plus = outputsOf(fn(...inputs)).map((o) => Float64Array.from(o.readSync()));
        element.fill_(original - eps);
        const minus = outputsOf(fn(...inputs)).map((o) => Float64Array.from(o.readSync()));
        element.fill_(original);
        plus.forEach((p, oi) => {
          for (let j = 0; j < p.length; j++) numeric[xi][oi][k * p.length + j] = (p[j] - minus[oi][j]) / (2 * eps);
        });
      }
    });
  });
  // Recompute after the nudges: they bumped the inputs' versions, which the first graph saved.
  const fresh = outputsOf(fn(...inputs));
  for (let oi = 0; oi < fresh.length; oi++) {
    const o = fresh[oi];
    if (!o.requiresGrad) continue;
    for (let j = 0; j < o.numel(); j++) {
      const seed = noGrad(() => elementBasis(o, j));
      const grads = grad(o, diff, { gradOutputs: seed, retainGraph: true, allowUnused: true });
      for (let xi = 0; xi < diff.length; xi++) {
        const g = grads[xi];
        const analytic = g ? g.readSync() : new Float64Array(diff[xi].numel());
        for (let k = 0; k < diff[xi].numel(); k++) {
          const a = analytic[k];
          const n = numeric[xi][oi][k * o.numel() + j];
          if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n))) {
            if (options.raiseException === false) return false;
            throw new KindlingError(
              `gradcheck: Jacobian mismatch for output ${oi} element ${j} with respect to input ${xi} element ${k}: numerical ${n}, analytical ${a}`,
            );
          }
        }
      }
    }
  }
  return true;
}

/** A tensor shaped like `o`, 1 at flat position `j` and 0 elsewhere. */
function elementBasis(o: Tensor, j: number): Tensor {
  const basis = o.detach().mul(0);
  if (o.ndim === 0) return basis.add(1);
  elementView(basis, j).fill_(1);
  return basis;
}
