import { type DType, DTypeError, type Tensor, isFloating, isIntegral, tensor } from '@kindling/tensor';
import {
  BINARY_OP_NAMES,
  type BinaryOp,
  UNARY_OP_NAMES,
  type UnaryOp,
  type UnaryParams,
  binaryMath,
  binarySpec,
  defaultParams,
  roundToFloat16,
  unaryMath,
  unarySpec,
} from '@kindling/tensor/backend';
import { binaryOp, unaryOp, unaryResultType } from '@kindling/tensor/internal';
import { beforeAll, describe, expect, test } from 'vitest';
import { WebGPUBackend } from '../src/backend.js';
import { GpuRuntime } from '../src/runtime.js';
import { setupWebGPU } from './setup-gpu.js';

/*
 * Every elementwise op of the op table, on every dtype its rule accepts,
 * against the table's own math (`math`, or `integer` for integer inputs) on
 * values that reach the edges: signed zeros, infinities, NaN, huge and tiny
 * magnitudes, and each op's example parameters. The op lists come from the
 * table, so a new op is tested here as soon as it exists.
 */

beforeAll(async () => {
  await setupWebGPU();
});

const gpu = { device: 'webgpu' } as const;
const INF = Number.POSITIVE_INFINITY;
const NAN = Number.NaN;

const FLOATS = [
  ...[0, 1e-30, 1e-7, 0.1, 0.3, 0.5, 0.84, 0.9, 1, 1.5, 2, 2.5, 3.7, 5, 9.5, 10, 15, 20, 30, 50, 88, 100, 1e4, 3e38].flatMap((v) => [
    v,
    -v,
  ]),
  INF,
  -INF,
  NAN,
];
const VALUES: Partial<Record<DType, readonly number[]>> = {
  float32: FLOATS,
  float16: FLOATS,
  int32: [0, 1, -1, 2, -2, 3, -7, 100, -100, 12345678, 2147483647, -2147483648],
  uint8: [0, 1, 2, 3, 7, 100, 128, 200, 255],
  bool: [0, 1],
};
const DTYPES = Object.keys(VALUES) as DType[];

/** A value as `dtype` holds it: what a typed array of the dtype stores. */
function toDType(v: number, dtype: DType): number {
  switch (dtype) {
    case 'float32':
      return Math.fround(v);
    case 'float16':
      return roundToFloat16(v);
    case 'int32':
      return new Int32Array([v])[0];
    case 'uint8':
      return new Uint8Array([v])[0];
    default:
      return v !== 0 ? 1 : 0;
  }
}

/**
 * float32 within a few ulps of float64 math (the Cephes routines are about 1
 * ulp), relative down to the subnormals a GPU may flush; float16 within one
 * half ulp, absolute below its smallest subnormal.
 */
const TOLERANCE: Partial<Record<DType, { rtol: number; atol: number }>> = {
  float32: { rtol: 1e-6, atol: 2e-38 },
  float16: { rtol: 1e-3, atol: 6e-8 },
};

interface Tolerance {
  rtol: number;
  atol: number;
}

/**
 * Whether `actual` matches `expected` (the reference rounded to the result
 * dtype; `raw` before rounding): NaN for NaN, infinities exactly, a zero's
 * sign when the reference itself is a zero (not a rounded or flushed tiny
 * value), others within `tol`; integers exactly.
 */
function matches(actual: number, expected: number, raw: number, tol: Tolerance | undefined): boolean {
  if (tol === undefined) return actual === expected;
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  if (actual === 0 && expected === 0 && raw === 0) return Object.is(actual, expected);
  return Math.abs(actual - expected) <= tol.atol + tol.rtol * Math.abs(expected);
}

const show = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));

/** Descriptions of the elements of `actual` that do not match their reference (undefined: not compared). */
function mismatches(
  actual: ArrayLike<number>,
  reference: readonly (number | undefined)[],
  dtype: DType,
  label: (i: number) => string,
  tol: Tolerance | undefined = TOLERANCE[dtype],
): string[] {
  const bad: string[] = [];
  reference.forEach((raw, i) => {
    if (raw === undefined) return;
    const expected = toDType(raw, dtype);
    if (!matches(actual[i], expected, raw, tol)) bad.push(`${label(i)}: got ${show(actual[i])}, expected ${show(expected)}`);
  });
  return bad;
}

/**
 * Per-op allowances. gelu: the table's float64 formula cancels `1 + erf(x/√2)`
 * to 0 below x ≈ -8, where the kernel (through erfc) keeps the true tiny
 * value, so the reference is only absolutely accurate there. geluTanh: exp
 * amplifies the float32 rounding of its argument √(2/π)(x + 0.044715x³)
 * by |2y| (5e-6 relative at x = -6, on values below 1e-10), and the same
 * cancellation applies.
 */
const ALLOWANCE: Partial<Record<UnaryOp, Partial<Tolerance>>> = { gelu: { atol: 1e-15 }, geluTanh: { rtol: 1e-5, atol: 1e-15 } };

function tolerance(op: UnaryOp, dtype: DType): Tolerance | undefined {
  const tol = TOLERANCE[dtype];
  const extra = ALLOWANCE[op];
  if (!tol || !extra) return tol;
  return { rtol: Math.max(tol.rtol, extra.rtol ?? 0), atol: Math.max(tol.atol, extra.atol ?? 0) };
}

const params = <K extends UnaryOp>(op: K, given: Partial<UnaryParams<K>>): UnaryParams<K> => ({ ...defaultParams(op), ...given });

/** The parameter sets each op is tested with: its defaults, then its examples. */
function parameterSets<K extends UnaryOp>(op: K): UnaryParams<K>[] {
  const examples = (unarySpec(op).examples ?? []) as readonly Partial<UnaryParams<K>>[];
  return [defaultParams(op), ...examples.map((e) => params(op, e))];
}

/** The dtype `op` gives for `dtype`, or null where the op table refuses it. */
function resultType(op: UnaryOp, dtype: DType): DType | null {
  try {
    return unaryResultType(op, dtype);
  } catch (e) {
    if (e instanceof DTypeError) return null;
    throw e;
  }
}

const unaryCases = UNARY_OP_NAMES.flatMap((op) =>
  DTYPES.filter((dtype) => resultType(op, dtype) !== null).map((dtype) => [op, dtype] as const),
);

describe('unary ops of the table against their math', () => {
  test.each(unaryCases)('%s(%s)', async (op, dtype) => {
    const spec = unarySpec(op);
    const outDtype = resultType(op, dtype) as DType;
    // Bool results look at the input in its own dtype; the others compute in the output's.
    const compute = outDtype === 'bool' ? dtype : outDtype;
    const math = unaryMath(op, compute);
    const inputs = (VALUES[dtype] ?? []).map((v) => toDType(v, dtype));
    const x = tensor(inputs, { ...gpu, dtype });
    const bad: string[] = [];
    for (const p of parameterSets(op)) {
      if (spec.check?.(dtype, p)) continue;
      const out = unaryOp(op, x, p);
      expect(out.dtype).toBe(outDtype);
      // Integer inputs of float ops are converted first, as the kernels (and torch) convert them.
      const reference = inputs.map((v) => math(isFloating(compute) ? toDType(v, compute) : v, p));
      const label = (i: number) => `${op}(${show(inputs[i])}${Object.keys(p).length ? `, ${JSON.stringify(p)}` : ''})`;
      bad.push(...mismatches(await out.read(), reference, outDtype, label, tolerance(op, outDtype)));
      out.dispose();
    }
    x.dispose();
    expect(bad).toEqual([]);
  });
});

/** Values for binary ops; every pair is tried. */
const BINARY_VALUES: Partial<Record<DType, readonly number[]>> = {
  float32: [0, -0, 1, -1, 0.5, -2.5, 3, 7.25, -1e-7, 1e5, -1e5, 3e38, INF, -INF, NAN],
  float16: [0, -0, 1, -1, 0.5, -2.5, 3, 7.25, -0.0625, 1000, INF, -INF, NAN],
  int32: [0, 1, -1, 2, -3, 7, -8, 100, 46341, 2147483647, -2147483648],
  uint8: [0, 1, 2, 3, 7, 100, 128, 200, 255],
  bool: [0, 1],
};

/** `op` on `a` and `b` by the table, computed in `compute`; undefined where that raises or is not exact. */
function binaryReference(op: BinaryOp, a: number, b: number, compute: DType, outDtype: DType): number | undefined {
  const integral = isIntegral(compute, true);
  const f = binaryMath(op, compute);
  let v: number;
  try {
    v = f(a, b);
  } catch {
    return undefined; // integer division by zero raises on the host; the shader cannot
  }
  // Integer results beyond 2^53 are not exact in float64, so their wrapped value is not either.
  if (integral && !isFloating(outDtype) && !(Math.abs(v) <= 2 ** 53)) return undefined;
  return v;
}

/**
 * pow is `exp(b·log a)` in float32, which loses about |b·ln a| ulps (1e5 **
 * 7.25 is 5e-6 off), within the 1e-5 PyTorch's float32 conformance allows.
 */
function binaryTolerance(op: BinaryOp, dtype: DType): Tolerance | undefined {
  const tol = TOLERANCE[dtype];
  return op === 'pow' && dtype === 'float32' && tol ? { ...tol, rtol: 1e-5 } : tol;
}

const binaryCases = BINARY_OP_NAMES.flatMap((op) => DTYPES.map((dtype) => [op, dtype] as const));

describe('binary ops of the table against their math', () => {
  test.each(binaryCases)('%s(%s)', async (op, dtype) => {
    const values = (BINARY_VALUES[dtype] ?? []).map((v) => toDType(v, dtype));
    const n = values.length;
    // Every pair at once: a column against a row, broadcast.
    const a = tensor(values, { ...gpu, dtype }).reshape([n, 1]);
    const b = tensor(values, { ...gpu, dtype }).reshape([1, n]);
    let out: Tensor;
    try {
      out = binaryOp(op, a, b);
    } catch (e) {
      // The table refuses this dtype (sub of bool, pow of bool): nothing to run.
      expect(e).toBeInstanceOf(DTypeError);
      return;
    }
    const compute = binarySpec(op).dtype === 'trueDiv' && !isFloating(dtype) ? 'float32' : dtype;
    const expected = values.flatMap((va) => values.map((vb) => binaryReference(op, va, vb, compute, out.dtype)));
    const label = (i: number) => `${op}(${show(values[Math.floor(i / n)])}, ${show(values[i % n])})`;
    const bad = mismatches(await out.read(), expected, out.dtype, label, binaryTolerance(op, out.dtype));
    for (const t of [a, b, out]) t.dispose();
    expect(bad).toEqual([]);
  });
});

describe('parameters travel as words', () => {
  test('one pipeline serves every value of a parameter', async () => {
    // A runtime of its own, so earlier tests' pipelines do not count.
    const shared = tensor([0], gpu).storage.backend as WebGPUBackend;
    const backend = new WebGPUBackend(new GpuRuntime(shared.runtime.device));
    const inputs = [-2, -0.5, 0, 0.5, 3];
    const handle = backend.upload('float32', Float32Array.from(inputs));
    const view = { handle, dtype: 'float32' as const, shape: [5], strides: [1], offset: 0 };
    const run = async <K extends UnaryOp>(op: K, p: Partial<UnaryParams<K>>): Promise<string[]> => {
      const out = backend.unary(op, view, 'float32', params(op, p));
      const got = await backend.read({ ...view, handle: out });
      backend.free(out);
      const expected = inputs.map((v) => unarySpec(op).math(v, params(op, p)));
      return mismatches(got, expected, 'float32', (i) => `${op}(${inputs[i]}, ${JSON.stringify(p)})`);
    };
    const pipelineCounts: number[] = [];
    const bad: string[] = [];
    for (const [op, values] of [
      ['softplus', [{}, { beta: 2, threshold: 1.5 }, { beta: 0.5 }, { beta: -1, threshold: 3 }]],
      ['elu', [{ alpha: 0.25 }, { alpha: 4 }]],
      ['leakyRelu', [{ negativeSlope: 0.3 }, { negativeSlope: -2 }]],
      ['hardtanh', [{}, { minVal: -0.5, maxVal: 2 }, { minVal: 0.5, maxVal: 0.25 }]],
    ] as const) {
      for (const p of values) bad.push(...(await run(op, p)));
      pipelineCounts.push(backend.runtime.pipelineCount);
    }
    backend.free(handle);
    expect(bad).toEqual([]);
    // One pipeline per op, whatever its parameters.
    expect(pipelineCounts).toEqual([1, 2, 3, 4]);
  });
});
