import { KindlingError } from '@kindling/tensor';
import type { WebGPUBuffer, WebGPUComputePipeline, WebGPUDevice } from './gpu-types.js';
import { BufferPool, type PoolStats } from './pool.js';

/** Codes kernels write into the error record, and what they mean. */
export const KERNEL_ERRORS = { gather: 1, scatterAdd: 2 } as const;

function kernelError(code: number, value: number, size: number): KindlingError {
  const op = code === KERNEL_ERRORS.gather ? 'gather/indexSelect' : 'scatterAdd';
  return new KindlingError(
    `${op}: index ${value} is out of bounds for a dimension of size ${size} (found on the GPU after the op returned, ` +
      'so it is reported by this read; the op used 0 for that element)',
  );
}

/** Threads of a 1-D elementwise workgroup; kernels index with `linearIndex`. */
export const WORKGROUP = 256;
const MAX_GROUPS = 65535;

/** Tuning knobs of the command batching. */
export interface RuntimeOptions {
  /** Dispatches encoded before the batch is submitted without waiting for a read (default 128). */
  maxDispatchesPerBatch?: number;
  /**
   * Matmul kernel: `tiled` stages tiles in workgroup memory (GPUs), `direct`
   * reads storage directly (software adapters). Default: `direct` on
   * SwiftShader/lavapipe, `tiled` elsewhere.
   */
  matmul?: 'tiled' | 'direct';
  /**
   * Pick kernel variants for an adapter that runs shaders on the CPU (no
   * workgroup-memory reductions for softmax, direct matmul). Default: detected
   * from the adapter info (SwiftShader, lavapipe, llvmpipe).
   */
  software?: boolean;
  /**
   * How float16 tensors are stored: `auto` uses WGSL `f16` (2 bytes per
   * element) when the device has the `shader-f16` feature and f32 slots
   * holding half-rounded values otherwise; `emulated` always uses f32 slots.
   */
  float16?: 'auto' | 'emulated';
}

/**
 * Owns the device and everything stateful about talking to it: the buffer
 * pool, the pipeline cache, and the open command batch. Kernels call
 * `dispatch`, which only encodes; `flush` submits, and happens when a read
 * needs results, when the batch is full, or on the next microtask.
 */
export class GpuRuntime {
  readonly pool: BufferPool;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private dispatches = 0;
  private readonly maxDispatches: number;
  private readonly metaAlign: number;
  private readonly metaCpu: Uint32Array;
  private metaUsed = 0;
  private readonly metaGpu: GPUBuffer;
  private flushScheduled = false;
  private firstError: string | null = null;
  /**
   * Whether the adapter runs shaders on the CPU (SwiftShader, lavapipe). There
   * a workgroup's invocations share one core and every barrier is expensive,
   * so kernels pick variants without workgroup memory (and caches do the tiling).
   */
  readonly software: boolean;
  /** Use the matmul variant without workgroup memory (default: on software adapters). */
  readonly preferDirectMatmul: boolean;
  /** Whether float16 storages are WGSL `f16` arrays (`shader-f16`) rather than f32 slots. */
  readonly nativeFloat16: boolean;
  /**
   * Device-side error record `[code, value, size, 0]`: kernels that meet an
   * out-of-range index store the first one here (see `KERNEL_ERRORS`), and
   * the next read reports it, since the op itself returned long before.
   */
  readonly errors: WebGPUBuffer;
  /** Submissions so far (for tests of the batching). */
  submissions = 0;

  constructor(
    readonly device: WebGPUDevice,
    options: RuntimeOptions = {},
  ) {
    this.maxDispatches = options.maxDispatchesPerBatch ?? 128;
    const info = device.adapterInfo;
    this.software =
      options.software ??
      /swiftshader|llvmpipe|lavapipe/i.test(`${info?.vendor} ${info?.architecture} ${info?.description} ${info?.device}`);
    this.preferDirectMatmul = options.matmul ? options.matmul === 'direct' : this.software;
    this.nativeFloat16 = options.float16 !== 'emulated' && device.features.has('shader-f16');
    this.metaAlign = device.limits.minStorageBufferOffsetAlignment;
    // Every dispatch's parameters live in one arena written just before submit.
    const arenaBytes = this.maxDispatches * this.metaAlign * 2;
    this.metaCpu = new Uint32Array(arenaBytes / 4);
    this.metaGpu = device.createBuffer({ size: arenaBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
    this.errors = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    this.pool = new BufferPool(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
    device.addEventListener('uncapturederror', (event) => {
      const message = (event as GPUUncapturedErrorEvent).error.message;
      this.firstError ??= message;
    });
  }

  /** The cached pipeline for `key`, compiling `source()` on first use. */
  pipeline(key: string, source: () => string): WebGPUComputePipeline {
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ code: source(), label: key });
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
      this.pipelines.set(key, p);
    }
    return p;
  }

  get pipelineCount(): number {
    return this.pipelines.size;
  }

  private getEncoder(): GPUCommandEncoder {
    if (!this.encoder) {
      this.encoder = this.device.createCommandEncoder();
      this.scheduleFlush();
    }
    return this.encoder;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /**
   * Encodes one dispatch. `buffers` bind to 0..n-1 in order and `meta` (the
   * kernel's shape/stride parameters, as u32 words) to binding n.
   */
  dispatch(
    pipeline: WebGPUComputePipeline,
    buffers: readonly WebGPUBuffer[],
    meta: ArrayLike<number>,
    groups: readonly [number, number?, number?],
  ): void {
    const metaBytes = Math.max(16, Math.ceil((meta.length * 4) / this.metaAlign) * this.metaAlign);
    if (metaBytes > this.metaCpu.byteLength) throw new KindlingError(`webgpu: kernel parameters too large (${meta.length} words)`);
    if (this.dispatches >= this.maxDispatches || this.metaUsed + metaBytes > this.metaCpu.byteLength) this.flush();
    const metaOffset = this.metaUsed;
    this.metaCpu.set(meta, metaOffset / 4);
    this.metaUsed += metaBytes;
    const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
    entries.push({ binding: buffers.length, resource: { buffer: this.metaGpu, offset: metaOffset, size: Math.max(16, meta.length * 4) } });
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const encoder = this.getEncoder();
    this.pass ??= encoder.beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, bindGroup);
    this.pass.dispatchWorkgroups(groups[0], groups[1] ?? 1, groups[2] ?? 1);
    this.dispatches++;
  }

  /**
   * Workgroup counts covering `n` workgroups on a 2-D grid, since one
   * dimension holds at most 65535; kernels rebuild the linear id from
   * `num_workgroups`.
   */
  grid(workgroups: number): [number, number] {
    if (workgroups <= MAX_GROUPS) return [Math.max(1, workgroups), 1];
    const y = Math.ceil(workgroups / MAX_GROUPS);
    return [Math.ceil(workgroups / y), y];
  }

  /** Zero-fills `bytes` bytes of `buffer`, in command order. */
  clear(buffer: WebGPUBuffer, bytes: number): void {
    if (bytes === 0) return;
    const encoder = this.getEncoder();
    this.endPass();
    encoder.clearBuffer(buffer, 0, Math.ceil(bytes / 4) * 4);
  }

  /** Copies bytes between buffers, in command order. */
  copy(src: WebGPUBuffer, srcOffset: number, dst: WebGPUBuffer, dstOffset: number, bytes: number): void {
    if (bytes === 0) return;
    const encoder = this.getEncoder();
    this.endPass();
    encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Writes host data into a buffer that no unsubmitted command uses (pool buffers guarantee it). */
  write(buffer: WebGPUBuffer, data: ArrayBufferView): void {
    if (data.byteLength === 0) return;
    this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  /** Submits the open batch, then lets buffers released during it be reused. */
  flush(): void {
    if (this.encoder) {
      this.endPass();
      if (this.metaUsed > 0) this.device.queue.writeBuffer(this.metaGpu, 0, this.metaCpu.buffer, 0, this.metaUsed);
      this.device.queue.submit([this.encoder.finish()]);
      this.submissions++;
      this.encoder = null;
      this.dispatches = 0;
      this.metaUsed = 0;
    }
    this.pool.recycle();
  }

  /** Copies `bytes` bytes at `offset` of `buffer` to the host, submitting pending work. */
  async read(buffer: WebGPUBuffer, offset: number, bytes: number): Promise<ArrayBuffer> {
    if (bytes === 0) return new ArrayBuffer(0);
    const size = Math.ceil(bytes / 4) * 4;
    // The data, then the kernel error record, which is cleared for the next read.
    const staging = this.device.createBuffer({ size: size + 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.copy(buffer, offset, staging, 0, size);
    this.copy(this.errors, 0, staging, size, 16);
    this.clear(this.errors, 16);
    this.flush();
    try {
      await staging.mapAsync(GPUMapMode.READ);
      this.throwIfFailed();
      const mapped = staging.getMappedRange();
      const [code, value, dimSize] = new Int32Array(mapped, size, 3);
      if (code !== 0) throw kernelError(code, value, dimSize);
      return mapped.slice(0, bytes);
    } finally {
      staging.destroy();
    }
  }

  /** Throws the first validation/out-of-memory error the device reported, if any. */
  throwIfFailed(): void {
    if (this.firstError !== null) {
      const message = this.firstError;
      this.firstError = null;
      throw new KindlingError(`webgpu: the device reported an error: ${message}`);
    }
  }

  stats(): PoolStats {
    return this.pool.snapshot();
  }

  destroy(): void {
    this.flush();
    this.pool.trim();
    this.metaGpu.destroy();
    this.device.destroy();
  }
}
