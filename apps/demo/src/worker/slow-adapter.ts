/**
 * When WebGPU should not be the default: a software adapter (SwiftShader,
 * WARP, llvmpipe) computes on the CPU too, and loses to the CPU backend by far
 * (803 against 45,000 MNIST images a second in headless Chromium).
 */

/** Milliseconds of the same work (a training step) on each device (see speed-probe.ts). */
export interface SpeedProbe {
  cpuMs: number;
  webgpuMs: number;
  /** What was timed, for the message. */
  what: string;
}

/** Adapter names of software renderers, for browsers that do not set `isFallbackAdapter`. */
const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i;

export function isSoftwareAdapter(adapter: {
  isFallbackAdapter: boolean;
  vendor: string;
  architecture: string;
  description: string;
}): boolean {
  return adapter.isFallbackAdapter || SOFTWARE_ADAPTER.test(`${adapter.vendor} ${adapter.architecture} ${adapter.description}`);
}

/**
 * Why this adapter is slower than the CPU backend, or null when it is not
 * known to be: a software adapter needs no measuring; for any other, the
 * probe (when one ran) decides.
 */
export function slowAdapterReason(
  adapter: { isFallbackAdapter: boolean; vendor: string; architecture: string; description: string },
  probe: SpeedProbe | null,
): string | null {
  if (isSoftwareAdapter(adapter)) {
    const name = adapter.description || adapter.architecture || adapter.vendor;
    return `the only WebGPU adapter is a software one${name ? ` (${name})` : ''}: it runs on the CPU and is much slower than the CPU backend`;
  }
  if (probe && probe.webgpuMs > probe.cpuMs) {
    return `a quick test measured WebGPU slower than the CPU here (${probe.what}: ${formatMs(probe.webgpuMs)} on WebGPU, ${formatMs(probe.cpuMs)} on the CPU)`;
  }
  return null;
}

function formatMs(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}
