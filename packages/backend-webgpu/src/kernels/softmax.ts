import type { GpuRuntime } from '../runtime.js';
import { MATH } from './math.js';
import { decompose } from './offsets.js';
import { type ParamLayout, paramLayout } from './params.js';
import type { StridedInput } from './reduce.js';
import { ROW_GROUP, groupRowEntry, groupRowStats, threadRowStats } from './row-stats.js';
import { type RowsFields, rowsFields, rowsLayout } from './rows.js';
import { HELPERS, bindings, mainHeader } from './wgsl.js';

const GROUP = ROW_GROUP;

/** Element `j` of the row being reduced. */
const element = (j: string): string => `x[inBase + i32(${j}) * sIn]`;

/**
 * Softmax (or log-softmax) along `axis` of a float32 view in one pass over
 * memory per stage: a workgroup per row finds the maximum and the sum of
 * exponentials by tree reduction in workgroup memory, then writes the row.
 * The row's arithmetic is the lowering's (`x - max`, then `exp / sum` or
 * `- log(sum)`), so NaN and infinities give the lowering's results.
 */
export function runSoftmax(rt: GpuRuntime, x: StridedInput, axis: number, log: boolean, out: GPUBuffer): void {
  const rows = rowsLayout(x.shape, x.strides, x.offset, axis, x.shape);
  if (rows.rows === 0 || rows.length === 0) return;
  const nd = rows.nd;
  const layout = paramLayout(rowsFields(nd));
  // Short rows, or a software adapter where barriers are costly: a thread per row.
  const perThread = rt.software || rows.length <= 32;
  const key = `softmax|${log ? 'log' : 'exp'}|nd${nd}|${perThread ? 'thread' : 'group'}`;
  const pipeline = rt.pipeline(key, () => (perThread ? threadSource(layout, nd, log) : groupSource(layout, nd, log)));
  rt.dispatch(pipeline, [out, x.buffer], layout.pack(rows.values), rt.grid(perThread ? Math.ceil(rows.rows / GROUP) : rows.rows));
}

/** Declarations, and the row's start in input and output and its strides. */
function prelude(p: ParamLayout<RowsFields>, nd: number): [decls: string, rowStart: string] {
  const decls = `${bindings([
    { name: 'out', type: 'f32', write: true },
    { name: 'x', type: 'f32' },
  ])}
${HELPERS}
${MATH}`;
  const rowStart = `  var inBase: i32 = ${p.get('inOffset')};
  var outBase: i32 = 0;
${decompose('row', nd, (d) => p.at('outerShape', d), [
  { name: 'inBase', stride: (d) => p.at('inOuterStrides', d) },
  { name: 'outBase', stride: (d) => p.at('outOuterStrides', d) },
])}
  let sIn = ${p.get('inAxisStride')};
  let sOut = ${p.get('outAxisStride')};`;
  return [decls, rowStart];
}

const result = (log: boolean): string => (log ? 'shifted - logSum' : 'k_exp(shifted) / rowSum');

function groupSource(p: ParamLayout<RowsFields>, nd: number, log: boolean): string {
  const [decls, rowStart] = prelude(p, nd);
  return `${decls}
${groupRowEntry(p.get('rows'), p.get('length'))}
${rowStart}
${groupRowStats(element)}
  let logSum = k_log(rowSum);
  for (var j = lidx; j < L; j += ${GROUP}u) {
    let shifted = x[inBase + i32(j) * sIn] - rowMax;
    out[outBase + i32(j) * sOut] = ${result(log)};
  }
}`;
}

/** The same three passes over a row, done by one thread. */
function threadSource(p: ParamLayout<RowsFields>, nd: number, log: boolean): string {
  const [decls, rowStart] = prelude(p, nd);
  return `${decls}
${mainHeader(GROUP)}
  let row = k_linear(wid, nwg, lidx, ${GROUP}u);
  if (row >= ${p.get('rows')}) { return; }
  let L = ${p.get('length')};
${rowStart}
${threadRowStats(element)}
  let logSum = k_log(rowSum);
  for (var j = 0u; j < L; j++) {
    let shifted = x[inBase + i32(j) * sIn] - rowMax;
    out[outBase + i32(j) * sOut] = ${result(log)};
  }
}`;
}
