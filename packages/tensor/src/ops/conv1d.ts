import { KindlingError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { asBatchOfOne, checkConvDTypes, convGeometry } from './conv-args.js';
import { convolution } from './conv2d.js';

/** Options of {@link conv1d}, with PyTorch's defaults (stride 1, padding 0, dilation 1, groups 1). */
export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
  groups?: number;
}

/** Refuses the pairs a 2-D convolution takes and values below `min` (PyTorch: "expected stride to be a single integer value"). */
function single(name: string, value: unknown, min: number): void {
  if (value === undefined || value === 'same' || value === 'valid') return;
  if (typeof value !== 'number') {
    throw new KindlingError(`conv1d: expected ${name} to be a single integer value, but got ${JSON.stringify(value)}`);
  }
  if (!Number.isInteger(value) || value < min) throw new KindlingError(`conv1d: ${name} must be an integer ≥ ${min}, got ${value}`);
}

/**
 * `torch.nn.functional.conv1d`: a 1-D convolution of `input` `[N, Cin, L]`
 * (or unbatched `[Cin, L]`) with `weight` `[Cout, Cin/groups, k]`, plus
 * `bias` `[Cout]` when given. Runs as a 2-D convolution of height 1, so it
 * shares conv2d's kernels and gradient (`ConvolutionBackward0`).
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv1dOptions = {}): Tensor {
  input.assertAlive('conv1d');
  weight.assertAlive('conv1d');
  if (input.ndim !== 2 && input.ndim !== 3) {
    throw new ShapeError(`conv1d: expected a 2-D (unbatched) or 3-D (batched) input, but got input of size ${fmtShape(input.shape)}`);
  }
  if (weight.ndim !== 3) {
    throw new ShapeError(
      `conv1d: expected a 3-D weight [outChannels, inChannels/groups, k], but got weight of size ${fmtShape(weight.shape)}`,
    );
  }
  checkConvDTypes('conv1d', input, weight, bias ?? null);
  single('stride', options.stride, 1);
  single('padding', options.padding, 0);
  single('dilation', options.dilation, 1);
  const pad = options.padding ?? 0;
  const geometry = convGeometry('conv1d', [1, weight.shape[2]], {
    stride: [1, options.stride ?? 1],
    padding: typeof pad === 'string' ? pad : [0, pad],
    dilation: [1, options.dilation ?? 1],
  });
  const groups = options.groups ?? 1;
  if (input.ndim === 3) return convolution('conv1d', input, weight, bias ?? null, geometry, groups);
  return asBatchOfOne(input, (batched) => convolution('conv1d', batched, weight, bias ?? null, geometry, groups));
}
