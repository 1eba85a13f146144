import { DatasetError } from '../errors.js';
import { gunzip, isGzip } from '../io/gzip.js';
import { readTar, tarMember } from '../io/tar.js';
import type { ByteImages } from './byte-images.js';
import { CIFAR_RECORD_BYTES, type CifarMeta, type CifarSplit } from './cifar10-meta.js';

const PLANE = 32 * 32;

/**
 * Reads one split out of a CIFAR binary archive (`.tar.gz`, or an already
 * inflated `.tar`): its batch files, in order, become one HWC image array
 * (`[N, 32, 32, 3]`, as torchvision's `data`) and one label array.
 * `expectCount` checks the split's official record count; without it any
 * whole number of records is accepted. Errors name the archive and member.
 */
export function decodeCifarArchive(meta: CifarMeta, split: CifarSplit, bytes: Uint8Array, name: string, expectCount: boolean): ByteImages {
  const tar = isGzip(bytes) || name.endsWith('.gz') ? gunzip(bytes, name, { maxSize: meta.maxInflatedSize }) : bytes;
  const entries = readTar(tar, name);
  const parts = split.members.map((member) => {
    const path = `${meta.directory}/${member}`;
    const data = tarMember(entries, path, name);
    if (data.length % CIFAR_RECORD_BYTES !== 0 || data.length === 0) {
      throw new DatasetError(
        `${meta.folder}: ${path} in ${name} has ${data.length} bytes, not a whole number of ${CIFAR_RECORD_BYTES}-byte records (truncated or corrupt)`,
      );
    }
    return { path, data };
  });
  const count = parts.reduce((n, p) => n + p.data.length / CIFAR_RECORD_BYTES, 0);
  if (expectCount && count !== split.count) {
    throw new DatasetError(`${meta.folder}: ${split.members.join(', ')} in ${name} hold ${count} records, expected ${split.count}`);
  }
  const images = new Uint8Array(count * 3 * PLANE);
  const labels = new Uint8Array(count);
  let n = 0;
  for (const { path, data } of parts) {
    for (let at = 0; at < data.length; at += CIFAR_RECORD_BYTES, n++) {
      const label = data[at];
      if (label >= meta.classes.length) {
        throw new DatasetError(
          `${meta.folder}: ${path} in ${name} has label ${label} in record ${at / CIFAR_RECORD_BYTES}, expected 0..${meta.classes.length - 1}`,
        );
      }
      labels[n] = label;
      planarToInterleaved(data, at + 1, images, n * 3 * PLANE);
    }
  }
  return { images, labels, count };
}

/** One record's R, G and B planes (CHW) written as interleaved pixels (HWC). */
function planarToInterleaved(src: Uint8Array, from: number, dst: Uint8Array, to: number): void {
  for (let p = 0; p < PLANE; p++) {
    const o = to + 3 * p;
    dst[o] = src[from + p];
    dst[o + 1] = src[from + PLANE + p];
    dst[o + 2] = src[from + 2 * PLANE + p];
  }
}
