/**
 * @packageDocumentation
 * `@kindling/conformance`: the backend conformance suite. A backend package
 * runs it from its own tests to check every op, and every op's gradient,
 * against PyTorch fixtures and the backend contract (`Backend` in
 * `@kindling/tensor/backend`). The gradient checks need `@kindling/autograd`:
 *
 * ```ts
 * import '@kindling/backend-cpu';
 * import '@kindling/autograd';
 * import { runConformanceSuite } from '@kindling/conformance';
 * import { describe, expect, it } from 'vitest';
 * runConformanceSuite({ device: 'cpu', describe, it, expect });
 * ```
 */
export { runConformanceSuite, type ConformanceOptions } from './suite.js';
export type { DescribeFunction, ExpectFunction, ItFunction, Matchers } from './framework.js';
export { DEFAULT_TOLERANCES, closeEnough, compareValues, compareWithFixture, type Tolerance, type Tolerances } from './compare.js';
export { tensorOpFixtures, windowOpFixtures, fixtureTensor, fixtureArray, decodeNumber, caseDTypes } from './fixtures.js';
export { runFixtureOp, fixtureOps } from './run-op.js';
export { aliasBackend } from './error-tests.js';
export { KNOWN_STREAM } from './random-tests.js';
export { NON_FINITE_LOGITS } from './non-finite-tests.js';
export type {
  FixtureCase,
  FixtureFile,
  FixtureGrad,
  FixtureInput,
  FixtureNumber,
  FixturePrint,
  FixtureScalar,
  FixtureTensor,
  ViewStep,
} from './fixture-types.js';
