import { CheckpointError } from '../errors.js';

/** A Python tuple, kept apart from lists because torch's shapes and persistent ids are tuples. */
export class PickleTuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

/** Dict keys the machine accepts: Python's hashable scalars (a state dict's keys are strings). */
export type PickleKey = string | number | bigint | boolean | null;

/** A `dict` or `collections.OrderedDict`, in insertion order. */
export class PickleDict {
  readonly entries = new Map<PickleKey, PickleValue>();
  /** True when built by `collections.OrderedDict`, which is the only thing `BUILD` may set state on. */
  constructor(readonly ordered: boolean) {}
}

/** An allowed global, referenced by its dotted name (`torch.FloatStorage`). */
export class PickleGlobal {
  constructor(readonly name: string) {}
}

/**
 * Base of the values that a caller's global implementations build (a
 * storage, a tensor). The machine passes them around without looking inside.
 */
export abstract class PickleObject {
  /** A short type name for error messages. */
  abstract readonly typeName: string;
}

/** Everything the machine can build. Python ints beyond ±2^53 become bigints. */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PickleValue[]
  | PickleTuple
  | PickleDict
  | PickleGlobal
  | PickleObject;

/** What calling an allowed global (`REDUCE`/`NEWOBJ`) means, as the caller implements it. */
export type PickleCallable = (args: readonly PickleValue[]) => PickleValue;

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** Prefix of error messages: the file and record, e.g. `model.pth: archive/data.pkl`. */
  readonly name: string;
  /**
   * Globals the pickle may name besides `collections.OrderedDict`, keyed by
   * `module.name`. The value implements calling it; `null` marks a global
   * that may be referenced but not called (torch's storage types).
   */
  readonly globals: ReadonlyMap<string, PickleCallable | null>;
  /** Resolves the id of a `BINPERSID` (torch: a storage record). Persistent ids are refused without it. */
  readonly persistentLoad?: (pid: PickleValue) => PickleValue;
}

/**
 * A state dict's pickle is kilobytes to a few megabytes (tensor data lives in
 * other records), so this is generous while capping what a hostile file can
 * make the machine allocate: every opcode consumes input and builds at most
 * one object, so work and memory are linear in the pickle's length.
 */
export const MAX_PICKLE_BYTES = 64 * 1024 * 1024;

const HIGHEST_PROTOCOL = 5;

// Opcodes torch.save emits (protocol 2), plus the protocol 4 framing and memo
// forms a newer pickler could use. Everything else, including every opcode of
// the text protocols, is refused.
const OP = {
  PROTO: 0x80,
  FRAME: 0x95,
  STOP: 0x2e,
  MARK: 0x28,
  EMPTY_DICT: 0x7d,
  EMPTY_LIST: 0x5d,
  EMPTY_TUPLE: 0x29,
  TUPLE: 0x74,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  SETITEM: 0x73,
  SETITEMS: 0x75,
  APPEND: 0x61,
  APPENDS: 0x65,
  NONE: 0x4e,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  BININT: 0x4a,
  BININT1: 0x4b,
  BININT2: 0x4d,
  LONG1: 0x8a,
  BINFLOAT: 0x47,
  BINUNICODE: 0x58,
  SHORT_BINUNICODE: 0x8c,
  BINPUT: 0x71,
  LONG_BINPUT: 0x72,
  MEMOIZE: 0x94,
  BINGET: 0x68,
  LONG_BINGET: 0x6a,
  GLOBAL: 0x63,
  STACK_GLOBAL: 0x93,
  REDUCE: 0x52,
  NEWOBJ: 0x81,
  BUILD: 0x62,
  BINPERSID: 0x51,
} as const;

const ORDERED_DICT = 'collections.OrderedDict';

/**
 * Reads a pickle without executing anything in it. `GLOBAL` resolves only
 * names on the allow-list (anything else, like `os.system`, is refused where
 * it appears), and `REDUCE`/`NEWOBJ` run the caller's own implementation of
 * an allowed global, never Python's. Corrupt or hostile input (reads past the
 * end, unknown opcodes, stack underflow, missing memo entries, calls of
 * non-callables) is a `CheckpointError` naming `options.name` and the byte
 * offset; the machine is iterative, so deep nesting cannot overflow the call
 * stack.
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PickleValue {
  if (bytes.byteLength > MAX_PICKLE_BYTES) {
    throw new CheckpointError(`${options.name}: pickle of ${bytes.byteLength} bytes exceeds the ${MAX_PICKLE_BYTES}-byte limit`);
  }
  return new Machine(bytes, options).run();
}

/** A short description of a value's type for error messages; never walks into containers. */
export function describePickle(v: PickleValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  if (v instanceof PickleTuple) return 'tuple';
  if (v instanceof PickleDict) return v.ordered ? 'OrderedDict' : 'dict';
  if (v instanceof PickleGlobal) return `global ${v.name}`;
  return v.typeName;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Machine {
  private pos = 0;
  /** Offset of the opcode being run, for error messages. */
  private at = 0;
  private readonly stack: PickleValue[] = [];
  /** Stack heights at each open MARK; items below the innermost one are out of reach, as in CPython. */
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PickleValue>();
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: UnpickleOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  run(): PickleValue {
    for (;;) {
      this.at = this.pos;
      const op = this.u8();
      if (op === OP.STOP) return this.pop();
      this.step(op);
    }
  }

  private step(op: number): void {
    switch (op) {
      case OP.PROTO: {
        const version = this.u8();
        if (version > HIGHEST_PROTOCOL) this.fail(`pickle protocol ${version} is newer than ${HIGHEST_PROTOCOL}`);
        return;
      }
      case OP.FRAME: {
        // Frames only group opcodes for buffered reading; the length is checked, then ignored.
        const low = this.u32();
        const high = this.u32();
        if (high !== 0 || low > this.bytes.byteLength - this.pos) this.fail('FRAME is longer than the rest of the data');
        return;
      }
      case OP.MARK:
        this.marks.push(this.stack.length);
        return;
      case OP.EMPTY_DICT:
        this.push(new PickleDict(false));
        return;
      case OP.EMPTY_LIST:
        this.push([]);
        return;
      case OP.EMPTY_TUPLE:
        this.push(new PickleTuple([]));
        return;
      case OP.TUPLE:
        this.push(new PickleTuple(this.popMark()));
        return;
      case OP.TUPLE1:
      case OP.TUPLE2:
      case OP.TUPLE3: {
        const items = new Array<PickleValue>(op - OP.TUPLE1 + 1);
        for (let i = items.length - 1; i >= 0; i--) items[i] = this.pop();
        this.push(new PickleTuple(items));
        return;
      }
      case OP.SETITEM: {
        const value = this.pop();
        const key = this.pop();
        this.dictOnTop().entries.set(this.key(key), value);
        return;
      }
      case OP.SETITEMS: {
        const items = this.popMark();
        if (items.length % 2 !== 0) this.fail('SETITEMS with an odd number of items');
        const dict = this.dictOnTop();
        for (let i = 0; i < items.length; i += 2) dict.entries.set(this.key(items[i]), items[i + 1]);
        return;
      }
      case OP.APPEND: {
        const value = this.pop();
        this.listOnTop().push(value);
        return;
      }
      case OP.APPENDS: {
        const items = this.popMark();
        const list = this.listOnTop();
        // A loop, not push(...items): spreading a long list would overflow the argument limit.
        for (const item of items) list.push(item);
        return;
      }
      case OP.NONE:
        this.push(null);
        return;
      case OP.NEWTRUE:
        this.push(true);
        return;
      case OP.NEWFALSE:
        this.push(false);
        return;
      case OP.BININT:
        this.push(this.view.getInt32(this.offsetOf(4, 'BININT'), true));
        return;
      case OP.BININT1:
        this.push(this.u8());
        return;
      case OP.BININT2:
        this.push(this.view.getUint16(this.offsetOf(2, 'BININT2'), true));
        return;
      case OP.LONG1:
        this.push(littleEndianSigned(this.take(this.u8(), 'LONG1')));
        return;
      case OP.BINFLOAT:
        // The one big-endian field in the binary protocols.
        this.push(this.view.getFloat64(this.offsetOf(8, 'BINFLOAT'), false));
        return;
      case OP.BINUNICODE:
        this.push(this.text(this.take(this.u32(), 'BINUNICODE')));
        return;
      case OP.SHORT_BINUNICODE:
        this.push(this.text(this.take(this.u8(), 'SHORT_BINUNICODE')));
        return;
      case OP.BINPUT:
        this.memo.set(this.u8(), this.top());
        return;
      case OP.LONG_BINPUT:
        this.memo.set(this.u32(), this.top());
        return;
      case OP.MEMOIZE:
        this.memo.set(this.memo.size, this.top());
        return;
      case OP.BINGET:
        this.push(this.recall(this.u8()));
        return;
      case OP.LONG_BINGET:
        this.push(this.recall(this.u32()));
        return;
      case OP.GLOBAL: {
        const module = this.line();
        const name = this.line();
        this.push(this.global(`${module}.${name}`));
        return;
      }
      case OP.STACK_GLOBAL: {
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== 'string' || typeof name !== 'string') this.fail('STACK_GLOBAL needs two strings');
        this.push(this.global(`${module}.${name}`));
        return;
      }
      case OP.REDUCE:
      case OP.NEWOBJ: {
        const args = this.pop();
        const callable = this.pop();
        this.push(this.call(callable, args));
        return;
      }
      case OP.BUILD: {
        this.pop();
        const target = this.top();
        // Only an OrderedDict gets state here (torch's `_metadata` of module versions, which a
        // reader of plain tensors has no use for); setting state on anything else is refused.
        if (!(target instanceof PickleDict && target.ordered)) this.fail(`refusing BUILD on ${describePickle(target)}`);
        return;
      }
      case OP.BINPERSID: {
        const pid = this.pop();
        const load = this.options.persistentLoad ?? this.fail('persistent ids are not supported here');
        this.push(load(pid));
        return;
      }
      default:
        this.fail(`unsupported or unsafe pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }

  private global(name: string): PickleGlobal {
    if (name !== ORDERED_DICT && !this.options.globals.has(name)) {
      const hint = name.startsWith('torch.nn.') || name.startsWith('__main__.') ? ' (save model.state_dict(), not the model)' : '';
      this.fail(`refusing to load global ${name}: only tensor state_dicts are supported${hint}`);
    }
    return new PickleGlobal(name);
  }

  private call(callable: PickleValue, args: PickleValue): PickleValue {
    if (!(callable instanceof PickleGlobal)) this.fail(`refusing to call a ${describePickle(callable)}`);
    if (!(args instanceof PickleTuple)) this.fail(`arguments of ${callable.name} are a ${describePickle(args)}, not a tuple`);
    if (callable.name === ORDERED_DICT) {
      // Entries arrive through SETITEMS; OrderedDict(iterable) is never pickled by torch.
      if (args.items.length > 0) this.fail('OrderedDict with constructor arguments is not supported');
      return new PickleDict(true);
    }
    const implementation = this.options.globals.get(callable.name);
    if (!implementation) this.fail(`refusing to call ${callable.name}`);
    return implementation(args.items);
  }

  private key(k: PickleValue): PickleKey {
    if (k === null || typeof k === 'string' || typeof k === 'number' || typeof k === 'bigint' || typeof k === 'boolean') return k;
    return this.fail(`unsupported dict key of type ${describePickle(k)}`);
  }

  private dictOnTop(): PickleDict {
    const d = this.top();
    return d instanceof PickleDict ? d : this.fail(`setting an item on a ${describePickle(d)}, not a dict`);
  }

  private listOnTop(): PickleValue[] {
    const l = this.top();
    return Array.isArray(l) ? l : this.fail(`appending to a ${describePickle(l)}, not a list`);
  }

  private recall(index: number): PickleValue {
    const v = this.memo.get(index);
    if (v === undefined) this.fail(`memo entry ${index} does not exist`);
    return v;
  }

  private push(v: PickleValue): void {
    this.stack.push(v);
  }

  private floor(): number {
    return this.marks.length > 0 ? this.marks[this.marks.length - 1] : 0;
  }

  private pop(): PickleValue {
    if (this.stack.length <= this.floor()) this.fail('stack underflow');
    return this.stack.pop() as PickleValue;
  }

  private top(): PickleValue {
    if (this.stack.length <= this.floor()) this.fail('stack underflow');
    return this.stack[this.stack.length - 1];
  }

  private popMark(): PickleValue[] {
    const mark = this.marks.pop();
    if (mark === undefined) this.fail('no MARK to collect items up to');
    return this.stack.splice(mark);
  }

  private take(n: number, what: string): Uint8Array {
    const left = this.bytes.byteLength - this.pos;
    if (n > left) this.fail(`data ends early: ${what} needs ${n} bytes, ${left} left`);
    this.pos += n;
    return this.bytes.subarray(this.pos - n, this.pos);
  }

  /** Consumes a fixed-size field and returns where it starts. */
  private offsetOf(n: number, what: string): number {
    this.take(n, what);
    return this.pos - n;
  }

  // Every opcode reads at least one byte: done in place, as a subarray per byte would dominate the run time.
  private u8(): number {
    if (this.pos >= this.bytes.byteLength) this.fail('data ends early: no STOP opcode');
    return this.bytes[this.pos++];
  }

  private u32(): number {
    return this.view.getUint32(this.offsetOf(4, 'length'), true);
  }

  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.fail('data ends early: GLOBAL name without a newline');
    const text = this.text(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  private text(raw: Uint8Array): string {
    try {
      return utf8.decode(raw);
    } catch {
      return this.fail('string is not valid UTF-8');
    }
  }

  private fail(message: string): never {
    throw new CheckpointError(`${this.options.name}: ${message} (pickle byte ${this.at})`);
  }
}

/** A LONG1 payload: little-endian two's complement, as a number when exact. */
function littleEndianSigned(raw: Uint8Array): number | bigint {
  let v = 0n;
  for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]);
  if (raw.length > 0 && raw[raw.length - 1] & 0x80) v -= 1n << BigInt(raw.length * 8);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
