/*
 * `Symbol.dispose`, which `Tensor` implements so `using t = ...` frees it, is
 * declared by TypeScript's `esnext.disposable` lib (and by @types/node), not by
 * ES2022's. Declaring the one symbol here, as @types/node does, lets the
 * published declarations compile for a consumer whose `lib` stops at ES2022;
 * it merges with the lib's own declaration where that is present.
 */
declare global {
  interface SymbolConstructor {
    /** The method `using` calls when the variable goes out of scope. */
    readonly dispose: unique symbol;
  }
}

export {};
