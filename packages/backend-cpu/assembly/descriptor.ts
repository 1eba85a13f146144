// A typed view of the int32 window descriptor (window.ts's D_* slots, written
// by src/kernels/window-desc.ts): kernels read `g.kh` instead of importing and
// unpacking a dozen slot numbers each. The fields are declared in slot order,
// four bytes apiece, so field k sits at byte 4·k exactly like slot(d, k) reads
// it; a load is the same instruction either way. Pointers are byte addresses
// (usize is 32 bits here).

@unmanaged
export class Descriptor {
  n: i32;
  c: i32;
  h: i32;
  w: i32;
  cout: i32;
  groups: i32;
  kh: i32;
  kw: i32;
  sh: i32;
  sw: i32;
  ph: i32;
  pw: i32;
  dh: i32;
  dw: i32;
  oh: i32;
  ow: i32;
  x: usize;
  xsN: i32;
  xsC: i32;
  xsH: i32;
  xsW: i32;
  weight: usize;
  bias: usize;
  y: usize;
  ysN: i32;
  ysC: i32;
  ysL: i32;
  ws: usize;
  wsBytes: i32;
  chunk: i32;
  tile: i32;
  flags: i32;
  /** Stored as float bits; 0 reads as 0.0. */
  divisor: f32;
  offQ: i32;
  offV: i32;
  offM: i32;

  /** Output positions per image (OH·OW). */
  @inline get positions(): i32 {
    return this.oh * this.ow;
  }

  /** Rows of a group's im2col matrix: C/groups · kh · kw. */
  @inline get groupRows(): i32 {
    return (this.c / this.groups) * this.kh * this.kw;
  }
}

/** The descriptor at `d`. */
@inline
export function descriptor(d: usize): Descriptor {
  return changetype<Descriptor>(d);
}
