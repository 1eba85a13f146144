import { type DType, DTypeError } from '@kindling/tensor';
import {
  type Backend,
  type BinaryOp,
  type FusedKernels,
  type RandomKey,
  type RandomKind,
  type ReduceOp,
  type StorageHandle,
  type UnaryOp,
  type UnaryParams,
  type View,
  defaultParams,
  isComparison,
  roundToFloat16,
  unarySpec,
} from '@kindling/tensor/backend';
import { asRank1, f32ForHalf, input, operand, storageOf } from './gpu-memory.js';
import { runCrossEntropy } from './kernels/cross-entropy.js';
import { runGather, runScatterAdd, runTopk } from './kernels/indexing.js';
import { type MapParam, runMap } from './kernels/map.js';
import { runMatmul } from './kernels/matmul.js';
import { MATH } from './kernels/math.js';
import { binaryExpr, unaryExpr } from './kernels/ops.js';
import { runRandom } from './kernels/random.js';
import { type StridedInput, runReduce } from './kernels/reduce.js';
import { runSoftmax } from './kernels/softmax.js';
import { convert, normalize } from './kernels/wgsl.js';
import { product, rowMajor } from './layout.js';
import type { GpuRuntime } from './runtime.js';
import { WindowKernels } from './window-kernels.js';

/** A fill value as the parameter word its storage type reads (the host typed arrays decide wrapping). */
function fillParam(dtype: DType, value: number): MapParam {
  if (dtype === 'float16') return { type: 'f32', value: roundToFloat16(value) };
  if (dtype === 'float32') return { type: 'f32', value };
  if (dtype === 'int32') return { type: 'i32', value: new Int32Array([value])[0] };
  if (dtype === 'uint8') return { type: 'u32', value: new Uint8Array([value])[0] };
  return { type: 'u32', value: value !== 0 ? 1 : 0 };
}

/**
 * Kindling's WebGPU backend: every primitive is a WGSL compute kernel encoded
 * into the runtime's open command batch. Kernels return at once; only `read`
 * waits for the GPU, so there is no `readSync`.
 */
export class WebGPUBackend extends WindowKernels implements Backend {
  readonly name: string = 'webgpu';
  readonly fused: FusedKernels;

  constructor(runtime: GpuRuntime) {
    super(runtime);
    this.fused = {
      softmax: (x, axis, log) => this.softmax(x, axis, log),
      linear: (x, weight, bias) => this.linear(x, weight, bias),
      reluBackward: (grad, output) => this.reluBackward(grad, output),
      crossEntropy: (logits, target) => this.crossEntropy(logits, target),
      ...this.windowKernels(),
    };
  }

  unary<K extends UnaryOp>(op: K, x: View, outDtype: DType, params: UnaryParams<K>): StorageHandle {
    const out = this.fresh(op, outDtype, product(x.shape));
    // Bool ops look at the input in its own dtype; the others compute in outDtype (float16 in float32).
    const boolOp = unarySpec(op).dtype === 'bool';
    const compute: DType = f32ForHalf(boolOp ? x.dtype : outDtype);
    const resultDtype: DType = boolOp ? 'bool' : compute;
    // In the table's order, as f32 words: the pipeline is the same for every value.
    const names = Object.keys(defaultParams(op)) as (keyof UnaryParams<K> & string)[];
    runMap(this.runtime, {
      key: `unary:${op}:${compute}`,
      shape: x.shape,
      out: this.out(out, x.shape),
      inputs: [operand(x, op)],
      helpers: MATH,
      params: Object.fromEntries(names.map((name) => [name, { type: 'f32', value: params[name] }])),
      expr: ([v], p) => {
        const value = unaryExpr(op, compute, convert(v, x.dtype, compute), p as UnaryParams<K, string>);
        return normalize(convert(value, resultDtype, outDtype), outDtype);
      },
    });
    return out;
  }

  binary(op: BinaryOp, a: View, b: View, outDtype: DType): StorageHandle {
    const out = this.fresh(op, outDtype, product(a.shape));
    const dtype = f32ForHalf(a.dtype);
    const resultDtype: DType = isComparison(op) ? 'bool' : dtype;
    runMap(this.runtime, {
      key: `binary:${op}:${dtype}`,
      shape: a.shape,
      out: this.out(out, a.shape),
      inputs: [operand(a, op), operand(b, op)],
      helpers: MATH,
      expr: ([va, vb]) => normalize(convert(binaryExpr(op, dtype, va, vb), resultDtype, outDtype), outDtype),
    });
    return out;
  }

  where(cond: View, a: View, b: View, outDtype: DType): StorageHandle {
    const out = this.fresh('where', outDtype, product(cond.shape));
    runMap(this.runtime, {
      key: 'where',
      shape: cond.shape,
      out: this.out(out, cond.shape),
      inputs: [operand(cond, 'where'), operand(a, 'where'), operand(b, 'where')],
      expr: ([c, va, vb]) => `select(${convert(vb, b.dtype, outDtype)}, ${convert(va, a.dtype, outDtype)}, ${c} != 0u)`,
    });
    return out;
  }

  reduce(op: ReduceOp, x: View, axes: readonly number[], outDtype: DType): StorageHandle {
    const outShape = x.shape.filter((_, d) => !axes.includes(d));
    // float16 sums accumulate in float32 and round once, as PyTorch's do.
    return this.viaFloat32([x], outShape, outDtype, ([xw], dtype) => {
      const out = this.fresh(op, dtype, product(outShape));
      runReduce(this.runtime, op, asRank1(input(xw, op)), axes, out.buffer, dtype);
      return out;
    });
  }

  argReduce(op: 'argmax' | 'argmin', x: View, axis: number): StorageHandle {
    const outShape = x.shape.filter((_, d) => d !== axis);
    return this.viaFloat32([x], outShape, 'int32', ([xw]) => {
      const out = this.fresh(op, 'int32', product(outShape));
      runReduce(this.runtime, op, asRank1(input(xw, op)), [axis], out.buffer, 'int32');
      return out;
    });
  }

  matmul(a: View, b: View): StorageHandle {
    const nd = a.shape.length;
    const shape = [...a.shape.slice(0, nd - 1), b.shape[nd - 1]];
    return this.viaFloat32([a, b], shape, a.dtype, ([aw, bw], dtype) => {
      const out = this.fresh('matmul', dtype, product(shape));
      // With K = 0 the kernel still runs and writes zeros, so pooled garbage never leaks out.
      runMatmul(this.runtime, input(aw, 'matmul'), input(bw, 'matmul'), out.buffer, dtype);
      return out;
    });
  }

  cast(x: View, dtype: DType): StorageHandle {
    const out = this.fresh('cast', dtype, product(x.shape));
    runMap(this.runtime, {
      key: `cast:${x.dtype}:${dtype}`,
      shape: x.shape,
      out: this.out(out, x.shape),
      inputs: [operand(x, 'cast')],
      expr: ([v]) => convert(v, x.dtype, dtype),
    });
    return out;
  }

  assign(dst: View, src: View): void {
    // A source sharing the destination's buffer is copied first: one dispatch cannot read and write a buffer.
    const same = src.handle === dst.handle;
    const source = same ? { ...src, handle: this.cast(src, src.dtype), strides: rowMajor(src.shape), offset: 0 } : src;
    runMap(this.runtime, {
      key: `assign:${src.dtype}:${dst.dtype}`,
      shape: dst.shape,
      out: operand(dst, 'assign'),
      inputs: [operand(source, 'assign')],
      expr: ([v]) => convert(v, src.dtype, dst.dtype),
    });
    if (same) this.free(source.handle);
  }

  fill(dst: View, value: number): void {
    runMap(this.runtime, {
      key: `fill:${dst.dtype}`,
      shape: dst.shape,
      out: operand(dst, 'fill'),
      inputs: [],
      params: { value: fillParam(dst.dtype, value) },
      expr: (_, p) => p.value,
    });
  }

  gather(x: View, dim: number, index: View): StorageHandle {
    return this.viaFloat32([x], index.shape, x.dtype, ([xw], dtype) => {
      const out = this.fresh('gather', dtype, product(index.shape));
      runGather(this.runtime, asRank1(input(xw, 'gather')), dim, input(index, 'gather'), out.buffer);
      return out;
    });
  }

  scatterAdd(dst: View, dim: number, index: View, src: View): void {
    if (dst.dtype === 'float16') {
      // Atomics work on 32-bit words: accumulate into a float32 copy, then round it back.
      const wide: View = { handle: this.cast(dst, 'float32'), dtype: 'float32', shape: dst.shape, strides: rowMajor(dst.shape), offset: 0 };
      const temps: StorageHandle[] = [wide.handle];
      try {
        this.scatterAdd(wide, dim, index, this.widen(src, temps));
        this.assign(dst, wide);
      } finally {
        for (const t of temps) this.free(t);
      }
      return;
    }
    const copies: StorageHandle[] = [];
    const readable = (v: View): View => {
      if (v.handle !== dst.handle) return v;
      const h = this.cast(v, v.dtype);
      copies.push(h);
      return { ...v, handle: h, strides: rowMajor(v.shape), offset: 0 };
    };
    runScatterAdd(
      this.runtime,
      asRank1(input(dst, 'scatterAdd')),
      dim,
      input(readable(index), 'scatterAdd'),
      input(readable(src), 'scatterAdd'),
    );
    for (const h of copies) this.free(h);
  }

  topk(x: View, k: number, axis: number, largest: boolean): [values: StorageHandle, indices: StorageHandle] {
    const size = x.shape[axis] === 0 ? 0 : (product(x.shape) / Math.max(1, x.shape[axis])) * k;
    const shape = x.shape.map((d, i) => (i === axis ? k : d));
    const indices = this.fresh('topk', 'int32', size);
    const values = this.viaFloat32([x], shape, x.dtype, ([xw], dtype) => {
      const v = this.fresh('topk', dtype, size);
      runTopk(this.runtime, input(xw, 'topk'), k, axis, largest, v.buffer, indices.buffer);
      return v;
    });
    return [values, indices];
  }

  random(kind: RandomKind, dtype: DType, size: number, key: RandomKey): StorageHandle {
    const expected: DType = kind === 'bits' ? 'int32' : 'float32';
    if (dtype !== expected && !(dtype === 'float16' && kind !== 'bits')) {
      throw new DTypeError(`random: the webgpu backend draws ${kind} as ${expected}, got dtype ${dtype}`);
    }
    const out = this.fresh('random', expected, size);
    runRandom(this.runtime, kind, size, key, out.buffer);
    return this.narrow(out, [size], dtype);
  }

  /** `output <= 0 ? 0 : grad`, one elementwise pass (NaN outputs pass the gradient, as in PyTorch). */
  private reluBackward(grad: View, output: View): StorageHandle {
    const out = this.fresh('reluBackward', grad.dtype, product(grad.shape));
    runMap(this.runtime, {
      key: 'reluBackward',
      shape: grad.shape,
      out: this.out(out, grad.shape),
      inputs: [operand(grad, 'reluBackward'), operand(output, 'reluBackward')],
      expr: ([g, y]) => `select(${g}, 0.0, ${y} <= 0.0)`,
    });
    return out;
  }

  private softmax(x: View, axis: number, log: boolean): StorageHandle {
    if (x.dtype !== 'float32' && x.dtype !== 'float16') {
      throw new DTypeError(`softmax: the webgpu fused kernel expects float32 or float16, got ${x.dtype}`);
    }
    return this.viaFloat32([x], x.shape, x.dtype, ([xw]) => {
      const out = this.fresh('softmax', 'float32', product(x.shape));
      runSoftmax(this.runtime, input(xw, 'softmax'), axis, log, out.buffer);
      return out;
    });
  }

  private crossEntropy(logits: View, target: View): StorageHandle {
    if (logits.dtype !== 'float32') throw new DTypeError(`crossEntropy: the webgpu fused kernel expects float32, got ${logits.dtype}`);
    const out = this.fresh('crossEntropy', 'float32', logits.shape[0]);
    runCrossEntropy(this.runtime, input(logits, 'crossEntropy'), input(target, 'crossEntropy'), out.buffer);
    return out;
  }

  private linear(x: View, weight: View, bias: View | null): StorageHandle {
    const [n, k] = x.shape;
    const m = weight.shape[0];
    const views = bias ? [x, weight, bias] : [x, weight];
    return this.viaFloat32(views, [n, m], x.dtype, ([xw, ww, bw], dtype) => {
      const out = this.fresh('linear', dtype, n * m);
      // weight^T is a view: swap the strides, no copy.
      const wt: StridedInput = { ...input(ww, 'linear'), shape: [k, m], strides: [ww.strides[1], ww.strides[0]] };
      const epilogue = { bias: bw ? { buffer: storageOf(bw.handle, 'linear').buffer, stride: bw.strides[0], offset: bw.offset } : null };
      runMatmul(this.runtime, input(xw, 'linear'), wt, out.buffer, dtype, epilogue);
      return out;
    });
  }
}
