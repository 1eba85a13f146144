import { tensor, type DType, type TypedArray, type Tensor } from '@kindling/tensor';
import type { FixtureCase, FixtureFile, FixtureInput, FixtureNumber, FixtureTensor, ViewStep } from './fixture-types.js';

/**
 * The fixtures ship once, gzipped, at the package root (`fixtures/`): this
 * path is right both from `src` (tests, the browser run served by
 * Vite) and from `dist` (the published package).
 */
const FIXTURE_URL = new URL('../fixtures/tensor-ops.json.gz', import.meta.url);
const WINDOW_FIXTURE_URL = new URL('../fixtures/window-ops.json.gz', import.meta.url);

/** Reads a `file:` URL with node:fs, typed by hand: the package builds without Node's types, as it runs in browsers too. */
async function readLocalFile(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  const fs = (await import('node:fs/promises' as string)) as { readFile(path: URL): Promise<Uint8Array> };
  return new Uint8Array(await fs.readFile(url));
}

async function fetchBytes(url: URL): Promise<Uint8Array<ArrayBuffer>> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The text of `bytes`, inflated first when they are gzip (a server may already have decoded them). */
async function gunzipText(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return new TextDecoder().decode(bytes);
  const gzipped = new ReadableStream<Uint8Array<ArrayBuffer>>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  return new Response(gzipped.pipeThrough(new DecompressionStream('gzip'))).text();
}

async function loadFixtures(url: URL): Promise<FixtureFile> {
  try {
    const bytes = url.protocol === 'file:' ? await readLocalFile(url) : await fetchBytes(url);
    // The generator guarantees the shape; JSON.parse cannot check it.
    return JSON.parse(await gunzipText(bytes)) as FixtureFile;
  } catch (e) {
    throw new Error(
      `@kindling/conformance: cannot load the conformance fixtures from ${url.href}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

// Both files load when this module is first imported, in parallel.
const [tensorOps, windowOps] = await Promise.all([loadFixtures(FIXTURE_URL), loadFixtures(WINDOW_FIXTURE_URL)]);

/**
 * PyTorch results for every tensor op, written by
 * `tools/fixtures/generate_tensor_ops.py` to `fixtures/tensor-ops.json.gz`
 * (regenerate, never edit by hand). Loaded when this module is first imported.
 */
export const tensorOpFixtures: FixtureFile = tensorOps;

/**
 * PyTorch results for the sliding-window ops (convolution, unfold/fold, pooling,
 * batch norm, pad, interpolate), forward and backward, written by
 * `tools/fixtures/gen_window.py` to `fixtures/window-ops.json.gz`.
 */
export const windowOpFixtures: FixtureFile = windowOps;

/** A fixture number as a JavaScript number (bool as 0/1). */
export function decodeNumber(v: FixtureNumber): number {
  if (v === 'nan') return Number.NaN;
  if (v === 'inf') return Number.POSITIVE_INFINITY;
  if (v === '-inf') return Number.NEGATIVE_INFINITY;
  return typeof v === 'boolean' ? Number(v) : v;
}

const ARRAYS: Record<DType, new (n: number) => TypedArray> = {
  float16: Float32Array,
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

/** The fixture's values in a typed array of its dtype. */
export function fixtureArray(spec: FixtureTensor): TypedArray {
  const out = new ARRAYS[spec.dtype](spec.values.length);
  for (let i = 0; i < spec.values.length; i++) out[i] = decodeNumber(spec.values[i]);
  return out;
}

export function isScalarInput(input: FixtureInput): input is { scalar: number | boolean } {
  return 'scalar' in input;
}

function applyStep(t: Tensor, step: ViewStep): Tensor {
  switch (step[0]) {
    case 'transpose':
      return t.transpose(step[1], step[2]);
    case 'permute':
      return t.permute(step[1]);
    case 'slice':
      return t.slice(step[1], step[2], step[3], step[4]);
    case 'narrow':
      return t.narrow(step[1], step[2], step[3]);
    case 'select':
      return t.select(step[1], step[2]);
    case 'expand':
      return t.expand(step[1]);
    case 'unsqueeze':
      return t.unsqueeze(step[1]);
    case 'squeeze':
      return step[1] === undefined ? t.squeeze() : t.squeeze(step[1]);
    case 'view':
      return t.view(step[1]);
    case 'reshape':
      return t.reshape(step[1]);
    case 'flatten':
      return t.flatten(step[1], step[2]);
    case 't':
      return t.t();
  }
}

/** The fixture tensor on `device`: its base, uploaded, then its view steps. */
export function fixtureTensor(spec: FixtureTensor, device: string): Tensor {
  return fixtureTensorAndBase(spec, device).tensor;
}

/** Like `fixtureTensor`, also returning the uploaded base (to check that ops leave their inputs alone). */
export function fixtureTensorAndBase(spec: FixtureTensor, device: string): { tensor: Tensor; base: Tensor } {
  const base = tensor(fixtureArray(spec), { dtype: spec.dtype, shape: spec.shape, device });
  let t = base;
  for (const step of spec.view ?? []) t = applyStep(t, step);
  return { tensor: t, base };
}

/** Every dtype a case touches (inputs and results), so suites can skip dtypes a backend lacks. */
export function caseDTypes(c: FixtureCase): Set<DType> {
  const dtypes = new Set<DType>();
  for (const input of c.inputs) if (!isScalarInput(input)) dtypes.add(input.dtype);
  if (Array.isArray(c.expected)) for (const e of c.expected) dtypes.add(e.dtype);
  for (const u of c.updated ?? []) if (u) dtypes.add(u.dtype);
  return dtypes;
}
