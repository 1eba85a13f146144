/**
 * The two reductions softmax-like kernels make over one row: its maximum and
 * the sum of exponentials shifted by it (stable log-sum-exp). Each snippet is
 * WGSL that leaves `rowMax` and `rowSum` defined; `read(j)` is the expression
 * for element `j` (a `u32`) of the row. The maximum propagates NaN (`k_maxf`),
 * and an infinite maximum makes `x - rowMax` NaN, so rows with NaN or +inf,
 * or all -inf, come out NaN as in the lowering.
 */

/** Threads of a workgroup that reduces one row. */
export const ROW_GROUP = 64;

/**
 * The start of a kernel that gives each row a workgroup of `ROW_GROUP` threads:
 * the workgroup memory the tree reductions use, then the entry point up to where
 * `row`, `L` (the row length, read by `length`) and `lidx` are defined and rows
 * past `rows` have returned. The caller writes the rest of the body and the `}`.
 */
export function groupRowEntry(rows: string, length: string): string {
  return `var<workgroup> sh: array<f32, ${ROW_GROUP}>;
@compute @workgroup_size(${ROW_GROUP})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lidx: u32) {
  let row = wid.y * nwg.x + wid.x;
  if (row >= ${rows}) { return; }
  let L = ${length};`;
}

/** One thread walks the whole row (short rows, or software adapters where barriers are costly). */
export function threadRowStats(read: (j: string) => string): string {
  return `  var rowMax = -k_inf();
  for (var j = 0u; j < L; j++) { rowMax = k_maxf(rowMax, ${read('j')}); }
  var rowSum = 0.0;
  for (var j = 0u; j < L; j++) { rowSum += k_exp(${read('j')} - rowMax); }`;
}

/** A workgroup of `ROW_GROUP` threads strides the row and combines partial results as trees in `sh`. */
export function groupRowStats(read: (j: string) => string): string {
  return `  var m = -k_inf();
  for (var j = lidx; j < L; j += ${ROW_GROUP}u) { m = k_maxf(m, ${read('j')}); }
  sh[lidx] = m;
  workgroupBarrier();
  for (var s = ${ROW_GROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lidx < s) { sh[lidx] = k_maxf(sh[lidx], sh[lidx + s]); }
    workgroupBarrier();
  }
  let rowMax = sh[0];
  workgroupBarrier();
  var total = 0.0;
  for (var j = lidx; j < L; j += ${ROW_GROUP}u) { total += k_exp(${read('j')} - rowMax); }
  sh[lidx] = total;
  workgroupBarrier();
  for (var s = ${ROW_GROUP / 2}u; s > 0u; s = s >> 1u) {
    if (lidx < s) { sh[lidx] = sh[lidx] + sh[lidx + s]; }
    workgroupBarrier();
  }
  let rowSum = sh[0];`;
}
