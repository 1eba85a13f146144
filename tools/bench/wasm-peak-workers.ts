/**
 * The peak module on two cores at once: two Node worker threads, each with its
 * own instance, released together through a shared-memory barrier, each timing
 * its own calls; the 2-core peak is the sum of their rates. (The main thread
 * only waits meanwhile.)
 */
import { Worker } from 'node:worker_threads';

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { bytes, flops, iters, barrier, count } = workerData;
const peak = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.peak;
const gate = new Int32Array(barrier);
parentPort.on('message', ({ ms, round }) => {
  // Both workers arrive, then both start: the rates overlap in time.
  Atomics.add(gate, 0, 1);
  while (Atomics.load(gate, 0) < count * round) {}
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    peak(iters, 0.9999, 1e-4);
    calls++;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  parentPort.postMessage((flops * calls) / (elapsed * 1e6));
});
`;

export class PeakWorkers {
  private readonly workers: Worker[];
  private round = 0;

  /** `flops` per call of `peak(iters, …)` of the module `bytes`. */
  constructor(bytes: Uint8Array, flops: number, iters: number, count = 2) {
    const barrier = new SharedArrayBuffer(4);
    this.workers = Array.from(
      { length: count },
      () => new Worker(SOURCE, { eval: true, workerData: { bytes, flops, iters, barrier, count } }),
    );
  }

  /** Summed GFLOP/s of all workers running the peak for `ms` at the same time. */
  async measure(ms: number): Promise<number> {
    this.round++;
    const round = this.round;
    const rates = await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<number>((resolve, reject) => {
            const onError = (error: Error) => reject(error);
            w.once('error', onError);
            w.once('message', (gflops: number) => {
              w.off('error', onError);
              resolve(gflops);
            });
            w.postMessage({ ms, round });
          }),
      ),
    );
    return rates.reduce((a, b) => a + b, 0);
  }

  close(): void {
    for (const w of this.workers) void w.terminate();
  }
}
