/*
 * The WebGPU types Kindling's published signatures name. WebGPU's own types
 * (`GPUDevice`, `GPUBuffer`, ...) are globals declared by `@webgpu/types`,
 * which needs TypeScript's DOM lib; naming them directly would make every
 * consumer of this package's declarations install them and compile with DOM,
 * even in Node or without using WebGPU at all. Each alias below is WebGPU's
 * type where the consumer's program declares it (the `webgpu` package and
 * `@webgpu/types` both do), and `object` where it does not: there such a value
 * can only come from Kindling itself, so nothing is lost.
 */

/** WebGPU's global interface `Name` (looked up through its constructor's `prototype`), or `object` without WebGPU's types. */
type WebGPUInterface<Name extends string> = typeof globalThis extends Record<Name, { prototype: infer T }> ? T : object;

/** `GPU`: the entry point (`navigator.gpu`, or `create()` of the `webgpu` package in Node). */
export type WebGPUEntryPoint = WebGPUInterface<'GPU'>;
/** `GPUAdapter`. */
export type WebGPUAdapter = WebGPUInterface<'GPUAdapter'>;
/** `GPUDevice`. */
export type WebGPUDevice = WebGPUInterface<'GPUDevice'>;
/** `GPUBuffer`. */
export type WebGPUBuffer = WebGPUInterface<'GPUBuffer'>;
/** `GPUComputePipeline`. */
export type WebGPUComputePipeline = WebGPUInterface<'GPUComputePipeline'>;
/** `GPUPowerPreference`, spelt out (a string union is not reachable through `globalThis`). */
export type WebGPUPowerPreference = 'low-power' | 'high-performance';
