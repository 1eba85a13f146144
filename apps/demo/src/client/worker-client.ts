import type { RequestType, Requests, WorkerEvent, WorkerMessage } from '../worker/protocol.js';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/**
 * The page's handle on the training worker: `call` sends a request and
 * resolves with its response; `onEvent` listens to what the worker reports
 * on its own (progress, models, backend changes).
 */
export class WorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: WorkerEvent) => void>();
  private readonly crashListeners = new Set<(message: string) => void>();
  private nextId = 1;

  constructor() {
    // Vite bundles the worker from this URL pattern (and serves it as a module in dev).
    this.worker = new Worker(new URL('../worker/training-worker.ts', import.meta.url), { type: 'module', name: 'kindling-training' });
    this.worker.addEventListener('message', (e: MessageEvent<WorkerMessage>) => this.receive(e.data));
    this.worker.addEventListener('error', (e) => this.crash(e.message || 'the training worker failed to start'));
  }

  call<K extends RequestType>(type: K, params: Requests[K]['params'], transfer: Transferable[] = []): Promise<Requests[K]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, type, params }, transfer);
    });
  }

  onEvent(listener: (event: WorkerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onCrash(listener: (message: string) => void): () => void {
    this.crashListeners.add(listener);
    return () => this.crashListeners.delete(listener);
  }

  private receive(message: WorkerMessage): void {
    if (message.kind === 'event') {
      for (const l of this.listeners) l(message.event);
      return;
    }
    const p = this.pending.get(message.id);
    if (!p) return;
    this.pending.delete(message.id);
    if (message.ok) p.resolve(message.value);
    else p.reject(new Error(message.error));
  }

  private crash(message: string): void {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
    for (const l of this.crashListeners) l(message);
  }
}
