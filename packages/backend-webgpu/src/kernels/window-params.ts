import type { Window2d } from '@kindling/tensor/backend';
import { i32, u32 } from './params.js';

/*
 * The sliding-window words every windowed kernel (convolution, pooling,
 * im2col/col2im) reads, named alike so their WGSL reads the same and the host
 * packs them from a `Window2d` in one place. Kernel size is unsigned (it
 * bounds loops); stride, padding and dilation are signed because the WGSL
 * mixes them with coordinates that may fall in the padding (negative).
 */
export const WINDOW_PARAMS = {
  kh: u32,
  kw: u32,
  sh: i32,
  sw: i32,
  ph: i32,
  pw: i32,
  dh: i32,
  dw: i32,
} as const;

/** The values of `WINDOW_PARAMS` for `window`. */
export function windowParams(window: Window2d) {
  return {
    kh: window.kernel[0],
    kw: window.kernel[1],
    sh: window.stride[0],
    sw: window.stride[1],
    ph: window.padding[0],
    pw: window.padding[1],
    dh: window.dilation[0],
    dw: window.dilation[1],
  };
}

/**
 * The layout head of the one-thread-per-element window kernels (pooling,
 * im2col, col2im): the thread count, channels, image and output sizes, then
 * the window.
 */
export const IMAGE_WINDOW_PARAMS = {
  total: u32,
  C: u32,
  H: u32,
  W: u32,
  OH: u32,
  OW: u32,
  ...WINDOW_PARAMS,
} as const;
