import { KindlingError, type Tensor } from '@kindling/tensor';
import { Module } from './module.js';

function checkIndex(container: string, index: number, length: number): number {
  const i = index < 0 ? index + length : index;
  if (!Number.isInteger(i) || i < 0 || i >= length) {
    throw new KindlingError(`${container}: index ${index} is out of range for ${length} modules`);
  }
  return i;
}

/**
 * Modules applied in order (`torch.nn.Sequential`). Built from modules
 * (keys `0`, `1`, ...) or from a record of named modules, like PyTorch's
 * `OrderedDict` form.
 */
export class Sequential extends Module {
  constructor(...modules: Module[] | [Readonly<Record<string, Module>>]) {
    super();
    const record = this as unknown as Record<string, Module>;
    if (modules.length === 1 && !(modules[0] instanceof Module)) {
      for (const [name, m] of Object.entries(modules[0] as Record<string, Module>)) record[name] = m;
    } else {
      (modules as Module[]).forEach((m, i) => {
        record[String(i)] = m;
      });
    }
  }

  /** The module at `index` (negative counts from the end): `model.at(0).weight`. */
  at<M extends Module = Module>(index: number): M {
    const list = [...this.children()];
    return list[checkIndex('Sequential', index, list.length)] as M;
  }

  get length(): number {
    return [...this.children()].length;
  }

  /** Appends a module under the next numeric key. */
  append(module: Module): this {
    (this as unknown as Record<string, Module>)[String(this.length)] = module;
    return this;
  }

  forward(x: Tensor): Tensor {
    let out = x;
    for (const m of this.children()) out = m.forward(out);
    return out;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.children();
  }
}

/** A list of modules whose parameters are registered (`torch.nn.ModuleList`). */
export class ModuleList<M extends Module = Module> extends Module {
  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }

  get length(): number {
    return [...this.children()].length;
  }

  at(index: number): M {
    const list = [...this.children()] as M[];
    return list[checkIndex('ModuleList', index, list.length)];
  }

  append(module: M): this {
    (this as unknown as Record<string, Module>)[String(this.length)] = module;
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
