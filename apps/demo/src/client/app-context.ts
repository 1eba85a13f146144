import type { AppState } from './app-state.js';
import type { Store } from './store.js';
import type { WorkerClient } from './worker-client.js';
import type { BackendRequest } from '../worker/protocol.js';

/** What every page gets: the worker, the shared state, and the one way to switch backends. */
export interface AppContext {
  worker: WorkerClient;
  state: Store<AppState>;
  /** Resolves once the worker has moved to `backend` (or fallen back to the CPU); only a choice (not `auto`) is remembered. */
  switchBackend(backend: BackendRequest): Promise<void>;
  /** The site's base URL (the folder index.html is served from). */
  baseUrl: string;
  /** Query-string options (`?subset=2000&epochs=1`...), for links and tests. */
  params: URLSearchParams;
}
