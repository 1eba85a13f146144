// Optimizers exist to train, so loading one loads autograd: loss.backward() then needs no import of its own.
import '@kindling/autograd';
import { KindlingError, type Tensor, keep, noGrad } from '@kindling/tensor';

/** Per-parameter optimizer state: tensors (moment buffers) and numbers (step counts). */
export type ParamState = Record<string, Tensor | number>;

/** A group of parameters sharing hyper-parameters. */
export interface ParamGroup<O extends object> {
  params: Tensor[];
  options: O;
}

/** Parameters given to an optimizer: a list, or groups with their own options. */
export type ParamsInput<O extends object> = Iterable<Tensor> | ReadonlyArray<{ params: Iterable<Tensor> } & Partial<O>>;

/** PyTorch's `optimizer.state_dict()` layout: state keyed by parameter index, groups listing indices. */
export interface OptimizerStateDict {
  state: Record<number, Record<string, Tensor | number>>;
  param_groups: Array<Record<string, unknown> & { params: number[] }>;
}

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * Base of all optimizers (`torch.optim.Optimizer`). Subclasses implement
 * `updateGroup`, which runs under `noGrad` with every parameter that has a gradient.
 */
export abstract class Optimizer<O extends object> {
  readonly paramGroups: ParamGroup<O>[] = [];
  /** State per parameter tensor. */
  readonly state = new Map<Tensor, ParamState>();

  protected constructor(
    params: ParamsInput<O>,
    readonly defaults: O,
  ) {
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new KindlingError(`${new.target.name}: got an empty parameter list`);
    const grouped = list.every((p) => typeof p === 'object' && p !== null && 'params' in p && !('shape' in p));
    if (grouped) for (const g of list as Array<{ params: Iterable<Tensor> } & Partial<O>>) this.addParamGroup(g);
    else this.addParamGroup({ params: list as Tensor[] } as unknown as { params: Iterable<Tensor> } & Partial<O>);
  }

  /** Adds parameters with their own options (the rest from the defaults). */
  addParamGroup(group: { params: Iterable<Tensor> } & Partial<O>): void {
    const { params, ...options } = group;
    const list = [...params];
    for (const p of list) {
      if (!p.isLeaf) throw new KindlingError(`${this.constructor.name}: can't optimize a non-leaf tensor`);
      if (this.paramGroups.some((g) => g.params.includes(p))) {
        throw new KindlingError(`${this.constructor.name}: some parameters appear in more than one parameter group`);
      }
    }
    this.paramGroups.push({ params: list, options: { ...this.defaults, ...(options as Partial<O>) } });
  }

  /** Clears gradients; with `setToNone` (default) they are disposed and set to null. */
  zeroGrad(options: { setToNone?: boolean } = {}): void {
    const setToNone = options.setToNone ?? true;
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        if (!p.grad) continue;
        if (setToNone) {
          p.grad.dispose();
          p.grad = null;
        } else {
          noGrad(() => p.grad?.zero_());
        }
      }
    }
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    noGrad(() => {
      for (const group of this.paramGroups) {
        const withGrad = group.params.filter((p) => p.grad !== null);
        if (withGrad.length) this.updateGroup(withGrad, group.options);
      }
    });
  }

  protected abstract updateGroup(params: Tensor[], options: O): void;

  /** State of `p`, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /** Keeps a state tensor alive across `tidy` scopes. */
  protected keepState(t: Tensor): Tensor {
    return keep(t);
  }

  /** State and hyper-parameters, in PyTorch's layout and key names (`exp_avg`, `weight_decay`...). */
  stateDict(): OptimizerStateDict {
    const all = this.paramGroups.flatMap((g) => g.params);
    const state: OptimizerStateDict['state'] = {};
    all.forEach((p, i) => {
      const s = this.state.get(p);
      if (s) state[i] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, typeof v === 'number' ? v : v.detach().clone()]));
    });
    let next = 0;
    const param_groups = this.paramGroups.map((g) => {
      const opts = Object.fromEntries(Object.entries(g.options).map(([k, v]) => [snake(k), v]));
      return { ...opts, params: g.params.map(() => next++) };
    });
    return { state, param_groups };
  }

  /** Restores what `stateDict` returned (groups must have the same sizes). */
  loadStateDict(dict: OptimizerStateDict): void {
    if (dict.param_groups.length !== this.paramGroups.length) {
      throw new KindlingError(
        `loadStateDict: loaded state dict has ${dict.param_groups.length} parameter groups, the optimizer has ${this.paramGroups.length}`,
      );
    }
    const all = this.paramGroups.flatMap((g) => g.params);
    dict.param_groups.forEach((saved, gi) => {
      const group = this.paramGroups[gi];
      if (saved.params.length !== group.params.length) {
        throw new KindlingError(
          `loadStateDict: loaded state dict contains a parameter group that doesn't match the size of the optimizer's group ${gi}`,
        );
      }
      const { params: _ids, ...opts } = saved;
      group.options = { ...group.options, ...Object.fromEntries(Object.entries(opts).map(([k, v]) => [camel(k), v])) } as O;
    });
    this.state.clear();
    for (const [key, s] of Object.entries(dict.state)) {
      const p = all[Number(key)];
      if (!p) throw new KindlingError(`loadStateDict: state for parameter ${key} has no matching parameter`);
      const restored: ParamState = {};
      for (const [k, v] of Object.entries(s)) restored[k] = typeof v === 'number' ? v : keep(v.detach().clone().to(p.device));
      this.state.set(p, restored);
    }
  }

  /** Current learning rate of each group (what schedulers read and write). */
  get lrs(): number[] {
    return this.paramGroups.map((g) => (g.options as { lr: number }).lr);
  }
}
