// The worker's program, as source text so it loads the same way under Node
// (worker_threads, eval) and in browsers (Blob URL), with no bundler support.
// It instantiates the kernel module over the shared memory and serves the job
// queue described in thread-pool.ts.

import { TASKS } from './tasks.js';

/** Indices (int32) of the control block shared by the pool and its workers. */
export const CTRL = {
  /** (generation << 16) | next unclaimed part; workers wait on it. */
  TICKET: 0,
  /** Parts finished in the current generation; the caller waits on it. */
  DONE: 1,
  /** Parts in the current job. */
  PARTS: 2,
  /** Set when a part threw. */
  ERROR: 3,
  /** Workers that have instantiated the module. */
  READY: 4,
  /** matmul partition: 0 = by rows, 1 = by columns. */
  SPLIT: 5,
  /** Rows or columns per part. */
  CHUNK: 6,
  /** Bytes of scratch per participant. */
  SCRATCH_BYTES: 7,
  /** Byte address of participant 0's scratch. */
  SCRATCH: 8,
  /** First of the matmul arguments (MatmulArgs of thread-pool.ts: a, rsA, csA, b, rsB, csB, c, M, K, N, bias). */
  ARGS: 9,
  /** How many there are. */
  ARG_COUNT: 11,
  /** The job: 0 = matmul, else a task code (tasks.ts), whose descriptor address is ARGS[0]. */
  KIND: 20,
  /** Length of the block. */
  LENGTH: 24,
} as const;

/**
 * Spins before a worker sleeps in Atomics.wait (about 0.1 ms): long enough to catch
 * the next product of the same layer without a wake-up (tens of microseconds), short
 * enough that a worker idle through the elementwise part of a step sleeps and leaves
 * its core to V8's background compiler and GC threads. On the 2-core dev machine a
 * 1 ms spin kept the second core busy all step long and made the first epoch (when
 * V8 compiles the step) 15-35% slower, with no gain afterwards.
 */
export const WORKER_SPINS = 20000;

/** Source of the worker program (expects `{ module, memory, ctrl, tid }`). */
export const WORKER_SOURCE = `
'use strict';
const C = ${JSON.stringify(CTRL)};
const TASKS = ${JSON.stringify(TASKS)};
function start(data) {
  const instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
  const matmul = instance.exports.matmul;
  const tasks = TASKS.map((name) => instance.exports[name]);
  const ctrl = new Int32Array(data.memory.buffer, data.ctrl, C.LENGTH);
  const tid = data.tid;
  let seen = Atomics.load(ctrl, C.TICKET) >>> 16;
  Atomics.add(ctrl, C.READY, 1);
  for (;;) {
    let v = Atomics.load(ctrl, C.TICKET);
    let spins = 0;
    while (v >>> 16 === seen) {
      if (spins++ > ${WORKER_SPINS}) Atomics.wait(ctrl, C.TICKET, v);
      v = Atomics.load(ctrl, C.TICKET);
    }
    seen = v >>> 16;
    const parts = ctrl[C.PARTS];
    const split = ctrl[C.SPLIT];
    const chunk = ctrl[C.CHUNK];
    const scratch = ctrl[C.SCRATCH] + tid * ctrl[C.SCRATCH_BYTES];
    const kind = ctrl[C.KIND];
    const task = kind > 0 ? tasks[kind - 1] : null;
    const [a, rsA, csA, b, rsB, csB, c, M, K, N, bias] = ctrl.slice(C.ARGS, C.ARGS + C.ARG_COUNT);
    for (;;) {
      const t = Atomics.load(ctrl, C.TICKET);
      if (t >>> 16 !== seen || (t & 0xffff) >= parts) break;
      if (Atomics.compareExchange(ctrl, C.TICKET, t, t + 1) !== t) continue;
      const lo = (t & 0xffff) * chunk;
      try {
        if (task !== null) task(a, scratch, tid, t & 0xffff);
        else if (split === 0) matmul(a, rsA, csA, b, rsB, csB, c, M, K, N, bias, scratch, lo, Math.min(M, lo + chunk), 0, N);
        else matmul(a, rsA, csA, b, rsB, csB, c, M, K, N, bias, scratch, 0, M, lo, Math.min(N, lo + chunk));
      } catch (e) {
        Atomics.store(ctrl, C.ERROR, 1);
      }
      if (Atomics.add(ctrl, C.DONE, 1) + 1 === parts) Atomics.notify(ctrl, C.DONE);
    }
  }
}
if (typeof require === 'function') {
  start(require('node:worker_threads').workerData);
} else {
  self.onmessage = (e) => start(e.data);
}
`;
