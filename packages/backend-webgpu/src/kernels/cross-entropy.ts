import { type GpuRuntime, KERNEL_ERRORS } from '../runtime.js';
import { OUT_OF_RANGE } from './indexing.js';
import { MATH } from './math.js';
import { i32, paramLayout, u32 } from './params.js';
import type { StridedInput } from './reduce.js';
import { ROW_GROUP, groupRowEntry, groupRowStats, threadRowStats } from './row-stats.js';
import { HELPERS, bindings, mainHeader } from './wgsl.js';

const GROUP = ROW_GROUP;

/** Element `j` of the row being reduced. */
const element = (j: string): string => `x[base + i32(${j}) * sC]`;

/**
 * Logits are always 2-D, so a row stride replaces `rowsLayout`'s outer-dim
 * walk; the target needs its own offset and stride besides.
 */
const LAYOUT = paramLayout({
  rows: u32,
  classes: u32,
  xOffset: i32,
  xRowStride: i32,
  xClassStride: i32,
  targetOffset: i32,
  targetStride: i32,
});

/**
 * Declarations shared by both variants. `k_ce_term` finishes a row from its
 * maximum and log-sum with the same arithmetic as log-softmax then NLL
 * (`-(shifted - logSum)`), so the fused result equals the lowering's, NaN and
 * infinities included (a NaN or +inf logit makes the row's maximum or sum
 * NaN). A bad target is reported with gather's error code, as the lowering's
 * gather would report it, and gives 0.
 */
const PRELUDE = `${bindings([
  { name: 'out', type: 'f32', write: true },
  { name: 'x', type: 'f32' },
  { name: 'tgt', type: 'i32' },
  { name: 'err', type: 'atomic<u32>', write: true },
])}
${HELPERS}
${MATH}
${OUT_OF_RANGE}
fn k_ce_term(row: u32, base: i32, sC: i32, rowMax: f32, logSum: f32) -> f32 {
  let classes = i32(${LAYOUT.get('classes')});
  let t = tgt[${LAYOUT.get('targetOffset')} + i32(row) * ${LAYOUT.get('targetStride')}];
  if (t < 0 || t >= classes) {
    k_out_of_range(${KERNEL_ERRORS.gather}u, t, classes);
    return 0.0;
  }
  return logSum - (x[base + t * sC] - rowMax);
}`;

/** Where the row's logits start and how they step. */
const ROW_START = `  let base = ${LAYOUT.get('xOffset')} + i32(row) * ${LAYOUT.get('xRowStride')};
  let sC = ${LAYOUT.get('xClassStride')};`;

/**
 * Per-sample cross-entropy `logsumexp(x[i, :]) - x[i, target[i]]` of float32
 * `[N, C]` logits (any strides) into a contiguous `[N]` output, reading each
 * row twice and writing one number per row instead of the `[N, C]`
 * log-probabilities. Like the softmax kernel: a thread per row for short rows
 * or on software adapters, else a workgroup per row reducing the maximum and
 * the sum of exponentials as trees in workgroup memory.
 */
export function runCrossEntropy(rt: GpuRuntime, logits: StridedInput, target: StridedInput, out: GPUBuffer): void {
  const [rows, classes] = logits.shape;
  if (rows === 0) return;
  const params = LAYOUT.pack({
    rows,
    classes,
    xOffset: logits.offset,
    xRowStride: logits.strides[0],
    xClassStride: logits.strides[1],
    targetOffset: target.offset,
    targetStride: target.strides[0],
  });
  const perThread = rt.software || classes <= 32;
  const pipeline = rt.pipeline(`crossEntropy|${perThread ? 'thread' : 'group'}`, perThread ? threadSource : groupSource);
  rt.dispatch(pipeline, [out, logits.buffer, target.buffer, rt.errors], params, rt.grid(perThread ? Math.ceil(rows / GROUP) : rows));
}

function threadSource(): string {
  return `${PRELUDE}
${mainHeader(GROUP)}
  let row = k_linear(wid, nwg, lidx, ${GROUP}u);
  if (row >= ${LAYOUT.get('rows')}) { return; }
  let L = ${LAYOUT.get('classes')};
${ROW_START}
${threadRowStats(element)}
  out[row] = k_ce_term(row, base, sC, rowMax, k_log(rowSum));
}`;
}

function groupSource(): string {
  return `${PRELUDE}
${groupRowEntry(LAYOUT.get('rows'), LAYOUT.get('classes'))}
${ROW_START}
${groupRowStats(element)}
  if (lidx == 0u) { out[row] = k_ce_term(row, base, sC, rowMax, k_log(rowSum)); }
}`;
}
