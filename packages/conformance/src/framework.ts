import type { DType } from '@kindling/tensor';
import type { Tolerances } from './compare.js';

/** The assertions the suite uses; vitest's and jest's `expect` both fit. */
export interface Matchers {
  readonly not: Matchers;
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeGreaterThanOrEqual(expected: number): void;
  toBeLessThan(expected: number): void;
  toBeLessThanOrEqual(expected: number): void;
}

/** `expect(actual, message?)` of the host test framework. */
export type ExpectFunction = (actual: unknown, message?: string) => Matchers;

/** `describe(name, body)` of the host test framework. */
export type DescribeFunction = (name: string, body: () => void) => void;

/** `it(name, fn)` of the host test framework; `fn` may be async. */
export type ItFunction = (name: string, fn: () => Promise<void> | void) => void;

/** What every group of conformance tests receives. */
export interface SuiteContext {
  readonly device: string;
  /** Dtypes under test (the backend's, or the subset the caller chose). */
  readonly dtypes: readonly DType[];
  readonly tolerances: Tolerances;
  readonly describe: DescribeFunction;
  readonly it: ItFunction;
  readonly expect: ExpectFunction;
  /** Whether a fixture case id is excluded by the caller. */
  readonly excluded: (id: string) => boolean;
}

/**
 * Fails the current test unless `problem` is null. Thrown as a plain Error so
 * every framework shows the whole message (assertion diffs truncate long strings).
 */
export function expectNoProblem(ctx: SuiteContext, problem: string | null, what: string): void {
  if (problem !== null) throw new Error(`${what}: ${problem}`);
  ctx.expect(problem).toBe(null);
}
