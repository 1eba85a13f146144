import { type DType, DTypeError, KindlingError, type TypedArray } from '@kindling/tensor';
import {
  type Backend,
  type BinaryOp,
  type FusedKernels,
  type RandomKey,
  type RandomKind,
  type ReduceOp,
  type StorageHandle,
  type UnaryOp,
  type View,
  float16Bits,
  float16FromBits,
  isComparison,
  roundToFloat16,
} from '@kindling/tensor/backend';
import { runCrossEntropy } from './kernels/cross-entropy.js';
import { runGather, runScatterAdd, runTopk } from './kernels/indexing.js';
import { type Operand, runMap } from './kernels/map.js';
import { runMatmul } from './kernels/matmul.js';
import { MATH, binaryExpr, unaryExpr } from './kernels/ops.js';
import { runRandom } from './kernels/random.js';
import { type StridedInput, runReduce } from './kernels/reduce.js';
import { runSoftmax } from './kernels/softmax.js';
import { convert, normalize } from './kernels/wgsl.js';
import { isDense, product, rowMajor } from './layout.js';
import type { GpuRuntime } from './runtime.js';
import { GpuStorage, elementBytes } from './storage.js';

/** The dtypes WebGPU can hold: no float64 (WGSL has no f64). */
export const WEBGPU_DTYPES: readonly DType[] = ['float16', 'float32', 'int32', 'uint8', 'bool'];

/** The dtype float16 kernels compute in (float32); any other dtype computes in itself. */
function f32ForHalf(dtype: DType): DType {
  return dtype === 'float16' ? 'float32' : dtype;
}

function storageOf(handle: StorageHandle, op: string): GpuStorage {
  if (!(handle instanceof GpuStorage)) throw new KindlingError(`${op}: the handle was not made by the webgpu backend`);
  if (handle.freed) throw new KindlingError(`${op}: the storage was already freed`);
  return handle;
}

function input(view: View, op: string): StridedInput {
  return { buffer: storageOf(view.handle, op).buffer, dtype: view.dtype, shape: view.shape, strides: view.strides, offset: view.offset };
}

function operand(view: View, op: string): Operand {
  return { buffer: storageOf(view.handle, op).buffer, dtype: view.dtype, strides: view.strides, offset: view.offset };
}

/** A 0-d input as one element of rank 1: reducing "dim 0" of a scalar reduces that element. */
function asRank1(x: StridedInput): StridedInput {
  return x.shape.length > 0 ? x : { ...x, shape: [1], strides: [0] };
}

/** The u32 word a value of `dtype` is stored as (the host typed array decides wrapping). */
function scalarWord(dtype: DType, value: number): number {
  if (dtype === 'float16') return scalarWord('float32', roundToFloat16(value));
  if (dtype === 'float32') return new Uint32Array(new Float32Array([value]).buffer)[0];
  if (dtype === 'int32') return new Uint32Array(new Int32Array([value]).buffer)[0];
  if (dtype === 'uint8') return new Uint8Array([value])[0];
  return value !== 0 ? 1 : 0;
}

/**
 * Kindling's WebGPU backend: every primitive is a WGSL compute kernel encoded
 * into the runtime's open command batch. Kernels return at once; only `read`
 * waits for the GPU, so there is no `readSync`.
 */
export class WebGPUBackend implements Backend {
  readonly name: string = 'webgpu';
  readonly dtypes = WEBGPU_DTYPES;
  readonly fused: FusedKernels;

  constructor(readonly runtime: GpuRuntime) {
    this.fused = {
      softmax: (x, axis, log) => this.softmax(x, axis, log),
      linear: (x, weight, bias) => this.linear(x, weight, bias),
      reluBackward: (grad, output) => this.reluBackward(grad, output),
      crossEntropy: (logits, target) => this.crossEntropy(logits, target),
    };
  }

  private checkDType(op: string, dtype: DType): void {
    if (!WEBGPU_DTYPES.includes(dtype)) {
      throw new DTypeError(`${op}: the webgpu backend does not support dtype ${dtype} (supported: ${WEBGPU_DTYPES.join(', ')})`);
    }
  }

  bytesPerElement(dtype: DType): number {
    return elementBytes(dtype, this.runtime.nativeFloat16);
  }

  /** Bytes of a storage of `size` elements, whole 4-byte words (copies and clears work in words). */
  private byteSize(dtype: DType, size: number): number {
    return Math.ceil((size * this.bytesPerElement(dtype)) / 4) * 4;
  }

  private fresh(op: string, dtype: DType, size: number): GpuStorage {
    this.checkDType(op, dtype);
    return new GpuStorage(this.runtime.pool.acquire(Math.max(4, this.byteSize(dtype, size))), dtype, size);
  }

  /**
   * A float16 view as float32 for kernels that compute in f32 only: with f32
   * slots the same buffer relabelled, with native f16 a converted copy (in
   * `temps`, freed by the caller). Other dtypes pass through.
   */
  private widen(view: View, temps: StorageHandle[]): View {
    if (view.dtype !== 'float16') return view;
    if (!this.runtime.nativeFloat16) return { ...view, dtype: 'float32' };
    const handle = this.cast(view, 'float32');
    temps.push(handle);
    return { handle, dtype: 'float32', shape: view.shape, strides: rowMajor(view.shape), offset: 0 };
  }

  /** A float32 kernel result as `dtype`: rounded into a float16 storage (freeing the f32 one), or as is. */
  private narrow(handle: StorageHandle, shape: readonly number[], dtype: DType): StorageHandle {
    if (dtype !== 'float16') return handle;
    const out = this.cast({ handle, dtype: 'float32', shape, strides: rowMajor(shape), offset: 0 }, 'float16');
    this.free(handle);
    return out;
  }

  /** Runs an f32-only kernel on float16 operands: widened inputs, result narrowed to `outDtype`. */
  private viaFloat32(
    views: readonly View[],
    outShape: readonly number[],
    outDtype: DType,
    run: (views: View[], computeDtype: DType) => StorageHandle,
  ): StorageHandle {
    const temps: StorageHandle[] = [];
    try {
      const wide = views.map((v) => this.widen(v, temps));
      const computeDtype = outDtype === 'float16' ? 'float32' : outDtype;
      return this.narrow(run(wide, computeDtype), outShape, outDtype);
    } finally {
      for (const t of temps) this.free(t);
    }
  }

  private out(s: GpuStorage, shape: readonly number[]): Operand {
    return { buffer: s.buffer, dtype: s.dtype, strides: rowMajor(shape), offset: 0 };
  }

  alloc(dtype: DType, size: number): StorageHandle {
    const s = this.fresh('alloc', dtype, size);
    this.runtime.clear(s.buffer, this.byteSize(dtype, size));
    return s;
  }

  upload(dtype: DType, data: TypedArray): StorageHandle {
    const s = this.fresh('upload', dtype, data.length);
    let words: ArrayBufferView;
    if (dtype === 'float16' && this.runtime.nativeFloat16) {
      // Whole words: an odd count gets a zero half at the end.
      const halves = new Uint16Array(Math.ceil(data.length / 2) * 2);
      for (let i = 0; i < data.length; i++) halves[i] = float16Bits(data[i]);
      words = halves;
    } else if (dtype === 'float16') words = Float32Array.from(data, roundToFloat16);
    else if (dtype === 'float32') words = data instanceof Float32Array ? data : Float32Array.from(data);
    else if (dtype === 'int32') words = data instanceof Int32Array ? data : Int32Array.from(data);
    else if (dtype === 'bool') words = Uint32Array.from(data, (v) => (v !== 0 ? 1 : 0));
    else words = Uint32Array.from(data, (v) => v & 255);
    this.runtime.write(s.buffer, words);
    return s;
  }

  free(handle: StorageHandle): void {
    const s = storageOf(handle, 'free');
    s.freed = true;
    this.runtime.pool.release(s.buffer);
  }

  async read(view: View): Promise<TypedArray> {
    const s = storageOf(view.handle, 'read');
    const n = product(view.shape);
    const per = this.bytesPerElement(view.dtype);
    let source = s;
    let offset = view.offset;
    // Buffer copies start on 4-byte boundaries, which an odd offset of 2-byte halves misses.
    if (n > 0 && (!isDense(view.shape, view.strides) || (offset * per) % 4 !== 0)) {
      source = storageOf(this.cast(view, view.dtype), 'read');
      offset = 0;
    }
    try {
      const bytes = await this.runtime.read(source.buffer, offset * per, n * per);
      if (view.dtype === 'float16' && per === 2) return Float32Array.from(new Uint16Array(bytes), float16FromBits);
      if (view.dtype === 'float32' || view.dtype === 'float16') return new Float32Array(bytes);
      if (view.dtype === 'int32') return new Int32Array(bytes);
      return Uint8Array.from(new Uint32Array(bytes));
    } finally {
      if (source !== s) this.free(source);
    }
  }

  unary(op: UnaryOp, x: View, outDtype: DType): StorageHandle {
    const out = this.fresh(op, outDtype, product(x.shape));
    // isnan looks at the input itself; every other op computes in outDtype (float16 in float32).
    const compute: DType = f32ForHalf(op === 'isnan' ? x.dtype : op === 'logicalNot' ? 'bool' : outDtype);
    const resultDtype: DType = op === 'isnan' || op === 'logicalNot' ? 'bool' : compute;
    runMap(this.runtime, {
      key: `unary:${op}:${compute}`,
      shape: x.shape,
      out: this.out(out, x.shape),
      inputs: [operand(x, op)],
      helpers: MATH,
      expr: ([v]) => normalize(convert(unaryExpr(op, compute, convert(v, x.dtype, compute)), resultDtype, outDtype), outDtype),
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
      extra: [scalarWord(dst.dtype, value)],
      expr: (_, extra) =>
        dst.dtype === 'float32' || dst.dtype === 'float16'
          ? `bitcast<f32>(prm[${extra}])`
          : dst.dtype === 'int32'
            ? `bitcast<i32>(prm[${extra}])`
            : `prm[${extra}]`,
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
