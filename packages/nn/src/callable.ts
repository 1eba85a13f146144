/**
 * What `new` of a `Callable` subclass gives: a function whose call runs the
 * instance's `forward`. `Module` extends `Callable`, so `model(x)` works the
 * way PyTorch's `model(x)` does.
 */
interface Forwarding {
  forward(...inputs: unknown[]): unknown;
}

/**
 * @internal Base of `Module`: its constructor returns a function object in
 * place of `this`, so instances can be called. JavaScript runs the field
 * initialisers of every subclass (`Module`'s `training`, a model's `fc1 = new
 * Linear(...)`, `#private` fields) on the returned object, which has the
 * subclass's prototype, so `instanceof`, methods and property order behave as
 * for an ordinary instance.
 */
export class Callable {
  constructor() {
    // An arrow function has no own `prototype`, `arguments` or `caller`; its own
    // `name` and `length` are deleted below, so the instance starts with no own
    // property and the model's attributes enumerate in assignment order.
    const self = ((...inputs: unknown[]) => (self as unknown as Forwarding).forward(...inputs)) as unknown as Callable;
    Object.setPrototypeOf(self, new.target.prototype);
    // Without this, `this.name = 'encoder'` (non-writable `name`) would throw,
    // and a submodule assigned as `this.length` would not enumerate.
    Reflect.deleteProperty(self, 'name');
    Reflect.deleteProperty(self, 'length');
    // biome-ignore lint/correctness/noConstructorReturn: returning the callable is the point of this class.
    return self;
  }
}

/**
 * An attribute that `Function.prototype` defines read-only or throwing
 * (`name`, `length`, `arguments`, `caller`), shadowed so that assigning it on
 * an instance makes an ordinary own property, registered after the ones
 * assigned before it. `read` is what reading it gives before that.
 */
function assignable(key: string, read: (self: Forwarding) => unknown): PropertyDescriptor {
  return {
    get(this: Forwarding) {
      return read(this);
    },
    set(this: Forwarding, value: unknown) {
      Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
    },
    enumerable: false,
    configurable: true,
  };
}

// Instances are functions, so `Function.prototype` goes in their prototype
// chain: `bind` and `call` work as on any function, as TypeScript types them.
// `Module` keeps PyTorch's `apply(fn)`, which shadows `Function.prototype.apply`.
Object.setPrototypeOf(Callable.prototype, Function.prototype);
Object.defineProperties(Callable.prototype, {
  // A function's name is its class's: `[Function: Classifier]`.
  name: assignable('name', (self) => self.constructor.name),
  // A function's length is its declared parameter count, here `forward`'s.
  length: assignable('length', (self) => self.forward.length),
  arguments: assignable('arguments', () => null),
  caller: assignable('caller', () => null),
});
