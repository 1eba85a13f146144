import { hasRepr } from './inspect.js';

/** Options of {@link print}, as Python's `print(..., sep=' ', end='\n')`. */
export interface PrintOptions {
  /** Put between the values (Python's `sep`); default one space. */
  sep?: string;
  /** Put after the last value (Python's `end`); default a newline. */
  end?: string;
}

/** Python's `print`, with {@link PrintOptions} fixed by `print.with(options)`. */
export interface Print {
  (...values: unknown[]): void;
  /** A `print` with other `sep`/`end`: `print.with({ sep: '' })('a', 'b')` prints `ab`, as `print('a', 'b', sep='')`. */
  with(options: PrintOptions): (...values: unknown[]) => void;
}

type Seen = Set<object>;

function reprNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Number.POSITIVE_INFINITY) return 'inf';
  if (n === Number.NEGATIVE_INFINITY) return '-inf';
  return String(n);
}

/** Python's `repr` of a string: single quotes unless the text holds one and no double quote. */
function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t').replaceAll(quote, `\\${quote}`);
  return `${quote}${body}${quote}`;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === null || proto === Object.prototype;
}

/** A class instance or function whose class wrote its own `toString` (a Module, a grad node, a user's class). */
function hasOwnText(v: object): boolean {
  const text = (v as { toString?: unknown }).toString;
  return typeof text === 'function' && text !== Object.prototype.toString && text !== Function.prototype.toString;
}

function format(value: unknown, top: boolean, seen: Seen): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return reprNumber(value);
  if (typeof value === 'string') return top ? value : reprString(value);
  if (typeof value === 'bigint' || typeof value === 'symbol') return value.toString();
  if (hasRepr(value)) return String(value);
  if (typeof value === 'function') {
    if (hasOwnText(value)) return String(value);
    return `<function ${value.name || '<anonymous>'}>`;
  }
  if (typeof value !== 'object') return String(value);
  if (value instanceof Promise) return '<Promise: await it for its value>';
  // Python prints a container that holds itself as [...] or {...}.
  if (seen.has(value)) return Array.isArray(value) ? '[...]' : '{...}';
  seen.add(value);
  try {
    return formatObject(value, seen);
  } finally {
    seen.delete(value);
  }
}

function formatObject(value: object, seen: Seen): string {
  const item = (v: unknown) => format(v, false, seen);
  if (Array.isArray(value)) return `[${value.map(item).join(', ')}]`;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return `[${Array.from(value as unknown as ArrayLike<number | bigint>, item).join(', ')}]`;
  }
  if (value instanceof Map) return `{${Array.from(value, ([k, v]) => `${item(k)}: ${item(v)}`).join(', ')}}`;
  if (value instanceof Set) return value.size === 0 ? 'set()' : `{${Array.from(value, item).join(', ')}}`;
  if (value instanceof Error) return value.message;
  if (value instanceof Date) return value.toISOString();
  if (isPlainObject(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${reprString(k)}: ${item(v)}`)
      .join(', ')}}`;
  if (hasOwnText(value)) return String(value);
  return `<${value.constructor?.name ?? 'Object'} object>`;
}

/**
 * Python's `repr(value)` as Kindling prints it: tensors, modules and grad nodes
 * give PyTorch's repr, `null`/`undefined` give `None`, booleans `True`/`False`,
 * strings are quoted, arrays print as lists (`[64, 1, 28, 28]`) and plain
 * objects and Maps as dicts (`{'a': 1}`).
 */
export function repr(value: unknown): string {
  return format(value, false, new Set());
}

/** The text `print(...values)` writes, without the trailing `end`. */
export function formatPrint(values: readonly unknown[], options: PrintOptions = {}): string {
  return values.map((v) => format(v, true, new Set())).join(options.sep ?? ' ');
}

interface Stdout {
  write(text: string): unknown;
}

/** Node's (and Deno's and Bun's) `process.stdout`, found without importing Node so the package stays browser-safe. */
function stdout(): Stdout | undefined {
  const out = (globalThis as { process?: { stdout?: Partial<Stdout> } }).process?.stdout;
  return typeof out?.write === 'function' ? (out as Stdout) : undefined;
}

function write(values: readonly unknown[], options: PrintOptions): void {
  const text = formatPrint(values, options);
  const end = options.end ?? '\n';
  const out = stdout();
  if (out) out.write(text + end);
  // console.log ends every message with a newline, so only the part of `end` before it can be honoured.
  else console.log(end.endsWith('\n') ? text + end.slice(0, -1) : text + end);
}

/**
 * Python's `print(*values)`: writes the values joined by a space and a
 * newline, each as Python would show it: strings as they are, `null` and
 * `undefined` as `None`, `true`/`false` as `True`/`False`, arrays as
 * `[64, 1, 28, 28]`, plain objects as `{'a': 1}`, tensors, modules and grad
 * nodes as PyTorch's repr. In Node it writes to `process.stdout`; elsewhere
 * (a browser) it calls `console.log` with the text, which is also the
 * readable way to see a tensor in a browser console.
 *
 * @example
 * ```ts
 * print('Before backward pass: \n', model.at(0).weight.grad); // Before backward pass:
 *                                                             //  None
 * print(images.shape); // [64, 1, 28, 28]
 * print.with({ sep: '' })('a', 'b'); // ab
 * ```
 */
export const print: Print = Object.assign((...values: unknown[]): void => write(values, {}), {
  with:
    (options: PrintOptions) =>
    (...values: unknown[]): void =>
      write(values, options),
});
