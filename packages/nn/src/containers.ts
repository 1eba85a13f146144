import { KindlingError, type Tensor } from '@kindling/tensor';
import { Module } from './module.js';

/** @internal The index `index` (negative counts from the end) of a container of `length` modules, checked. */
export function checkIndex(container: string, index: number, length: number): number {
  const i = index < 0 ? index + length : index;
  if (!Number.isInteger(i) || i < 0 || i >= length) {
    throw new KindlingError(`${container}: index ${index} is out of range for ${length} modules`);
  }
  return i;
}

/**
 * A list of modules whose parameters are registered (`torch.nn.ModuleList`),
 * stored under `0`, `1`, ...: `layers[0]` and `layers.at(-1)` read them.
 *
 * ```ts
 * this.hidden_layers = new ModuleList([new Linear(784, 512)]);
 * this.hidden_layers.extend([new Linear(512, 256), new Linear(256, 128)]);
 * for (const linear of this.hidden_layers) x = this.dropout(F.relu(linear(x)));
 * ```
 */
export class ModuleList<M extends Module = Module> extends Module {
  /** The module stored under `index` (PyTorch's `layers[0]`; no negative indices here, see `at`). */
  readonly [index: number]: M;

  constructor(modules: Iterable<M> = []) {
    super();
    this.extend(modules);
  }

  /** The number of modules (PyTorch's `len(layers)`). */
  override get length(): number {
    return [...this.children()].length;
  }

  /** The module at `index`; negative counts from the end. */
  at(index: number): M {
    const list = [...this.children()] as M[];
    return list[checkIndex('ModuleList', index, list.length)];
  }

  /** Adds a module at the end. */
  append(module: M): this {
    (this as unknown as Record<string, Module>)[String(this.length)] = module;
    return this;
  }

  /** Adds each module at the end in turn (PyTorch's `extend`). */
  extend(modules: Iterable<M>): this {
    for (const m of modules) this.append(m);
    return this;
  }

  [Symbol.iterator](): Iterator<M> {
    return this.children() as Iterator<M>;
  }

  forward(): Tensor {
    throw new KindlingError('ModuleList: has no forward; iterate over it and call its modules');
  }
}

/** Named modules whose parameters are registered (`torch.nn.ModuleDict`). */
export class ModuleDict<M extends Module = Module> extends Module {
  constructor(modules: Readonly<Record<string, M>> = {}) {
    super();
    for (const [name, m] of Object.entries(modules)) this.set(name, m);
  }

  get(name: string): M | undefined {
    const value = (this as unknown as Record<string, unknown>)[name];
    return value instanceof Module ? (value as M) : undefined;
  }

  set(name: string, module: M): this {
    if (name === 'training') throw new KindlingError(`ModuleDict: '${name}' is reserved`);
    (this as unknown as Record<string, Module>)[name] = module;
    return this;
  }

  keys(): string[] {
    return [...this.namedChildren()].map(([k]) => k);
  }

  forward(): Tensor {
    throw new KindlingError('ModuleDict: has no forward; look modules up with get(name)');
  }
}
