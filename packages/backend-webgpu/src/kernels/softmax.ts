import type { GpuRuntime } from '../runtime.js';
import { MATH } from './ops.js';
import { decompose } from './offsets.js';
import type { StridedInput } from './reduce.js';
import { GROUP_ROW_ENTRY, ROW_GROUP, groupRowStats, threadRowStats } from './row-stats.js';
import { ROWS_SHAPE_AT, rowsLayout } from './rows.js';
import { HELPERS, bindings, mainHeader, mi } from './wgsl.js';

const GROUP = ROW_GROUP;

/** Element `j` of the row being reduced. */
const element = (j: string): string => `x[inBase + i32(${j}) * sIn]`;

/**
 * Softmax (or log-softmax) along `axis` of a float32 view in one pass over
 * memory per stage: a workgroup per row finds the maximum and the sum of
 * exponentials by tree reduction in workgroup memory, then writes the row.
 */
export function runSoftmax(rt: GpuRuntime, x: StridedInput, axis: number, log: boolean, out: GPUBuffer): void {
  const layout = rowsLayout(x.shape, x.strides, x.offset, axis, x.shape);
  if (layout.rows === 0 || layout.length === 0) return;
  const nd = layout.nd;
  // Short rows, or a software adapter where barriers are costly: a thread per row.
  const perThread = rt.software || layout.length <= 32;
  const key = `softmax|${log ? 'log' : 'exp'}|nd${nd}|${perThread ? 'thread' : 'group'}`;
  const pipeline = rt.pipeline(key, () => {
    if (perThread) return threadSource(nd, log);
    return `${bindings([
      { name: 'out', type: 'f32', write: true },
      { name: 'x', type: 'f32' },
    ])}
${HELPERS}
${MATH}
${GROUP_ROW_ENTRY}
  var inBase: i32 = ${mi(2)};
  var outBase: i32 = 0;
${decompose('row', nd, ROWS_SHAPE_AT, [
  { name: 'inBase', stridesAt: ROWS_SHAPE_AT + nd },
  { name: 'outBase', stridesAt: ROWS_SHAPE_AT + 2 * nd },
])}
  let sIn = ${mi(3)};
  let sOut = ${mi(4)};
${groupRowStats(element)}
  let logSum = k_log(rowSum);
  for (var j = lidx; j < L; j += ${GROUP}u) {
    let shifted = x[inBase + i32(j) * sIn] - rowMax;
    out[outBase + i32(j) * sOut] = ${log ? 'shifted - logSum' : 'k_exp(shifted) / rowSum'};
  }
}`;
  });
  rt.dispatch(pipeline, [out, x.buffer], layout.meta, rt.grid(perThread ? Math.ceil(layout.rows / GROUP) : layout.rows));
}

/** The same three passes over a row, done by one thread. */
function threadSource(nd: number, log: boolean): string {
  return `${bindings([
    { name: 'out', type: 'f32', write: true },
    { name: 'x', type: 'f32' },
  ])}
${HELPERS}
${MATH}
${mainHeader(GROUP)}
  let row = k_linear(wid, nwg, lidx, ${GROUP}u);
  if (row >= prm[0]) { return; }
  let L = prm[1];
  var inBase: i32 = ${mi(2)};
  var outBase: i32 = 0;
${decompose('row', nd, ROWS_SHAPE_AT, [
  { name: 'inBase', stridesAt: ROWS_SHAPE_AT + nd },
  { name: 'outBase', stridesAt: ROWS_SHAPE_AT + 2 * nd },
])}
  let sIn = ${mi(3)};
  let sOut = ${mi(4)};
${threadRowStats(element)}
  let logSum = k_log(rowSum);
  for (var j = 0u; j < L; j++) {
    let shifted = x[inBase + i32(j) * sIn] - rowMax;
    out[outBase + i32(j) * sOut] = ${log ? 'shifted - logSum' : 'k_exp(shifted) / rowSum'};
  }
}`;
}
