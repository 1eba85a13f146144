import { word } from '../layout.js';

/*
 * A kernel's parameters travel as one array of u32 words (`prm`). A layout
 * names them once: the host packs values by name and the WGSL reads them by
 * name, so no kernel counts word positions. Layouts depend only on ranks,
 * which pipeline keys already hold, never on the values.
 */

/** How a word is read in WGSL (i32 and f32 are bit patterns of the u32). */
export type WordType = 'u32' | 'i32' | 'f32';

/** One word. */
export interface ScalarField {
  readonly type: WordType;
  readonly length?: undefined;
}

/** `length` consecutive words (a shape, strides). */
export interface ArrayField {
  readonly type: WordType;
  readonly length: number;
}

export type Field = ScalarField | ArrayField;

/** Named fields, in the order their words are laid out. */
export type Fields = Readonly<Record<string, Field>>;

export const u32: ScalarField = { type: 'u32' };
export const i32: ScalarField = { type: 'i32' };
export const f32: ScalarField = { type: 'f32' };
export const u32s = (length: number): ArrayField => ({ type: 'u32', length });
export const i32s = (length: number): ArrayField => ({ type: 'i32', length });

// `X extends F[N]` rather than the reverse, so a layout built from a computed record (any name, any field) accepts both.
type ScalarName<F extends Fields> = { [N in keyof F]: ScalarField extends F[N] ? N : never }[keyof F] & string;
type ArrayName<F extends Fields> = { [N in keyof F]: ArrayField extends F[N] ? N : never }[keyof F] & string;

/** The host values of a layout's fields: numbers for scalars, arrays for arrays. */
export type ParamValues<F extends Fields> = {
  readonly [N in keyof F]: F[N] extends ArrayField ? readonly number[] : F[N] extends ScalarField ? number : number | readonly number[];
};

const F32 = new Float32Array(1);
const F32_BITS = new Uint32Array(F32.buffer);

function toWord(type: WordType, value: number): number {
  if (type !== 'f32') return word(value);
  F32[0] = value;
  return F32_BITS[0];
}

function read(type: WordType, index: number): string {
  if (type === 'u32') return `prm[${index}]`;
  return `bitcast<${type}>(prm[${index}])`;
}

/** A kernel's parameter words by name: WGSL accessors for the shader, packing for the host. */
export class ParamLayout<F extends Fields> {
  private readonly starts = new Map<string, number>();
  /** Number of words. */
  readonly size: number;

  constructor(readonly fields: F) {
    let at = 0;
    for (const [name, field] of Object.entries(fields)) {
      this.starts.set(name, at);
      at += field.length ?? 1;
    }
    this.size = at;
  }

  private field(name: string, array: boolean): [Field, number] {
    const field = this.fields[name];
    const start = this.starts.get(name);
    if (field === undefined || start === undefined || (field.length !== undefined) !== array) {
      throw new Error(`webgpu: kernel parameter ${name} is not ${array ? 'an array' : 'a scalar'} of its layout`);
    }
    return [field, start];
  }

  /** WGSL reading scalar `name` as its type. */
  get(name: ScalarName<F>): string {
    const [field, start] = this.field(name, false);
    return read(field.type, start);
  }

  /** WGSL reading element `i` of array `name` as its type. */
  at(name: ArrayName<F>, i: number): string {
    const [field, start] = this.field(name, true);
    if (!(i >= 0 && i < (field.length ?? 0))) throw new Error(`webgpu: kernel parameter ${name}[${i}] is out of its length`);
    return read(field.type, start + i);
  }

  /** The words of `values`, in layout order; arrays must have their declared lengths. */
  pack(values: ParamValues<F>): number[] {
    const words: number[] = [];
    const given = values as Readonly<Record<string, number | readonly number[]>>;
    for (const [name, field] of Object.entries(this.fields)) {
      const value = given[name];
      if (field.length === undefined) {
        if (typeof value !== 'number') throw new Error(`webgpu: kernel parameter ${name} needs a number`);
        words.push(toWord(field.type, value));
      } else {
        if (typeof value === 'number' || value?.length !== field.length) {
          throw new Error(`webgpu: kernel parameter ${name} needs ${field.length} values`);
        }
        for (const v of value) words.push(toWord(field.type, v));
      }
    }
    return words;
  }
}

/** The layout of `fields`, laid out in declaration order. */
export function paramLayout<const F extends Fields>(fields: F): ParamLayout<F> {
  return new ParamLayout(fields);
}
