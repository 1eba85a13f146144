// `y += alpha * x` over a large array as a thread-pool task (src/wasm/tasks.ts):
// the SGD update of a big weight, in one contiguous part per thread, so the
// caller no longer reads all of a gradient that the other core half wrote.

import { axpy } from './elementwise';

/** Byte offsets in the task's descriptor (written by src/wasm/create.ts, AXPY_DESC there). */
const X: usize = 0;
const Y: usize = 4;
const N: usize = 8;
const CHUNK: usize = 12;
const ALPHA: usize = 16;

/** Elements [part·chunk, min(n, (part+1)·chunk)) of the job at `d`: the plain axpy's arithmetic. */
export function axpyPart(d: usize, scratch: usize, tid: i32, part: i32): void {
  const chunk = load<i32>(d, CHUNK);
  const first = part * chunk;
  const count = min(load<i32>(d, N) - first, chunk);
  if (count <= 0) return;
  const offset = <usize>first * 4;
  axpy(load<f32>(d, ALPHA), <usize>load<i32>(d, X) + offset, <usize>load<i32>(d, Y) + offset, count);
}
