import type { Matchers } from '@kindling/conformance';

/**
 * A minimal describe/it/expect for running the conformance suite inside a
 * browser page, where vitest is not available. Tests register synchronously
 * and run in order; results are plain data so Playwright can hand them to Node.
 */

export interface TestOutcome {
  name: string;
  ok: boolean;
  error?: string;
}

export interface HarnessResult {
  passed: number;
  failed: number;
  failures: TestOutcome[];
  /** Set when the page itself failed (e.g. no WebGPU). */
  fatal?: string;
}

const fmt = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Options of `createHarness`. */
export interface HarnessOptions {
  /** Runs after every test; a throw fails that test (used to surface GPU-side kernel errors). */
  afterEach?: () => Promise<void>;
}

export function createHarness(options: HarnessOptions = {}) {
  const stack: string[] = [];
  const tests: { name: string; fn: () => Promise<void> | void }[] = [];
  const describe = (name: string, body: () => void): void => {
    stack.push(name);
    try {
      body();
    } finally {
      stack.pop();
    }
  };
  const it = (name: string, fn: () => Promise<void> | void): void => {
    tests.push({ name: [...stack, name].join(' > '), fn });
  };
  const matchers = (actual: unknown, message: string | undefined, negate: boolean): Matchers => {
    // Each check passes when its condition differs from `negate`.
    const check = (ok: boolean, what: string): void => {
      if (ok === negate) throw new Error(`${message ? `${message}: ` : ''}expected ${fmt(actual)} ${negate ? 'not ' : ''}${what}`);
    };
    return {
      get not() {
        return matchers(actual, message, !negate);
      },
      toBe: (e: unknown) => check(Object.is(actual, e), `to be ${fmt(e)}`),
      toEqual: (e: unknown) => check(deepEqual(actual, e), `to equal ${fmt(e)}`),
      toBeGreaterThanOrEqual: (e: number) => check((actual as number) >= e, `to be >= ${e}`),
      toBeLessThan: (e: number) => check((actual as number) < e, `to be < ${e}`),
      toBeLessThanOrEqual: (e: number) => check((actual as number) <= e, `to be <= ${e}`),
    };
  };
  const expect = (actual: unknown, message?: string): Matchers => matchers(actual, message, false);
  const run = async (): Promise<HarnessResult> => {
    const result: HarnessResult = { passed: 0, failed: 0, failures: [] };
    for (const t of tests) {
      try {
        try {
          await t.fn();
        } finally {
          await options.afterEach?.();
        }
        result.passed++;
      } catch (e) {
        result.failed++;
        result.failures.push({ name: t.name, ok: false, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return result;
  };
  return { describe, it, expect, run };
}
