import type { AppContext } from '../client/app-context.js';
import { backendPicker } from '../ui/backend-picker.js';
import { cpuThreadsText } from '../ui/cpu-threads-text.js';
import { h, replaceChildren } from '../ui/dom.js';
import { bytes, count, ms } from '../ui/format.js';
import { notice } from '../ui/notice.js';
import type { BackendInfo, MemoryReport, OpTiming } from '../worker/protocol.js';
import type { Page } from './page.js';

const MEMORY_REFRESH_MS = 2000;

function row(label: string, value: string, id?: string): HTMLElement {
  return h('div', { class: 'metric' }, h('dt', {}, label), h('dd', { id }, value));
}

function backendDetails(info: BackendInfo | null): HTMLElement {
  if (!info) return h('p', { class: 'muted' }, 'Setting up…');
  const adapter = info.adapter;
  return h(
    'dl',
    { class: 'facts' },
    row('Backend in use', info.device, 'backend-in-use'),
    row('Requested', info.requested === 'auto' ? 'nothing yet (the faster of WebGPU and the CPU)' : info.requested),
    row('CPU backend threads', cpuThreadsText(info.cpu), 'cpu-threads'),
    info.cpu ? row('CPU kernels', info.cpu.isa === 'scalar' ? 'TypeScript (no WebAssembly SIMD)' : `WebAssembly ${info.cpu.isa}`) : null,
    info.cpu ? row('Worker cross-origin isolated', info.cpu.crossOriginIsolated ? 'yes' : 'no', 'worker-isolated') : null,
    row('WebGPU in this browser', info.webgpuSupported ? 'yes (navigator.gpu exists)' : 'no'),
    info.slowAdapter ? row('WebGPU slower than the CPU', `yes: ${info.slowAdapter}`) : null,
    adapter
      ? row('Adapter', [adapter.vendor, adapter.architecture, adapter.device].filter(Boolean).join(' / ') || 'unnamed', 'adapter-name')
      : null,
    adapter?.description ? row('Adapter description', adapter.description) : null,
    adapter ? row('Software (fallback) adapter', adapter.isFallbackAdapter ? 'yes' : 'no') : null,
    ...(adapter ? Object.entries(adapter.limits).map(([k, v]) => row(k, k.endsWith('Size') ? bytes(v) : count(v))) : []),
  );
}

function memoryDetails(report: MemoryReport): HTMLElement {
  const devices = Object.entries(report.tensors);
  return h(
    'div',
    {},
    h(
      'table',
      { class: 'data-table' },
      h('caption', {}, 'Live tensors by device'),
      h('thead', {}, h('tr', {}, ...['Device', 'Tensors', 'Storages', 'Bytes'].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        ...(devices.length
          ? devices.map(([d, m]) =>
              h(
                'tr',
                {},
                h('th', { scope: 'row' }, d),
                h('td', {}, count(m.tensors)),
                h('td', {}, count(m.storages)),
                h('td', {}, bytes(m.bytes)),
              ),
            )
          : [h('tr', {}, h('td', { colspan: 4 }, 'No tensors yet.'))]),
      ),
    ),
    h(
      'dl',
      { class: 'facts' },
      row('GPU memory allocated', bytes(report.gpu.allocatedBytes)),
      row('GPU memory in use', bytes(report.gpu.inUseBytes)),
      row('GPU memory pooled for reuse', bytes(report.gpu.pooledBytes)),
      row('GPU buffers / pipelines', `${count(report.gpu.buffers)} / ${count(report.gpu.pipelines)}`),
      row('GPU command submissions', count(report.gpu.submissions)),
      report.jsHeapBytes === undefined ? null : row('Worker JS heap', bytes(report.jsHeapBytes)),
    ),
  );
}

function timingTable(timings: OpTiming[]): HTMLElement {
  return h(
    'table',
    { class: 'data-table', id: 'op-timings' },
    h('caption', {}, `Median time per call on ${timings[0]?.device ?? '?'}`),
    h('thead', {}, h('tr', {}, ...['Op', 'Shape', 'Time'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...timings.map((t) => h('tr', {}, h('th', { scope: 'row' }, t.op), h('td', {}, t.shape), h('td', {}, ms(t.ms))))),
  );
}

/** About: which backend and adapter compute, how much memory tensors hold, and how fast a few ops run. */
export function createAboutPage(ctx: AppContext): Page {
  const heading = h('h1', { tabindex: -1, id: 'about-title' }, 'About this demo');
  const backendBox = h('div', {});
  const memoryBox = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const timingsBox = h('div', { 'aria-live': 'polite' });
  const speedBox = h('p', { class: 'muted' });
  const runBenchmark = h('button', { type: 'button' }, 'Time ops on the current backend');
  const refreshMemory = h('button', { type: 'button' }, 'Refresh');
  let timer: ReturnType<typeof setInterval> | undefined;

  const loadMemory = async () => {
    try {
      replaceChildren(memoryBox, memoryDetails(await ctx.worker.call('memory', {})));
    } catch (e) {
      replaceChildren(memoryBox, notice('error', 'Could not read memory', (e as Error).message));
    }
  };
  refreshMemory.addEventListener('click', () => void loadMemory());
  runBenchmark.addEventListener('click', async () => {
    runBenchmark.disabled = true;
    replaceChildren(timingsBox, h('p', { class: 'muted' }, 'Timing…'));
    try {
      replaceChildren(timingsBox, timingTable(await ctx.worker.call('benchmark', {})));
    } catch (e) {
      replaceChildren(timingsBox, notice('error', 'Benchmark failed', (e as Error).message));
    } finally {
      runBenchmark.disabled = false;
    }
  });

  ctx.state.subscribe((state) => {
    replaceChildren(backendBox, backendDetails(state.backend));
    const s = state.lastTrainingSpeed;
    speedBox.textContent = s
      ? `Last training run on ${s.device}: ${ms(s.msPerBatch)} per batch, ${count(Math.round(s.samplesPerSecond))} images per second.`
      : 'No training run yet in this session.';
  });

  const element = h(
    'section',
    { class: 'page', 'aria-labelledby': 'about-title' },
    heading,
    h(
      'p',
      { class: 'lede' },
      'Kindling is PyTorch in TypeScript: tensors, autograd, nn, optim, data and checkpoints. This site runs all of it in your browser, on WebGPU when it is available and faster, on the CPU otherwise.',
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'about-backend' },
      h('h2', { id: 'about-backend' }, 'Backend'),
      backendBox,
      backendPicker(ctx),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'about-memory' },
      h('h2', { id: 'about-memory' }, 'Memory'),
      memoryBox,
      h('div', { class: 'button-row' }, refreshMemory),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'about-timings' },
      h('h2', { id: 'about-timings' }, 'Op timings'),
      speedBox,
      h('div', { class: 'button-row' }, runBenchmark),
      timingsBox,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'about-env' },
      h('h2', { id: 'about-env' }, 'Browser'),
      h(
        'dl',
        { class: 'facts' },
        row('User agent', navigator.userAgent),
        row('Logical processors', String(navigator.hardwareConcurrency ?? '?')),
        row('Cross-origin isolated', String(globalThis.crossOriginIsolated ?? false)),
      ),
    ),
  );
  return {
    id: 'about',
    title: 'About',
    element,
    heading,
    onShow() {
      void loadMemory();
      timer = setInterval(() => void loadMemory(), MEMORY_REFRESH_MS);
    },
    onHide() {
      clearInterval(timer);
    },
  };
}
