// The transforms of Winograd's F(2×2, 3×3) (see winograd.ts), four adjacent
// tiles per f32x4. With d a 4×4 input tile, w a 3×3 kernel and Y a 2×2
// output tile:
//   V = Bᵀ·d·B,  Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
//   U = G·w·Gᵀ,  G  = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]
//   Y = Aᵀ·M·A,  Aᵀ = [1 1 1 0; 0 1 -1 -1]
// and the adjoints the weight gradient needs: dM = A·dY·Aᵀ, dw = Gᵀ·dU·G.
// Element ξ = 4i + j of a 4×4 tile lives in plane ξ (`plane` bytes apart).

/** Stores the first `lanes` lanes of v at p (all four when lanes is 4). */
@inline
export function storeLanes(p: usize, v: v128, lanes: i32): void {
  if (lanes == 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (lanes > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (lanes > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** Columns j = 0..3 of input row `src` for 4 tiles 2 columns apart: (d_j) = src[2l + j]. */
@inline
function evens(src: usize): v128 {
  return v128.shuffle<f32>(v128.load(src), v128.load(src, 16), 0, 2, 4, 6);
}
@inline
function odds(src: usize): v128 {
  return v128.shuffle<f32>(v128.load(src), v128.load(src, 16), 1, 3, 5, 7);
}

/** Row i of V = (row i of t)·B, for t_i = (t0..t3): ξ = 4i + j. */
@inline
function inputRow(t0: v128, t1: v128, t2: v128, t3: v128, out: usize, plane: usize, lanes: i32): void {
  storeLanes(out, f32x4.sub(t0, t2), lanes);
  storeLanes(out + plane, f32x4.add(t1, t2), lanes);
  storeLanes(out + 2 * plane, f32x4.sub(t2, t1), lanes);
  storeLanes(out + 3 * plane, f32x4.sub(t1, t3), lanes);
}

/**
 * V for `lanes` (≤ 4) adjacent tiles whose top-left input is at `src` (rows
 * `rowBytes` apart, 10 readable floats per row): writes V[ξ] at out + ξ·plane.
 */
export function inputTiles(src: usize, rowBytes: usize, out: usize, plane: usize, lanes: i32): void {
  const r1 = src + rowBytes;
  const r2 = r1 + rowBytes;
  const r3 = r2 + rowBytes;
  const d00 = evens(src);
  const d01 = odds(src);
  const d02 = evens(src + 8);
  const d03 = odds(src + 8);
  const d10 = evens(r1);
  const d11 = odds(r1);
  const d12 = evens(r1 + 8);
  const d13 = odds(r1 + 8);
  const d20 = evens(r2);
  const d21 = odds(r2);
  const d22 = evens(r2 + 8);
  const d23 = odds(r2 + 8);
  const d30 = evens(r3);
  const d31 = odds(r3);
  const d32 = evens(r3 + 8);
  const d33 = odds(r3 + 8);
  // t = Bᵀ·d by rows: t0 = d0 - d2, t1 = d1 + d2, t2 = d2 - d1, t3 = d1 - d3.
  inputRow(f32x4.sub(d00, d20), f32x4.sub(d01, d21), f32x4.sub(d02, d22), f32x4.sub(d03, d23), out, plane, lanes);
  inputRow(f32x4.add(d10, d20), f32x4.add(d11, d21), f32x4.add(d12, d22), f32x4.add(d13, d23), out + 4 * plane, plane, lanes);
  inputRow(f32x4.sub(d20, d10), f32x4.sub(d21, d11), f32x4.sub(d22, d12), f32x4.sub(d23, d13), out + 8 * plane, plane, lanes);
  inputRow(f32x4.sub(d10, d30), f32x4.sub(d11, d31), f32x4.sub(d12, d32), f32x4.sub(d13, d33), out + 12 * plane, plane, lanes);
}

/** Aᵀ applied to (x0, x1, x2, x3): (x0 + x1 + x2, x1 - x2 - x3), used on rows and then on columns. */
@inline
function outY0(s0: v128, s1: v128, s2: v128): v128 {
  return f32x4.add(f32x4.add(s0, s1), s2);
}
@inline
function outY1(s1: v128, s2: v128, s3: v128): v128 {
  return f32x4.sub(f32x4.sub(s1, s2), s3);
}

/**
 * The 2×2 outputs of 4 adjacent tiles from M[ξ] at m + ξ·plane, plus `bias`,
 * into `y` (rows `rowBytes` apart): full vectors when all 4 tiles' 8 columns
 * and both rows are inside (cols, rows valid from here), element by element
 * otherwise.
 */
export function outputTiles(m: usize, plane: usize, bias: f32, y: usize, rowBytes: usize, lanes: i32, cols: i32, rows: i32): void {
  // S = Aᵀ·M by rows: S0 = M0 + M1 + M2, S1 = M1 - M2 - M3 (M_i = row i, per column j).
  const m0 = v128.load(m);
  const m1 = v128.load(m + plane);
  const m2 = v128.load(m + 2 * plane);
  const m3 = v128.load(m + 3 * plane);
  const n0 = v128.load(m + 4 * plane);
  const n1 = v128.load(m + 5 * plane);
  const n2 = v128.load(m + 6 * plane);
  const n3 = v128.load(m + 7 * plane);
  const o0 = v128.load(m + 8 * plane);
  const o1 = v128.load(m + 9 * plane);
  const o2 = v128.load(m + 10 * plane);
  const o3 = v128.load(m + 11 * plane);
  const p0 = v128.load(m + 12 * plane);
  const p1 = v128.load(m + 13 * plane);
  const p2 = v128.load(m + 14 * plane);
  const p3 = v128.load(m + 15 * plane);
  const s00 = outY0(m0, n0, o0);
  const s01 = outY0(m1, n1, o1);
  const s02 = outY0(m2, n2, o2);
  const s03 = outY0(m3, n3, o3);
  const s10 = outY1(n0, o0, p0);
  const s11 = outY1(n1, o1, p1);
  const s12 = outY1(n2, o2, p2);
  const s13 = outY1(n3, o3, p3);
  const b = f32x4.splat(bias);
  const y00 = f32x4.add(outY0(s00, s01, s02), b);
  const y01 = f32x4.add(outY1(s01, s02, s03), b);
  const y10 = f32x4.add(outY0(s10, s11, s12), b);
  const y11 = f32x4.add(outY1(s11, s12, s13), b);
  // Interleave (y·0, y·1) of the 4 tiles into 8 consecutive output columns.
  const r0a = v128.shuffle<f32>(y00, y01, 0, 4, 1, 5);
  const r0b = v128.shuffle<f32>(y00, y01, 2, 6, 3, 7);
  const r1a = v128.shuffle<f32>(y10, y11, 0, 4, 1, 5);
  const r1b = v128.shuffle<f32>(y10, y11, 2, 6, 3, 7);
  if (lanes == 4 && cols >= 8 && rows >= 2) {
    v128.store(y, r0a);
    v128.store(y, r0b, 16);
    v128.store(y + rowBytes, r1a);
    v128.store(y + rowBytes, r1b, 16);
    return;
  }
  const n = min(cols, 2 * lanes);
  storeRow(y, r0a, r0b, n);
  if (rows >= 2) storeRow(y + rowBytes, r1a, r1b, n);
}

/** The first n (≤ 8) floats of (a, b) at p. */
function storeRow(p: usize, a: v128, b: v128, n: i32): void {
  if (n > 0) store<f32>(p, f32x4.extract_lane(a, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(a, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(a, 2), 8);
  if (n > 3) store<f32>(p, f32x4.extract_lane(a, 3), 12);
  if (n > 4) store<f32>(p, f32x4.extract_lane(b, 0), 16);
  if (n > 5) store<f32>(p, f32x4.extract_lane(b, 1), 20);
  if (n > 6) store<f32>(p, f32x4.extract_lane(b, 2), 24);
  if (n > 7) store<f32>(p, f32x4.extract_lane(b, 3), 28);
}

/** Row i of dM = (row i of e)·Aᵀ: (e0, e0 + e1, e0 - e1, -e1). */
@inline
function gradRow(e0: v128, e1: v128, out: usize, plane: usize, lanes: i32): void {
  storeLanes(out, e0, lanes);
  storeLanes(out + plane, f32x4.add(e0, e1), lanes);
  storeLanes(out + 2 * plane, f32x4.sub(e0, e1), lanes);
  storeLanes(out + 3 * plane, f32x4.neg(e1), lanes);
}

/**
 * dM = A·dY·Aᵀ for `lanes` (≤ 4) adjacent tiles whose 2×2 output gradient
 * starts at `src` (rows `rowBytes` apart, 8 readable floats per row): writes
 * dM[ξ] at out + ξ·plane.
 */
export function gradTiles(src: usize, rowBytes: usize, out: usize, plane: usize, lanes: i32): void {
  const dy00 = evens(src);
  const dy01 = odds(src);
  const dy10 = evens(src + rowBytes);
  const dy11 = odds(src + rowBytes);
  // e = A·dY by rows: e0 = dy0, e1 = dy0 + dy1, e2 = dy0 - dy1, e3 = -dy1.
  gradRow(dy00, dy01, out, plane, lanes);
  gradRow(f32x4.add(dy00, dy10), f32x4.add(dy01, dy11), out + 4 * plane, plane, lanes);
  gradRow(f32x4.sub(dy00, dy10), f32x4.sub(dy01, dy11), out + 8 * plane, plane, lanes);
  gradRow(f32x4.neg(dy10), f32x4.neg(dy11), out + 12 * plane, plane, lanes);
}

/**
 * U [16][O][I] = G·w·Gᵀ of each 3×3 kernel of w [cout][cin][3][3]; with
 * `flip`, of the kernels rotated by 180° and transposed (O = cin, I = cout),
 * the weights of the input gradient as a convolution.
 */
export function winogradWeights(w: usize, cout: i32, cin: i32, flip: bool, u: usize): void {
  const O = flip ? cin : cout;
  const I = flip ? cout : cin;
  const plane = <usize>(O * I) * 4;
  for (let co = 0; co < cout; co++) {
    for (let ci = 0; ci < cin; ci++) {
      const k = w + <usize>((co * cin + ci) * 9) * 4;
      const out = u + <usize>(flip ? ci * I + co : co * I + ci) * 4;
      // h = G·w (4×3), by columns; then U = h·Gᵀ (4×4), by rows.
      for (let i = 0; i < 4; i++) {
        const h0 = gRow(k, i, 0, flip);
        const h1 = gRow(k, i, 1, flip);
        const h2 = gRow(k, i, 2, flip);
        const e = out + <usize>(i * 4) * plane;
        store<f32>(e, h0);
        store<f32>(e + plane, (h0 + h1 + h2) * 0.5);
        store<f32>(e + 2 * plane, (h0 - h1 + h2) * 0.5);
        store<f32>(e + 3 * plane, h2);
      }
    }
  }
}

/** Row i of G·w at column j (w read rotated by 180° when `flip`). */
@inline
function gRow(k: usize, i: i32, j: i32, flip: bool): f32 {
  const w0 = tap(k, 0, j, flip);
  const w1 = tap(k, 1, j, flip);
  const w2 = tap(k, 2, j, flip);
  if (i == 0) return w0;
  if (i == 1) return (w0 + w1 + w2) * 0.5;
  if (i == 2) return (w0 - w1 + w2) * 0.5;
  return w2;
}

@inline
function tap(k: usize, r: i32, c: i32, flip: bool): f32 {
  return flip ? load<f32>(k + <usize>((2 - r) * 3 + 2 - c) * 4) : load<f32>(k + <usize>(r * 3 + c) * 4);
}

/** dw [cout][cin][3][3] = Gᵀ·dU·G of dU [16][cout][cin]. */
export function winogradWeightsBack(du: usize, cout: i32, cin: i32, dw: usize): void {
  const plane = <usize>(cout * cin) * 4;
  for (let co = 0; co < cout; co++) {
    for (let ci = 0; ci < cin; ci++) {
      const src = du + <usize>(co * cin + ci) * 4;
      const out = dw + <usize>((co * cin + ci) * 9) * 4;
      // f = Gᵀ·dU (3×4) by columns: (u0 + ½(u1 + u2), ½(u1 - u2), ½(u1 + u2) + u3); then f·G by rows.
      for (let r = 0; r < 3; r++) {
        const f0 = gtCol(src, plane, r, 0);
        const f1 = gtCol(src, plane, r, 1);
        const f2 = gtCol(src, plane, r, 2);
        const f3 = gtCol(src, plane, r, 3);
        store<f32>(out + <usize>(r * 3) * 4, f0 + (f1 + f2) * 0.5);
        store<f32>(out + <usize>(r * 3 + 1) * 4, (f1 - f2) * 0.5);
        store<f32>(out + <usize>(r * 3 + 2) * 4, (f1 + f2) * 0.5 + f3);
      }
    }
  }
}

/** Row r of Gᵀ·dU at column j. */
@inline
function gtCol(src: usize, plane: usize, r: i32, j: i32): f32 {
  const u0 = load<f32>(src + <usize>j * plane);
  const u1 = load<f32>(src + <usize>(4 + j) * plane);
  const u2 = load<f32>(src + <usize>(8 + j) * plane);
  const u3 = load<f32>(src + <usize>(12 + j) * plane);
  if (r == 0) return u0 + (u1 + u2) * 0.5;
  if (r == 1) return (u1 - u2) * 0.5;
  return (u1 + u2) * 0.5 + u3;
}

@inline
function min(a: i32, b: i32): i32 {
  return a < b ? a : b;
}
