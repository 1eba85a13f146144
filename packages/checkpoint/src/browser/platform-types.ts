/*
 * The browser types the browser helpers' signatures name, looked up in the
 * consumer's program instead of named directly: `RequestInit` and `Blob` come
 * from the DOM lib (or @types/node), and naming them would make the published
 * declarations fail to compile for a consumer without either. Where the program
 * declares none, the types are `never`: there is no such value to pass anyway.
 */

/** The options `fetch` takes (`RequestInit`). */
export type FetchInit = typeof globalThis extends Record<'fetch', (input: never, init?: infer I) => unknown> ? I : never;

/** `Blob` (a `File` is one). */
export type PlatformBlob = typeof globalThis extends Record<'Blob', { prototype: infer T }> ? T : never;
