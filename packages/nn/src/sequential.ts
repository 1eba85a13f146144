import type { Tensor } from '@kindling/tensor';
import { checkIndex } from './containers.js';
import { Module } from './module.js';

/** Named layers, PyTorch's `OrderedDict` form of `Sequential`'s argument. */
export type NamedModules = Readonly<Record<string, Module>>;

type Last<L extends readonly Module[]> = L extends readonly [...Module[], infer T] ? T : L[number];

/**
 * The type of `at(index)`: the layer at a literal index of a known tuple
 * (`-1` too), the union of the layers for an index known only as a number,
 * and `Module` past the known layers (`append` may have put one there).
 */
export type LayerAt<L extends readonly Module[], I extends number> = number extends I
  ? L[number]
  : `${I}` extends keyof L
    ? L[`${I}` & keyof L]
    : I extends -1
      ? Last<L>
      : number extends L['length']
        ? L[number]
        : Module;

/** A known tuple of layers as the properties `0`, `1`, ... they are stored under (`model[0]`); nothing for other arrays. */
export type IndexedLayers<L extends readonly Module[]> = number extends L['length']
  ? unknown
  : { readonly [K in keyof L as K extends `${number}` ? K : never]: L[K] };

/**
 * Modules applied in order (`torch.nn.Sequential`); see {@link Sequential}.
 * The class is exported as a constructor typed from its arguments.
 */
class SequentialModule<L extends readonly Module[] = readonly Module[]> extends Module {
  static {
    // Its repr and error messages name PyTorch's class.
    Object.defineProperty(SequentialModule, 'name', { value: 'Sequential' });
  }

  constructor(...modules: readonly Module[] | readonly [NamedModules]) {
    super();
    const record = this as unknown as Record<string, Module>;
    const [first] = modules;
    if (modules.length === 1 && !(first instanceof Module)) {
      for (const [name, m] of Object.entries(first as NamedModules)) record[name] = m;
    } else {
      (modules as readonly Module[]).forEach((m, i) => {
        record[String(i)] = m;
      });
    }
  }

  /**
   * The module at `index` (negative counts from the end), PyTorch's
   * `model[0]`: `model.at(0).weight`. Typed from the constructor's layers:
   * `new Sequential(new Linear(784, 128), new ReLU()).at(0)` is a `Linear`.
   */
  at<I extends number>(index: I): LayerAt<L, I>;
  /**
   * The module at `index`, as the layer type `M` the caller knows it is
   * (for a model whose layers TypeScript does not know, e.g. one built
   * from a description): `model.at<Linear>(0)`.
   */
  at<M extends L[number]>(index: number): M;
  at(index: number): Module {
    const list = [...this.children()];
    return list[checkIndex('Sequential', index, list.length)];
  }

  /** The number of modules (PyTorch's `len(model)`). */
  override get length(): number {
    return [...this.children()].length;
  }

  /** Appends a module under the next numeric key (not reflected in the layer types). */
  append(module: Module): this {
    (this as unknown as Record<string, Module>)[String(this.length)] = module;
    return this;
  }

  /** Appends each module in turn (PyTorch's `extend`). */
  extend(modules: Iterable<Module>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  /** Each module's output is the next one's input. */
  forward(x: Tensor): Tensor {
    let out = x;
    // children()'s order without its generators, which cost more than a small layer (this runs every step).
    const layers = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) {
      const m = layers[key];
      if (m instanceof Module) out = m.forward(out);
    }
    return out;
  }

  [Symbol.iterator](): Iterator<L[number]> {
    return this.children() as Iterator<L[number]>;
  }
}

/**
 * A `Sequential` whose layers are `L`, with `A` the properties they are
 * stored under: `0`, `1`, ... for a known tuple, the names for the named
 * form. `Sequential` alone is any of them.
 */
export type Sequential<L extends readonly Module[] = readonly Module[], A = IndexedLayers<L>> = SequentialModule<L> & A;

type SequentialOf<Args extends readonly Module[] | readonly [NamedModules]> = Args extends readonly Module[]
  ? Sequential<Args>
  : Args extends readonly [infer R extends NamedModules]
    ? Sequential<readonly R[keyof R][], R>
    : never;

/** The type of the `Sequential` constructor: the instance is typed from the arguments. */
export interface SequentialConstructor {
  /**
   * `new Sequential(a, b, c)` stores the modules under `0`, `1`, `2`;
   * `new Sequential({ fc1: a, relu: b })` (PyTorch's `OrderedDict` form)
   * under their names, readable as `model.fc1`.
   */
  new <const Args extends readonly Module[] | readonly [NamedModules] = readonly Module[]>(...modules: Args): SequentialOf<Args>;
  readonly prototype: Sequential;
}

/**
 * Modules applied in order (`torch.nn.Sequential`), each one's output the
 * next one's input. Built from modules (keys `0`, `1`, ...) or from a record
 * of named modules, like PyTorch's `OrderedDict` form. Typed from its
 * arguments: `model.at(0)`, `model[0]` and `model.fc1` (named form) have
 * the layer's own class.
 *
 * ```ts
 * const model = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10), new LogSoftmax(1));
 * const logps = model(images);
 * model[0].weight; // Linear's weight, as PyTorch's model[0].weight
 * const named = new Sequential({ fc1: new Linear(784, 128), relu: new ReLU() });
 * named.fc1.bias;
 * ```
 */
export const Sequential: SequentialConstructor = SequentialModule as unknown as SequentialConstructor;
