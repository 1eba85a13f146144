import { gzipSync } from 'node:zlib';

/** One record file in CIFAR-10's binary format, and what it holds in HWC layout (`[count, 32, 32, 3]`). */
export function makeCifarBatch(count: number, seed: number) {
  const bytes = new Uint8Array(count * 3073);
  const hwc = new Uint8Array(count * 3072);
  const labels = new Uint8Array(count);
  let s = seed;
  for (let r = 0; r < count; r++) {
    const label = (r * 3 + seed) % 10;
    labels[r] = label;
    bytes[r * 3073] = label;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 1024; p++) {
        s = (s * 1103515245 + 12345) >>> 0;
        const v = s >>> 24;
        bytes[r * 3073 + 1 + c * 1024 + p] = v;
        hwc[r * 3072 + p * 3 + c] = v;
      }
    }
  }
  return { bytes, hwc, labels };
}

/** A tar member to write: a regular file unless `type` says a directory. */
export interface TarInput {
  name: string;
  data?: Uint8Array;
  type?: 'file' | 'directory';
}

/** A POSIX ustar archive of `entries` (what the tar reader must read), ending with two zero blocks. */
export function encodeTar(entries: readonly TarInput[]): Uint8Array {
  const blocks: Uint8Array[] = [];
  const ascii = (target: Uint8Array, at: number, text: string) => {
    for (let i = 0; i < text.length; i++) target[at + i] = text.charCodeAt(i);
  };
  for (const e of entries) {
    const data = e.data ?? new Uint8Array(0);
    const header = new Uint8Array(512);
    ascii(header, 0, e.name);
    ascii(header, 100, '0000644\0');
    ascii(header, 108, '0001750\0');
    ascii(header, 116, '0001750\0');
    ascii(header, 124, `${data.length.toString(8).padStart(11, '0')}\0`);
    ascii(header, 136, '14721524610\0');
    ascii(header, 148, '        ');
    header[156] = (e.type === 'directory' ? '5' : '0').charCodeAt(0);
    ascii(header, 257, 'ustar\x0000');
    const sum = header.reduce((a, b) => a + b, 0);
    ascii(header, 148, `${sum.toString(8).padStart(6, '0')}\0 `);
    blocks.push(header);
    const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
    padded.set(data);
    blocks.push(padded);
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of blocks) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

export const CIFAR_CLASSES_TXT = new TextEncoder().encode('airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n');

/**
 * A CIFAR-10 binary archive in the exact layout of `cifar-10-binary.tar.gz`
 * (`cifar-10-batches-bin/` with five training batches, a test batch and
 * `batches.meta.txt`), `perBatch` records per batch file. `members` replaces
 * or drops (undefined) members by name.
 */
export function makeCifarArchive(perBatch = 20, members: Record<string, Uint8Array | undefined> = {}) {
  const batches = [1, 2, 3, 4, 5].map((i) => makeCifarBatch(perBatch, i));
  const testBatch = makeCifarBatch(perBatch, 6);
  const files: Record<string, Uint8Array | undefined> = {
    'batches.meta.txt': CIFAR_CLASSES_TXT,
    ...Object.fromEntries(batches.map((b, i) => [`data_batch_${i + 1}.bin`, b.bytes])),
    'test_batch.bin': testBatch.bytes,
    ...members,
  };
  const entries: TarInput[] = [{ name: 'cifar-10-batches-bin/', type: 'directory' }];
  for (const [name, data] of Object.entries(files)) if (data) entries.push({ name: `cifar-10-batches-bin/${name}`, data });
  const tar = encodeTar(entries);
  const concat = (parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  return {
    tar,
    gz: new Uint8Array(gzipSync(tar)),
    train: { hwc: concat(batches.map((b) => b.hwc)), labels: concat(batches.map((b) => b.labels)) },
    test: { hwc: testBatch.hwc, labels: testBatch.labels },
  };
}
