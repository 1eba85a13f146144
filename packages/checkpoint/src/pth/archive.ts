import { type UnzipFileInfo, unzipSync } from 'fflate';
import { CheckpointError } from '../errors.js';

/**
 * The records of a `torch.save` zip. They all sit under one top-level folder
 * (the file's stem in PyTorch 1.x, `archive` in 2.x): `<prefix>/data.pkl`, one
 * `<prefix>/data/<key>` per storage, and optionally `<prefix>/byteorder`.
 */
export interface TorchArchive {
  /** The pickle's record name, e.g. `mlp/data.pkl`, for error messages. */
  readonly pickleName: string;
  readonly pickle: Uint8Array;
  /** The raw bytes of storage `key`, or undefined when the archive lacks it. */
  storage(key: string): Uint8Array | undefined;
}

// A central directory entry takes at least 46 bytes, so a file cannot honestly
// list more entries than this; checking it stops a forged zip64 entry count
// from keeping the unzipper looping over garbage for billions of rounds.
const MIN_ENTRY_BYTES = 46;

// torch.save stores records uncompressed. A re-zipped file may deflate them,
// which we accept up to this much inflated data in all, so a small zip bomb
// cannot demand gigabytes.
const MAX_INFLATED_BYTES = 1024 * 1024 * 1024;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const PICKLE_PROTO = 0x80;

/** Opens the zip container of a `.pth` file and finds its records; `name` prefixes error messages. */
export function readTorchArchive(bytes: Uint8Array, name: string): TorchArchive {
  if (bytes.byteLength >= 2 && bytes[0] === PICKLE_PROTO && !ZIP_MAGIC.every((b, i) => bytes[i] === b)) {
    throw new CheckpointError(
      `${name}: legacy (pre-1.6 or _use_new_zipfile_serialization=False) torch.save files are not supported; re-save it with a current PyTorch`,
    );
  }
  const files = unzip(bytes, name);
  const pickles = Object.keys(files).filter((f) => /^[^/]+\/data\.pkl$/.test(f));
  if (pickles.length !== 1) {
    throw new CheckpointError(
      pickles.length === 0
        ? `${name}: no <folder>/data.pkl record in the zip; is it a torch.save file?`
        : `${name}: several data.pkl records (${pickles.join(', ')}); expected one torch.save archive`,
    );
  }
  const pickleName = pickles[0];
  const prefix = pickleName.slice(0, -'data.pkl'.length);
  const record = (path: string) => (Object.hasOwn(files, path) ? files[path] : undefined);

  const byteorder = record(`${prefix}byteorder`);
  if (byteorder) {
    const order = new TextDecoder().decode(byteorder).trim();
    if (order === 'big') throw new CheckpointError(`${name}: big-endian checkpoints are not supported (${prefix}byteorder says "big")`);
    if (order !== 'little') throw new CheckpointError(`${name}: ${prefix}byteorder holds "${order.slice(0, 20)}", not "little" or "big"`);
  }

  return { pickleName, pickle: files[pickleName], storage: (key) => record(`${prefix}data/${key}`) };
}

function unzip(bytes: Uint8Array, name: string): Record<string, Uint8Array> {
  const maxEntries = Math.floor(bytes.byteLength / MIN_ENTRY_BYTES);
  let entries = 0;
  let inflated = 0;
  // The filter sees each entry before it is extracted, so limits are enforced before any allocation.
  const filter = (file: UnzipFileInfo): boolean => {
    if (++entries > maxEntries) throw new CheckpointError(`${name}: the zip directory lists more entries than the file can hold`);
    if (file.compression !== 0) {
      inflated += file.originalSize;
      if (inflated > MAX_INFLATED_BYTES) {
        throw new CheckpointError(`${name}: compressed records would inflate beyond ${MAX_INFLATED_BYTES} bytes`);
      }
    }
    return true;
  };
  try {
    return unzipSync(bytes, { filter });
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`${name}: not a readable zip archive (${e instanceof Error ? e.message : String(e)})`);
  }
}
