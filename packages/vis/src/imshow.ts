import { print as printText, type Tensor } from '@kindling/tensor';
import { type ImageOptions, type RgbImage, shrink, toRgbImage } from './image.js';
import { defaultScale, imagePng, writeFile } from './png.js';
import { type ColorLevel, type TerminalOptions, colorLevel, pixelColumns, renderImage, terminalColumns } from './terminal.js';

/** Where a picture goes: the terminal (by default) and/or a PNG file. */
export interface OutputOptions {
  /** Write the picture to stdout (`console.log` in a browser); default `true`. The text is returned either way. */
  print?: boolean;
  /** Also write a PNG file there (Node only; in a browser use the `...Png` function and save the bytes). */
  file?: string;
  /** Screen pixels per image pixel in the PNG; default about 280 pixels on the long side (10 for 28x28). */
  scale?: number;
}

/** Options of {@link imshow}. */
export interface ImshowOptions extends ImageOptions, TerminalOptions, OutputOptions {}

/** Lines of `img` for the terminal, shrunk to fit `columns`. */
export function imageLines(img: RgbImage, level: ColorLevel, columns: number): string[] {
  const fit = Math.max(1, Math.floor(columns / pixelColumns(level)));
  return renderImage(shrink(img, Math.ceil(img.width / fit)), level);
}

export function emit(op: string, text: string, options: OutputOptions, png: () => Uint8Array): string {
  if (options.file !== undefined) writeFile(op, options.file, png());
  if (options.print !== false) printText(text);
  return text;
}

/**
 * The tutorials' `helper.imshow` / `plt.imshow`: shows an image tensor
 * (`[1, H, W]`, `[H, W]`, `[3, H, W]`, one image of a batch `[1, C, H, W]`,
 * or a flattened square image such as `[1, 784]`) in the terminal, with
 * Unicode half blocks in colour when stdout is a colour terminal and as
 * plain ASCII otherwise (see {@link TerminalOptions.color}). One-channel
 * images are scaled from their minimum to their maximum (or `vmin`/`vmax`)
 * through `cmap`; RGB images are clipped to [0, 1] (0..255 for integer
 * dtypes), as matplotlib does. Prints the picture unless `{ print: false }`,
 * writes a PNG when given `{ file }`, and returns the text.
 *
 * The tensor is read synchronously, so it must be on a device that allows
 * it (the CPU); move a WebGPU tensor with `await t.toAsync('cpu')` first.
 *
 * @example
 * ```ts
 * const [images, labels] = await next(iter(trainloader));
 * imshow(images.at(0), { unnormalize: { mean: 0.5, std: 0.5 } });
 * imshow(images.at(0), { file: 'digit.png', print: false });
 * ```
 */
export function imshow(image: Tensor, options: ImshowOptions = {}): string {
  const img = toRgbImage('imshow', image, options);
  const text = imageLines(img, colorLevel(options), terminalColumns(options)).join('\n');
  return emit('imshow', text, options, () => imagePng(img, options.scale ?? defaultScale(img)));
}

/** {@link imshow}'s picture as PNG bytes, for browsers (`new Blob([bytes], { type: 'image/png' })`) or your own file handling. */
export function imshowPng(image: Tensor, options: ImageOptions & { scale?: number } = {}): Uint8Array {
  const img = toRgbImage('imshowPng', image, options);
  return imagePng(img, options.scale ?? defaultScale(img));
}
