import { readFile } from 'node:fs/promises';
import { gunzip, isGzip, parseIdx } from '@kindling/data';
import { PNG } from 'pngjs';
import { UsageError } from './errors.js';

/** One grayscale image to classify, uint8 pixels row-major, with a label for printing. */
export interface InputImage {
  label: string;
  pixels: Uint8Array;
  rows: number;
  cols: number;
}

function fromPng(file: string, bytes: Uint8Array): InputImage {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes));
  } catch (e) {
    throw new UsageError(`${file}: not a readable PNG (${(e as Error).message})`);
  }
  const pixels = new Uint8Array(png.width * png.height);
  for (let i = 0; i < pixels.length; i++) {
    const [r, g, b, a] = png.data.subarray(4 * i, 4 * i + 4);
    // Luminance (ITU-R 601, as PIL's convert('L')), composited on black like MNIST's background.
    pixels[i] = Math.round(((0.299 * r + 0.587 * g + 0.114 * b) * a) / 255);
  }
  return { label: file, pixels, rows: png.height, cols: png.width };
}

function fromIdx(file: string, bytes: Uint8Array): InputImage[] {
  const raw = isGzip(bytes) ? gunzip(bytes, file) : bytes;
  let idx: ReturnType<typeof parseIdx>;
  try {
    idx = parseIdx(raw, file, { type: 'uint8' });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const shape = idx.shape.length === 2 ? [1, ...idx.shape] : idx.shape;
  if (shape.length !== 3) throw new UsageError(`${file}: expected IDX images of shape [N, rows, cols], got [${idx.shape.join(', ')}]`);
  const [n, rows, cols] = shape;
  return Array.from({ length: n }, (_, i) => ({
    label: `${file}[${i}]`,
    pixels: (idx.data as Uint8Array).subarray(i * rows * cols, (i + 1) * rows * cols),
    rows,
    cols,
  }));
}

/** Reads PNG files and IDX image files (`.gz` or not); an IDX file yields all its images. */
export async function readImages(files: readonly string[]): Promise<InputImage[]> {
  const out: InputImage[] = [];
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (e) {
      throw new UsageError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
    if (isPng) out.push(fromPng(file, bytes));
    else out.push(...fromIdx(file, bytes));
  }
  return out;
}
