import type { FirstLayerWeights } from '../worker/inspection-types.js';
import { h, replaceChildren } from './dom.js';
import { count } from './format.js';
import { drawHeat, heatCanvas, maxAbs } from './heat-image.js';

const EMPTY_TEXT = 'Appears once a model is training: the first layer’s weights, one tile per unit or filter.';

/**
 * The first layer's weights as small images: for an MLP, what each hidden
 * unit looks for in the 28×28 picture; for a CNN, the first convolution's
 * 3×3 filters. Each tile is scaled to its own largest weight, so faint
 * units still show their pattern.
 */
export class WeightTiles {
  readonly element: HTMLElement;
  private readonly caption = h('p', { class: 'muted' }, EMPTY_TEXT);
  private readonly tiles = h('div', { id: 'weight-tiles', class: 'weight-tiles', role: 'img', 'aria-label': 'No weights yet' });
  /** The tiles drawn last and what they showed: the next evaluation redraws into them instead of building 128 new canvases. */
  private canvases: HTMLCanvasElement[] = [];
  private shown = '';
  /** Renders so far, also in `data-renders`: the e2e tests check the tiles are redrawn, not rebuilt. */
  private renders = 0;

  constructor() {
    this.element = h('div', { class: 'weights' }, this.caption, this.tiles);
  }

  render(weights: FirstLayerWeights | null): void {
    if (!weights) {
      this.clear('This model’s first layer does not read the 28×28 image directly, so its weights are not shown as pictures.');
      return;
    }
    const { tiles, tileWidth: w, tileHeight: ht, values, kind, layer } = weights;
    const size = w * ht;
    const shape = `${kind} ${tiles} ${w}×${ht}`;
    if (shape !== this.shown) {
      this.canvases = Array.from({ length: tiles }, (_, t) =>
        heatCanvas(`weight-tile ${kind}`, `${kind === 'conv' ? 'Filter' : 'Unit'} ${t + 1}`),
      );
      replaceChildren(this.tiles, ...this.canvases);
      this.shown = shape;
    }
    this.canvases.forEach((canvas, t) => {
      drawHeat(canvas, values, t * size, w, ht, { signed: true, scale: maxAbs(values, t * size, (t + 1) * size) });
    });
    this.tiles.dataset.tiles = String(tiles);
    this.renders++;
    this.tiles.dataset.renders = String(this.renders);
    const what =
      kind === 'conv'
        ? `the ${count(tiles)} filters of the first convolution (${layer}), ${w}×${ht} weights each, drawn large`
        : `the weights of the ${count(tiles)} units of the first layer (${layer}), one ${w}×${ht} tile per unit, a weight per pixel`;
    this.tiles.setAttribute('aria-label', `Pictures of ${what}.`);
    this.caption.textContent =
      kind === 'conv'
        ? `The ${count(tiles)} filters of the first convolution (${layer}). Each filter slides over the image and responds where the ink matches its pattern, such as an edge or a stroke at some angle. Red weights raise its output where there is ink, blue ones lower it; each tile is scaled to its own largest weight.`
        : `The weights of the first layer’s ${count(tiles)} units (${layer}), one 28×28 tile each. Ink on red pixels raises a unit’s output, ink on blue pixels lowers it, so each tile shows the strokes its unit looks for; each tile is scaled to its own largest weight. Training starts from random noise.`;
  }

  clear(text = EMPTY_TEXT): void {
    this.caption.textContent = text;
    replaceChildren(this.tiles);
    this.canvases = [];
    this.shown = '';
    delete this.tiles.dataset.tiles;
    this.tiles.setAttribute('aria-label', 'No weights yet');
  }
}
