/** An RGB colour, each channel in [0, 1]. */
export type Rgb = readonly [number, number, number];

/**
 * How a one-channel image becomes colours, by matplotlib's names: `'gray'`
 * (and its alias `'Greys_r'`, what the tutorials pass) is black to white,
 * `'Greys'` white to black, `'viridis'` matplotlib's default (what
 * `helper.view_classify` shows, since it passes no cmap).
 */
export type Colormap = 'gray' | 'Greys_r' | 'Greys' | 'viridis';

export const COLORMAPS: readonly Colormap[] = ['gray', 'Greys_r', 'Greys', 'viridis'];

// matplotlib's viridis at 0, 0.1, ..., 1, interpolated linearly between (close enough for a terminal or a preview).
const VIRIDIS: readonly Rgb[] = [
  [0.267, 0.005, 0.329],
  [0.283, 0.141, 0.458],
  [0.254, 0.265, 0.53],
  [0.207, 0.372, 0.553],
  [0.164, 0.471, 0.558],
  [0.128, 0.567, 0.551],
  [0.135, 0.659, 0.518],
  [0.267, 0.749, 0.441],
  [0.478, 0.821, 0.318],
  [0.741, 0.873, 0.15],
  [0.993, 0.906, 0.144],
];

/** The colour of `v` in [0, 1] under `map`. */
export function colorOf(map: Colormap, v: number): Rgb {
  if (map === 'gray' || map === 'Greys_r') return [v, v, v];
  if (map === 'Greys') return [1 - v, 1 - v, 1 - v];
  const x = v * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}
