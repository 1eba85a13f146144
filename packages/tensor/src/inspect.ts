import { installDevtoolsFormatter } from './devtools-formatter.js';

/**
 * Node's `util.inspect.custom`, reached through the symbol registry so the
 * package imports nothing from Node and stays usable in the browser.
 */
const INSPECT_CUSTOM = Symbol.for('nodejs.util.inspect.custom');

/**
 * Marks the classes whose `String()` is their repr. From the symbol registry,
 * so two copies of this package in one app still recognise each other's.
 */
const HAS_REPR = Symbol.for('kindling.hasRepr');

function inspectAsRepr(this: object): string {
  return String(this);
}

/**
 * Makes Node's `console.log(x)` and `util.inspect(x)` print `String(x)` (for
 * tensors, modules and grad nodes, PyTorch's repr) instead of the object's
 * fields, and Chrome DevTools do the same when custom formatters are enabled
 * (see {@link installDevtoolsFormatter}). Works for instances that are
 * functions (callable modules) as well, since both look the method up
 * through the prototype chain.
 */
export function printAsRepr(cls: { readonly prototype: object }): void {
  Object.defineProperty(cls.prototype, INSPECT_CUSTOM, {
    value: inspectAsRepr,
    writable: true,
    configurable: true,
  });
  Object.defineProperty(cls.prototype, HAS_REPR, { value: true, configurable: true });
  installDevtoolsFormatter(hasRepr);
}

/** Whether `value`'s class went through {@link printAsRepr}, so `String(value)` is its repr. */
export function hasRepr(value: unknown): value is object {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  return (value as { [HAS_REPR]?: unknown })[HAS_REPR] === true;
}
