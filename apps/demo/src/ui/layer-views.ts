import type { AppContext } from '../client/app-context.js';
import type { LayerView } from '../worker/inspection-types.js';
import type { ModelSlot } from '../worker/protocol.js';
import { h, replaceChildren } from './dom.js';
import { count } from './format.js';
import { drawHeat, hasNegative, heatCanvas, maxAbs } from './heat-image.js';
import './inspect-views.css';

/** On-screen size of one hidden unit's square. */
const UNIT_PIXELS = 20;

const EMPTY_TEXT = 'Draw a digit to see what each layer of the model makes of it.';

/** Units per row of a hidden layer's strip: rows of 16 (128 units: 8 rows), or one row for a layer of up to 32. */
function stripColumns(units: number): number {
  if (units <= 32) return units;
  return units % 16 === 0 ? 16 : units;
}

function describe(view: LayerView, values: Float32Array): string {
  if (view.shape.length === 3) {
    const [maps, height, width] = view.shape;
    return `${count(maps)} feature maps of ${height}×${width}`;
  }
  const units = values.length;
  let active = 0;
  let strongest = 0;
  for (let i = 0; i < units; i++) {
    if (values[i] > 0) active++;
    if (values[i] > values[strongest]) strongest = i;
  }
  return `${count(units)} units, ${count(active)} above zero; the strongest is unit ${count(strongest + 1)}`;
}

/**
 * The Draw page's "What each layer sees": every hidden layer's output for
 * the drawn digit. A CNN's feature maps are small images (where in the
 * picture each filter found its pattern); an MLP's hidden units are a strip
 * of squares. Brighter is a stronger output; each layer shares one scale, so
 * its maps and units compare with each other.
 */
export class LayerViews {
  readonly element: HTMLElement;
  private readonly status = h('p', { class: 'muted' }, EMPTY_TEXT);
  private readonly views = h('div', { id: 'layer-views', class: 'layer-views' });
  private pending: { slot: ModelSlot; pixels: Float32Array } | null = null;
  private busy = false;
  /** Names and shapes of the views drawn, so the canvases are reused while the same model is asked. */
  private layout = '';
  private canvases: HTMLCanvasElement[][] = [];
  private captions: HTMLElement[] = [];
  /** Bumped by clear(), so an answer to an older drawing is not drawn over it. */
  private generation = 0;

  constructor(private readonly ctx: AppContext) {
    this.element = h(
      'section',
      { class: 'panel layer-views-panel', 'aria-labelledby': 'layer-views-heading' },
      h('h2', { id: 'layer-views-heading' }, 'What each layer sees'),
      h(
        'p',
        { class: 'muted' },
        'Each hidden layer’s output for your drawing, from the first layer to the last one before the prediction; brighter is a stronger output, on a scale shared within each layer. In a CNN each small image is a feature map: where in the picture one filter found its pattern (a stroke, an edge, a corner). Each square of a strip is one unit of a linear layer.',
      ),
      this.status,
      this.views,
    );
  }

  /** Asks the worker for the layers' outputs; drawing fast sends many, so only the latest waiting one is kept. */
  show(slot: ModelSlot, pixels: Float32Array): void {
    this.pending = { slot, pixels };
    if (!this.busy) void this.drain();
  }

  clear(text = EMPTY_TEXT): void {
    this.pending = null;
    this.generation++;
    this.status.textContent = text;
    this.status.hidden = false;
    this.layout = '';
    replaceChildren(this.views);
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (this.pending) {
        const { slot, pixels } = this.pending;
        this.pending = null;
        const generation = this.generation;
        try {
          const views = await this.ctx.worker.call('layerViews', { slot, pixels });
          // Skipped when a newer drawing waits, or the canvas was cleared meanwhile.
          if (this.pending === null && generation === this.generation) this.render(views);
        } catch (error) {
          if (generation === this.generation) this.clear(`The layers could not be read: ${(error as Error).message}`);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private render(views: LayerView[]): void {
    if (views.length === 0) {
      this.clear('This model has no hidden layers to show.');
      return;
    }
    const layout = views.map((v) => `${v.layer}:${v.shape.join('×')}`).join('|');
    if (layout !== this.layout) this.build(views, layout);
    views.forEach((view, i) => {
      const values = view.values;
      const scale = { signed: hasNegative(values), scale: maxAbs(values) };
      if (view.shape.length === 3) {
        const [, height, width] = view.shape;
        this.canvases[i].forEach((canvas, m) => {
          drawHeat(canvas, values, m * height * width, width, height, scale);
        });
      } else {
        const columns = stripColumns(values.length);
        const strip = this.canvases[i][0];
        drawHeat(strip, values, 0, columns, Math.ceil(values.length / columns), scale);
        strip.style.width = `${columns * UNIT_PIXELS}px`;
      }
      this.captions[i].textContent = `Layer ${i + 1}: ${view.layer}. ${describe(view, values)}.`;
    });
    this.status.hidden = true;
  }

  private build(views: LayerView[], layout: string): void {
    this.layout = layout;
    this.captions = views.map(() => h('figcaption', {}));
    this.canvases = views.map((view) =>
      view.shape.length === 3
        ? Array.from({ length: view.shape[0] }, (_, m) => heatCanvas('feature-map', `Feature map ${m + 1}`))
        : [heatCanvas('unit-strip')],
    );
    replaceChildren(
      this.views,
      ...views.map((view, i) =>
        h(
          'figure',
          { class: 'layer-view', 'data-shape': view.shape.join('×') },
          this.captions[i],
          h(
            'div',
            {
              class: view.shape.length === 3 ? 'feature-maps' : 'unit-strips',
              role: 'img',
              'aria-label': `Outputs of layer ${i + 1} (${view.layer}) for the drawing`,
            },
            ...this.canvases[i],
          ),
        ),
      ),
    );
  }
}
