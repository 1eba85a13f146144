import { KindlingError } from '@kindling/tensor';
import { isNode } from './detect.js';
import type { MatmulOperands } from './kernels.js';
import { CTRL, WORKER_SOURCE } from './worker-source.js';

/** The matmul export's arguments a worker needs besides its scratch and part: the operands, sizes and bias. */
export type MatmulArgs = readonly [...MatmulOperands, bias: number];

/** The slice of node:worker_threads' Worker used here (the build has no Node types). */
type NodeWorkerConstructor = new (
  source: string,
  options: { eval: boolean; workerData: unknown },
) => { unref(): void; terminate(): unknown };

/**
 * Worker threads that run matmul and task parts over the shared WebAssembly memory.
 *
 * Dispatch is an Atomics job queue, not a message per call: the caller writes
 * the job into a control block in shared memory, bumps a generation counter
 * and notifies; workers (spinning briefly, then sleeping in Atomics.wait) claim
 * parts with compareExchange on a (generation, next part) ticket, and the
 * caller claims parts too, then waits for the done count. A worker that has
 * not started yet simply claims nothing, so kernels never wait for startup.
 */
export class ThreadPool {
  /** A pool over `memory` whose control block is allocated by `allocZeroed` (loaded on demand: see create.ts). */
  static create(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    allocZeroed: (bytes: number) => number,
    scratchBytes: number,
  ): ThreadPool {
    return new ThreadPool(module, memory, allocZeroed(CTRL.LENGTH * 4), scratchBytes);
  }

  private readonly ctrl: Int32Array;
  private readonly workers: { terminate(): unknown }[] = [];
  private readonly canBlock: boolean;

  /**
   * @param ctrlPtr byte address of CTRL.LENGTH int32s of zeroed shared memory
   * @param scratchBytes bytes of matmul scratch each thread needs
   */
  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly ctrlPtr: number,
    scratchBytes: number,
  ) {
    this.ctrl = new Int32Array(memory.buffer, ctrlPtr, CTRL.LENGTH);
    this.ctrl[CTRL.SCRATCH_BYTES] = scratchBytes;
    // Browsers forbid Atomics.wait on the main thread; there the caller only spins.
    let canBlock = true;
    try {
      Atomics.wait(this.ctrl, CTRL.ERROR, 1, 0);
    } catch {
      canBlock = false;
    }
    this.canBlock = canBlock;
  }

  /** Sets the byte address of the scratch: `scratchBytes` per thread, the caller's first. */
  setScratch(ptr: number): void {
    this.ctrl[CTRL.SCRATCH] = ptr;
  }

  /** Starts workers until there are `count`, or stops the extra ones. */
  async resize(count: number): Promise<void> {
    while (this.workers.length > count) this.workers.pop()!.terminate();
    while (this.workers.length < count) this.workers.push(await this.spawn(this.workers.length + 1));
  }

  /** Resolves when every started worker has instantiated the module. */
  async ready(): Promise<void> {
    while (Atomics.load(this.ctrl, CTRL.READY) < this.workers.length) await new Promise((r) => setTimeout(r, 1));
  }

  /** Stops all workers. */
  dispose(): void {
    for (const w of this.workers.splice(0)) w.terminate();
  }

  /**
   * Runs `parts` parts of one matmul (`args` as the wasm export's arguments up
   * to the bias) split by rows (`split` 0) or columns (1) of its `extent` (M or
   * N), `chunk` rows/columns a part; the caller runs `runPart(lo, hi)` for the
   * parts it claims itself.
   */
  runMatmul(args: MatmulArgs, split: 0 | 1, extent: number, chunk: number, parts: number, runPart: (lo: number, hi: number) => void): void {
    const ctrl = this.ctrl;
    ctrl.set(args, CTRL.ARGS);
    ctrl[CTRL.KIND] = 0;
    ctrl[CTRL.SPLIT] = split;
    ctrl[CTRL.CHUNK] = chunk;
    this.run('matmul', parts, (part) => {
      const lo = part * chunk;
      runPart(lo, Math.min(extent, lo + chunk));
    });
  }

  /**
   * Runs parts 0..parts-1 of task `code` (tasks.ts) over the descriptor at
   * `desc`; the caller runs `runPart(part)` for the parts it claims itself.
   */
  runTask(code: number, desc: number, parts: number, runPart: (part: number) => void): void {
    this.ctrl[CTRL.ARGS] = desc;
    this.ctrl[CTRL.KIND] = code;
    this.run('a kernel', parts, runPart);
  }

  /** Publishes a job of `parts` parts (its arguments already in the control block) and works on it until all are done. */
  private run(what: string, parts: number, runPart: (part: number) => void): void {
    const ctrl = this.ctrl;
    ctrl[CTRL.PARTS] = parts;
    Atomics.store(ctrl, CTRL.ERROR, 0);
    Atomics.store(ctrl, CTRL.DONE, 0);
    const gen = ((Atomics.load(ctrl, CTRL.TICKET) >>> 16) + 1) & 0xffff;
    Atomics.store(ctrl, CTRL.TICKET, gen << 16);
    Atomics.notify(ctrl, CTRL.TICKET);
    let failure: unknown;
    for (;;) {
      const t = Atomics.load(ctrl, CTRL.TICKET);
      if ((t & 0xffff) >= parts) break;
      if (Atomics.compareExchange(ctrl, CTRL.TICKET, t, t + 1) !== t) continue;
      try {
        runPart(t & 0xffff);
      } catch (e) {
        failure = e;
      }
      Atomics.add(ctrl, CTRL.DONE, 1);
    }
    let spins = 0;
    for (let done = Atomics.load(ctrl, CTRL.DONE); done < parts; done = Atomics.load(ctrl, CTRL.DONE)) {
      if (this.canBlock && ++spins > 100000) Atomics.wait(ctrl, CTRL.DONE, done, 10);
    }
    if (failure) throw failure;
    if (Atomics.load(ctrl, CTRL.ERROR)) throw new KindlingError(`${what}: a worker thread failed while computing its part`);
  }

  private async spawn(tid: number): Promise<{ terminate(): unknown }> {
    const data = { module: this.module, memory: this.memory, ctrl: this.ctrlPtr, tid };
    if (isNode()) {
      const specifier = 'node:worker_threads';
      const { Worker } = (await import(/* @vite-ignore */ specifier)) as { Worker: NodeWorkerConstructor };
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: data });
      worker.unref();
      return worker;
    }
    const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
    const worker = new Worker(url);
    worker.postMessage(data);
    URL.revokeObjectURL(url);
    return worker;
  }
}
