import type { DType } from '@kindling/tensor';
import { getBackend } from '@kindling/tensor/backend';
import { DEFAULT_TOLERANCES, type Tolerance, type Tolerances } from './compare.js';
import { registerCrossEntropyTests } from './cross-entropy-tests.js';
import { registerErrorTests } from './error-tests.js';
import { registerFixtureTests } from './fixture-tests.js';
import { registerFloat16Tests } from './float16-tests.js';
import { registerFusedTests } from './fused-tests.js';
import type { DescribeFunction, ExpectFunction, ItFunction, SuiteContext } from './framework.js';
import { registerGradientTests } from './gradient-tests.js';
import { registerLayoutTests } from './layout-tests.js';
import { registerMemoryTests } from './memory-tests.js';
import { registerRandomTests } from './random-tests.js';
import { registerWindowTests } from './window-tests.js';

/** Options of `runConformanceSuite`. */
export interface ConformanceOptions {
  /** The device to test; its backend must be registered when the suite is called. */
  device: string;
  /** Dtypes to test (default: all the backend stores). Fixture cases using others are left out. */
  dtypes?: readonly DType[];
  /** Looser or tighter float tolerances than the defaults (float16 rtol 1e-3/atol 1e-5, float32 1e-5/1e-6, float64 1e-10/1e-12). */
  tolerance?: { float16?: Partial<Tolerance>; float32?: Partial<Tolerance>; float64?: Partial<Tolerance> };
  /** Fixture case ids (or patterns) to leave out, e.g. while a known backend bug is fixed. */
  exclude?: readonly (string | RegExp)[];
  /**
   * Whether to check gradients (of the differentiable elementwise ops and the sliding-window
   * ops) against PyTorch's (default true). They need `@kindling/autograd`: import it in the test file, or a single failing test
   * says so; pass false to leave gradients out.
   */
  gradients?: boolean;
  /** The host framework's `describe`, `it` and `expect` (vitest, jest...): the suite does not import one. */
  describe: DescribeFunction;
  it: ItFunction;
  expect: ExpectFunction;
}

/**
 * Registers the backend conformance tests for `options.device`: every op
 * against PyTorch fixtures (odd shapes, broadcasting, non-contiguous views,
 * empty tensors, scalars, every dtype), large and strided inputs against host
 * arithmetic, in-place writes through views, error messages, memory
 * accounting, the random streams every backend must reproduce exactly,
 * gradients of the elementwise ops against PyTorch's (with `@kindling/autograd`),
 * and convolution, pooling, batch norm, pad and interpolate, forward and
 * backward, against PyTorch and, at CNN sizes, against host arithmetic.
 *
 * ```ts
 * import '@kindling/autograd';
 * import '@kindling/backend-cpu';
 * import { runConformanceSuite } from '@kindling/conformance';
 * import { describe, expect, it } from 'vitest';
 * runConformanceSuite({ device: 'cpu', describe, it, expect });
 * ```
 */
export function runConformanceSuite(options: ConformanceOptions): void {
  const backend = getBackend(options.device, 'runConformanceSuite');
  const dtypes = (options.dtypes ?? backend.dtypes).filter((d) => backend.dtypes.includes(d));
  const tolerances: Tolerances = {
    float16: { ...DEFAULT_TOLERANCES.float16, ...options.tolerance?.float16 },
    float32: { ...DEFAULT_TOLERANCES.float32, ...options.tolerance?.float32 },
    float64: { ...DEFAULT_TOLERANCES.float64, ...options.tolerance?.float64 },
  };
  const exclude = options.exclude ?? [];
  const ctx: SuiteContext = {
    device: options.device,
    dtypes,
    tolerances,
    describe: options.describe,
    it: options.it,
    expect: options.expect,
    excluded: (id) => exclude.some((p) => (typeof p === 'string' ? p === id : p.test(id))),
  };
  options.describe(`conformance: ${options.device} backend`, () => {
    registerFixtureTests(ctx);
    registerGradientTests(ctx, options.gradients ?? true);
    registerLayoutTests(ctx);
    registerErrorTests(ctx);
    registerMemoryTests(ctx);
    registerRandomTests(ctx);
    registerCrossEntropyTests(ctx);
    registerFloat16Tests(ctx);
    registerFusedTests(ctx);
    registerWindowTests(ctx, options.gradients ?? true);
  });
}
