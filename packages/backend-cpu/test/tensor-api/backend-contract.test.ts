import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { KindlingError, type TensorLike, hasBackend, isFloating, tidy } from '@kindling/tensor';
import {
  type Backend,
  type StorageHandle,
  type View,
  defaultParams,
  getBackend,
  isComparison,
  registerBackend,
} from '@kindling/tensor/backend';
import { fixtureTensor, runFixtureOp, tensorOpFixtures } from '@kindling/conformance';

/**
 * The frontend's half of the Backend contract (backend.ts): every kernel call
 * gets in-bounds views of live storages, matching shapes and dtypes, sorted
 * in-range axes. A proxy around the cpu backend records every violation while
 * all PyTorch fixture cases run through it.
 */
const violations: string[] = [];
const sizes = new Map<StorageHandle, number>();
const fail = (msg: string): void => {
  violations.push(msg);
};

function checkView(op: string, name: string, v: View): void {
  const size = sizes.get(v.handle);
  if (size === undefined) {
    fail(`${op}: ${name} views a storage that is not live`);
    return;
  }
  if (v.shape.length !== v.strides.length) fail(`${op}: ${name} has ${v.shape.length} dims but ${v.strides.length} strides`);
  if (v.shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`${op}: ${name} has a bad shape [${v.shape}]`);
  if (v.shape.includes(0)) return;
  let lo = v.offset;
  let hi = v.offset;
  v.shape.forEach((d, i) => {
    const reach = (d - 1) * v.strides[i];
    if (reach < 0) lo += reach;
    else hi += reach;
  });
  if (lo < 0 || hi >= size)
    fail(`${op}: ${name} [${v.shape}] strides [${v.strides}] offset ${v.offset} reaches outside its storage of ${size}`);
}

const sameShape = (a: View, b: View) => a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

function checkedBackend(inner: Backend): Backend {
  const track = (h: StorageHandle, size: number) => {
    sizes.set(h, size);
    return h;
  };
  const out = (h: StorageHandle, size: number) => track(h, size);
  const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const b: Backend = {
    name: 'checked',
    dtypes: inner.dtypes,
    alloc: (dtype, size) => track(inner.alloc(dtype, size), size),
    upload: (dtype, data) => track(inner.upload(dtype, data), data.length),
    free: (h) => {
      if (!sizes.delete(h)) fail('free: storage freed twice or never allocated');
      inner.free(h);
    },
    read: (v) => {
      checkView('read', 'view', v);
      return inner.read(v);
    },
    readSync: (v) => {
      checkView('readSync', 'view', v);
      return inner.readSync!(v);
    },
    unary: (op, x, outDtype, params) => {
      checkView(op, 'x', x);
      const names = Object.keys(defaultParams(op)).sort().join(',');
      if (Object.keys(params).sort().join(',') !== names) fail(`${op}: params {${Object.keys(params)}}, expected {${names}}`);
      return out(inner.unary(op, x, outDtype, params), numel(x.shape));
    },
    binary: (op, a, bb, outDtype) => {
      checkView(op, 'a', a);
      checkView(op, 'b', bb);
      if (!sameShape(a, bb)) fail(`${op}: shapes [${a.shape}] and [${bb.shape}] differ`);
      if (a.dtype !== bb.dtype) fail(`${op}: dtypes ${a.dtype} and ${bb.dtype} differ`);
      if (op === 'div' && !isFloating(a.dtype)) fail(`div: asked of ${a.dtype} operands`);
      const expected = isComparison(op) ? 'bool' : a.dtype;
      if (outDtype !== expected) fail(`${op}: outDtype ${outDtype}, expected ${expected}`);
      return out(inner.binary(op, a, bb, outDtype), numel(a.shape));
    },
    where: (c, x, y, outDtype) => {
      for (const [n, v] of [
        ['cond', c],
        ['a', x],
        ['b', y],
      ] as const)
        checkView('where', n, v);
      if (c.dtype !== 'bool') fail(`where: cond is ${c.dtype}`);
      if (!sameShape(c, x) || !sameShape(x, y)) fail('where: shapes differ');
      if (x.dtype !== outDtype || y.dtype !== outDtype) fail(`where: a ${x.dtype}, b ${y.dtype}, out ${outDtype}`);
      return out(inner.where(c, x, y, outDtype), numel(c.shape));
    },
    reduce: (op, x, axes, outDtype) => {
      checkView(`reduce ${op}`, 'x', x);
      if (axes.some((a, i) => !Number.isInteger(a) || a < 0 || a >= x.shape.length || (i > 0 && a <= axes[i - 1]))) {
        fail(`reduce ${op}: axes [${axes}] are not sorted unique dims of a rank-${x.shape.length} view`);
      }
      const kept = x.shape.filter((_, i) => !axes.includes(i));
      return out(inner.reduce(op, x, axes, outDtype), numel(kept));
    },
    argReduce: (op, x, axis) => {
      checkView(op, 'x', x);
      if (!Number.isInteger(axis) || axis < 0 || axis >= x.shape.length) fail(`${op}: axis ${axis} for a rank-${x.shape.length} view`);
      else if (x.shape[axis] === 0) fail(`${op}: empty axis`);
      return out(inner.argReduce(op, x, axis), numel(x.shape.filter((_, i) => i !== axis)));
    },
    matmul: (a, bb) => {
      checkView('matmul', 'a', a);
      checkView('matmul', 'b', bb);
      const r = a.shape.length;
      if (r < 2 || bb.shape.length !== r) fail(`matmul: ranks ${r} and ${bb.shape.length}`);
      if (a.shape.slice(0, -2).some((d, i) => d !== bb.shape[i])) fail(`matmul: batch shapes [${a.shape}] [${bb.shape}] differ`);
      if (a.shape[r - 1] !== bb.shape[r - 2]) fail('matmul: inner sizes differ');
      if (a.dtype !== bb.dtype) fail('matmul: dtypes differ');
      return out(inner.matmul(a, bb), numel([...a.shape.slice(0, -1), bb.shape[r - 1]]));
    },
    cast: (x, dtype) => {
      checkView('cast', 'x', x);
      return out(inner.cast(x, dtype), numel(x.shape));
    },
    assign: (dst, src) => {
      checkView('assign', 'dst', dst);
      checkView('assign', 'src', src);
      if (!sameShape(dst, src)) fail(`assign: shapes [${dst.shape}] and [${src.shape}] differ`);
      if (dst.strides.some((s, i) => s === 0 && dst.shape[i] > 1)) fail('assign: dst has a broadcast (stride 0) dim');
      inner.assign(dst, src);
    },
    fill: (dst, value) => {
      checkView('fill', 'dst', dst);
      inner.fill(dst, value);
    },
    gather: (x, dim, index) => {
      checkView('gather', 'x', x);
      checkView('gather', 'index', index);
      if (index.dtype !== 'int32') fail(`gather: index is ${index.dtype}`);
      if (index.shape.length !== x.shape.length || dim < 0 || dim >= x.shape.length)
        fail(`gather: dim ${dim}, x [${x.shape}], index [${index.shape}]`);
      return out(inner.gather(x, dim, index), numel(index.shape));
    },
    scatterAdd: (dst, dim, index, src) => {
      for (const [n, v] of [
        ['dst', dst],
        ['index', index],
        ['src', src],
      ] as const)
        checkView('scatterAdd', n, v);
      if (dst.dtype !== src.dtype || index.dtype !== 'int32') fail('scatterAdd: dtypes');
      if (dim < 0 || dim >= dst.shape.length) fail(`scatterAdd: dim ${dim}`);
      inner.scatterAdd(dst, dim, index, src);
    },
    topk: (x, k, axis, largest) => {
      checkView('topk', 'x', x);
      if (axis < 0 || axis >= x.shape.length || k < 0 || k > x.shape[axis]) fail(`topk: k ${k}, axis ${axis}, shape [${x.shape}]`);
      const n = numel(x.shape.map((d, i) => (i === axis ? k : d)));
      const [v, i] = inner.topk(x, k, axis, largest);
      return [out(v, n), out(i, n)];
    },
    random: (kind, dtype, size, key) => {
      if (!Number.isInteger(size) || size < 0 || !Number.isInteger(key.offset) || key.offset < 0)
        fail(`random: size ${size}, offset ${key.offset}`);
      return out(inner.random(kind, dtype, size, key), size);
    },
  };
  return b;
}

if (!hasBackend('checked')) registerBackend(checkedBackend(getBackend('cpu')));

describe('the frontend keeps the Backend contract', () => {
  for (const c of tensorOpFixtures.cases) {
    it(c.id, () => {
      violations.length = 0;
      try {
        tidy(() => {
          const inputs: TensorLike[] = c.inputs.map((i) => ('scalar' in i ? i.scalar : fixtureTensor(i, 'checked')));
          runFixtureOp(c.op, inputs, c.args);
        });
      } catch (e) {
        // Expected errors are fine; contract checks are what this test is about.
        if (!(e instanceof KindlingError)) throw e;
      }
      expect(violations).toEqual([]);
    });
  }
});
