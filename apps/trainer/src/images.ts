import { readFile, stat } from 'node:fs/promises';
import { constants, inflateSync } from 'node:zlib';
import { gunzip, isGzip, parseIdx } from '@kindling/data';
import { PNG } from 'pngjs';
import { UsageError } from './errors.js';
import { describeSystemError, isSystemError } from './fs-errors.js';

/** One image to classify, uint8 pixels row-major (HWC for colour), with a label for printing. */
export interface InputImage {
  label: string;
  pixels: Uint8Array;
  rows: number;
  cols: number;
  /** 1 (grayscale) or 3 (RGB). */
  channels: number;
}

/**
 * Most pixels an input image may have: 4096×4096 (16,777,216), 64 MiB of
 * RGBA once decoded. Models here take images of tens of pixels a side; the
 * bound keeps a hostile header (20000×20000 asks for 1.6 GB) from being decoded.
 */
export const MAX_IMAGE_PIXELS = 4096 * 4096;
/** Most bytes an IDX image file may inflate to: 256 MiB, five times MNIST's 47 MB training images. */
export const MAX_IDX_BYTES = 2 ** 28;

const pixels = (n: number): string => n.toLocaleString('en-US');

/** Refuses an image whose header claims more than {@link MAX_IMAGE_PIXELS}, before it is decoded. */
function checkDimensions(file: string, kind: string, width: number, height: number): void {
  if (width * height <= MAX_IMAGE_PIXELS) return;
  throw new UsageError(
    `${file}: the ${kind} is ${width}×${height} (${pixels(width * height)} pixels), more than the ${pixels(MAX_IMAGE_PIXELS)} (4096×4096) predict reads`,
  );
}

// Samples per pixel by PNG colour type (gray, RGB, palette, gray+alpha, RGBA).
const PNG_SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
// Adam7 passes: x start, y start, x step, y step.
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

/**
 * Refuses a PNG whose image data inflates to fewer bytes than its header's
 * size needs (a cut-off IDAT), which the decoder would silently fill with
 * black. Files it cannot parse are left to the decoder to report.
 */
function checkPngDataComplete(file: string, bytes: Uint8Array): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0;
  let height = 0;
  let bitsPerPixel = 0;
  let interlaced = false;
  const idat: Buffer[] = [];
  for (let o = 8; o + 8 <= buf.length; ) {
    const length = buf.readUInt32BE(o);
    const type = buf.toString('latin1', o + 4, o + 8);
    if (o + 8 + length > buf.length) break;
    const data = buf.subarray(o + 8, o + 8 + length);
    if (type === 'IHDR' && length >= 13) {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const samples = PNG_SAMPLES[data[9]];
      if (samples === undefined) return;
      bitsPerPixel = samples * data[8];
      interlaced = data[12] === 1;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    o += 12 + length;
  }
  if (!width || !height || !bitsPerPixel || idat.length === 0) return;
  const rowBytes = (w: number) => (w === 0 ? 0 : 1 + Math.ceil((w * bitsPerPixel) / 8));
  const passes = interlaced ? ADAM7 : [[0, 0, 1, 1]];
  const expected = passes.reduce((n, [x0, y0, dx, dy]) => {
    const w = Math.ceil(Math.max(0, width - x0) / dx);
    const h = Math.ceil(Math.max(0, height - y0) / dy);
    return n + (w === 0 ? 0 : h * rowBytes(w));
  }, 0);
  let got: number;
  try {
    got = inflateSync(Buffer.concat(idat), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: expected + 1 }).length;
  } catch {
    return;
  }
  if (got < expected)
    throw new UsageError(
      `${file}: the PNG's pixel data is truncated (${got.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')} bytes)`,
    );
}

function fromPng(file: string, bytes: Uint8Array, channels: number): InputImage {
  // IHDR is the first chunk: 8-byte signature, length, "IHDR", then width and height (big-endian).
  const ihdr = bytes.length >= 24 && String.fromCharCode(...bytes.subarray(12, 16)) === 'IHDR';
  if (ihdr) {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    checkDimensions(file, 'PNG', dv.getUint32(16), dv.getUint32(20));
    checkPngDataComplete(file, bytes);
  }
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes));
  } catch (e) {
    throw new UsageError(`${file}: not a readable PNG (${(e as Error).message})`);
  }
  const count = png.width * png.height;
  const pixels = new Uint8Array(count * channels);
  for (let i = 0; i < count; i++) {
    const [r, g, b, a] = png.data.subarray(4 * i, 4 * i + 4);
    // Composited on black like MNIST's background; grayscale is luminance (ITU-R 601, as PIL's convert('L')).
    if (channels === 1) pixels[i] = Math.round(((0.299 * r + 0.587 * g + 0.114 * b) * a) / 255);
    else for (const [c, v] of [r, g, b].entries()) pixels[3 * i + c] = Math.round((v * a) / 255);
  }
  return { label: file, pixels, rows: png.height, cols: png.width, channels };
}

function fromIdx(file: string, bytes: Uint8Array, channels: number): InputImage[] {
  if (channels !== 1)
    throw new UsageError(`${file}: IDX images are grayscale, the model expects ${channels}-channel images (give PNG files)`);
  let idx: ReturnType<typeof parseIdx>;
  try {
    const raw = isGzip(bytes)
      ? gunzip(bytes, file, { maxSize: MAX_IDX_BYTES, maxSizeReason: 'the most predict reads from an IDX file' })
      : bytes;
    idx = parseIdx(raw, file, { type: 'uint8' });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const shape = idx.shape.length === 2 ? [1, ...idx.shape] : idx.shape;
  if (shape.length !== 3) throw new UsageError(`${file}: expected IDX images of shape [N, rows, cols], got [${idx.shape.join(', ')}]`);
  const [n, rows, cols] = shape;
  checkDimensions(file, 'IDX image', cols, rows);
  return Array.from({ length: n }, (_, i) => ({
    label: `${file}[${i}]`,
    pixels: (idx.data as Uint8Array).subarray(i * rows * cols, (i + 1) * rows * cols),
    rows,
    cols,
    channels: 1,
  }));
}

/**
 * Reads PNG files and IDX image files (`.gz` or not); an IDX file yields all
 * its images. PNGs become grayscale or RGB as `channels` asks.
 */
export async function readImages(files: readonly string[], channels = 1): Promise<InputImage[]> {
  const out: InputImage[] = [];
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      // A folder, FIFO or device (/dev/zero) is refused before it is read.
      if (!(await stat(file)).isFile())
        throw new UsageError(`${file}: not a regular file (a folder, device or pipe); give PNG or IDX files`);
      bytes = new Uint8Array(await readFile(file));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      if (isSystemError(e)) throw new UsageError(describeSystemError(e, file));
      throw new UsageError(`${file}: cannot read (${(e as Error).message})`);
    }
    const isPng = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
    if (isPng) out.push(fromPng(file, bytes, channels));
    else out.push(...fromIdx(file, bytes, channels));
  }
  return out;
}
