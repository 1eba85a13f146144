// The CPU backend's sliding-window fast paths load on demand: a page that runs an
// MLP never downloads the convolution, Winograd and pooling glue (about 4 KB gzipped).
// Tensor's op modules declare the fused kernels they may call as they are evaluated
// (`onFusedUse`), which, for static imports, happens before any user code runs.
import type { FusedKernelName } from '@kindling/tensor/backend';

/** The module of window kernels. */
export type WindowKernels = typeof import('./kernels/window-kernels.js');

const WINDOW_KERNELS: ReadonlySet<FusedKernelName> = new Set<FusedKernelName>([
  'conv2d',
  'conv2dInputGrad',
  'conv2dWeightGrad',
  'im2col',
  'col2im',
  'maxPool2d',
  'avgPool2d',
  'channelMoments',
  'channelAffine',
]);

let wanted = false;
let loaded: WindowKernels | null = null;
let loading: Promise<void> | null = null;

/** Starts loading the window kernels when `names` includes one of them. */
export function requestKernelsFor(names: readonly FusedKernelName[]): void {
  if (!names.some((n) => WINDOW_KERNELS.has(n))) return;
  wanted = true;
  load();
}

function load(): void {
  if (loading || loaded) return;
  loading = import('./kernels/window-kernels.js').then(
    (m) => {
      loaded = m;
    },
    (error: unknown) => {
      // The ops still run, lowered to primitives, only slower: say so rather than fail them; the
      // next cpuReady() tries again (a flaky network, a redeployed site).
      loading = null;
      console.warn(`@kindling/backend-cpu: the convolution and pooling kernels did not load (${String(error)}); those ops run slower`);
    },
  );
}

/** Settles once the window kernels requested so far have loaded (or failed to), retrying a failed load. */
export function windowKernelsSettled(): Promise<void> {
  if (wanted) load();
  return loading ?? Promise.resolve();
}

/** @internal The window kernels, or null while not requested or loading. */
export function windowKernels(): WindowKernels | null {
  return loaded;
}
