// How a descriptor task splits its work: `part` covers D_CHUNK consecutive
// items (samples for convolution, planes for pooling) so the thread pool can
// run parts on several threads, and thread `tid` owns one slice of the shared
// workspace. Shared by every kernel that runs as such a task.

import { Descriptor } from './descriptor';

/** First item of part `part`. */
@inline
export function partStart(g: Descriptor, part: i32): i32 {
  return part * g.chunk;
}

/** One past the last item of part `part`, for `count` items in all. */
@inline
export function partEnd(g: Descriptor, part: i32, count: i32): i32 {
  const end = (part + 1) * g.chunk;
  return end < count ? end : count;
}

/** Byte address of thread `tid`'s workspace. */
@inline
export function workspace(g: Descriptor, tid: i32): usize {
  return g.ws + <usize>tid * <usize>g.wsBytes;
}
