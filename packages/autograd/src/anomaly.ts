import { KindlingError, type Tensor } from '@kindling/tensor';

/*
 * Anomaly mode (PyTorch's `torch.autograd.detect_anomaly` / `set_detect_anomaly`).
 * When on, every node records where its forward op was called, and backward
 * checks the gradients each node returns: the first NaN or infinite value
 * stops backward with an error naming the node, the forward op and the line
 * of user code that called it. When off, the only cost is one boolean check
 * per node created and per node run.
 */

let enabled = false;
let checkNan = true;

/** Options of anomaly mode, as PyTorch's `check_nan`. */
export interface AnomalyOptions {
  /**
   * Check the gradients each node returns and throw at the first non-finite one (default true).
   * With false, only the forward locations are recorded, for errors raised inside a node's backward.
   */
  checkNan?: boolean;
}

/** Whether anomaly mode is on (`torch.is_anomaly_enabled`). */
export function isAnomalyEnabled(): boolean {
  return enabled;
}

/** Whether anomaly mode checks gradients for NaN and Inf (`torch.is_anomaly_check_nan_enabled`). */
export function isAnomalyCheckNanEnabled(): boolean {
  return checkNan;
}

/**
 * Turns anomaly mode on or off globally (`torch.autograd.set_detect_anomaly`). While it is on,
 * ops record the stack of their caller (slow: use it to debug, not to train) and backward throws
 * at the first node whose gradient holds NaN or ±Inf.
 */
export function setDetectAnomaly(mode: boolean, options: AnomalyOptions = {}): void {
  enabled = mode;
  checkNan = options.checkNan ?? true;
}

/**
 * Runs `fn` with anomaly mode on and restores the previous mode when `fn` returns, throws, or
 * (for an async `fn`) settles (`with torch.autograd.detect_anomaly():`).
 *
 * @example
 * detectAnomaly(() => x.sqrt().sum().backward());
 * // KindlingError: Function 'SqrtBackward0' returned nan values in its 0th output.
 * //   SqrtBackward0 was created by the forward op 'sqrt', called at:
 * //     at train (/home/me/train.ts:12:15)
 */
export function detectAnomaly<T>(fn: () => T, options: AnomalyOptions = {}): T {
  const saved = [enabled, checkNan] as const;
  const restore = () => {
    [enabled, checkNan] = saved;
  };
  setDetectAnomaly(true, options);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    restore();
    throw e;
  }
  // As for noGrad: code running elsewhere while an async fn awaits sees the mode too.
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}

/**
 * Whether a stack line is in Kindling's own code: the `src/` or `dist/` of a package next to this
 * one (`packages/*` in the repository, `node_modules/@kindling/*` when installed). Tests and apps
 * in the repository count as user code.
 */
const kindlingCode = (() => {
  const root = new URL('../../', import.meta.url);
  const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const prefixes = [root.href, decodeURIComponent(root.pathname)].map(escapeRegExp).join('|');
  return new RegExp(`(?:${prefixes})[^/]+/(?:src|dist)/`);
})();

/** How many frames of user code an error shows. */
const USER_FRAMES = 4;

/** Where a node's forward op was called. */
export class ForwardTrace {
  /** Formatted now: an unformatted V8 stack would keep every frame's `this` (tensors) alive with the node. */
  private readonly stack: string;

  constructor(readonly op: string) {
    // Kindling's own frames (tensor method, dispatch, recording) come first; keep enough to reach the user's.
    // `stackTraceLimit` is V8's (Node, Chrome); elsewhere setting it does nothing.
    const V8Error = Error as ErrorConstructor & { stackTraceLimit?: number };
    const limit = V8Error.stackTraceLimit;
    V8Error.stackTraceLimit = 64;
    this.stack = new Error().stack ?? '';
    V8Error.stackTraceLimit = limit;
  }

  /** The first frames of the stack outside Kindling's packages, as `at ...` lines. */
  frames(): string[] {
    // V8 writes `    at fn (file:line:col)` under an `Error` line; Firefox and Safari write `fn@file:line:col`.
    const all = this.stack
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('at ') || l.includes('@'))
      .map((l) => (l.startsWith('at ') ? l : `at ${l}`));
    const first = all.findIndex((l) => !kindlingCode.test(l));
    if (first < 0) return all.slice(0, USER_FRAMES);
    const user = [all[first]];
    // Callers up to the runtime's or a test runner's own frames; Kindling's in between (`detectAnomaly`) are skipped.
    for (const l of all.slice(first + 1)) {
      if (user.length === USER_FRAMES || /\(node:|at node:|node_modules/.test(l)) break;
      if (!kindlingCode.test(l)) user.push(l);
    }
    return user;
  }
}

/** Records where `op` was called, only in anomaly mode: the one check a node pays otherwise. */
export function traceForward(op: string): ForwardTrace | null {
  return enabled ? new ForwardTrace(op) : null;
}

/** `custom:Cube:3` (a defineFunction op) reads as the custom function 'Cube'. */
function describeOp(op: string): string {
  const custom = /^custom:(.*):\d+$/.exec(op);
  return custom ? `the custom function '${custom[1]}'` : `the forward op '${op}'`;
}

/** The lines saying where `node` came from, appended to the error that names it. */
export function forwardLocation(nodeName: string, trace: ForwardTrace | null): string {
  if (!trace) {
    return (
      `  ${nodeName} was created before anomaly mode was turned on, so where its forward op was called is unknown; ` +
      'turn anomaly mode on before the forward pass'
    );
  }
  // A node made outside an op (a view re-derived after an in-place write) is named after itself.
  const by = trace.op === nodeName ? '' : ` by ${describeOp(trace.op)}, called`;
  return [`  ${nodeName} was created${by} at:`, ...trace.frames().map((f) => `    ${f}`)].join('\n');
}

/** Which non-finite value `values` holds first, if any. */
function nonFinite(values: ArrayLike<number>): 'nan' | 'inf' | null {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) return 'nan';
    if (v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY) return 'inf';
  }
  return null;
}

/**
 * Throws if a gradient `node` returned holds NaN or ±Inf (PyTorch checks NaN only: an infinite
 * gradient is just as unusable for an optimizer step, and is where NaN usually starts).
 */
export function checkGradients(nodeName: string, trace: ForwardTrace | null, grads: readonly (Tensor | null)[]): void {
  if (!checkNan) return;
  grads.forEach((g, k) => {
    if (!g) return;
    if (!g.storage.backend.readSync) {
      throw new KindlingError(
        `detectAnomaly: the ${g.storage.backend.name} backend can only be read asynchronously, so anomaly mode cannot check ` +
          `the gradients of ${nodeName}; debug on the CPU, or pass { checkNan: false }`,
      );
    }
    const found = nonFinite(g.readSync());
    if (found) {
      throw new KindlingError(`Function '${nodeName}' returned ${found} values in its ${k}th output.\n${forwardLocation(nodeName, trace)}`);
    }
  });
}

/** An error thrown inside `nodeName`'s backward, with where its forward op was called appended (PyTorch prints it). */
export function withForwardLocation(e: unknown, nodeName: string, trace: ForwardTrace | null): unknown {
  if (!(e instanceof Error) || e.message.includes(`${nodeName} was created`)) return e;
  const wrapped = new KindlingError(`${e.message}\n${forwardLocation(nodeName, trace)}`);
  (wrapped as { cause?: unknown }).cause = e;
  return wrapped;
}
