import * as K from '@kindling/tensor';
import { Tensor, type TensorLike } from '@kindling/tensor';

/*
 * The sliding-window fixture ops (tools/fixtures/gen_window.py) as calls of
 * Kindling's public API. A case's args are Kindling's option names; pairs
 * are JSON arrays, and Python's None is null (an adaptive pool's "keep this
 * size", else "not given").
 */

type Args = Record<string, unknown>;
type Pair = number | readonly [number, number];

const tensorAt = (inputs: TensorLike[], i: number): Tensor => {
  const x = inputs[i];
  if (!(x instanceof Tensor)) throw new TypeError(`fixture input ${i} must be a tensor`);
  return x;
};
const optionalAt = (inputs: TensorLike[], i: number): Tensor | null => (i < inputs.length ? tensorAt(inputs, i) : null);
const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));

/** The window options every sliding-window op shares. */
const windowOptions = (a: Args) => ({
  stride: opt<Pair>(a.stride),
  padding: opt<Pair>(a.padding),
  dilation: opt<Pair>(a.dilation),
});

const convOptions = (a: Args) => ({
  stride: opt<Pair>(a.stride),
  padding: opt<Pair | 'same' | 'valid'>(a.padding),
  dilation: opt<Pair>(a.dilation),
  groups: opt<number>(a.groups),
});

const conv1dOptions = (a: Args) => ({
  stride: opt<number>(a.stride),
  padding: opt<number | 'same' | 'valid'>(a.padding),
  dilation: opt<number>(a.dilation),
  groups: opt<number>(a.groups),
});

/** Batch norm's optional tensors, named in `args.tensors` in the order the case lists them after the input. */
function batchNorm(inputs: TensorLike[], a: Args): Tensor {
  const names = (a.tensors as string[] | undefined) ?? [];
  const named = (name: string): Tensor | null => {
    const at = names.indexOf(name);
    return at < 0 ? null : tensorAt(inputs, at + 1);
  };
  return K.batchNorm(tensorAt(inputs, 0), named('runningMean'), named('runningVar'), {
    weight: named('weight'),
    bias: named('bias'),
    training: opt<boolean>(a.training),
    momentum: opt<number>(a.momentum),
    eps: opt<number>(a.eps),
  });
}

/** Each sliding-window fixture op, as a call of Kindling's public API. */
export const WINDOW_OPS: Record<string, (inputs: TensorLike[], args: Args) => Tensor | Tensor[]> = {
  conv1d: (i, a) => K.conv1d(tensorAt(i, 0), tensorAt(i, 1), optionalAt(i, 2), conv1dOptions(a)),
  conv2d: (i, a) => K.conv2d(tensorAt(i, 0), tensorAt(i, 1), optionalAt(i, 2), convOptions(a)),
  convTranspose2d: (i, a) =>
    K.convTranspose2d(tensorAt(i, 0), tensorAt(i, 1), optionalAt(i, 2), {
      stride: opt<Pair>(a.stride),
      padding: opt<Pair>(a.padding),
      outputPadding: opt<Pair>(a.outputPadding),
      dilation: opt<Pair>(a.dilation),
      groups: opt<number>(a.groups),
    }),
  unfold: (i, a) => K.unfold(tensorAt(i, 0), a.kernelSize as Pair, windowOptions(a)),
  fold: (i, a) => K.fold(tensorAt(i, 0), a.outputSize as Pair, a.kernelSize as Pair, windowOptions(a)),
  maxPool2d: (i, a) => K.maxPool2d(tensorAt(i, 0), a.kernelSize as Pair, { ...windowOptions(a), ceilMode: opt<boolean>(a.ceilMode) }),
  maxPool2dWithIndices: (i, a) =>
    K.maxPool2dWithIndices(tensorAt(i, 0), a.kernelSize as Pair, { ...windowOptions(a), ceilMode: opt<boolean>(a.ceilMode) }),
  avgPool2d: (i, a) =>
    K.avgPool2d(tensorAt(i, 0), a.kernelSize as Pair, {
      stride: opt<Pair>(a.stride),
      padding: opt<Pair>(a.padding),
      ceilMode: opt<boolean>(a.ceilMode),
      countIncludePad: opt<boolean>(a.countIncludePad),
      divisorOverride: opt<number>(a.divisorOverride),
    }),
  adaptiveAvgPool2d: (i, a) => K.adaptiveAvgPool2d(tensorAt(i, 0), a.outputSize as Parameters<typeof K.adaptiveAvgPool2d>[1]),
  batchNorm,
  pad: (i, a) =>
    K.pad(tensorAt(i, 0), a.pad as number[], { mode: opt<'constant' | 'reflect' | 'replicate'>(a.mode), value: opt<number>(a.value) }),
  interpolate: (i, a) =>
    K.interpolate(tensorAt(i, 0), {
      size: opt<Pair>(a.size),
      scaleFactor: opt<number | [number, number]>(a.scaleFactor),
      mode: opt<'nearest' | 'bilinear'>(a.mode),
      alignCorners: opt<boolean>(a.alignCorners),
    }),
};
