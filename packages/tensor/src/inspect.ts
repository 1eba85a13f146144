/**
 * Node's `util.inspect.custom`, reached through the symbol registry so the
 * package imports nothing from Node and stays usable in the browser.
 */
const INSPECT_CUSTOM = Symbol.for('nodejs.util.inspect.custom');

/**
 * Makes Node's `console.log(x)` and `util.inspect(x)` print `String(x)` (for
 * tensors and modules, PyTorch's repr) instead of the object's fields.
 */
export function printAsRepr(cls: { readonly prototype: object }): void {
  Object.defineProperty(cls.prototype, INSPECT_CUSTOM, {
    value(this: object): string {
      return String(this);
    },
    writable: true,
    configurable: true,
  });
}
