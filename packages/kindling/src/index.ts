/**
 * @packageDocumentation
 * `kindling`: the whole library under one import, laid out like `torch`.
 *
 * ```ts
 * import * as kd from 'kindling';
 * const x = kd.randn(2, 2, { requiresGrad: true });
 * x.pow(2).mean().backward();
 * ```
 *
 * Importing it registers the CPU backend and installs autograd.
 */
import '@kindling/backend-cpu';

export * from '@kindling/tensor';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled } from '@kindling/autograd';
/** `torch.autograd`: `grad`, `gradcheck`, `defineFunction` (custom ops). */
export * as autograd from '@kindling/autograd';
