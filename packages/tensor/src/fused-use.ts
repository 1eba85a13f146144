import type { FusedKernels } from './backend.js';

/** The name of a fused kernel a backend may provide. */
export type FusedKernelName = keyof FusedKernels;

/** Notified with fused kernels op modules have declared they may call. */
export type FusedUseListener = (names: readonly FusedKernelName[]) => void;

const declared = new Set<FusedKernelName>();
const listeners = new Set<FusedUseListener>();

/**
 * @internal Called at module level by the op modules that may call these fused
 * kernels. A bundler keeps the call only when it keeps the op, so a backend can
 * load kernels that only some programs need (the CPU backend's convolution and
 * pooling kernels) for exactly the programs that contain those ops.
 */
export function declareFusedUse(...names: FusedKernelName[]): void {
  const fresh = names.filter((n) => !declared.has(n));
  for (const n of fresh) declared.add(n);
  if (fresh.length > 0) for (const listener of listeners) listener(fresh);
}

/**
 * For backends whose fused kernels load on demand: calls `listener` at once
 * with every fused kernel the program's op modules have declared so far, then
 * again with each newly declared one. Declarations happen as modules are
 * evaluated, so by the time user code runs, a program's static imports have
 * declared all they will.
 */
export function onFusedUse(listener: FusedUseListener): void {
  listeners.add(listener);
  if (declared.size > 0) listener([...declared]);
}
