import { CheckpointError } from '../errors.js';

/** A global the unpickler was allowed to resolve (`module.name`); applying it is up to the caller. */
export class PickleGlobal {
  constructor(readonly name: string) {}
}

/** The result of `REDUCE`/`NEWOBJ` on an allowed global: the call, recorded, never executed. */
export class PickleCall {
  /** State applied by `BUILD` (e.g. an OrderedDict's `_metadata`), kept for inspection. */
  state: PickleValue = null;
  constructor(
    readonly fn: PickleGlobal,
    readonly args: PickleValue[],
  ) {}
}

/** What a persistent id (`BINPERSID`) resolves to; the loader decides. */
export class PersistentRef {
  constructor(readonly id: PickleValue) {}
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleTuple
  | PickleDict
  | PickleGlobal
  | PickleCall
  | PersistentRef;

/** Tuples are kept apart from lists so shapes and ids read as they were written. */
export class PickleTuple {
  constructor(readonly items: PickleValue[]) {}
}

/** Dict with insertion order; keys are strings or numbers in a state dict. */
export class PickleDict {
  readonly entries = new Map<string | number, PickleValue>();
}

/** Options of {@link unpickle}. */
export interface UnpickleOptions {
  /** Globals that may appear (`collections.OrderedDict`...); anything else is refused. */
  allowedGlobals: ReadonlySet<string>;
  /** Name for error messages. */
  name: string;
}

// Bounds a hostile file cannot exceed: a state dict needs far less.
const MAX_STACK = 100_000;
const MAX_MEMO = 1_000_000;

/**
 * A pickle reader that builds plain values and never executes anything:
 * `GLOBAL` only resolves names on the allow-list, and `REDUCE`/`NEWOBJ`/
 * `BUILD` only record calls for the caller to interpret. Unknown opcodes,
 * stack underflow, missing memo entries and reads past the end are
 * `CheckpointError`s, so a malicious or corrupt file cannot crash or hang it.
 */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PickleValue {
  const { name, allowedGlobals } = options;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8', { fatal: true });
  let pos = 0;
  let stack: PickleValue[] = [];
  const marks: PickleValue[][] = [];
  const memo = new Map<number, PickleValue>();

  const fail = (message: string): never => {
    throw new CheckpointError(`${name}: ${message} (pickle byte ${pos})`);
  };
  const need = (n: number) => {
    if (n < 0 || pos + n > bytes.byteLength) fail(`data ends early (needs ${n} more bytes)`);
  };
  const u8 = () => {
    need(1);
    return bytes[pos++];
  };
  const u16 = () => {
    need(2);
    pos += 2;
    return view.getUint16(pos - 2, true);
  };
  const u32 = () => {
    need(4);
    pos += 4;
    return view.getUint32(pos - 4, true);
  };
  const take = (n: number) => {
    need(n);
    pos += n;
    return bytes.subarray(pos - n, pos);
  };
  const str = (n: number) => {
    try {
      return text.decode(take(n));
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      return fail('invalid UTF-8 in a string');
    }
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('unterminated GLOBAL name');
    const s = str(end - pos);
    pos++;
    return s;
  };
  const push = (v: PickleValue) => {
    if (stack.length >= MAX_STACK) fail('stack too deep');
    stack.push(v);
  };
  const pop = (): PickleValue => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop() as PickleValue;
  };
  const top = (): PickleValue => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): PickleValue[] => {
    const items = stack;
    const previous = marks.pop();
    if (!previous) return fail('no MARK to pop to');
    stack = previous;
    return items;
  };
  const global = (full: string) => {
    if (!allowedGlobals.has(full)) fail(`refusing to load global ${full}: only tensor state_dicts are supported`);
    push(new PickleGlobal(full));
  };
  const put = (i: number) => {
    if (memo.size >= MAX_MEMO) fail('memo too large');
    memo.set(i, top());
  };
  const get = (i: number) => {
    if (!memo.has(i)) fail(`memo entry ${i} does not exist`);
    push(memo.get(i) as PickleValue);
  };
  const setItems = (dict: PickleValue, items: PickleValue[]) => {
    if (!(dict instanceof PickleDict) && !(dict instanceof PickleCall)) fail('SETITEM(S) on something that is not a dict');
    const target = dict instanceof PickleDict ? dict : ordered(dict as PickleCall);
    if (items.length % 2) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      if (typeof key !== 'string' && typeof key !== 'number') fail(`dict key of type ${describe(key)} is not supported`);
      target.entries.set(key as string | number, items[i + 1]);
    }
  };
  // OrderedDict() is recorded as a call; its items live in a dict carried as its first argument.
  const ordered = (call: PickleCall): PickleDict => {
    if (call.fn.name !== 'collections.OrderedDict') fail(`cannot set items on ${call.fn.name}`);
    if (!(call.args[0] instanceof PickleDict)) call.args.unshift(new PickleDict());
    return call.args[0] as PickleDict;
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('unsupported pickle protocol');
        break;
      case 0x95: // FRAME
        take(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length) fail('STOP with a malformed stack');
        return stack[0];
      case 0x28: // MARK
        if (marks.length >= MAX_STACK) fail('too many MARKs');
        marks.push(stack);
        stack = [];
        break;
      case 0x7d: // EMPTY_DICT
        push(new PickleDict());
        break;
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        push(new PickleTuple([]));
        break;
      case 0x74: // TUPLE
        push(new PickleTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        push(new PickleTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        push(new PickleTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        push(new PickleTuple([pop(), b, c]));
        break;
      }
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x64: {
        // DICT
        const d = new PickleDict();
        setItems(d, popMark());
        push(d);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) fail('APPEND to something that is not a list');
        (list as PickleValue[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail('APPENDS to something that is not a list');
        (list as PickleValue[]).push(...items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4b: // BININT1
        push(u8());
        break;
      case 0x4d: // BININT2
        push(u16());
        break;
      case 0x4a: // BININT
        need(4);
        pos += 4;
        push(view.getInt32(pos - 4, true));
        break;
      case 0x8a: {
        // LONG1
        const n = u8();
        const raw = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]);
        if (n > 0 && raw[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        pos += 8;
        push(view.getFloat64(pos - 8, false));
        break;
      case 0x58: // BINUNICODE
        push(str(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(str(u8()));
        break;
      case 0x55: // SHORT_BINSTRING
        push(str(u8()));
        break;
      case 0x54: // BINSTRING
        push(str(u32()));
        break;
      case 0x43: // SHORT_BINBYTES
        push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        push(take(u32()).slice());
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        global(`${module}.${line()}`);
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const n = pop();
        const m = pop();
        if (typeof m !== 'string' || typeof n !== 'string') fail('STACK_GLOBAL needs two strings');
        global(`${m}.${n}`);
        break;
      }
      case 0x51: // BINPERSID
        push(new PersistentRef(pop()));
        break;
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PickleGlobal)) fail('REDUCE on something that is not an allowed global');
        if (!(args instanceof PickleTuple)) fail('REDUCE arguments must be a tuple');
        push(new PickleCall(fn as PickleGlobal, [...(args as PickleTuple).items]));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (!(obj instanceof PickleCall)) fail('BUILD on something that is not a reconstructed object');
        (obj as PickleCall).state = state;
        break;
      }
      case 0x71: // BINPUT
        put(u8());
        break;
      case 0x72: // LONG_BINPUT
        put(u32());
        break;
      case 0x94: // MEMOIZE
        put(memo.size);
        break;
      case 0x68: // BINGET
        get(u8());
        break;
      case 0x6a: // LONG_BINGET
        get(u32());
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x32: // DUP
        push(top());
        break;
      default:
        fail(`unsupported or unsafe pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}

export function describe(v: PickleValue): string {
  if (v === null) return 'None';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'object') return v.constructor.name;
  return typeof v;
}
