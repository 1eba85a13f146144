import { KindlingError, type Tensor, isTensor, keep, noGrad } from '@kindling/tensor';
import { printAsRepr } from '@kindling/tensor/internal';
import { Callable } from './callable.js';
import { Parameter, isParameter } from './parameter.js';

const BUFFERS = Symbol('buffers');

/** Options of `loadStateDict`. */
export interface LoadStateDictOptions {
  /** Require the keys to match exactly (default true). */
  strict?: boolean;
}

/** What `loadStateDict` found, as PyTorch's `_IncompatibleKeys`. */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * The call signature of every module: `model(x)` runs `model.forward(x)`,
 * typed from the class's own `forward` (`criterion(output, labels)` takes
 * what a loss's `forward` takes). In a function generic over
 * `M extends Module`, TypeScript cannot resolve `M`'s `forward` yet: call
 * `m.forward(x)` there, or type the parameter as `Module`.
 */
export interface Module {
  /** Runs `forward` (PyTorch's `model(x)`): `const logps = model(images)`, `const loss = criterion(logps, labels)`. */
  (...inputs: Parameters<this['forward']>): ReturnType<this['forward']>;
  // A callable type gets Function's members (`name: string`, `length: number`, ...);
  // these declarations let a subclass keep a submodule or any value under those names.
  /** The class's name until assigned; free for a subclass's own attribute. */
  name: unknown;
  /** `forward`'s parameter count until assigned (a container's module count); free for a subclass's own attribute. */
  length: unknown;
  /** Free for a subclass's own attribute (`null` until assigned). */
  arguments: unknown;
  /** Free for a subclass's own attribute (`null` until assigned). */
  caller: unknown;
  /** Free for a subclass's own attribute (`undefined` until assigned). */
  prototype: unknown;
}

/**
 * Base class of all layers and models (`torch.nn.Module`). Parameters,
 * buffers and submodules are found by walking the instance's own properties
 * in the order they were assigned, so `this.fc1 = new Linear(...)` registers
 * `fc1` the way it does in PyTorch. Subclasses implement `forward`; instances
 * are callable, `model(x)` being `model.forward(x)`.
 *
 * An instance is a function (`typeof model === 'function'`), so `bind` and
 * `call` are `Function.prototype`'s, while `apply(fn)` is PyTorch's: it calls
 * `fn` on every submodule. Attributes of any name work, including `name` and
 * `length` (which read as the class's name and `forward`'s parameter count
 * until assigned).
 *
 * ```ts
 * class Classifier extends Module {
 *   fc1 = new Linear(784, 256);
 *   fc2 = new Linear(256, 10);
 *   forward(x: Tensor): Tensor {
 *     x = x.view(x.shape[0], -1);
 *     return F.logSoftmax(this.fc2(F.relu(this.fc1(x))), 1);
 *   }
 * }
 * const model = new Classifier();
 * const logps = model(images);
 * ```
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: Callable implements the call signature; the other members are accessors of Callable.prototype.
export abstract class Module extends Callable {
  /** Whether the module is in training mode (`train()`/`eval()`). */
  training = true;
  private readonly [BUFFERS] = new Map<string, Tensor | null>();

  /** The computation; `model(x)` calls it, as does `model.forward(x)`. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** Registers a non-learnable tensor saved in `stateDict` (e.g. running statistics). */
  registerBuffer(name: string, tensor: Tensor | null): void {
    this[BUFFERS].set(name, tensor ? keep(tensor) : null);
  }

  /**
   * The buffer registered under `name` (PyTorch reads it as an attribute,
   * `bn.running_mean`); null when it was registered as null or never was.
   * Read it afresh rather than holding it: `to(device)` replaces buffers.
   */
  getBuffer(name: string): Tensor | null {
    return this[BUFFERS].get(name) ?? null;
  }

  /** Direct submodules with their attribute names. */
  *namedChildren(): Generator<[string, Module]> {
    for (const [name, value] of Object.entries(this)) if (value instanceof Module) yield [name, value];
  }

  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and every descendant, with dotted names (`''` for this one). */
  *namedModules(prefix = ''): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) yield* child.namedModules(prefix ? `${prefix}.${name}` : name);
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Parameters with PyTorch's dotted key names (`0.weight`, `fc1.bias`, `hidden_layers.0.weight`). */
  *namedParameters(prefix = '', recurse = true): Generator<[string, Parameter]> {
    const seen = new Set<Parameter>();
    const modules: Iterable<[string, Module]> = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [modulePrefix, module] of modules) {
      for (const [name, value] of Object.entries(module)) {
        if (isParameter(value) && !seen.has(value)) {
          seen.add(value);
          yield [modulePrefix ? `${modulePrefix}.${name}` : name, value];
        }
      }
    }
  }

  *parameters(recurse = true): Generator<Parameter> {
    for (const [, p] of this.namedParameters('', recurse)) yield p;
  }

  *namedBuffers(prefix = ''): Generator<[string, Tensor]> {
    for (const [modulePrefix, module] of this.namedModules(prefix)) {
      for (const [name, value] of module[BUFFERS]) if (value) yield [modulePrefix ? `${modulePrefix}.${name}` : name, value];
    }
  }

  /** Sets training mode here and in every descendant. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: dropout off (same as `train(false)`). */
  eval(): this {
    return this.train(false);
  }

  /** Clears the gradients of all parameters; with `setToNone` (default) they are disposed and set to null. */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const p of this.parameters()) {
      if (!p.grad) continue;
      if (setToNone) {
        p.grad.dispose();
        p.grad = null;
      } else {
        noGrad(() => p.grad?.zero_());
      }
    }
  }

  /** Calls `fn` on every descendant, then on this module (like PyTorch's `apply`). */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Moves parameters and buffers to `device`. Parameters are replaced by new
   * `Parameter` objects on the device, so create the optimizer afterwards, as
   * PyTorch recommends.
   */
  to(device: string): this {
    for (const m of this.modules()) {
      const record = m as unknown as Record<string, unknown>;
      for (const [name, value] of Object.entries(m)) {
        if (isParameter(value) && value.device !== device) {
          record[name] = new Parameter(keep(value.detach().to(device)), value.requiresGrad);
        }
      }
      for (const [name, buffer] of m[BUFFERS]) if (buffer && buffer.device !== device) m[BUFFERS].set(name, keep(buffer.to(device)));
    }
    return this;
  }

  /**
   * Parameters and buffers by key, detached (`state_dict()`), in PyTorch's
   * order: each module's parameters then its buffers, before its children's
   * (`1.weight`, `1.bias`, `1.running_mean`, ..., `2.weight`).
   */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    const seen = new Set<Parameter>();
    for (const [prefix, module] of this.namedModules()) {
      const key = (name: string) => (prefix ? `${prefix}.${name}` : name);
      for (const [name, value] of Object.entries(module)) {
        if (isParameter(value) && !seen.has(value)) {
          seen.add(value);
          out[key(name)] = value.detach();
        }
      }
      for (const [name, b] of module[BUFFERS]) if (b) out[key(name)] = b.detach();
    }
    return out;
  }

  /**
   * Copies values from `stateDict` into the parameters and buffers. With
   * `strict` (default), missing or unexpected keys throw; shape mismatches
   * always throw, naming the key and both shapes.
   */
  loadStateDict(stateDict: Readonly<Record<string, Tensor>>, options: LoadStateDictOptions = {}): IncompatibleKeys {
    const strict = options.strict ?? true;
    const own = new Map<string, Tensor>([...this.namedParameters(), ...this.namedBuffers()]);
    const missingKeys = [...own.keys()].filter((k) => !(k in stateDict));
    const unexpectedKeys = Object.keys(stateDict).filter((k) => !own.has(k));
    const errors: string[] = [];
    if (strict && unexpectedKeys.length) errors.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}.`);
    if (strict && missingKeys.length) errors.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(', ')}.`);
    for (const [key, target] of own) {
      const source = stateDict[key];
      if (!source) continue;
      if (!isTensor(source)) {
        errors.push(`While copying the parameter named "${key}", expected a Tensor, got ${typeof source}.`);
      } else if (source.shape.length !== target.shape.length || source.shape.some((d, i) => d !== target.shape[i])) {
        errors.push(
          `size mismatch for ${key}: copying a param with shape [${source.shape.join(', ')}] from checkpoint, ` +
            `the shape in current model is [${target.shape.join(', ')}].`,
        );
      }
    }
    if (errors.length) {
      throw new KindlingError(`loadStateDict: error(s) in loading state_dict for ${this.constructor.name}:\n\t${errors.join('\n\t')}`);
    }
    noGrad(() => {
      for (const [key, target] of own) {
        const source = stateDict[key];
        if (source) target.copy_(source);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** Extra text inside this module's repr, e.g. `in_features=784, out_features=128, bias=True`. */
  extraRepr(): string {
    return '';
  }

  /** PyTorch's repr: `Sequential(\n  (0): Linear(in_features=784, ...)\n  ...\n)`. */
  override toString(): string {
    const children = [...this.namedChildren()];
    const name = this.constructor.name;
    const extra = this.extraRepr();
    if (children.length === 0) return `${name}(${extra})`;
    const lines = extra ? [extra] : [];
    for (const [key, child] of children) lines.push(`(${key}): ${child.toString().split('\n').join('\n  ')}`);
    return `${name}(\n  ${lines.join('\n  ')}\n)`;
  }
}

printAsRepr(Module);
