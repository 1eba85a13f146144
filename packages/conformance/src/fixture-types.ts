import type { DType } from '@kindling/tensor';

/** A number as fixtures store it: JSON has no NaN or infinities, so those are strings. */
export type FixtureNumber = number | boolean | 'nan' | 'inf' | '-inf';

/**
 * One step that turns a base tensor into a view, with the arguments of the
 * Kindling method of the same name (`slice` is `[dim, start, end, step]`).
 */
export type ViewStep =
  | ['transpose', number, number]
  | ['permute', number[]]
  | ['slice', number, number | null, number | null, number]
  | ['narrow', number, number, number]
  | ['select', number, number]
  | ['expand', number[]]
  | ['unsqueeze', number]
  | ['squeeze', number?]
  | ['view', number[]]
  | ['reshape', number[]]
  | ['flatten', number?, number?]
  | ['t'];

/** A tensor: row-major values, and optionally view steps applied to that (contiguous) base. */
export interface FixtureTensor {
  dtype: DType;
  shape: number[];
  values: FixtureNumber[];
  view?: ViewStep[];
}

/** A Python number passed where Kindling takes a `TensorLike`. */
export interface FixtureScalar {
  scalar: number | boolean;
}

export type FixtureInput = FixtureTensor | FixtureScalar;

/** One op call recorded from PyTorch. */
export interface FixtureCase {
  /** Unique and readable: `binary/add(float32[2,3],int32[3])`. */
  id: string;
  /**
   * unary, binary, where, clamp, reduce, matmul, linear, softmax, view, viewop, indexSelect, gather, scatterAdd, cat, stack, topk, sort, cast;
   * in the sliding-window fixtures conv, unfold, pool, norm, pad, interpolate.
   */
  group: string;
  /** Kindling's name of the op (`floorDivide`, `maxDim` for `max(x, dim)`). */
  op: string;
  inputs: FixtureInput[];
  args?: Record<string, unknown>;
  /** The results (two for maxDim/minDim/topk/sort), or an error PyTorch raised. */
  expected: FixtureTensor[] | { error: true };
  torchError?: string;
  /** PyTorch's gradients, for cases of differentiable ops (tagged `grad` in their ids). */
  grad?: FixtureGrad;
  /**
   * Sliding-window fixtures: per result, about the largest sum of |terms| one of its elements
   * adds up (at least 1). Absolute tolerances are multiplied by it, since rounding error grows
   * with it and a kernel summing in another order differs from PyTorch by that much.
   */
  scale?: number[];
  /**
   * For ops that update inputs in place (batch norm's running statistics in training): per
   * input, its values after the op, or null for an input the op must leave alone.
   */
  updated?: (FixtureTensor | null)[];
}

/**
 * The backward pass of a case with one result: `torch.autograd.grad(result,
 * inputs, output)`, the op's inputs themselves (views too) being the leaves.
 */
export interface FixtureGrad {
  /** The upstream gradient: the result's shape and dtype. */
  output: FixtureTensor;
  /** Each input's gradient (its shape, contiguous), or null for inputs that do not require grad. */
  inputs: (FixtureTensor | null)[];
  /** Sliding-window fixtures: each input gradient's tolerance scale, as `FixtureCase.scale`. */
  scale?: (number | null)[];
}

/** A `str(tensor)` from PyTorch, translated to Kindling's dtype conventions. */
export interface FixturePrint {
  name: string;
  tensor: FixtureTensor;
  expected: string;
}

/**
 * The file `tools/fixtures/generate_tensor_ops.py` writes (and `gen_window.py`, for the
 * sliding-window ops, with no printing samples).
 */
export interface FixtureFile {
  version: number;
  generator: string;
  torch: string;
  int64As: 'int32';
  notes: string;
  cases: FixtureCase[];
  printing: FixturePrint[];
}
