/**
 * Errors name the op, the argument, what was expected and what was received,
 * so a message alone is enough to find the mistake:
 * `matmul: shapes [64,784] and [128,784] cannot be multiplied (784 != 128)`.
 */
export class KindlingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A shape, size or dimension does not fit the op. */
export class ShapeError extends KindlingError {}

/** A dtype is not accepted by the op. */
export class DTypeError extends KindlingError {}

/** Tensors of one op live on different devices, or a device is unknown. */
export class DeviceError extends KindlingError {}

/** Formats a shape the way messages print it: `[64,784]`. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
