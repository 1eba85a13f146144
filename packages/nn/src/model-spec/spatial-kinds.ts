import { KindlingError } from '@kindling/tensor';
import { BatchNorm1d, BatchNorm2d } from '../layers/batch-norm.js';
import { ConvTranspose2d } from '../layers/conv-transpose.js';
import { Conv1d, Conv2d, type ConvNd } from '../layers/conv.js';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from '../layers/pooling.js';
import {
  type Check,
  type JsonValue,
  MAX_FEATURES,
  MAX_WINDOW,
  bool,
  features,
  int,
  invalid,
  nullable,
  num,
  oneOf,
  orWord,
  pair,
} from './checks.js';
import { type Args, type LayerKind, type LayerState, type Options, compact } from './kind.js';

/* The model description of the convolution, pooling and batch-norm layers. */

const windowSize = pair(1, MAX_WINDOW);
const windowPad = pair(0, MAX_WINDOW);
const kernelPair = (v: JsonValue): number[] => (typeof v === 'number' ? [v, v] : [...(v as number[])]);
const asPair = (v: JsonValue): number | [number, number] => v as number | [number, number];

function convOptions(transposed: boolean, window: Check, pad: Check): LayerKind['options'] {
  const options: LayerKind['options'] = {
    stride: { name: 'stride', check: window, default: 1 },
    padding: { name: 'padding', check: transposed ? pad : orWord(pad, ['same', 'valid']), default: 0 },
    dilation: { name: 'dilation', check: window, default: 1 },
    groups: { name: 'groups', check: features, default: 1 },
    bias: { name: 'bias', check: bool, default: true },
  };
  if (transposed) options.outputPadding = { name: 'outputPadding', check: pad, default: 0 };
  else options.paddingMode = { name: 'paddingMode', check: oneOf(['zeros', 'reflect', 'replicate']), default: 'zeros' };
  return options;
}

/** A convolution's weight `[out, in / groups, ...kernel]` (transposed: `[in, out / groups, ...kernel]`) and bias `[out]`. */
function convState(transposed: boolean, kernel: (k: JsonValue) => number[] = kernelPair) {
  return ([inC, outC, k]: Args, o: Options): LayerState => {
    const [i, out] = [inC as number, outC as number];
    const groups = (o.groups as number | undefined) ?? 1;
    // The constructor's own checks, made before the shapes below would be fractional.
    if (i % groups) throw new KindlingError(`inChannels (${i}) must be divisible by groups (${groups})`);
    if (out % groups) throw new KindlingError(`outChannels (${out}) must be divisible by groups (${groups})`);
    const weight = transposed ? [i, out / groups, ...kernel(k)] : [out, i / groups, ...kernel(k)];
    return { parameters: { weight, ...(o.bias === false ? {} : { bias: [out] }) }, buffers: {} };
  };
}

function describeConv(m: ConvNd, transposed: boolean): [Args, Options] {
  const options: Options = {
    stride: compact(m.stride),
    padding: typeof m.padding === 'string' ? m.padding : compact(m.padding),
    dilation: compact(m.dilation),
    groups: m.groups,
    bias: m.bias !== null,
  };
  if (transposed) options.outputPadding = compact(m.outputPadding);
  else options.paddingMode = m.paddingMode;
  return [[m.inChannels, m.outChannels, compact(m.kernelSize)], options];
}

const batchNormOptions: LayerKind['options'] = {
  eps: { name: 'eps', check: num(Number.MIN_VALUE, 1), default: 1e-5 },
  momentum: { name: 'momentum', check: nullable(num(0, 1)), default: 0.1 },
  affine: { name: 'affine', check: bool, default: true },
  trackRunningStats: { name: 'trackRunningStats', check: bool, default: true },
};

function batchNormKind(cls: typeof BatchNorm1d | typeof BatchNorm2d): LayerKind {
  return {
    cls,
    args: [{ name: 'numFeatures', check: features }],
    options: batchNormOptions,
    state: ([c], o): LayerState => ({
      parameters: o.affine === false ? {} : { weight: [c as number], bias: [c as number] },
      buffers: o.trackRunningStats === false ? {} : { running_mean: [c as number], running_var: [c as number], num_batches_tracked: [] },
    }),
    build: ([c], o) => new cls(c as number, o as { eps?: number; momentum?: number | null }),
    describe: (m) => {
      const bn = m as BatchNorm1d;
      return [[bn.numFeatures], { eps: bn.eps, momentum: bn.momentum, affine: bn.affine, trackRunningStats: bn.trackRunningStats }];
    },
  };
}

const poolOptions = (extra: LayerKind['options']): LayerKind['options'] => ({
  stride: { name: 'stride', check: nullable(windowSize), default: null },
  padding: { name: 'padding', check: windowPad, default: 0 },
  ...extra,
  ceilMode: { name: 'ceilMode', check: bool, default: false },
});
/** A pooling layer's stride, null when it is the kernel (PyTorch's `stride=None`). */
const poolStride = (m: { kernelSize: JsonValue; stride: JsonValue }): JsonValue =>
  JSON.stringify(m.stride) === JSON.stringify(m.kernelSize) ? null : m.stride;
/** Options without the nulls that stand for "the default". */
const present = (o: Options): Options => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));

const adaptiveSize: Check = (v, what) => {
  const entry = (e: unknown) => e === null || (typeof e === 'number' && Number.isInteger(e) && e >= 1 && e <= MAX_WINDOW);
  if ((typeof v === 'number' && entry(v)) || (Array.isArray(v) && v.length === 2 && v.every(entry))) return v as JsonValue;
  throw invalid(what, `an integer in [1, ${MAX_WINDOW}] or a pair of them (null keeps the input size)`, v);
};

/** The convolution, pooling and batch-norm layers a model description may name. */
export const SPATIAL_KINDS: Readonly<Record<string, LayerKind>> = {
  Conv1d: {
    cls: Conv1d,
    args: [
      { name: 'inChannels', check: features },
      { name: 'outChannels', check: features },
      { name: 'kernelSize', check: int(1, MAX_WINDOW) },
    ],
    options: convOptions(false, int(1, MAX_WINDOW), int(0, MAX_WINDOW)),
    state: convState(false, (k) => [k as number]),
    build: ([i, o, k], opts) => new Conv1d(i as number, o as number, k as number, opts),
    describe: (m) => describeConv(m as Conv1d, false),
  },
  Conv2d: {
    cls: Conv2d,
    args: [
      { name: 'inChannels', check: features },
      { name: 'outChannels', check: features },
      { name: 'kernelSize', check: windowSize },
    ],
    options: convOptions(false, windowSize, windowPad),
    state: convState(false),
    build: ([i, o, k], opts) => new Conv2d(i as number, o as number, asPair(k), opts),
    describe: (m) => describeConv(m as Conv2d, false),
  },
  ConvTranspose2d: {
    cls: ConvTranspose2d,
    args: [
      { name: 'inChannels', check: features },
      { name: 'outChannels', check: features },
      { name: 'kernelSize', check: windowSize },
    ],
    options: convOptions(true, windowSize, windowPad),
    state: convState(true),
    build: ([i, o, k], opts) => new ConvTranspose2d(i as number, o as number, asPair(k), opts),
    describe: (m) => describeConv(m as ConvTranspose2d, true),
  },
  MaxPool2d: {
    cls: MaxPool2d,
    args: [{ name: 'kernelSize', check: windowSize }],
    options: poolOptions({
      dilation: { name: 'dilation', check: windowSize, default: 1 },
      returnIndices: { name: 'returnIndices', check: bool, default: false },
    }),
    build: ([k], o) => new MaxPool2d(asPair(k), present(o)),
    describe: (m) => {
      const p = m as MaxPool2d;
      const options = { stride: poolStride(p), padding: p.padding, dilation: p.dilation, ceilMode: p.ceilMode };
      return [[p.kernelSize], { ...options, returnIndices: p.returnIndices }];
    },
  },
  AvgPool2d: {
    cls: AvgPool2d,
    args: [{ name: 'kernelSize', check: windowSize }],
    options: poolOptions({
      countIncludePad: { name: 'countIncludePad', check: bool, default: true },
      divisorOverride: { name: 'divisorOverride', check: nullable(int(1, MAX_FEATURES)), default: null },
    }),
    build: ([k], o) => new AvgPool2d(asPair(k), present(o)),
    describe: (m) => {
      const p = m as AvgPool2d;
      const options = { stride: poolStride(p), padding: p.padding, ceilMode: p.ceilMode, countIncludePad: p.countIncludePad };
      return [[p.kernelSize], { ...options, divisorOverride: p.divisorOverride }];
    },
  },
  AdaptiveAvgPool2d: {
    cls: AdaptiveAvgPool2d,
    args: [{ name: 'outputSize', check: adaptiveSize }],
    options: {},
    build: ([s]) => new AdaptiveAvgPool2d(s as number),
    describe: (m) => [[(m as AdaptiveAvgPool2d).outputSize as JsonValue], {}],
  },
  BatchNorm1d: batchNormKind(BatchNorm1d),
  BatchNorm2d: batchNormKind(BatchNorm2d),
};
