import '@kindling/backend-cpu';
import { ShapeError, tensor, zeros } from '@kindling/tensor';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PLAIN_RAMP, detectColorLevel, imshow } from '../src/index.js';

const quiet = { print: false } as const;
// 2x3, one row dark to light, one light to dark.
const small = () =>
  tensor([
    [
      [0, 0.5, 1],
      [1, 0.5, 0],
    ],
  ]);

describe('imshow in the terminal', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('plain text: two ramp characters a pixel, scaled from the minimum to the maximum', () => {
    expect(imshow(small(), { ...quiet, color: false })).toBe('  ++@@\n@@++  ');
    // Any range maps the same way (normalized MNIST is in [-1, 1]); a [H, W] tensor too.
    expect(imshow(small().mul(2).sub(1).reshape(2, 3), { ...quiet, color: false })).toBe('  ++@@\n@@++  ');
    expect(PLAIN_RAMP).toBe(' .:-=+*#%@');
  });

  it("colour: one '▀' per two rows, upper pixel as foreground, lower as background, 24-bit", () => {
    const px = (top: number, bottom: number) => `\x1b[38;2;${top};${top};${top}m\x1b[48;2;${bottom};${bottom};${bottom}m▀`;
    expect(imshow(small(), { ...quiet, color: true })).toBe(`${px(0, 255)}${px(128, 128)}${px(255, 0)}\x1b[0m`);
  });

  it('colours are written only where they change', () => {
    expect(imshow(zeros(1, 2, 3), { ...quiet, color: true })).toBe('\x1b[38;2;0;0;0m\x1b[48;2;0;0;0m▀▀▀\x1b[0m');
  });

  it("an odd last row leaves the terminal's background below it", () => {
    const lines = imshow(tensor([[[1]], [[0]], [[1]]]).reshape(1, 3, 1), { ...quiet, color: true }).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('\x1b[38;2;255;255;255m\x1b[49m▀\x1b[0m');
  });

  it('unnormalize, vmin/vmax and cmap', () => {
    const x = tensor([[-1, 0, 1]]);
    expect(imshow(x, { ...quiet, color: false, unnormalize: { mean: 0.5, std: 0.5 }, vmin: 0, vmax: 1 })).toBe('  ++@@');
    expect(imshow(x, { ...quiet, color: false, vmin: 0, vmax: 1 })).toBe('    @@');
    expect(imshow(x, { ...quiet, color: false, cmap: 'Greys' })).toBe('@@++  ');
    expect(imshow(x, { ...quiet, color: true, cmap: 'viridis' })).toContain('\x1b[38;2;68;1;84m'); // viridis(0)
  });

  it('RGB images are clipped to [0, 1] per channel', () => {
    const rgb = tensor(
      [
        [[2], [0]],
        [[0], [-1]],
        [[0], [1]],
      ],
      { dtype: 'float32' },
    ); // [3, 2, 1]: red over blue
    expect(imshow(rgb, { ...quiet, color: true })).toBe('\x1b[38;2;255;0;0m\x1b[48;2;0;0;255m▀\x1b[0m');
    // Integer images are 0..255, as matplotlib reads them.
    const bytes = tensor(
      [
        [[255], [0]],
        [[0], [0]],
        [[0], [51]],
      ],
      { dtype: 'uint8' },
    );
    expect(imshow(bytes, { ...quiet, color: true })).toBe('\x1b[38;2;255;0;0m\x1b[48;2;0;0;51m▀\x1b[0m');
  });

  it('a flattened square image ([1, 784] in the tutorials) is shown square', () => {
    expect(imshow(tensor([[0, 1, 1, 0]]), { ...quiet, color: false })).toBe('  @@\n@@  ');
  });

  it('a wide image is shrunk by an integer factor to fit the columns', () => {
    const lines = imshow(zeros(1, 8, 40), { ...quiet, color: false, columns: 40 }).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => l.length === 40)).toBe(true);
  });

  it('prints to stdout unless print: false, and returns the text either way', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const text = imshow(small(), { color: false });
    expect(write).toHaveBeenCalledWith(`${text}\n`);
    write.mockClear();
    imshow(small(), { color: false, print: false });
    expect(write).not.toHaveBeenCalled();
  });

  it('NO_COLOR turns colour off unless FORCE_COLOR is set', () => {
    vi.stubEnv('FORCE_COLOR', undefined);
    vi.stubEnv('NO_COLOR', '1');
    expect(detectColorLevel()).toBe(0);
  });
});

describe('imshow errors: one line naming the argument, its shape and what was expected', () => {
  const cases: [number[], string][] = [
    [[2, 3, 4, 5], '[2, 3, 4, 5]'],
    [[5, 4, 4], '[5, 4, 4]'],
    [[7], '[7]'],
  ];
  for (const [shape, text] of cases) {
    it(text, () => {
      expect(() => imshow(zeros(...shape), quiet)).toThrow(ShapeError);
      expect(() => imshow(zeros(...shape), quiet)).toThrow(
        `imshow: image has shape ${text}, expected [H, W], [1, H, W] or [3, H, W] (also [1, C, H, W], or [N]/[1, N] for a flattened square image)`,
      );
    });
  }

  it('unnormalize statistics of the wrong length, an unknown cmap', () => {
    expect(() => imshow(zeros(3, 2, 2), { ...quiet, unnormalize: { mean: [0.5, 0.5], std: 0.5 } })).toThrow(
      'imshow: unnormalize.mean has 2 values, expected 1 or 3 (one per channel)',
    );
    expect(() => imshow(zeros(2, 2), { ...quiet, cmap: 'jet' as never })).toThrow(
      "imshow: cmap 'jet' is unknown, expected one of gray, Greys_r, Greys, viridis",
    );
  });
});
