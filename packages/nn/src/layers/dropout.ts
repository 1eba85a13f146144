import type { Tensor } from '@kindling/tensor';
import { dropout } from '../functional.js';
import { checkProbability } from '../functional/dropout.js';
import { dropout2d } from '../functional/spatial.js';
import { Module } from '../module.js';
import { pyFloat } from './arguments.js';

/** Inverted dropout while training; the identity in `eval()` mode (`nn.Dropout`); repr `Dropout(p=0.5, inplace=False)`. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkProbability('Dropout', p);
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

/**
 * Channel dropout (`nn.Dropout2d`): while training, each channel `x[n, c]` of
 * an `[N, C, H, W]` batch is zeroed whole with probability `p` and the kept
 * ones scaled by `1/(1-p)`; the identity in `eval()`. Neighbouring pixels of a
 * feature map are correlated, so dropping single pixels barely regularises.
 */
export class Dropout2d extends Module {
  constructor(readonly p = 0.5) {
    super();
    checkProbability('Dropout2d', p);
  }
  forward(x: Tensor): Tensor {
    return dropout2d(x, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}
