// Softmax and log-softmax along the last axis of a contiguous rows×cols matrix,
// shifted by the row maximum (as the tensor package's lowering does).

import { extremeRow } from './reduce';
import { hsum } from './simd';
import { vexp, vlog } from './vmath';

/** out[r, :] = softmax(x[r, :]) or log_softmax(x[r, :]); out may equal x. */
export function softmaxRows(x: usize, out: usize, rows: i32, cols: i32, log: bool): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>(r * cols) * 4;
    const or = out + <usize>(r * cols) * 4;
    const m = f32x4.splat(extremeRow(xr, cols, true));
    let acc = f32x4.splat(0);
    let tail: f32 = 0;
    let i = 0;
    for (; i + 4 <= cols; i += 4) {
      const e = vexp(f32x4.sub(v128.load(xr + <usize>i * 4), m));
      acc = f32x4.add(acc, e);
      if (!log) v128.store(or + <usize>i * 4, e);
    }
    for (; i < cols; i++) {
      const e = f32x4.extract_lane(vexp(f32x4.sub(v128.load32_splat(xr + <usize>i * 4), m)), 0);
      tail += e;
      if (!log) store<f32>(or + <usize>i * 4, e);
    }
    const s = f32x4.splat(hsum(acc) + tail);
    i = 0;
    if (log) {
      // (x - max) - log(sum), in that order, as PyTorch rounds it.
      const ls = vlog(s);
      for (; i + 4 <= cols; i += 4) v128.store(or + <usize>i * 4, f32x4.sub(f32x4.sub(v128.load(xr + <usize>i * 4), m), ls));
      const m0 = f32x4.extract_lane(m, 0);
      const ls0 = f32x4.extract_lane(ls, 0);
      for (; i < cols; i++) store<f32>(or + <usize>i * 4, load<f32>(xr + <usize>i * 4) - m0 - ls0);
    } else {
      for (; i + 4 <= cols; i += 4) v128.store(or + <usize>i * 4, f32x4.div(v128.load(or + <usize>i * 4), s));
      for (; i < cols; i++) store<f32>(or + <usize>i * 4, load<f32>(or + <usize>i * 4) / f32x4.extract_lane(s, 0));
    }
  }
}
