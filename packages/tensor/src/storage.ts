import type { Backend, StorageHandle } from './backend.js';
import { type DType, itemSize } from './dtype.js';

/** Live storages and bytes of one backend. */
export interface BackendMemory {
  /** Tensors not yet disposed or collected. */
  tensors: number;
  /** Storages still allocated (views share one). */
  storages: number;
  /** Bytes held by those storages. */
  bytes: number;
}

const usage = new Map<string, BackendMemory>();

function usageOf(device: string): BackendMemory {
  let u = usage.get(device);
  if (!u) {
    u = { tensors: 0, storages: 0, bytes: 0 };
    usage.set(device, u);
  }
  return u;
}

/**
 * A reference-counted backend allocation. Views of one tensor share a Storage;
 * it is freed when the last tensor using it is disposed or collected. The
 * version counter grows with every in-place write, so autograd can tell when a
 * tensor it saved was modified.
 */
export class Storage {
  private refs = 0;
  /** Bumped by every in-place write to any view of this storage. */
  version = 0;

  /** Bytes this storage holds on its device. */
  readonly bytes: number;

  constructor(
    readonly backend: Backend,
    readonly handle: StorageHandle,
    readonly dtype: DType,
    readonly size: number,
  ) {
    this.bytes = size * (backend.bytesPerElement?.(dtype) ?? itemSize(dtype));
    const u = usageOf(backend.name);
    u.storages++;
    u.bytes += this.bytes;
  }

  get freed(): boolean {
    return this.refs < 0;
  }

  /**
   * @internal Undisposed tensors viewing this storage. A tensor whose storage
   * has exactly one (itself) can hand that storage to a new owner without a
   * copy, as autograd does with a fresh gradient.
   */
  get tensorCount(): number {
    return Math.max(0, this.refs);
  }

  retain(): void {
    this.refs++;
  }

  release(): void {
    if (this.refs <= 0) return;
    if (--this.refs === 0) {
      this.refs = -1;
      const u = usageOf(this.backend.name);
      u.storages--;
      u.bytes -= this.bytes;
      this.backend.free(this.handle);
    }
  }
}

/** @internal Tensor bookkeeping for `memory()`. */
export function countTensor(device: string, delta: 1 | -1): void {
  usageOf(device).tensors += delta;
}

/**
 * Live tensors, storages and bytes per device. Tensors are counted until they
 * are disposed (`dispose()`, `tidy`) or garbage-collected.
 */
export function memory(): Record<string, BackendMemory> {
  const out: Record<string, BackendMemory> = {};
  for (const [device, u] of usage) out[device] = { ...u };
  return out;
}
