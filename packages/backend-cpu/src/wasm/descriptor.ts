// The layout of the task descriptor, mirrored from assembly/window.ts.

/**
 * The int32 descriptor the window tasks (convolution, pooling, batch norm)
 * read: slot numbers as `assembly/window.ts` defines them (`createWasmKernels`
 * refuses a module whose count differs).
 */
export const D = {
  N: 0,
  C: 1,
  H: 2,
  W: 3,
  COUT: 4,
  GROUPS: 5,
  KH: 6,
  KW: 7,
  SH: 8,
  SW: 9,
  PH: 10,
  PW: 11,
  DH: 12,
  DW: 13,
  OH: 14,
  OW: 15,
  X: 16,
  XSN: 17,
  XSC: 18,
  XSH: 19,
  XSW: 20,
  WEIGHT: 21,
  BIAS: 22,
  Y: 23,
  YSN: 24,
  YSC: 25,
  YSL: 26,
  WS: 27,
  WS_BYTES: 28,
  CHUNK: 29,
  TILE: 30,
  FLAGS: 31,
  DIVISOR: 32,
  OFF_Q: 33,
  OFF_V: 34,
  OFF_M: 35,
  LENGTH: 36,
} as const;
