import { afterAll, describe, expect, it } from 'vitest';
import '../../src/index.js';
import {
  DeviceError,
  cat,
  getDefaultDevice,
  hasBackend,
  listBackends,
  matmul,
  memory,
  ones,
  setDefaultDevice,
  where,
  zeros,
} from '@kindling/tensor';
import { type Backend, getBackend, registerBackend } from '@kindling/tensor/backend';

// A second device made of the cpu backend's kernels under another name.
const fake: Backend = new Proxy(getBackend('cpu'), {
  get(target, prop) {
    if (prop === 'name') return 'fake';
    const value: unknown = Reflect.get(target, prop, target);
    return typeof value === 'function' ? value.bind(target) : value;
  },
});
if (!hasBackend('fake')) registerBackend(fake);

afterAll(() => setDefaultDevice('cpu'));

describe('devices', () => {
  it('ops mixing devices fail with both device names', () => {
    const a = ones(2, 2);
    const b = ones(2, 2, { device: 'fake' });
    const msg = (op: string) => new DeviceError(`${op}: expected all tensors to be on the same device, but found tensors on cpu and fake`);
    expect(() => a.add(b)).toThrow(msg('add'));
    expect(() => matmul(a, b)).toThrow(msg('matmul'));
    expect(() => cat([a, b])).toThrow(msg('cat'));
    expect(() => where(ones(2, 2, { dtype: 'bool' }), a, b)).toThrow(msg('where'));
    expect(() => a.copy_(b)).not.toThrow(); // copy_ moves data across devices explicitly
  });

  it('numbers follow the tensor operand to its device', () => {
    const b = ones(2, { device: 'fake' });
    expect(b.add(1).device).toBe('fake');
    expect(b.mul(2).sum().device).toBe('fake');
  });

  it('to() moves data and memory() counts per device', () => {
    const before = memory().fake?.storages ?? 0;
    const a = zeros(3).add(2);
    const moved = a.to('fake');
    expect(moved.device).toBe('fake');
    expect(moved.tolistSync()).toEqual([2, 2, 2]);
    expect((memory().fake?.storages ?? 0) - before).toBe(1);
    moved.dispose();
    expect(memory().fake?.storages ?? 0).toBe(before);
    expect(a.to('cpu')).toBe(a);
  });

  it('unknown devices fail with the list of registered ones', () => {
    expect(() => zeros(2, { device: 'tpu' })).toThrow(DeviceError);
    expect(() => zeros(2, { device: 'tpu' })).toThrow(/^zeros: no backend is registered for device 'tpu' \(registered: .*cpu.*fake/);
    expect(listBackends()).toContain('fake');
  });

  it('setDefaultDevice routes creation and printing names the device', () => {
    setDefaultDevice('fake');
    expect(getDefaultDevice()).toBe('fake');
    const x = ones(2);
    expect(x.device).toBe('fake');
    expect(String(x)).toBe("tensor([1., 1.], device='fake')");
    setDefaultDevice('cpu');
    expect(() => setDefaultDevice('tpu')).toThrow(DeviceError);
  });
});
