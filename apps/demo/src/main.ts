import './styles.css';
import type { AppContext } from './client/app-context.js';
import { createAppState } from './client/app-state.js';
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
import type { BackendChoice } from './worker/protocol.js';

const BACKEND_KEY = 'kindling-demo-backend';

function initialBackend(params: URLSearchParams): BackendChoice {
  const asked = params.get('backend') ?? localStorage.getItem(BACKEND_KEY);
  return asked === 'cpu' ? 'cpu' : 'webgpu';
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
        localStorage.setItem(BACKEND_KEY, backend);
        state.update({ backend: info });
      } catch (error) {
        state.update({ workerError: `Switching to ${backend} failed: ${(error as Error).message}` });
      } finally {
        state.update({ backendSwitching: false });
      }
    },
  };

  worker.onEvent((e) => {
    if (e.kind === 'phase') state.update({ phase: e.phase });
    else if (e.kind === 'models') state.update({ models: e.models });
    else if (e.kind === 'backend') state.update({ backend: e.info });
    else if (e.kind === 'trainPoint') {
      const device = state.get().backend?.device ?? '?';
      state.update({ lastTrainingSpeed: { msPerBatch: e.msPerBatch, samplesPerSecond: e.samplesPerSecond, device } });
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
