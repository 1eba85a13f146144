import type { WebGPUBuffer, WebGPUDevice } from './gpu-types.js';

/**
 * Size classes of the buffer pool: powers of two split into quarters
 * (…, 1024, 1280, 1536, 1792, 2048, …), so a pooled buffer wastes at most a
 * quarter of its bytes and a freed buffer serves any request of its class.
 */
export function sizeClass(bytes: number): number {
  const min = 256;
  if (bytes <= min) return min;
  const pow = 2 ** Math.floor(Math.log2(bytes - 1));
  const quarter = pow / 4;
  return pow + Math.ceil((bytes - pow) / quarter) * quarter;
}

/** Bytes the pool holds, as `webgpuMemory()` reports them. */
export interface PoolStats {
  /** Bytes of every GPU buffer the pool has created and not destroyed (in use + pooled). */
  allocatedBytes: number;
  /** Bytes of buffers handed out and not yet released. */
  inUseBytes: number;
  /** Bytes of released buffers kept for reuse (including ones waiting for their last batch to be submitted). */
  pooledBytes: number;
  /** Number of GPU buffers created and not destroyed. */
  buffers: number;
  /** Requests served from the pool instead of creating a buffer. */
  reused: number;
}

/**
 * A pool of storage buffers keyed by size class. A released buffer may still be
 * read by commands not yet submitted, and `queue.writeBuffer` is ordered before
 * those commands; so released buffers wait in `pending` until the batch that
 * last used them is submitted (`recycle`), and only then serve new requests.
 */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private pending: GPUBuffer[] = [];
  private readonly stats: PoolStats = { allocatedBytes: 0, inUseBytes: 0, pooledBytes: 0, buffers: 0, reused: 0 };

  constructor(
    private readonly device: WebGPUDevice,
    /** `GPUBufferUsage` flags of every buffer. */
    private readonly usage: number,
  ) {}

  acquire(bytes: number): WebGPUBuffer {
    const size = sizeClass(bytes);
    const list = this.free.get(size);
    const reused = list?.pop();
    this.stats.inUseBytes += size;
    if (reused) {
      this.stats.pooledBytes -= size;
      this.stats.reused++;
      return reused;
    }
    const buffer = this.device.createBuffer({ size, usage: this.usage });
    this.stats.allocatedBytes += size;
    this.stats.buffers++;
    return buffer;
  }

  release(buffer: WebGPUBuffer): void {
    this.stats.inUseBytes -= buffer.size;
    this.stats.pooledBytes += buffer.size;
    this.pending.push(buffer);
  }

  /** Makes buffers released before the last submission available again. */
  recycle(): void {
    for (const b of this.pending) {
      let list = this.free.get(b.size);
      if (!list) {
        list = [];
        this.free.set(b.size, list);
      }
      list.push(b);
    }
    this.pending = [];
  }

  /** Destroys every pooled (free) buffer, returning their memory to the device. */
  trim(): void {
    for (const list of this.free.values()) {
      for (const b of list) {
        this.stats.allocatedBytes -= b.size;
        this.stats.pooledBytes -= b.size;
        this.stats.buffers--;
        b.destroy();
      }
    }
    this.free.clear();
  }

  snapshot(): PoolStats {
    return { ...this.stats };
  }
}
