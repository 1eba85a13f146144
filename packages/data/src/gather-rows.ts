/**
 * `out[k] = source[indices[k]]` for rows of `rowSize` bytes: the images of a
 * batch gathered from a split held in host memory. Runs of consecutive
 * indices (a sequential loader's whole batch, e.g. a test pass) are one
 * copy each: a 1000-image batch is one `set` instead of 1000, each of which
 * costs a view object and a call on top of its bytes.
 */
export function gatherRows(source: Uint8Array, rowSize: number, indices: Int32Array, out: Uint8Array): void {
  const n = indices.length;
  let k = 0;
  while (k < n) {
    const first = indices[k];
    let end = k + 1;
    while (end < n && indices[end] === first + (end - k)) end++;
    const start = first * rowSize;
    out.set(source.subarray(start, start + (end - k) * rowSize), k * rowSize);
    k = end;
  }
}
