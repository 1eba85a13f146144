import type { Module } from '../module.js';
import type { Check, JsonValue } from './checks.js';

/*
 * Every layer a model description can name is a `LayerKind`: its
 * constructor's positional arguments and options with their checks and
 * defaults, the elements it allocates (computed from the checked arguments,
 * before anything is allocated), how to build it, and how to read those
 * arguments back from a built layer. The arguments are the constructors'
 * own, in their order.
 */

export type Args = JsonValue[];
export type Options = Record<string, JsonValue>;

/** Shapes by state-dict key of a layer's learnable parameters and of its buffers. */
export interface LayerState {
  parameters: Record<string, number[]>;
  buffers: Record<string, number[]>;
}

export interface Arg {
  name: string;
  check: Check;
  /** Absent for a required argument. */
  default?: JsonValue;
}

/** What the model description knows about one layer class. */
export interface LayerKind {
  /** The class; a layer is described only if it is exactly this class, not a subclass. */
  cls: abstract new (
    ...args: never[]
  ) => Module;
  args: Arg[];
  options: Record<string, Arg & { default: JsonValue }>;
  /**
   * The shapes of the layer's parameters and buffers by state-dict key
   * (`weight`, `running_mean`...), computed from the checked arguments before
   * anything is allocated: they bound what a description may ask for and are
   * compared with the tensors a checkpoint holds.
   */
  state?(args: Args, options: Options): LayerState;
  build(args: Args, options: Options): Module;
  /** The layer's arguments and options (all of them; defaults are dropped by the caller). */
  describe(layer: Module): [Args, Options];
}

/** `[3, 3]` as `3`, the way it was most likely written. */
export const compact = (v: readonly number[]): JsonValue => (v.every((x) => x === v[0]) ? v[0] : [...v]);
