import { word } from '../layout.js';
import { type GpuRuntime, KERNEL_ERRORS } from '../runtime.js';
import { OUT_OF_RANGE } from './indexing.js';
import { MATH } from './ops.js';
import type { StridedInput } from './reduce.js';
import { GROUP_ROW_ENTRY, ROW_GROUP, groupRowStats, threadRowStats } from './row-stats.js';
import { HELPERS, bindings, mainHeader, mi } from './wgsl.js';

const GROUP = ROW_GROUP;

/** Element `j` of the row being reduced. */
const element = (j: string): string => `x[base + i32(${j}) * sC]`;

/**
 * Declarations shared by both variants. Parameters are `[rows, classes,
 * xOffset, xRowStride, xClassStride, targetOffset, targetStride]`: logits are
 * always 2-D, so a row stride replaces `rowsLayout`'s outer-dim walk, and the
 * target needs its own offset and stride besides.
 *
 * `k_ce_term` finishes a row from its maximum and log-sum with the same
 * arithmetic as log-softmax then NLL (`-(shifted - logSum)`), so the fused
 * result equals the lowering's. A bad target is reported with gather's error
 * code, as the lowering's gather would report it, and gives 0.
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
  let classes = i32(prm[1]);
  let t = tgt[${mi(5)} + i32(row) * ${mi(6)}];
  if (t < 0 || t >= classes) {
    k_out_of_range(${KERNEL_ERRORS.gather}u, t, classes);
    return 0.0;
  }
  return logSum - (x[base + t * sC] - rowMax);
}`;

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
  const meta = [
    rows,
    classes,
    word(logits.offset),
    word(logits.strides[0]),
    word(logits.strides[1]),
    word(target.offset),
    word(target.strides[0]),
  ];
  const perThread = rt.software || classes <= 32;
  const pipeline = rt.pipeline(`crossEntropy|${perThread ? 'thread' : 'group'}`, perThread ? threadSource : groupSource);
  rt.dispatch(pipeline, [out, logits.buffer, target.buffer, rt.errors], meta, rt.grid(perThread ? Math.ceil(rows / GROUP) : rows));
}

function threadSource(): string {
  return `${PRELUDE}
${mainHeader(GROUP)}
  let row = k_linear(wid, nwg, lidx, ${GROUP}u);
  if (row >= prm[0]) { return; }
  let L = prm[1];
  let base = ${mi(2)} + i32(row) * ${mi(3)};
  let sC = ${mi(4)};
${threadRowStats(element)}
  out[row] = k_ce_term(row, base, sC, rowMax, k_log(rowSum));
}`;
}

function groupSource(): string {
  return `${PRELUDE}
${GROUP_ROW_ENTRY}
  let base = ${mi(2)} + i32(row) * ${mi(3)};
  let sC = ${mi(4)};
${groupRowStats(element)}
  if (lidx == 0u) { out[row] = k_ce_term(row, base, sC, rowMax, k_log(rowSum)); }
}`;
}
