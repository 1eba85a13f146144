// Tensors that nobody disposes are freed when the garbage collector finds them
// unreachable. Their storage lives outside the JS heap (WebAssembly memory, GPU
// buffers), so the collector does not see the pressure it causes: a training
// loop written without `tidy` allocates ~650 KB of activations per MNIST step
// but only a few KB of JS objects, and V8 may run no full collection for
// thousands of steps while the CPU heap grows to its 2 GiB cap. So we count the
// bytes left to the collector and, past a threshold, ask for a full collection
// where the runtime allows it (Node: `gc` through node:vm once `--expose-gc`
// is set); the FinalizationRegistry then frees those storages at the next turn
// of the event loop (the DataLoader yields one between batches).

/** Default of {@link setCollectionThreshold}: bytes left to the collector between two requested collections. */
export const COLLECTION_THRESHOLD_BYTES = 64 * 1024 * 1024;

let threshold = COLLECTION_THRESHOLD_BYTES;
let live = 0;
let nextRequest = threshold;
let collect: (() => void) | null = null;
let collections = 0;

/**
 * @internal Records a change in the bytes of storage that only the garbage
 * collector will free: `+bytes` when a tensor with fresh storage becomes
 * collectable, `-bytes` when it is disposed or collected. Explicitly disposed
 * tensors (gradients that `zeroGrad` frees, say) never add up to a request.
 */
export function noteCollectableBytes(delta: number): void {
  live += delta;
  if (delta < 0) {
    nextRequest = Math.min(nextRequest, live + threshold);
    return;
  }
  if (live < nextRequest) return;
  nextRequest = live + threshold;
  if (collect !== null) {
    collections++;
    collect();
  }
}

/**
 * Sets how many bytes of storage held only by tensors nobody disposes may pile
 * up before Kindling asks the runtime for a full garbage collection (default
 * {@link COLLECTION_THRESHOLD_BYTES}). Lower means a smaller heap for code that
 * never disposes, at the cost of more collections; `tidy` avoids both.
 */
export function setCollectionThreshold(bytes: number): void {
  if (!(bytes > 0)) throw new RangeError(`setCollectionThreshold: bytes must be positive, got ${bytes}`);
  threshold = bytes;
  nextRequest = live + threshold;
}

/** Full collections requested so far (for tests and benchmarks). */
export function requestedCollections(): number {
  return collections;
}

/** Whether this runtime lets Kindling request collections (Node: yes; browsers: no). */
export function canRequestCollection(): boolean {
  return collect !== null;
}

/**
 * Finds the runtime's full-collection hook: in Node, setting `--expose-gc`
 * at run time installs `gc` in contexts created afterwards, and node:vm makes
 * one. Browsers expose nothing, so there the collector's own schedule stands.
 */
async function findCollector(): Promise<void> {
  const process = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (!process?.versions?.node) return;
  try {
    const v8Name = 'node:v8';
    const vmName = 'node:vm';
    const v8 = (await import(/* @vite-ignore */ v8Name)) as { setFlagsFromString(flags: string): void };
    const vm = (await import(/* @vite-ignore */ vmName)) as { runInNewContext(code: string): unknown };
    const existing = (globalThis as { gc?: unknown }).gc;
    if (typeof existing === 'function') {
      collect = existing as () => void;
      return;
    }
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    if (typeof gc === 'function') collect = gc as () => void;
  } catch {
    collect = null;
  }
}

void findCollector();
