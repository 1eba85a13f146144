/**
 * IEEE 754 binary16 ("half", `torch.float16`) conversions. JavaScript has no
 * float16 array in Node 20, so float16 values travel through JavaScript as
 * float32 numbers that are exactly representable in half precision; these
 * functions do the rounding and the bit-level encoding storage formats need.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * The binary16 bit pattern nearest to `x` (round half to even, overflow to
 * infinity, gradual underflow), as `torch.tensor(x).half()` gives it.
 */
export function float16Bits(x: number): number {
  f32[0] = x; // float64 -> float32 first, as PyTorch converts from float
  const bits = u32[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal (or zero): shift the implicit 1 in and round the dropped bits to even.
    if (e < -10) return sign;
    const m = mantissa | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let out = m >>> shift;
    if (rest > half || (rest === half && out & 1)) out++;
    return sign | out;
  }
  let out = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && out & 1)) out++;
  return sign | out;
}

/** The number a binary16 bit pattern holds. */
export function float16FromBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** `x` rounded to the nearest float16 value (as a number). */
export function roundToFloat16(x: number): number {
  return float16FromBits(float16Bits(x));
}

/** Rounds every element of `data` to float16 in place and returns it. */
export function roundArrayToFloat16<T extends Float32Array | Float64Array>(data: T): T {
  for (let i = 0; i < data.length; i++) data[i] = roundToFloat16(data[i]);
  return data;
}
