import type { DType } from '@kindling/tensor';
import { type FusedKernels, type StorageHandle, type View, type Window2d, windowOutputSize } from '@kindling/tensor/backend';
import { GpuMemory, input, operand } from './gpu-memory.js';
import { type ConvGeometry, convFits, runConv } from './kernels/conv.js';
import { runMap } from './kernels/map.js';
import { runChannelMoments } from './kernels/norm.js';
import { runAvgPool, runMaxPool } from './kernels/pool.js';
import { runCol2im, runIm2col } from './kernels/unfold.js';
import { normalize } from './kernels/wgsl.js';
import { product } from './layout.js';

/** The sliding-window and batch-norm entries of `FusedKernels`. */
export type WindowKernelSet = Required<
  Pick<
    FusedKernels,
    'im2col' | 'col2im' | 'conv2d' | 'conv2dInputGrad' | 'conv2dWeightGrad' | 'maxPool2d' | 'avgPool2d' | 'channelMoments' | 'channelAffine'
  >
>;

/** Kernels compute in f32: float32 and float16 (widened) only; other dtypes lower to primitives. */
const takes = (...views: readonly (View | null)[]): boolean => {
  const dtype = views[0]?.dtype;
  return (dtype === 'float32' || dtype === 'float16') && views.every((v) => v === null || v.dtype === dtype);
};

/** `[outH, outW]` of `window` over an `[H, W]` image. */
function outputSize(size: readonly [number, number], window: Window2d, ceilMode = false): [number, number] {
  const d = (i: 0 | 1) => windowOutputSize(size[i], window.kernel[i], window.stride[i], window.padding[i], window.dilation[i], ceilMode);
  return [d(0), d(1)];
}

/**
 * The convolution, pooling and batch-norm kernels of the WebGPU backend
 * (`WebGPUBackend` adds them to its `fused` table). Each enqueues one
 * dispatch (two when a weight gradient splits its reduction, and the f16
 * widen/round copies on devices with native `f16` storage) and reads nothing
 * back, so a layer's forward and backward stay inside one command batch.
 */
export abstract class WindowKernels extends GpuMemory {
  protected windowKernels(): WindowKernelSet {
    return {
      im2col: (x, window) => this.im2col(x, window),
      col2im: (cols, size, window) => this.col2im(cols, size, window),
      conv2d: (x, weight, bias, window, groups) => this.conv(x, weight, bias, window, groups),
      conv2dInputGrad: (grad, weight, size, window, groups) => this.convInputGrad(grad, weight, size, window, groups),
      conv2dWeightGrad: (x, grad, window, groups) => this.convWeightGrad(x, grad, window, groups),
      maxPool2d: (x, window, ceilMode) => this.maxPool(x, window, ceilMode),
      avgPool2d: (x, window, ceilMode, countIncludePad, divisor) => this.avgPool(x, window, ceilMode, countIncludePad, divisor),
      channelMoments: (x) => this.channelMoments(x),
      channelAffine: (x, mean, invStd, weight, bias) => this.channelAffine(x, mean, invStd, weight, bias),
    };
  }

  /** An f32 kernel writing a fresh `shape` result, run on widened views and rounded to `dtype`. */
  private f32Kernel(
    op: string,
    views: readonly View[],
    shape: readonly number[],
    dtype: DType,
    run: (wide: View[], out: GPUBuffer) => void,
  ) {
    return this.viaFloat32(views, shape, dtype, (wide) => {
      const out = this.fresh(op, 'float32', product(shape));
      run(wide, out.buffer);
      return out;
    });
  }

  private im2col(x: View, window: Window2d): StorageHandle | null {
    if (!takes(x)) return null;
    const [n, c, h, w] = x.shape;
    const out = outputSize([h, w], window);
    const shape = [n, c * window.kernel[0] * window.kernel[1], out[0] * out[1]];
    return this.f32Kernel('im2col', [x], shape, x.dtype, ([xw], buffer) =>
      runIm2col(this.runtime, input(xw, 'im2col'), out, window, buffer),
    );
  }

  private col2im(cols: View, size: readonly [number, number], window: Window2d): StorageHandle | null {
    if (!takes(cols)) return null;
    const channels = cols.shape[1] / (window.kernel[0] * window.kernel[1]);
    const shape = [cols.shape[0], channels, size[0], size[1]];
    const out = outputSize(size, window);
    return this.f32Kernel('col2im', [cols], shape, cols.dtype, ([cw], buffer) =>
      runCol2im(this.runtime, input(cw, 'col2im'), channels, size, out, window, buffer),
    );
  }

  private conv(x: View, weight: View, bias: View | null, window: Window2d, groups: number): StorageHandle | null {
    if (!takes(x, weight, bias)) return null;
    const [n, c, h, w] = x.shape;
    const [oh, ow] = outputSize([h, w], window);
    const g: ConvGeometry = { n, c, h, w, cout: weight.shape[0], oh, ow, groups, window };
    if (!convFits(this.runtime, 'forward', g)) return null;
    const views = bias ? [x, weight, bias] : [x, weight];
    return this.f32Kernel('conv2d', views, [n, g.cout, oh, ow], x.dtype, (wide, buffer) =>
      runConv(
        this.runtime,
        'forward',
        g,
        wide.map((v) => input(v, 'conv2d')),
        buffer,
      ),
    );
  }

  private convInputGrad(grad: View, weight: View, size: readonly [number, number], window: Window2d, groups: number): StorageHandle | null {
    if (!takes(grad, weight)) return null;
    const [n, cout, oh, ow] = grad.shape;
    const g: ConvGeometry = { n, c: weight.shape[1] * groups, h: size[0], w: size[1], cout, oh, ow, groups, window };
    if (!convFits(this.runtime, 'inputGrad', g)) return null;
    return this.f32Kernel('conv2dInputGrad', [grad, weight], [n, g.c, size[0], size[1]], grad.dtype, ([gw, ww], buffer) =>
      runConv(this.runtime, 'inputGrad', g, [input(gw, 'conv2dInputGrad'), input(ww, 'conv2dInputGrad')], buffer),
    );
  }

  private convWeightGrad(x: View, grad: View, window: Window2d, groups: number): StorageHandle | null {
    if (!takes(x, grad)) return null;
    const [n, c, h, w] = x.shape;
    const [, cout, oh, ow] = grad.shape;
    // The kernel reads the taps of the windows the image has: a gradient of another grid is not its case.
    const [gh, gw] = outputSize([h, w], window);
    if (oh !== gh || ow !== gw) return null;
    const g: ConvGeometry = { n, c, h, w, cout, oh, ow, groups, window };
    if (!convFits(this.runtime, 'weightGrad', g)) return null;
    const shape = [cout, c / groups, window.kernel[0], window.kernel[1]];
    return this.f32Kernel('conv2dWeightGrad', [x, grad], shape, x.dtype, ([xw, gw], buffer) =>
      runConv(this.runtime, 'weightGrad', g, [input(xw, 'conv2dWeightGrad'), input(gw, 'conv2dWeightGrad')], buffer),
    );
  }

  private maxPool(x: View, window: Window2d, ceilMode: boolean): [StorageHandle, StorageHandle] | null {
    if (!takes(x)) return null;
    const [n, c, h, w] = x.shape;
    const out = outputSize([h, w], window, ceilMode);
    const shape = [n, c, out[0], out[1]];
    const indices = this.fresh('maxPool2d', 'int32', product(shape));
    const values = this.f32Kernel('maxPool2d', [x], shape, x.dtype, ([xw], buffer) =>
      runMaxPool(this.runtime, input(xw, 'maxPool2d'), out, window, buffer, indices.buffer),
    );
    return [values, indices];
  }

  private avgPool(x: View, window: Window2d, ceilMode: boolean, countIncludePad: boolean, divisor: number | null): StorageHandle | null {
    // avg_pool2d has no dilation; a dilated window would need the lowering's divisor rules.
    if (!takes(x) || window.dilation[0] !== 1 || window.dilation[1] !== 1) return null;
    const [n, c, h, w] = x.shape;
    const out = outputSize([h, w], window, ceilMode);
    return this.f32Kernel('avgPool2d', [x], [n, c, out[0], out[1]], x.dtype, ([xw], buffer) =>
      runAvgPool(this.runtime, input(xw, 'avgPool2d'), out, window, countIncludePad, divisor ?? 0, buffer),
    );
  }

  private channelMoments(x: View): [StorageHandle, StorageHandle] | null {
    if (!takes(x) || x.shape.length < 2) return null;
    const channels = x.shape[1];
    const temps: StorageHandle[] = [];
    try {
      const xw = this.widen(x, temps);
      const mean = this.fresh('channelMoments', 'float32', channels);
      const variance = this.fresh('channelMoments', 'float32', channels);
      runChannelMoments(this.runtime, input(xw, 'channelMoments'), mean.buffer, variance.buffer);
      return [this.narrow(mean, [channels], x.dtype), this.narrow(variance, [channels], x.dtype)];
    } finally {
      for (const t of temps) this.free(t);
    }
  }

  /**
   * One elementwise pass, the `[C]` vectors broadcast along dim 1 (stride 0
   * elsewhere). float16 rounds after each operation, as the separate ops do.
   */
  private channelAffine(x: View, mean: View, invStd: View, weight: View | null, bias: View | null): StorageHandle | null {
    if (!takes(x, mean, invStd, weight, bias) || x.shape.length < 2) return null;
    const out = this.fresh('channelAffine', x.dtype, product(x.shape));
    const perChannel = (v: View) => ({ ...operand(v, 'channelAffine'), strides: x.shape.map((_, d) => (d === 1 ? v.strides[0] : 0)) });
    const vectors = [mean, invStd, weight, bias].filter((v): v is View => v !== null);
    const round = (e: string) => (x.dtype === 'float16' ? `k_round_f16(${e})` : `(${e})`);
    runMap(this.runtime, {
      key: `channelAffine:${weight ? 'w' : ''}${bias ? 'b' : ''}`,
      shape: x.shape,
      out: this.out(out, x.shape),
      inputs: [operand(x, 'channelAffine'), ...vectors.map(perChannel)],
      expr: ([v, m, s, ...rest]) => {
        let e = `(${round(`${v} - ${m}`)} * ${s})`;
        if (weight) e = `(${round(e)} * ${rest.shift()})`;
        if (bias) e = `(${round(e)} + ${rest.shift()})`;
        return normalize(e, x.dtype);
      },
    });
    return out;
  }
}
