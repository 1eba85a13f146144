import { DTYPES, DTypeError, DeviceError, KindlingError, ShapeError, hasBackend } from '@kindling/tensor';
import { getBackend, registerBackend, type Backend } from '@kindling/tensor/backend';
import * as K from '@kindling/tensor';
import type { SuiteContext } from './framework.js';

type ErrorClass = new (message: string) => KindlingError;

/** The error `fn` throws, checked to be `cls` with a message matching `pattern`. */
export function expectError(ctx: SuiteContext, fn: () => unknown, cls: ErrorClass, pattern: RegExp | string): void {
  let thrown: unknown = null;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  const what = `expected ${cls.name} matching ${String(pattern)}`;
  ctx
    .expect(thrown instanceof cls ? 'ok' : `${what}, got ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)}`)
    .toBe('ok');
  const message = (thrown as Error).message;
  const matches = typeof pattern === 'string' ? message === pattern : pattern.test(message);
  ctx.expect(matches ? 'ok' : `${what}, got "${message}"`).toBe('ok');
}

/**
 * A second device backed by the same kernels, so ops mixing devices can be
 * tested with one backend. Bound methods keep backends with private state working.
 */
export function aliasBackend(backend: Backend, name: string): Backend {
  return new Proxy(backend, {
    get(target, prop) {
      if (prop === 'name') return name;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Shape, dtype and device mistakes fail before reaching a kernel, with messages that name the op. */
export function registerErrorTests(ctx: SuiteContext): void {
  const { device, it, describe } = ctx;
  describe('errors', () => {
    it('shape mismatches', () => {
      const a = K.zeros([2, 3], { device });
      const b = K.zeros([4], { device });
      expectError(ctx, () => a.add(b), ShapeError, 'add: shapes [2,3] and [4] cannot be broadcast together (dim -1: 3 vs 4)');
      expectError(
        ctx,
        () => K.matmul(K.zeros(64, 784, { device }), K.zeros(128, 784, { device })),
        ShapeError,
        'matmul: shapes [64,784] and [128,784] cannot be multiplied (784 != 128)',
      );
      expectError(ctx, () => a.view(4, -1), ShapeError, /^view: shape \[4,-1\] is invalid for input of shape \[2,3\]/);
      expectError(ctx, () => a.t().view(-1), ShapeError, /^view: .*use \.reshape/);
      expectError(ctx, () => a.sum(2), ShapeError, /^sum: dim 2 is out of range for a tensor of rank 2/);
      expectError(ctx, () => K.cat([a, b], 0), ShapeError, /^cat: /);
      expectError(ctx, () => a.expand(3, 3), ShapeError, /^expand: /);
      expectError(ctx, () => a.topk(4), ShapeError, /^topk: k \(4\) is out of range/);
      expectError(ctx, () => K.zeros([0, 3], { device }).amax(0), ShapeError, /^amax: cannot reduce over a zero-size dimension/);
      expectError(ctx, () => a.add_(K.zeros([3, 2, 3], { device })), ShapeError, /^add_: output with shape \[2,3\]/);
    });
    it('dtype mismatches', () => {
      const f = K.zeros([2, 2], { device });
      expectError(
        ctx,
        () => K.zeros([2, 2], { device, dtype: 'int32' }).mean(),
        DTypeError,
        /^mean: input dtype must be floating point, got int32/,
      );
      expectError(ctx, () => f.where(f, 1), DTypeError, /^where: condition must be a bool tensor, got float32/);
      expectError(ctx, () => f.gather(0, K.zeros([2, 2], { device })), DTypeError, /^gather: index must be an int32 tensor/);
      expectError(
        ctx,
        () => K.zeros([2], { device, dtype: 'int32' }).add_(0.5),
        DTypeError,
        /^add_: result type float32 can't be cast to the desired output type int32/,
      );
      expectError(ctx, () => K.zeros([2], { device, dtype: 'bool' }).neg(), DTypeError, /^neg: /);
      expectError(ctx, () => K.zeros([2], { device, dtype: 'bool' }).sub(K.zeros([2], { device, dtype: 'bool' })), DTypeError, /^sub: /);
      if (ctx.dtypes.includes('float64')) {
        expectError(
          ctx,
          () => f.matmul(K.zeros([2, 2], { device, dtype: 'float64' })),
          DTypeError,
          'matmul: expected both operands to have the same dtype, but got float32 and float64',
        );
      }
    });
    it('unsupported dtypes are rejected by name', () => {
      const backend = getBackend(device);
      for (const dtype of DTYPES) {
        if (backend.dtypes.includes(dtype)) continue;
        expectError(
          ctx,
          () => K.zeros([2], { device, dtype }),
          DTypeError,
          new RegExp(`^zeros: the ${device} backend does not support dtype ${dtype}`),
        );
      }
    });
    it('device mismatches and unknown devices', async () => {
      const alias = `${device}-conformance-alias`;
      if (!hasBackend(alias)) registerBackend(aliasBackend(getBackend(device), alias));
      const a = K.ones([2, 2], { device });
      const b = K.ones([2, 2], { device: alias });
      const message = `expected all tensors to be on the same device, but found tensors on ${device} and ${alias}`;
      expectError(ctx, () => a.add(b), DeviceError, `add: ${message}`);
      expectError(ctx, () => a.matmul(b), DeviceError, `matmul: ${message}`);
      expectError(ctx, () => K.cat([a, b]), DeviceError, `cat: ${message}`);
      expectError(ctx, () => K.where(K.ones([2], { device, dtype: 'bool' }), a, b), DeviceError, `where: ${message}`);
      expectError(ctx, () => a.gather(0, K.zeros([2, 2], { device: alias, dtype: 'int32' })), DeviceError, `gather: ${message}`);
      expectError(
        ctx,
        () => K.zeros([2], { device: 'no-such-device' }),
        DeviceError,
        /^zeros: no backend is registered for device 'no-such-device'/,
      );
      // Moving data across devices is explicit and works; `toAsync` works from every device,
      // `to` only from devices read synchronously (the others say to use `toAsync`).
      const moved = await a.toAsync(alias);
      ctx.expect(moved.device).toBe(alias);
      ctx.expect([...(await moved.read())]).toEqual([1, 1, 1, 1]);
      if (getBackend(device).readSync) ctx.expect(a.to(alias).device).toBe(alias);
      else expectError(ctx, () => a.to(alias), DeviceError, /^to: the .* backend is read asynchronously; use 'await tensor.toAsync/);
    });
    it('disposed tensors cannot be used', () => {
      const a = K.ones([2], { device });
      a.dispose();
      expectError(ctx, () => a.add(1), KindlingError, /was disposed/);
    });
  });
}
