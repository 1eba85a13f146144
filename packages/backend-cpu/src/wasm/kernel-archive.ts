import { KindlingError } from '@kindling/tensor';
import { isNode } from './detect.js';

/** The instruction sets a kernel module ships for. */
export type ArchiveIsa = 'simd' | 'relaxed';

const SHARED_LIMITS_FLAG = 0x03;

/**
 * The bytes of the kernel module for `isa`, importing shared memory when
 * `shared`. Each module is its own dynamically imported file, so a bundled
 * page fetches only the one its browser runs, and ships compressed: base64
 * alone defeats gzip (13 KB gzipped per module, against 9 KB).
 */
export async function kernelModuleBytes(isa: ArchiveIsa, shared: boolean): Promise<Uint8Array<ArrayBuffer>> {
  // Checked first, so a browser that cannot unpack the module does not download it.
  if (!isNode() && typeof DecompressionStream !== 'function')
    throw new KindlingError("createWasmKernels: this runtime has no DecompressionStream('deflate'), which unpacks the kernels");
  const { KERNEL_MODULE } = isa === 'relaxed' ? await import('./kernels-relaxed.wasm.js') : await import('./kernels-simd.wasm.js');
  const bytes = await inflate(decodeBase64(KERNEL_MODULE.archive));
  if (bytes.length !== KERNEL_MODULE.length)
    throw new KindlingError(`createWasmKernels: the ${isa} kernels inflated to ${bytes.length} bytes, expected ${KERNEL_MODULE.length}`);
  if (shared) bytes[KERNEL_MODULE.sharedFlag] = SHARED_LIMITS_FLAG;
  return bytes;
}

async function inflate(compressed: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  // Node: its native zlib (~1 ms). The web streams path there first loads Node's fetch (undici) and
  // streams implementation, ~100 ms of every process's start-up.
  if (isNode()) {
    const specifier = 'node:zlib';
    const zlib = (await import(/* @vite-ignore */ specifier)) as { inflateSync(data: Uint8Array): Uint8Array };
    return new Uint8Array(zlib.inflateSync(compressed));
  }
  const stream = new Blob([compressed]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const bytes = atob(text);
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes.charCodeAt(i);
  return out;
}
