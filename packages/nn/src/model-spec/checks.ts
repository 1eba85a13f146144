import { KindlingError } from '@kindling/tensor';

/*
 * Checks of untrusted JSON values, one per kind of layer argument. A model
 * description may come from any file, so every number is bounded here,
 * before a layer is built: `Number.isInteger(1e300)` is true, and a
 * `Linear(1e9, 1e9)` would try to allocate 4 EB.
 */

/** A JSON value, as `JSON.parse` returns it. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Checks one argument; returns it (possibly normalised) or throws with `what` naming it. */
export type Check = (value: unknown, what: string) => JsonValue;

/** Channel and feature counts: up to 2^24. */
export const MAX_FEATURES = 2 ** 24;
/** Kernel sizes, strides, paddings, dilations, pooled sizes: up to 2^12. */
export const MAX_WINDOW = 2 ** 12;

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The error every check throws: `what must be ..., got ...`. */
export function invalid(what: string, expected: string, value: unknown): KindlingError {
  return new KindlingError(`${what} must be ${expected}, got ${show(value)}`);
}

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** An integer in `[min, max]`. */
export const int =
  (min: number, max: number): Check =>
  (v, what) => {
    if (!isInt(v, min, max)) throw invalid(what, `an integer in [${min}, ${max}]`, v);
    return v;
  };

/** An integer in `[min, max]` or a pair of them. */
export const pair =
  (min: number, max: number): Check =>
  (v, what) => {
    if (isInt(v, min, max)) return v;
    if (Array.isArray(v) && v.length === 2 && isInt(v[0], min, max) && isInt(v[1], min, max)) return [v[0], v[1]];
    throw invalid(what, `an integer in [${min}, ${max}] or a pair of them`, v);
  };

/** A size (`base` check) or one of `words` (`'same'`, `'valid'`). */
export const orWord =
  (base: Check, words: readonly string[]): Check =>
  (v, what) =>
    typeof v === 'string' && words.includes(v) ? v : base(v, `${what} (or ${words.map((w) => `'${w}'`).join(', ')})`);

/** A finite number in `[min, max]`. */
export const num =
  (min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): Check =>
  (v, what) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      const range = Number.isFinite(min) || Number.isFinite(max) ? ` in [${min}, ${max}]` : '';
      throw invalid(what, `a finite number${range}`, v);
    }
    return v;
  };

/** `base`, or null. */
export const nullable =
  (base: Check): Check =>
  (v, what) =>
    v === null ? null : base(v, what);

/** true or false. */
export const bool: Check = (v, what) => {
  if (typeof v !== 'boolean') throw invalid(what, 'true or false', v);
  return v;
};

/** One of `words`. */
export const oneOf =
  (words: readonly string[]): Check =>
  (v, what) => {
    if (typeof v !== 'string' || !words.includes(v)) throw invalid(what, `one of ${words.map((w) => `'${w}'`).join(', ')}`, v);
    return v;
  };

/** A list of 1 to `maxLength` entries, each passing `entry`. */
export const list =
  (entry: Check, maxLength: number): Check =>
  (v, what) => {
    if (!Array.isArray(v) || v.length === 0 || v.length > maxLength) throw invalid(what, `a list of 1 to ${maxLength} entries`, v);
    return v.map((e, i) => entry(e, `${what}[${i}]`));
  };

/** A channel or feature count. */
export const features = int(1, MAX_FEATURES);
/** A dim index, negative counting from the end. */
export const dim = int(-64, 63);
/** A probability. */
export const probability = num(0, 1);
