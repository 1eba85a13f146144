/**
 * The platform's `AbortSignal`, as the consumer's program declares it (the DOM
 * lib, @types/node), or `never` where it declares none: naming `AbortSignal`
 * directly would make the published declarations need one of those, even for
 * code that never cancels a download. `AbortController#signal` is one.
 */
export type PlatformAbortSignal = typeof globalThis extends Record<'AbortSignal', { prototype: infer T }> ? T : never;
