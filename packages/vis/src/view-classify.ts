import { KindlingError, ShapeError, type Tensor } from '@kindling/tensor';
import { Canvas } from './canvas.js';
import type { Rgb } from './colormap.js';
import { GLYPH_HEIGHT, textWidth } from './font.js';
import { type ImageOptions, type RgbImage, toRgbImage } from './image.js';
import { type OutputOptions, emit, imageLines } from './imshow.js';
import { defaultScale, encodePng } from './png.js';
import { type ColorLevel, type TerminalOptions, colorLevel, terminalColumns, visibleLength } from './terminal.js';

/** Class names of the data sets the tutorials classify, as `helper.view_classify(img, ps, version=...)` labels them. */
export const CLASS_NAMES = {
  MNIST: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  Fashion: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle Boot'],
} as const;

/** Options of {@link viewClassify}. */
export interface ViewClassifyOptions extends ImageOptions, TerminalOptions, OutputOptions {
  /** The labels, one per probability; default the MNIST digits. */
  classes?: readonly string[];
  /** `'Fashion'` labels the bars with Fashion-MNIST's classes, as the helper's `version='Fashion'`; ignored when `classes` is given. */
  version?: keyof typeof CLASS_NAMES;
  /** Terminal columns of the longest (100%) bar; default 25. */
  barColumns?: number;
}

const fmt = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** The class names and checked probabilities, or a one-line error. */
function probabilities(op: string, ps: Tensor, options: ViewClassifyOptions): { classes: readonly string[]; p: number[] } {
  const classes = options.classes ?? CLASS_NAMES[options.version ?? 'MNIST'];
  if (!classes) throw new KindlingError(`${op}: version '${options.version}' is unknown, expected MNIST or Fashion`);
  if (ps.shape.filter((d) => d !== 1).length > 1) {
    throw new ShapeError(
      `${op}: ps has shape ${fmt(ps.shape)}, expected the probabilities of one image, [${classes.length}] or [1, ${classes.length}]`,
    );
  }
  const p = Array.from(ps.readSync(), Number);
  if (p.length !== classes.length) {
    const whose = options.classes
      ? 'one per name in classes'
      : `one per ${options.version ?? 'MNIST'} class (pass { classes } to name others)`;
    throw new ShapeError(`${op}: ps has shape ${fmt(ps.shape)}, expected ${classes.length} probabilities, ${whose}`);
  }
  const bad = p.find((v) => !(v >= -1e-6 && v <= 1 + 1e-4));
  if (bad !== undefined) {
    throw new KindlingError(
      `${op}: ps holds ${bad}, expected probabilities in [0, 1] (for log-probabilities, pass ps.exp(); for scores, their softmax)`,
    );
  }
  return { classes, p };
}

const percent = (v: number) => `${(v * 100).toFixed(1)}%`;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** One bar of `width` columns for `v` in [0, 1]: eighth blocks in colour, '#' in plain text. */
function bar(v: number, width: number, level: ColorLevel): string {
  if (level === 0) return '#'.repeat(Math.round(v * width)).padEnd(width);
  const eighths = Math.round(v * width * 8);
  const text = '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
  return `\x1b[38;2;31;119;180m${text}\x1b[0m${' '.repeat(width - [...text].length)}`;
}

function barLines(classes: readonly string[], p: readonly number[], width: number, level: ColorLevel): string[] {
  const labelWidth = Math.max(...classes.map((c) => c.length));
  const rows = classes.map((c, i) => `${c.padStart(labelWidth)} |${bar(p[i], width, level)} ${percent(p[i]).padStart(6)}`);
  // The title centred over the bars and the percentages' 7 columns.
  const title = 'Class Probability';
  return [title.padStart(labelWidth + 2 + Math.max(0, Math.floor((width + 7 - title.length) / 2)) + title.length), ...rows];
}

/** Puts `right` beside `left`, vertically centred on it. */
function sideBySide(left: string[], right: string[], gap: number): string[] {
  const leftWidth = Math.max(0, ...left.map(visibleLength));
  const height = Math.max(left.length, right.length);
  const leftTop = Math.floor((height - left.length) / 2);
  const rightTop = Math.floor((height - right.length) / 2);
  return Array.from({ length: height }, (_, y) => {
    const l = left[y - leftTop] ?? '';
    const r = right[y - rightTop];
    return r === undefined ? l.trimEnd() : `${l}${' '.repeat(leftWidth - visibleLength(l) + gap)}${r}`;
  });
}

const INK: Rgb = [0.1, 0.1, 0.1];
const AXIS: Rgb = [0.5, 0.5, 0.5];
const FRAME: Rgb = [0.8, 0.8, 0.8];
const BAR: Rgb = [31 / 255, 119 / 255, 180 / 255]; // matplotlib's first colour, which barh uses

/** The PNG figure: the image on the left, labelled horizontal bars with percentages and a title on the right. */
function figure(img: RgbImage, classes: readonly string[], p: readonly number[], scale: number): Canvas {
  const ts = 2; // font pixels are 2x2 screen pixels: 10x14 glyphs
  const pad = 20;
  const rowH = 28;
  const titleH = GLYPH_HEIGHT * ts + 16;
  const labelW = Math.max(...classes.map((c) => textWidth(c))) * ts;
  const barW = 240;
  const pctW = textWidth('100.0%') * ts;
  const imgW = img.width * scale;
  const imgH = img.height * scale;
  const barsH = classes.length * rowH;
  const bodyH = Math.max(imgH, barsH);
  const axisX = pad + imgW + 2 * pad + labelW + 8;
  const canvas = new Canvas(axisX + barW + 8 + pctW + pad, pad + titleH + bodyH + pad);
  const imgY = pad + titleH + Math.floor((bodyH - imgH) / 2);
  // A thin frame, so white pixels at the image's edge stay visible on the white figure.
  canvas.fillRect(pad - 1, imgY - 1, imgW + 2, imgH + 2, FRAME);
  canvas.drawImage(img, pad, imgY, scale);
  const top = pad + titleH + Math.floor((bodyH - barsH) / 2);
  const title = 'Class Probability';
  canvas.drawText(title, axisX + Math.floor((barW - textWidth(title) * ts) / 2), top - titleH + 4, ts, INK);
  canvas.fillRect(axisX - 2, top, 2, barsH, AXIS);
  for (const [i, name] of classes.entries()) {
    const y = top + i * rowH;
    const textY = y + Math.floor((rowH - GLYPH_HEIGHT * ts) / 2);
    canvas.drawText(name, axisX - 8 - textWidth(name) * ts, textY, ts, INK);
    canvas.fillRect(axisX, y + 5, Math.round(p[i] * barW), rowH - 10, BAR);
    canvas.drawText(percent(p[i]), axisX + barW + 8 + (textWidth('100.0%') - textWidth(percent(p[i]))) * ts, textY, ts, INK);
  }
  return canvas;
}

/**
 * The tutorials' `helper.view_classify(img, ps)`: an image beside
 * horizontal bars of its class probabilities, each labelled with its class
 * and percentage. In the terminal (colour or plain text, as {@link imshow})
 * unless `{ print: false }`, and as a PNG with `{ file }`. `image` takes the
 * shapes `imshow` takes (the tutorials pass `img.view(1, 28, 28)`); `ps` is
 * one image's probabilities, `[10]` or `[1, 10]`. Returns the text.
 *
 * @example
 * ```ts
 * const ps = noGrad(() => model(img).exp());
 * viewClassify(img.view(1, 28, 28), ps);
 * viewClassify(img.view(1, 28, 28), ps, { version: 'Fashion', file: 'prediction.png' });
 * ```
 */
export function viewClassify(image: Tensor, ps: Tensor, options: ViewClassifyOptions = {}): string {
  const img = toRgbImage('viewClassify', image, options);
  const { classes, p } = probabilities('viewClassify', ps, options);
  const level = colorLevel(options);
  const width = options.barColumns ?? 25;
  const bars = barLines(classes, p, width, level);
  const imageColumns = terminalColumns(options) - Math.max(...bars.map(visibleLength)) - 3;
  const text = sideBySide(imageLines(img, level, imageColumns), bars, 3).join('\n');
  return emit('viewClassify', text, options, () => encodePng(figure(img, classes, p, options.scale ?? defaultScale(img))));
}

/** {@link viewClassify}'s figure as PNG bytes, for browsers or your own file handling. */
export function viewClassifyPng(image: Tensor, ps: Tensor, options: ViewClassifyOptions = {}): Uint8Array {
  const img = toRgbImage('viewClassifyPng', image, options);
  const { classes, p } = probabilities('viewClassifyPng', ps, options);
  return encodePng(figure(img, classes, p, options.scale ?? defaultScale(img)));
}
