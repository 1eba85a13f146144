import { coalesce } from '../layout.js';
import type { GpuRuntime } from '../runtime.js';
import { decompose } from './offsets.js';
import { i32, i32s, paramLayout, u32, u32s } from './params.js';
import type { StridedInput } from './reduce.js';
import { HELPERS, bindings } from './wgsl.js';

/** The reduced dims of `x` `[N, C, ...]` (all but 1), coalesced: their sizes and strides. */
function reducedWalk(x: StridedInput) {
  const dims = x.shape.map((_, d) => d).filter((d) => d !== 1);
  return coalesce(
    dims.map((d) => x.shape[d]),
    [dims.map((d) => x.strides[d])],
  );
}

const momentsFields = (nr: number) =>
  ({
    C: u32,
    length: u32,
    xOffset: i32,
    cStride: i32,
    reducedShape: u32s(nr),
    reducedStrides: i32s(nr),
  }) as const;

/**
 * Batch norm's statistics: for each channel `c` of f32 `x` `[N, C, ...]`
 * (any strides), the mean over every other dim and the biased variance, as
 * the mean of squared deviations from it (two passes over the channel, which
 * keeps the variance accurate when the mean is large). A workgroup per
 * channel reduces as a tree in workgroup memory; both results land in one
 * dispatch, so nothing is read back.
 */
export function runChannelMoments(rt: GpuRuntime, x: StridedInput, mean: GPUBuffer, variance: GPUBuffer): void {
  const channels = x.shape[1];
  if (channels === 0) return;
  const red = reducedWalk(x);
  const nr = red.shape.length;
  const length = red.shape.reduce((a, b) => a * b, 1);
  const layout = paramLayout(momentsFields(nr));
  const group = rt.software ? 64 : 256;
  const pipeline = rt.pipeline(`channelMoments|r${nr}|${group}`, () => {
    const tree = (name: string) => `  sh[lidx] = ${name};
  workgroupBarrier();
  for (var s = ${group / 2}u; s > 0u; s = s >> 1u) {
    if (lidx < s) { sh[lidx] = sh[lidx] + sh[lidx + s]; }
    workgroupBarrier();
  }`;
    return `${bindings([
      { name: 'mean', type: 'f32', write: true },
      { name: 'variance', type: 'f32', write: true },
      { name: 'x', type: 'f32' },
    ])}
${HELPERS}
var<workgroup> sh: array<f32, ${group}>;
fn load(base: i32, r: u32) -> f32 {
  var off = base;
${decompose('r', nr, (d) => layout.at('reducedShape', d), [{ name: 'off', stride: (d) => layout.at('reducedStrides', d) }])}
  return x[off];
}
@compute @workgroup_size(${group})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lidx: u32) {
  let c = wid.y * nwg.x + wid.x;
  if (c >= ${layout.get('C')}) { return; }
  let L = ${layout.get('length')};
  let base = ${layout.get('xOffset')} + i32(c) * ${layout.get('cStride')};
  var total = 0.0;
  for (var r = lidx; r < L; r += ${group}u) { total += load(base, r); }
${tree('total')}
  let m = sh[0] / f32(L);
  workgroupBarrier();
  var dev = 0.0;
  for (var r = lidx; r < L; r += ${group}u) { let d = load(base, r) - m; dev += d * d; }
${tree('dev')}
  if (lidx == 0u) {
    mean[c] = m;
    variance[c] = sh[0] / f32(L);
  }
}`;
  });
  const params = layout.pack({
    C: channels,
    length,
    xOffset: x.offset,
    cStride: x.strides[1],
    reducedShape: red.shape,
    reducedStrides: red.strides[0],
  });
  rt.dispatch(pipeline, [mean, variance, x.buffer], params, rt.grid(channels));
}
