/**
 * @packageDocumentation
 * `@kindling/backend-template`: a small, readable backend made only of the
 * primitives of the `Backend` interface, in plain TypeScript over typed
 * arrays, meant to be copied as the start of a new backend (see the README).
 * Importing the package registers it as device `template`:
 *
 * ```ts
 * import '@kindling/backend-template';
 * import { tensor } from '@kindling/tensor';
 * console.log(tensor([1, 2, 3], { device: 'template' }).mul(2).toString());
 * ```
 *
 * Read it in this order: `strided.ts` (views and the one loop every kernel
 * uses), `storage.ts`, `backend.ts`, then the kernels it names.
 */
import { registerBackend } from '@kindling/tensor/backend';
import { createTemplateBackend } from './backend.js';

/** The backend registered as device `template` when this package is imported. */
export const templateBackend = createTemplateBackend();
registerBackend(templateBackend);

export { createTemplateBackend } from './backend.js';
