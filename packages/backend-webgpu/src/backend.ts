import {
  type Backend,
  type BinaryOp,
  COMPARISON_OPS,
  type DType,
  DTypeError,
  type FusedKernels,
  KindlingError,
  type RandomKey,
  type RandomKind,
  type ReduceOp,
  type StorageHandle,
  type TypedArray,
  type UnaryOp,
  type View,
} from '@kindling/tensor';
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
import { ELEMENT_BYTES, GpuStorage } from './storage.js';

/** The dtypes WebGPU can hold: no float64 (WGSL has no f64). */
export const WEBGPU_DTYPES: readonly DType[] = ['float32', 'int32', 'uint8', 'bool'];

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
      linear: (x, weight, bias, activation) => this.linear(x, weight, bias, activation),
    };
  }

  private checkDType(op: string, dtype: DType): void {
    if (!WEBGPU_DTYPES.includes(dtype)) {
      throw new DTypeError(`${op}: the webgpu backend does not support dtype ${dtype} (supported: ${WEBGPU_DTYPES.join(', ')})`);
    }
  }

  private fresh(op: string, dtype: DType, size: number): GpuStorage {
    this.checkDType(op, dtype);
    return new GpuStorage(this.runtime.pool.acquire(Math.max(1, size) * ELEMENT_BYTES), dtype, size);
  }

  private out(s: GpuStorage, shape: readonly number[]): Operand {
    return { buffer: s.buffer, dtype: s.dtype, strides: rowMajor(shape), offset: 0 };
  }

  alloc(dtype: DType, size: number): StorageHandle {
    const s = this.fresh('alloc', dtype, size);
    this.runtime.clear(s.buffer, size * ELEMENT_BYTES);
    return s;
  }

  upload(dtype: DType, data: TypedArray): StorageHandle {
    const s = this.fresh('upload', dtype, data.length);
    let words: ArrayBufferView;
    if (dtype === 'float32') words = data instanceof Float32Array ? data : Float32Array.from(data);
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
    let source = s;
    let offset = view.offset;
    if (n > 0 && !isDense(view.shape, view.strides)) {
      source = storageOf(this.cast(view, view.dtype), 'read');
      offset = 0;
    }
    try {
      const bytes = await this.runtime.read(source.buffer, offset * ELEMENT_BYTES, n * ELEMENT_BYTES);
      if (view.dtype === 'float32') return new Float32Array(bytes);
      if (view.dtype === 'int32') return new Int32Array(bytes);
      return Uint8Array.from(new Uint32Array(bytes));
    } finally {
      if (source !== s) this.free(source);
    }
  }

  unary(op: UnaryOp, x: View, outDtype: DType): StorageHandle {
    const out = this.fresh(op, outDtype, product(x.shape));
    // isnan looks at the input itself; every other op computes in outDtype.
    const compute: DType = op === 'isnan' ? x.dtype : op === 'logicalNot' ? 'bool' : outDtype;
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
    const dtype = a.dtype;
    const resultDtype: DType = COMPARISON_OPS.has(op) ? 'bool' : dtype;
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
    const outSize = product(x.shape.filter((_, d) => !axes.includes(d)));
    const out = this.fresh(op, outDtype, outSize);
    runReduce(this.runtime, op, asRank1(input(x, op)), axes, out.buffer, outDtype);
    return out;
  }

  argReduce(op: 'argmax' | 'argmin', x: View, axis: number): StorageHandle {
    const out = this.fresh(op, 'int32', product(x.shape.filter((_, d) => d !== axis)));
    runReduce(this.runtime, op, asRank1(input(x, op)), [axis], out.buffer, 'int32');
    return out;
  }

  matmul(a: View, b: View): StorageHandle {
    const nd = a.shape.length;
    const shape = [...a.shape.slice(0, nd - 1), b.shape[nd - 1]];
    const out = this.fresh('matmul', a.dtype, product(shape));
    // With K = 0 the kernel still runs and writes zeros, so pooled garbage never leaks out.
    runMatmul(this.runtime, input(a, 'matmul'), input(b, 'matmul'), out.buffer, a.dtype);
    return out;
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
        dst.dtype === 'float32' ? `bitcast<f32>(prm[${extra}])` : dst.dtype === 'int32' ? `bitcast<i32>(prm[${extra}])` : `prm[${extra}]`,
    });
  }

  gather(x: View, dim: number, index: View): StorageHandle {
    const out = this.fresh('gather', x.dtype, product(index.shape));
    runGather(this.runtime, asRank1(input(x, 'gather')), dim, input(index, 'gather'), out.buffer);
    return out;
  }

  scatterAdd(dst: View, dim: number, index: View, src: View): void {
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
    const size = (product(x.shape) / Math.max(1, x.shape[axis])) * k;
    const values = this.fresh('topk', x.dtype, x.shape[axis] === 0 ? 0 : size);
    const indices = this.fresh('topk', 'int32', x.shape[axis] === 0 ? 0 : size);
    runTopk(this.runtime, input(x, 'topk'), k, axis, largest, values.buffer, indices.buffer);
    return [values, indices];
  }

  random(kind: RandomKind, dtype: DType, size: number, key: RandomKey): StorageHandle {
    const expected: DType = kind === 'bits' ? 'int32' : 'float32';
    if (dtype !== expected) {
      throw new DTypeError(`random: the webgpu backend draws ${kind} as ${expected}, got dtype ${dtype}`);
    }
    const out = this.fresh('random', dtype, size);
    runRandom(this.runtime, kind, size, key, out.buffer);
    return out;
  }

  private softmax(x: View, axis: number, log: boolean): StorageHandle {
    if (x.dtype !== 'float32') throw new DTypeError(`softmax: the webgpu fused kernel expects float32, got ${x.dtype}`);
    const out = this.fresh('softmax', 'float32', product(x.shape));
    runSoftmax(this.runtime, input(x, 'softmax'), axis, log, out.buffer);
    return out;
  }

  private linear(x: View, weight: View, bias: View | null, activation: 'none' | 'relu'): StorageHandle {
    const [n, k] = x.shape;
    const m = weight.shape[0];
    const out = this.fresh('linear', x.dtype, n * m);
    // weight^T is a view: swap the strides, no copy.
    const wt: StridedInput = { ...input(weight, 'linear'), shape: [k, m], strides: [weight.strides[1], weight.strides[0]] };
    const epilogue = {
      bias: bias ? { buffer: storageOf(bias.handle, 'linear').buffer, stride: bias.strides[0], offset: bias.offset } : null,
      activation,
    };
    runMatmul(this.runtime, input(x, 'linear'), wt, out.buffer, x.dtype, epilogue);
    return out;
  }
}
