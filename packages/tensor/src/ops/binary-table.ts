import { KindlingError } from '../errors.js';
import type { BinaryOpSpec } from './op-spec.js';

// The binary half of the op table (see `op-table.ts`).

/** C's `pow`, which PyTorch follows: 1 to any power and -1 to ±inf are 1, where `Math.pow` gives NaN. */
function cPow(a: number, b: number): number {
  if (a === 1 || (a === -1 && Math.abs(b) === Number.POSITIVE_INFINITY)) return 1;
  return a ** b;
}

/** PyTorch's `div_floor` for floats: floor of the exact quotient, IEEE results for b == 0. */
function floatFloorDivide(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  if (div === 0) return Math.sign(a / b) < 0 || Object.is(a / b, -0) ? -0 : 0;
  let floored = Math.floor(div);
  if (div - floored > 0.5) floored += 1;
  return floored;
}

/** Python's modulo: the result takes the divisor's sign. */
function pythonMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

function nonZeroDivisor(op: string, b: number): number {
  if (b === 0) throw new KindlingError(`${op}: integer division by zero (ZeroDivisionError)`);
  return b;
}

/** What remainder and floor division share: integer operands divide exactly (and refuse 0), bool is refused. */
const FLOOR_DIVISION = { dtype: 'promote', refuses: { dtypes: ['bool'] }, domain: ['positive', 'positive'] } as const;

const compare = (torch: string, math: (a: number, b: number) => boolean) =>
  ({
    torch,
    dtype: 'compare',
    grad: 'none',
    domain: ['real', 'real'],
    math: (a: number, b: number) => (math(a, b) ? 1 : 0),
  }) as const satisfies BinaryOpSpec;

/** Elementwise functions of two arguments, broadcast against each other. */
export const BINARY_OPS = {
  /** `a + b` (`torch.add`). */
  add: { torch: 'torch.add', dtype: 'promote', alpha: true, grad: 'smooth', domain: ['real', 'real'], math: (a, b) => a + b },
  /** `a - b` (`torch.sub`). */
  sub: {
    torch: 'torch.sub',
    dtype: 'promote',
    alpha: true,
    refuses: { dtypes: ['bool'], anyOperand: true, hint: 'to invert a mask use logicalNot()' },
    grad: 'smooth',
    domain: ['real', 'real'],
    math: (a, b) => a - b,
  },
  /** `a · b` (`torch.mul`); int32 products wrap exactly. */
  mul: { torch: 'torch.mul', dtype: 'promote', grad: 'smooth', domain: ['real', 'real'], math: (a, b) => a * b, integer: Math.imul },
  /** True division: integer operands give float32 (`torch.div`). */
  div: { torch: 'torch.div', dtype: 'trueDiv', grad: 'smooth', domain: ['real', 'positive'], math: (a, b) => a / b },
  /** `aᵇ` (`torch.pow`). */
  pow: {
    torch: 'torch.pow',
    dtype: 'promote',
    refuses: { dtypes: ['bool'] },
    grad: 'smooth',
    domain: ['positive', 'exponent'],
    math: cPow,
  },
  /** The larger operand, NaN if either is (`torch.maximum`). */
  maximum: {
    torch: 'torch.maximum',
    dtype: 'promote',
    grad: 'smooth',
    domain: ['real', 'real'],
    math: (a, b) => (a !== a || b !== b ? Number.NaN : a > b ? a : b),
  },
  /** The smaller operand, NaN if either is (`torch.minimum`). */
  minimum: {
    torch: 'torch.minimum',
    dtype: 'promote',
    grad: 'smooth',
    domain: ['real', 'real'],
    math: (a, b) => (a !== a || b !== b ? Number.NaN : a < b ? a : b),
  },
  /** Python's `%`: the result takes the divisor's sign (`torch.remainder`). */
  remainder: {
    ...FLOOR_DIVISION,
    torch: 'torch.remainder',
    grad: 'smooth',
    math: pythonMod,
    integer: (a, b) => pythonMod(a, nonZeroDivisor('remainder', b)),
  },
  /** Python's `//`: the quotient rounded toward -∞ (`torch.floor_divide`). */
  floorDivide: {
    ...FLOOR_DIVISION,
    torch: 'torch.floor_divide',
    grad: 'zero',
    math: floatFloorDivide,
    integer: (a, b) => Math.floor(a / nonZeroDivisor('floorDivide', b)),
  },
  /** `a == b` (`torch.eq`). */
  eq: compare('torch.eq', (a, b) => a === b),
  /** `a != b` (`torch.ne`). */
  ne: compare('torch.ne', (a, b) => a !== b),
  /** `a < b` (`torch.lt`). */
  lt: compare('torch.lt', (a, b) => a < b),
  /** `a <= b` (`torch.le`). */
  le: compare('torch.le', (a, b) => a <= b),
  /** `a > b` (`torch.gt`). */
  gt: compare('torch.gt', (a, b) => a > b),
  /** `a >= b` (`torch.ge`). */
  ge: compare('torch.ge', (a, b) => a >= b),
  /** Both non-zero (`torch.logical_and`). */
  logicalAnd: compare('torch.logical_and', (a, b) => a !== 0 && b !== 0),
  /** Either non-zero (`torch.logical_or`). */
  logicalOr: compare('torch.logical_or', (a, b) => a !== 0 || b !== 0),
} as const satisfies Record<string, BinaryOpSpec>;
