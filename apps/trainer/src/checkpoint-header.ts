import { open } from 'node:fs/promises';

/*
 * A safetensors file's header alone (its metadata, tensor names and shapes),
 * read without the data: a model description is checked against the shapes
 * the file really holds before anything is built or loaded, so a tiny file
 * claiming a huge model is refused in milliseconds.
 */

/** What a safetensors header says: the `__metadata__` strings and each tensor's shape by name. */
export interface CheckpointHeader {
  metadata: Record<string, string>;
  shapes: Map<string, number[]>;
}

// The reference implementation's limit on header size.
const MAX_HEADER_BYTES = 100_000_000;

/**
 * The header of the safetensors file at `path`, or null when it is not one
 * the full loader would accept (the loader then says why, in its own words).
 */
export async function readCheckpointHeader(path: string): Promise<CheckpointHeader | null> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size < 8) return null;
    const prefix = Buffer.alloc(8);
    await handle.read(prefix, 0, 8, 0);
    const length = prefix.readBigUInt64LE(0);
    if (length > BigInt(Math.min(MAX_HEADER_BYTES, size - 8))) return null;
    const json = Buffer.alloc(Number(length));
    await handle.read(json, 0, json.length, 8);
    const header: unknown = JSON.parse(json.toString('utf8'));
    if (header === null || typeof header !== 'object' || Array.isArray(header)) return null;
    const metadata: Record<string, string> = Object.create(null);
    const shapes = new Map<string, number[]>();
    for (const [key, value] of Object.entries(header)) {
      if (key === '__metadata__') {
        for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) if (typeof v === 'string') metadata[k] = v;
        continue;
      }
      const shape = (value as { shape?: unknown } | null)?.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return null;
      shapes.set(key, shape as number[]);
    }
    return { metadata, shapes };
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}
