import { KindlingError, type Tensor, conv1d, conv2d, empty, pad } from '@kindling/tensor';
import { calculateFans, kaimingUniform_, uniform_ } from '../init.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import { type Pair, checkInt, checkTuple, pyBool, pyTuple } from './window.js';

/** How a convolution pads its input: with zeros (in the op itself) or by `F.pad`'s reflect/replicate modes. */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate';

/** Options of `Conv1d` and `Conv2d`, PyTorch's keyword arguments in camelCase. */
export interface ConvOptions<P = Pair> {
  /** Step of the window (default 1). */
  stride?: P;
  /** Implicit padding on both sides: a size, or `'same'` (output as large as the input; stride 1 only) or `'valid'` (none). */
  padding?: P | 'same' | 'valid';
  /** Spacing between kernel taps (default 1). */
  dilation?: P;
  /** Blocked connections: `inChannels / groups` inputs per output (default 1; `groups = inChannels` is depthwise). */
  groups?: number;
  /** Whether to learn an additive bias (default true). */
  bias?: boolean;
  /** `'zeros'` (default), `'reflect'` or `'replicate'`. PyTorch's `'circular'` is not supported. */
  paddingMode?: PaddingMode;
  device?: string;
  dtype?: 'float32' | 'float64';
}

const PADDING_MODES: readonly string[] = ['zeros', 'reflect', 'replicate'];

/**
 * What `Conv1d`, `Conv2d` and `ConvTranspose2d` share (PyTorch's `_ConvNd`):
 * the checked arguments as tuples, the parameters, PyTorch's initialisation
 * and repr. `kernelSize`, `stride`, `dilation` have one entry per spatial dim.
 */
export abstract class ConvNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  /** Per-dim padding, or the string the layer was given. */
  readonly padding: number[] | 'same' | 'valid';
  readonly dilation: number[];
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  /** Extra size on one side of a transposed convolution's output (zeros for the others). */
  readonly outputPadding: number[];
  weight: Parameter;
  bias: Parameter | null;
  /** `F.pad`'s `pad` for a non-zeros `paddingMode`: last dim first, before/after. */
  protected readonly reversedPadding: number[];

  protected constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: unknown,
    options: ConvOptions<number | readonly number[]> & { outputPadding?: unknown },
    dims: number,
    readonly transposed: boolean,
  ) {
    super();
    const name = new.target.name;
    checkInt(name, 'inChannels', inChannels, 1);
    checkInt(name, 'outChannels', outChannels, 1);
    this.kernelSize = checkTuple(name, 'kernelSize', kernelSize, dims, 1);
    this.stride = checkTuple(name, 'stride', options.stride ?? 1, dims, 1);
    this.dilation = checkTuple(name, 'dilation', options.dilation ?? 1, dims, 1);
    this.outputPadding = checkTuple(name, 'outputPadding', options.outputPadding ?? 0, dims, 0);
    const groups = options.groups ?? 1;
    if (typeof groups !== 'number' || !Number.isInteger(groups) || groups < 1) {
      throw new KindlingError(`${name}: groups must be a positive integer, got ${String(groups)}`);
    }
    this.groups = groups;
    if (inChannels % groups) throw new KindlingError(`${name}: inChannels (${inChannels}) must be divisible by groups (${groups})`);
    if (outChannels % groups) throw new KindlingError(`${name}: outChannels (${outChannels}) must be divisible by groups (${groups})`);
    const padding = options.padding ?? 0;
    if (typeof padding === 'string') {
      if (padding !== 'same' && padding !== 'valid') {
        throw new KindlingError(`${name}: invalid padding string ${JSON.stringify(padding)}, should be one of 'valid', 'same'`);
      }
      if (transposed) throw new KindlingError(`${name}: padding must be a size, not ${JSON.stringify(padding)}`);
      if (padding === 'same' && this.stride.some((s) => s !== 1)) {
        throw new KindlingError(`${name}: padding='same' is not supported for strided convolutions`);
      }
      this.padding = padding;
    } else {
      this.padding = checkTuple(name, 'padding', padding, dims, 0);
    }
    const mode = options.paddingMode ?? 'zeros';
    if (!PADDING_MODES.includes(mode)) {
      throw new KindlingError(`${name}: paddingMode must be one of 'zeros', 'reflect', 'replicate', got ${JSON.stringify(mode)}`);
    }
    if (transposed && mode !== 'zeros') throw new KindlingError(`${name}: only the 'zeros' paddingMode is supported`);
    this.paddingMode = mode;
    this.reversedPadding = this.kernelSize
      .map((k, d) => {
        if (this.padding === 'valid') return [0, 0];
        if (this.padding === 'same') {
          // PyTorch puts the odd element of the total padding on the right.
          const total = this.dilation[d] * (k - 1);
          return [Math.floor(total / 2), total - Math.floor(total / 2)];
        }
        return [this.padding[d], this.padding[d]];
      })
      .reverse()
      .flat();
    const like = { device: options.device, dtype: options.dtype ?? 'float32' };
    const weightShape = transposed
      ? [inChannels, outChannels / groups, ...this.kernelSize]
      : [outChannels, inChannels / groups, ...this.kernelSize];
    this.weight = new Parameter(empty(weightShape, like));
    this.bias = options.bias === false ? null : new Parameter(empty([outChannels], like));
    this.resetParameters();
  }

  /** Re-draws the weights: kaiming-uniform with a = √5 and a bias uniform in ±1/√fan_in, as PyTorch. */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const { fanIn } = calculateFans(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  /** `x` padded for a non-zeros `paddingMode` (the convolution then pads nothing), or `x` itself. */
  protected padded(x: Tensor): Tensor {
    return this.paddingMode === 'zeros' ? x : pad(x, this.reversedPadding, { mode: this.paddingMode });
  }

  /** PyTorch's `_ConvNd.extra_repr`: `1, 32, kernel_size=(3, 3), stride=(1, 1)` plus what differs from the defaults. */
  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyTuple(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += `, bias=${pyBool(false)}`;
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/**
 * 2-D convolution over `[N, Cin, H, W]` (or unbatched `[Cin, H, W]`) images
 * (`torch.nn.Conv2d`): weight `[outChannels, inChannels/groups, kh, kw]`,
 * bias `[outChannels]`, initialised as PyTorch does.
 *
 * ```ts
 * const conv = new Conv2d(1, 32, 3); // Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))
 * const y = conv(randn(64, 1, 28, 28)); // [64, 32, 26, 26]
 * ```
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: ConvOptions<Pair> = {}) {
    super(inChannels, outChannels, kernelSize, options, 2, false);
  }

  forward(x: Tensor): Tensor {
    const [sh, sw] = this.stride;
    const [dh, dw] = this.dilation;
    const padding =
      this.paddingMode !== 'zeros' ? 0 : typeof this.padding === 'string' ? this.padding : ([this.padding[0], this.padding[1]] as const);
    return conv2d(this.padded(x), this.weight, this.bias, { stride: [sh, sw], padding, dilation: [dh, dw], groups: this.groups });
  }
}

/**
 * 1-D convolution over `[N, Cin, L]` (or unbatched `[Cin, L]`) sequences
 * (`torch.nn.Conv1d`): weight `[outChannels, inChannels/groups, k]`.
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number, options: ConvOptions<number> = {}) {
    super(inChannels, outChannels, kernelSize, options, 1, false);
  }

  forward(x: Tensor): Tensor {
    const padding = this.paddingMode !== 'zeros' ? 0 : typeof this.padding === 'string' ? this.padding : this.padding[0];
    return conv1d(this.padded(x), this.weight, this.bias, {
      stride: this.stride[0],
      padding,
      dilation: this.dilation[0],
      groups: this.groups,
    });
  }
}
