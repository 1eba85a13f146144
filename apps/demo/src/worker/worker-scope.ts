import type { RequestMessage, WorkerMessage } from './protocol.js';

/**
 * The slice of `DedicatedWorkerGlobalScope` the worker uses. The project
 * type-checks against the DOM library (whose `self` is a Window), and the
 * WebWorker library cannot be loaded next to it, so the worker names the
 * little it needs.
 */
export interface WorkerScope {
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<RequestMessage>) => void): void;
}

export const workerScope = self as unknown as WorkerScope;
