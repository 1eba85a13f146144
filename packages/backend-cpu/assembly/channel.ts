// Batch norm's per-channel kernels over x [N, C, S] (S: the flattened spatial
// dims, contiguous; N and C any strides), as tasks over channels: `part`
// covers D_CHUNK channels. Descriptor slots are window.ts's, reused:
// D_N, D_C, D_H = S; x at D_X with D_XSN, D_XSC.

import { D_BIAS, D_C, D_CHUNK, D_H, D_KH, D_KW, D_N, D_WEIGHT, D_X, D_XSC, D_XSN, D_Y, slot } from './window';

/** The `[C]` means: moments' output, affine's input. */
const D_MEAN: i32 = D_KH;
/** The `[C]` variances out (moments) or inverse standard deviations in (affine). */
const D_SCALE: i32 = D_KW;

@inline
function channelsEnd(d: usize, part: i32): i32 {
  const end = (part + 1) * slot(d, D_CHUNK);
  const C = slot(d, D_C);
  return end < C ? end : C;
}

/** Σ of n contiguous floats, in double precision (two lanes of f64). */
@inline
function sumRow(x: usize, n: i32): f64 {
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + <usize>i * 4);
    acc = f64x2.add(acc, f64x2.promote_low_f32x4(v));
    acc = f64x2.add(acc, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) s += <f64>load<f32>(x + <usize>i * 4);
  return s;
}

/** Σ (x - mean)² of n contiguous floats, in double precision. */
@inline
function squaresRow(x: usize, n: i32, mean: f64): f64 {
  const m = f64x2.splat(mean);
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + <usize>i * 4);
    const lo = f64x2.sub(f64x2.promote_low_f32x4(v), m);
    const hi = f64x2.sub(f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1)), m);
    acc = f64x2.add(acc, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < n; i++) {
    const t = <f64>load<f32>(x + <usize>i * 4) - mean;
    s += t * t;
  }
  return s;
}

/**
 * The mean (D_MEAN) and biased variance (D_SCALE) of each of the part's
 * channels, two passes in double precision (as PyTorch's CPU batch norm
 * accumulates), rounded to float32.
 */
export function channelMoments(d: usize, scratch: usize, tid: i32, part: i32): void {
  const N = slot(d, D_N);
  const S = slot(d, D_H);
  const x = <usize>slot(d, D_X);
  const xsN = <usize>slot(d, D_XSN);
  const xsC = <usize>slot(d, D_XSC);
  const count = <f64>N * <f64>S;
  for (let c = part * slot(d, D_CHUNK); c < channelsEnd(d, part); c++) {
    const xc = x + <usize>c * xsC * 4;
    let sum: f64 = 0;
    for (let n = 0; n < N; n++) sum += sumRow(xc + <usize>n * xsN * 4, S);
    const mean = sum / count;
    let squares: f64 = 0;
    for (let n = 0; n < N; n++) squares += squaresRow(xc + <usize>n * xsN * 4, S, mean);
    store<f32>(<usize>slot(d, D_MEAN) + <usize>c * 4, <f32>mean);
    store<f32>(<usize>slot(d, D_SCALE) + <usize>c * 4, <f32>(squares / count));
  }
}

/**
 * out[n, c, s] = (x - mean[c]) * invStd[c] * weight[c] + bias[c] for the
 * part's channels (weight, bias 0: skipped), each step rounded as the
 * unfused ops round; out (D_Y) is contiguous [N, C, S].
 */
export function channelAffine(d: usize, scratch: usize, tid: i32, part: i32): void {
  const N = slot(d, D_N);
  const C = slot(d, D_C);
  const S = slot(d, D_H);
  const x = <usize>slot(d, D_X);
  const xsN = <usize>slot(d, D_XSN);
  const xsC = <usize>slot(d, D_XSC);
  const out = <usize>slot(d, D_Y);
  const weight = <usize>slot(d, D_WEIGHT);
  const bias = <usize>slot(d, D_BIAS);
  for (let c = part * slot(d, D_CHUNK); c < channelsEnd(d, part); c++) {
    const m = load<f32>(<usize>slot(d, D_MEAN) + <usize>c * 4);
    const s = load<f32>(<usize>slot(d, D_SCALE) + <usize>c * 4);
    const w: f32 = weight != 0 ? load<f32>(weight + <usize>c * 4) : 1;
    const b: f32 = bias != 0 ? load<f32>(bias + <usize>c * 4) : 0;
    const vm = f32x4.splat(m);
    const vs = f32x4.splat(s);
    const vw = f32x4.splat(w);
    const vb = f32x4.splat(b);
    for (let n = 0; n < N; n++) {
      const src = x + (<usize>n * xsN + <usize>c * xsC) * 4;
      const dst = out + (<usize>n * <usize>C + <usize>c) * <usize>S * 4;
      let i = 0;
      for (; i + 4 <= S; i += 4) {
        let t = f32x4.mul(f32x4.sub(v128.load(src + <usize>i * 4), vm), vs);
        if (weight != 0) t = f32x4.mul(t, vw);
        if (bias != 0) t = f32x4.add(t, vb);
        v128.store(dst + <usize>i * 4, t);
      }
      for (; i < S; i++) {
        let t = (load<f32>(src + <usize>i * 4) - m) * s;
        if (weight != 0) t *= w;
        if (bias != 0) t += b;
        store<f32>(dst + <usize>i * 4, t);
      }
    }
  }
}
