import supportsColor from 'supports-color';
import type { RgbImage } from './image.js';

/** How text pictures are coloured: 0 plain text, 2 xterm's 256 colours, 3 24-bit colour. */
export type ColorLevel = 0 | 2 | 3;

/** Options of the terminal pictures. */
export interface TerminalOptions {
  /**
   * Colour (`true`: 24-bit, Unicode half blocks) or plain text (`false`: ASCII
   * only). Default: colour when stdout is a terminal that supports 256 or
   * more colours, respecting `NO_COLOR` and `FORCE_COLOR`; plain text in a
   * pipe, a file, CI logs and browsers.
   */
  color?: boolean;
  /** The most terminal columns the picture may take; larger images are shrunk by an integer factor. Default: the terminal's width, or 120 when stdout is not a terminal. */
  columns?: number;
}

/** Darkest to brightest; two characters a pixel keep the picture's aspect ratio. */
export const PLAIN_RAMP = ' .:-=+*#%@';

interface ProcessLike {
  env?: Record<string, string | undefined>;
  stdout?: { isTTY?: boolean; columns?: number };
}

function nodeProcess(): ProcessLike | undefined {
  return (globalThis as { process?: ProcessLike }).process;
}

/** The colour level to use by default (see {@link TerminalOptions.color}). */
export function detectColorLevel(): ColorLevel {
  const proc = nodeProcess();
  if (!proc?.stdout || !proc.env) return 0;
  // supports-color reads FORCE_COLOR but not NO_COLOR (https://no-color.org), which wins unless colour is forced.
  if (proc.env.NO_COLOR && proc.env.FORCE_COLOR === undefined) return 0;
  const info = supportsColor.stdout;
  if (!info) return 0;
  // 16-colour terminals get plain text: 16 colours cannot show a grey ramp.
  return info.level >= 3 ? 3 : info.level === 2 ? 2 : 0;
}

export function colorLevel(options: TerminalOptions): ColorLevel {
  if (options.color === undefined) return detectColorLevel();
  return options.color ? 3 : 0;
}

export function terminalColumns(options: TerminalOptions): number {
  const stdout = nodeProcess()?.stdout;
  // A pipe or a log file has no width; 120 columns keep a 28x28 image at full size beside its bars.
  const fallback = stdout?.isTTY ? (stdout.columns ?? 80) : 120;
  return Math.max(2, Math.floor(options.columns ?? fallback));
}

const byte = (v: number) => Math.round(v * 255);

/** The nearest of xterm's 256 colours: its 6x6x6 cube or its 24 greys. */
function xterm256(r: number, g: number, b: number): number {
  const [R, G, B] = [byte(r), byte(g), byte(b)];
  if (Math.max(R, G, B) - Math.min(R, G, B) < 8) {
    const grey = (R + G + B) / 3;
    if (grey < 4) return 16;
    if (grey > 246) return 231;
    return 232 + Math.min(23, Math.round((grey - 8) / 10));
  }
  const level = (v: number) => (v < 48 ? 0 : v < 115 ? 1 : Math.min(5, Math.floor((v - 35) / 40)));
  return 16 + 36 * level(R) + 6 * level(G) + level(B);
}

/** The SGR code setting the foreground (38) or background (48) to pixel `i`'s colour. */
function sgr(level: ColorLevel, ground: 38 | 48, img: RgbImage, i: number): string {
  const [r, g, b] = [img.pixels[3 * i], img.pixels[3 * i + 1], img.pixels[3 * i + 2]];
  if (level === 3) return `\x1b[${ground};2;${byte(r)};${byte(g)};${byte(b)}m`;
  return `\x1b[${ground};5;${xterm256(r, g, b)}m`;
}

/** Columns one pixel takes at `level`. */
export const pixelColumns = (level: ColorLevel) => (level === 0 ? 2 : 1);

/**
 * The image as lines of text. In colour each character is two pixels: '▀'
 * with the upper pixel as foreground and the lower as background. In plain
 * text each pixel is two characters of {@link PLAIN_RAMP} by its luminance.
 */
export function renderImage(img: RgbImage, level: ColorLevel): string[] {
  const lines: string[] = [];
  if (level === 0) {
    for (let y = 0; y < img.height; y++) {
      let line = '';
      for (let x = 0; x < img.width; x++) {
        const i = 3 * (y * img.width + x);
        // Rec. 601 luma, as PIL's convert('L').
        const luma = 0.299 * img.pixels[i] + 0.587 * img.pixels[i + 1] + 0.114 * img.pixels[i + 2];
        // The epsilon keeps a grey of exactly 0.5 on its step despite the rounding of the luma weights.
        const ch = PLAIN_RAMP[Math.min(PLAIN_RAMP.length - 1, Math.floor(luma * PLAIN_RAMP.length + 1e-6))];
        line += ch + ch;
      }
      lines.push(line);
    }
    return lines;
  }
  for (let y = 0; y < img.height; y += 2) {
    let line = '';
    // Colours are set only when they change, which keeps a dark background's runs short.
    let [fg, bg] = ['', ''];
    for (let x = 0; x < img.width; x++) {
      const top = sgr(level, 38, img, y * img.width + x);
      // An odd last row has no lower pixel: the terminal's own background shows there.
      const bottom = y + 1 < img.height ? sgr(level, 48, img, (y + 1) * img.width + x) : '\x1b[49m';
      line += `${top === fg ? '' : top}${bottom === bg ? '' : bottom}▀`;
      [fg, bg] = [top, bottom];
    }
    lines.push(`${line}\x1b[0m`);
  }
  return lines;
}

/** The visible width of a line (without its escape codes). */
export function visibleLength(line: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escape sequences is the point.
  return line.replace(/\x1b\[[0-9;]*m/g, '').length;
}
