import './styles.css';
import type { AppContext } from './client/app-context.js';
import { type AppState, createAppState } from './client/app-state.js';
import { WorkerClient } from './client/worker-client.js';
import { createShell } from './app-shell.js';
import { DATA_PATH, type DataManifest, MANIFEST_FILE } from './data-catalog.js';
import { createAboutPage } from './pages/about-page.js';
import { createDrawPage } from './pages/draw-page.js';
import { createTrainPage } from './pages/train-page.js';
import { loadPretrained } from './pretrained-model.js';
import { startRouter } from './router.js';
import { replaceChildren } from './ui/dom.js';
import { notice } from './ui/notice.js';
import type { BackendRequest } from './worker/protocol.js';

/** The user's own choice of backend. (Earlier versions stored the default under `kindling-demo-backend`, which is not a choice.) */
const BACKEND_KEY = 'kindling-demo-backend-choice';

/** A backend someone chose (query string, then the last choice), else `auto`: WebGPU unless it is missing or slower than the CPU. */
function initialBackend(params: URLSearchParams): BackendRequest {
  const asked = params.get('backend') ?? localStorage.getItem(BACKEND_KEY);
  return asked === 'cpu' || asked === 'webgpu' ? asked : 'auto';
}

async function loadManifest(baseUrl: string): Promise<DataManifest> {
  try {
    const response = await fetch(new URL(`${DATA_PATH}/${MANIFEST_FILE}`, baseUrl));
    if (!response.ok || !response.headers.get('content-type')?.includes('json')) return { datasets: {} };
    return (await response.json()) as DataManifest;
  } catch {
    return { datasets: {} };
  }
}

function main(): void {
  const state = createAppState();
  const worker = new WorkerClient();
  const ctx: AppContext = {
    worker,
    state,
    baseUrl: new URL('.', document.baseURI).href,
    params: new URLSearchParams(location.search),
    async switchBackend(backend) {
      state.update({ backendSwitching: true });
      try {
        const info = await worker.call('setBackend', { backend });
        if (backend !== 'auto') localStorage.setItem(BACKEND_KEY, backend);
        state.update({ backend: info });
      } catch (error) {
        state.update({ workerError: `Switching to ${backend} failed: ${(error as Error).message}` });
      } finally {
        state.update({ backendSwitching: false });
      }
    },
  };

  // Training points come every ~30 ms and each state update re-renders every page, so the speed (for the About page)
  // is passed on at most once a second, and the one still held when the phase changes (an evaluation, the end).
  let speed: AppState['lastTrainingSpeed'] = null;
  let speedShownAt = Number.NEGATIVE_INFINITY;
  const showSpeed = () => {
    speedShownAt = performance.now();
    state.update({ lastTrainingSpeed: speed });
  };
  worker.onEvent((e) => {
    if (e.kind === 'phase') {
      showSpeed();
      state.update({ phase: e.phase });
    } else if (e.kind === 'models') state.update({ models: e.models });
    else if (e.kind === 'backend') state.update({ backend: e.info });
    else if (e.kind === 'trainPoint') {
      const device = state.get().backend?.device ?? '?';
      speed = { msPerBatch: e.msPerBatch, samplesPerSecond: e.samplesPerSecond, device };
      if (performance.now() - speedShownAt >= 1000) showSpeed();
    }
  });
  worker.onCrash((message) => state.update({ workerError: `The training worker stopped: ${message}. Reload the page to start again.` }));

  const pages = [createTrainPage(ctx), createDrawPage(ctx), createAboutPage(ctx)];
  const { root, links, banner } = createShell(pages);
  document.body.replaceChildren(root);
  state.subscribe((s) => replaceChildren(banner, s.workerError ? notice('error', 'Something went wrong', s.workerError) : null));
  startRouter(pages, links);

  void loadManifest(ctx.baseUrl).then((manifest) => state.update({ manifest }));
  void ctx.switchBackend(initialBackend(ctx.params)).then(() => loadPretrained(ctx));
}

main();
