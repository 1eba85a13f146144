import { KindlingError, type Tensor } from '@kindling/tensor';
import { elu, gelu, hardtanh, leakyRelu, logsigmoid, silu, softplus } from '../functional.js';
import { Module } from '../module.js';
import { checkNumber, pyFloat, pyNumber } from './arguments.js';

/*
 * Constructors take PyTorch's arguments in PyTorch's order and check them at
 * once, so a bad value fails where the model is built rather than at the
 * first forward. PyTorch's `inplace` flags are not taken, as in `Dropout`:
 * every op returns a new tensor, and the reprs print what PyTorch prints for
 * `inplace=False` (nothing, except `Dropout`'s `inplace=False`).
 */

/** `max(x, 0)` (`nn.ReLU`). */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/** `x` where `x > 0`, else `negativeSlope · x` (`nn.LeakyReLU`); repr `LeakyReLU(negative_slope=0.01)`. */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    checkNumber('LeakyReLU', 'negativeSlope', negativeSlope);
  }
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}`;
  }
}

/** `x` where `x > 0`, else `alpha · (eˣ - 1)` (`nn.ELU`); repr `ELU(alpha=1.0)`. */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    checkNumber('ELU', 'alpha', alpha);
  }
  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

/**
 * `x` clamped to `[minVal, maxVal]` (`nn.Hardtanh`); repr
 * `Hardtanh(min_val=-1.0, max_val=1.0)`. Like PyTorch's constructor, it
 * requires `maxVal > minVal`.
 */
export class Hardtanh extends Module {
  constructor(
    readonly minVal = -1,
    readonly maxVal = 1,
  ) {
    super();
    checkNumber('Hardtanh', 'minVal', minVal);
    checkNumber('Hardtanh', 'maxVal', maxVal);
    if (!(maxVal > minVal)) {
      throw new KindlingError(`Hardtanh: maxVal must be greater than minVal, got minVal=${minVal}, maxVal=${maxVal}`);
    }
  }
  forward(x: Tensor): Tensor {
    return hardtanh(x, this.minVal, this.maxVal);
  }
  override extraRepr(): string {
    return `min_val=${pyFloat(this.minVal)}, max_val=${pyFloat(this.maxVal)}`;
  }
}

/**
 * `log(1 + e^{βx}) / β`, linear where `βx > threshold` (`nn.Softplus`); repr
 * `Softplus(beta=1, threshold=20)` (PyTorch 1.13 declares both `int`).
 */
export class Softplus extends Module {
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
    checkNumber('Softplus', 'beta', beta);
    checkNumber('Softplus', 'threshold', threshold);
  }
  forward(x: Tensor): Tensor {
    return softplus(x, this.beta, this.threshold);
  }
  override extraRepr(): string {
    return `beta=${pyNumber(this.beta)}, threshold=${pyNumber(this.threshold)}`;
  }
}

/** The GELU approximations PyTorch offers: `'none'` (exact `x·Φ(x)`) or `'tanh'`. */
export type GeluApproximation = 'none' | 'tanh';

/** The Gaussian error linear unit `x·Φ(x)` (`nn.GELU`); repr `GELU(approximate='none')`. */
export class GELU extends Module {
  constructor(readonly approximate: GeluApproximation = 'none') {
    super();
    // PyTorch only notices a bad value at the first forward; failing here names the constructor.
    if (approximate !== 'none' && approximate !== 'tanh') {
      throw new KindlingError(`GELU: approximate must be 'none' or 'tanh', got ${JSON.stringify(approximate)}`);
    }
  }
  forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** `x · sigmoid(x)`, also called swish (`nn.SiLU`); repr `SiLU()`. */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

/** `1 / (1 + e⁻ˣ)` (`nn.Sigmoid`). */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/** `log(sigmoid(x))`, without overflow for large `|x|` (`nn.LogSigmoid`); repr `LogSigmoid()`. */
export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor {
    return logsigmoid(x);
  }
}

/** Hyperbolic tangent (`nn.Tanh`). */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/** Softmax along `dim` (`nn.Softmax`). */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.softmax(this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Log-softmax along `dim` (`nn.LogSoftmax`), the usual last layer before `NLLLoss`. */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.logSoftmax(this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Returns its input unchanged (`nn.Identity`). */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
