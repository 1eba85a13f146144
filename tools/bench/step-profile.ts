/**
 * Where a training step's time goes: profiles steps with V8's sampling profiler
 * (node:inspector, after the caller's warm-up) and sorts the samples' self time
 * into the categories of tools/bench/README.md ("Where a step's time goes"):
 * the WebAssembly matmul, other kernels, thread hand-offs, GC, and the
 * JavaScript of dispatch, allocation, autograd, kernel glue, nn and the
 * optimizer; then the step's phases (forward, loss, backward, optimizer) with
 * the part of each that is JavaScript. Used by `mlp-step.ts --profile out.cpuprofile`.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
/** The parts of a `.cpuprofile` read here. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Profiles `steps` calls of `step` (sampling every 50 µs), writes the profile to `file`, returns it and µs per step. */
export async function profileSteps(step: () => void, steps: number, file: string): Promise<{ profile: CpuProfile; usPerStep: number }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 50 });
  await session.post('Profiler.start');
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const usPerStep = ((performance.now() - t0) * 1000) / steps;
  const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
  session.disconnect();
  writeFileSync(file, JSON.stringify(profile));
  return { profile, usPerStep };
}

/** Package-relative path of a Kindling module (built `dist` or `src` under the runner), or null. */
const kindlingPath = (url: string): string | null =>
  url
    .match(/(?:packages|@kindling)\/([^/]+)\/(?:dist|src)\/(.*)$/)
    ?.slice(1)
    .join('/') ?? null;

const isWasm = (f: CallFrame): boolean => f.url.startsWith('wasm') || /wasm-function|js-to-wasm/.test(f.functionName);

function category(f: CallFrame, underMatmul: boolean): string {
  const n = f.functionName;
  if (n === '(garbage collector)') return 'GC';
  if (n === '(program)' || n === '(idle)') return 'V8 (program, idle)';
  if (isWasm(f)) return underMatmul ? 'WebAssembly: matmul (gemm + packing)' : 'WebAssembly: other kernels';
  const path = kindlingPath(f.url);
  if (path === null) return f.url ? 'benchmark loop' : 'native builtins (typed arrays, Map/Set, copies)';
  if (/wasm\/(thread-pool|worker-source)/.test(path)) return 'thread hand-offs (waiting for workers)';
  if (/wasm\/heap|kernels\/storage|^tensor\/(storage|scope|gc-pressure)/.test(path) || ['Tensor', 'dispose', 'makeCollectable'].includes(n))
    return 'allocation and freeing (heap, storages, Tensor objects, tidy)';
  if (path.startsWith('backend-cpu/')) return 'kernel calls: JavaScript glue in backend-cpu';
  if (path.startsWith('optim/')) return 'optimizer JavaScript';
  if (path.startsWith('autograd/')) return 'autograd: recording, engine, rules';
  if (path.startsWith('nn/')) return 'nn modules';
  return 'dispatch and op front ends (checks, shapes, dtypes, views)';
}

const PHASES: [string, (f: CallFrame) => boolean][] = [
  ['forward (model)', (f) => f.functionName === 'forward' && /nn\/(dist|src)\/sequential/.test(f.url)],
  ['loss (nllLoss)', (f) => f.functionName === 'nllLoss' && /tensor\/(dist|src)\/ops\/loss/.test(f.url)],
  ['backward (engine + rules)', (f) => f.functionName === 'runBackward'],
  ['optimizer.step', (f) => f.functionName === 'step' && /optim\/(dist|src)\/optimizer/.test(f.url)],
];

/** Markdown tables of the profile's self time by category and its phases' inclusive time, in % and µs of a step. */
export function summarizeProfile(profile: CpuProfile, usPerStep: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const cats = new Map<string, number>();
  const phases = new Map<string, [number, number]>();
  for (const [id, t] of self) {
    const leaf = (byId.get(id) as ProfileNode).callFrame;
    const frames: CallFrame[] = [];
    for (let c: number | undefined = id; c !== undefined; c = parent.get(c)) frames.push((byId.get(c) as ProfileNode).callFrame);
    const underMatmul = frames.some((f) => f.functionName === 'matmul' && /wasm\/create/.test(f.url));
    const cat = category(leaf, underMatmul);
    cats.set(cat, (cats.get(cat) ?? 0) + t);
    const kernel = isWasm(leaf) || leaf.functionName === '(garbage collector)' || cat.startsWith('thread');
    for (const [name, test] of PHASES) {
      if (!frames.some(test)) continue;
      const e = phases.get(name) ?? [0, 0];
      e[0] += t;
      if (!kernel) e[1] += t;
      phases.set(name, e);
    }
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1)}%`;
  const us = (t: number) => `${((usPerStep * t) / total).toFixed(0)} µs`;
  const lines = ['| where (self time) | share | per step |', '| :-- | --: | --: |'];
  for (const [c, t] of [...cats].sort((a, b) => b[1] - a[1])) lines.push(`| ${c} | ${pct(t)} | ${us(t)} |`);
  lines.push('', '| phase (inclusive) | all | of which JavaScript |', '| :-- | --: | --: |');
  for (const [name] of PHASES) {
    const [all, js] = phases.get(name) ?? [0, 0];
    lines.push(`| ${name} | ${pct(all)}, ${us(all)} | ${pct(js)}, ${us(js)} |`);
  }
  return lines.join('\n');
}
