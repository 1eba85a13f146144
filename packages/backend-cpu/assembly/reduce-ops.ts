// The reductions the SIMD kernels implement: one namespace per op, named as the
// Backend's ReduceOp, holding what the row and column loops of reduce.ts need.
// scripts/build-wasm.mjs reads the names of the namespaces exported here,
// numbers them in the order they appear (ReduceOp is a type, so there is no
// table to follow) and writes their dispatch (ops.generated.ts). Only exports
// here are ops.

import { extremeRow } from './reduce';
import { hsum } from './simd';

export namespace sum {
  /** The result over no elements. */
  export const identity: f32 = 0;

  /** Combines two partial results lane-wise (the column loop). */
  @inline
  export function combine(a: v128, b: v128): v128 {
    return f32x4.add(a, b);
  }

  /** Sum of n contiguous floats: f32x4 partial sums per 1024-element chunk, chunks added in f64 (long rows stay accurate). */
  export function row(x: usize, n: i32): f32 {
    let total: f64 = 0;
    for (let c = 0; c < n; c += 1024) {
      const end = c + 1024 < n ? c + 1024 : n;
      let s0 = f32x4.splat(0);
      let s1 = f32x4.splat(0);
      let s2 = f32x4.splat(0);
      let s3 = f32x4.splat(0);
      let i = c;
      for (; i + 16 <= end; i += 16) {
        const p = x + <usize>i * 4;
        s0 = f32x4.add(s0, v128.load(p));
        s1 = f32x4.add(s1, v128.load(p, 16));
        s2 = f32x4.add(s2, v128.load(p, 32));
        s3 = f32x4.add(s3, v128.load(p, 48));
      }
      let chunk: f64 = <f64>hsum(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)));
      for (; i < end; i++) chunk += <f64>load<f32>(x + <usize>i * 4);
      total += chunk;
    }
    return <f32>total;
  }
}

export namespace max {
  export const identity: f32 = -Infinity;

  /** f32x4.max propagates NaN, as torch.max does. */
  @inline
  export function combine(a: v128, b: v128): v128 {
    return f32x4.max(a, b);
  }

  export function row(x: usize, n: i32): f32 {
    return extremeRow(x, n, true);
  }
}

export namespace min {
  export const identity: f32 = Infinity;

  /** f32x4.min propagates NaN, as torch.min does. */
  @inline
  export function combine(a: v128, b: v128): v128 {
    return f32x4.min(a, b);
  }

  export function row(x: usize, n: i32): f32 {
    return extremeRow(x, n, false);
  }
}
