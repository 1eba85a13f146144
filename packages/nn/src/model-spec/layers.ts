import {
  ELU,
  GELU,
  type GeluApproximation,
  Hardtanh,
  Identity,
  LeakyReLU,
  LogSigmoid,
  LogSoftmax,
  ReLU,
  SiLU,
  Sigmoid,
  Softmax,
  Softplus,
  Tanh,
} from '../layers/activations.js';
import { Dropout, Dropout2d } from '../layers/dropout.js';
import { Linear } from '../layers/linear.js';
import { Flatten, Unflatten } from '../layers/reshape.js';
import type { Module } from '../module.js';
import { MAX_FEATURES, bool, dim, features, int, list, num, oneOf, probability } from './checks.js';
import type { Args, LayerKind, Options } from './kind.js';
import { SPATIAL_KINDS } from './spatial-kinds.js';

export type { LayerKind } from './kind.js';

const noArgs = (): [Args, Options] => [[], {}];

function simple(cls: new () => Module): LayerKind {
  return { cls, args: [], options: {}, build: () => new cls(), describe: noArgs };
}

/** Every layer a model description may name, by PyTorch class name. */
export const LAYER_KINDS: Readonly<Record<string, LayerKind>> = {
  Linear: {
    cls: Linear,
    args: [
      { name: 'inFeatures', check: features },
      { name: 'outFeatures', check: features },
    ],
    options: { bias: { name: 'bias', check: bool, default: true } },
    state: ([i, o], opts) => ({
      parameters: { weight: [o as number, i as number], ...(opts.bias === false ? {} : { bias: [o as number] }) },
      buffers: {},
    }),
    build: ([i, o], opts) => new Linear(i as number, o as number, opts),
    describe: (m) => {
      const l = m as Linear;
      return [[l.inFeatures, l.outFeatures], { bias: l.bias !== null }];
    },
  },
  ...SPATIAL_KINDS,
  Flatten: {
    cls: Flatten,
    args: [
      { name: 'startDim', check: dim, default: 1 },
      { name: 'endDim', check: dim, default: -1 },
    ],
    options: {},
    build: ([s, e]) => new Flatten(s as number, e as number),
    describe: (m) => [[(m as Flatten).startDim, (m as Flatten).endDim], {}],
  },
  Unflatten: {
    cls: Unflatten,
    args: [
      { name: 'dim', check: dim },
      { name: 'unflattenedSize', check: list(int(-1, MAX_FEATURES), 8) },
    ],
    options: {},
    build: ([d, s]) => new Unflatten(d as number, s as number[]),
    describe: (m) => [[(m as Unflatten).dim, [...(m as Unflatten).unflattenedSize]], {}],
  },
  Dropout: {
    cls: Dropout,
    args: [{ name: 'p', check: probability, default: 0.5 }],
    options: {},
    build: ([p]) => new Dropout(p as number),
    describe: (m) => [[(m as Dropout).p], {}],
  },
  Dropout2d: {
    cls: Dropout2d,
    args: [{ name: 'p', check: probability, default: 0.5 }],
    options: {},
    build: ([p]) => new Dropout2d(p as number),
    describe: (m) => [[(m as Dropout2d).p], {}],
  },
  ReLU: simple(ReLU),
  SiLU: simple(SiLU),
  Sigmoid: simple(Sigmoid),
  LogSigmoid: simple(LogSigmoid),
  Tanh: simple(Tanh),
  Identity: simple(Identity),
  LeakyReLU: {
    cls: LeakyReLU,
    args: [{ name: 'negativeSlope', check: num(), default: 0.01 }],
    options: {},
    build: ([s]) => new LeakyReLU(s as number),
    describe: (m) => [[(m as LeakyReLU).negativeSlope], {}],
  },
  ELU: {
    cls: ELU,
    args: [{ name: 'alpha', check: num(), default: 1 }],
    options: {},
    build: ([a]) => new ELU(a as number),
    describe: (m) => [[(m as ELU).alpha], {}],
  },
  Hardtanh: {
    cls: Hardtanh,
    args: [
      { name: 'minVal', check: num(), default: -1 },
      { name: 'maxVal', check: num(), default: 1 },
    ],
    options: {},
    build: ([lo, hi]) => new Hardtanh(lo as number, hi as number),
    describe: (m) => [[(m as Hardtanh).minVal, (m as Hardtanh).maxVal], {}],
  },
  Softplus: {
    cls: Softplus,
    args: [
      { name: 'beta', check: num(), default: 1 },
      { name: 'threshold', check: num(), default: 20 },
    ],
    options: {},
    build: ([b, t]) => new Softplus(b as number, t as number),
    describe: (m) => [[(m as Softplus).beta, (m as Softplus).threshold], {}],
  },
  GELU: {
    cls: GELU,
    args: [{ name: 'approximate', check: oneOf(['none', 'tanh']), default: 'none' }],
    options: {},
    build: ([a]) => new GELU(a as GeluApproximation),
    describe: (m) => [[(m as GELU).approximate], {}],
  },
  Softmax: {
    cls: Softmax,
    args: [{ name: 'dim', check: dim }],
    options: {},
    build: ([d]) => new Softmax(d as number),
    describe: (m) => [[(m as Softmax).dim], {}],
  },
  LogSoftmax: {
    cls: LogSoftmax,
    args: [{ name: 'dim', check: dim }],
    options: {},
    build: ([d]) => new LogSoftmax(d as number),
    describe: (m) => [[(m as LogSoftmax).dim], {}],
  },
};
