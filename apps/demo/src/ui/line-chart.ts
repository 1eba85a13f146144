import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h, replaceChildren } from './dom.js';

export interface SeriesSpec {
  label: string;
  color: string;
  /** Dashed stroke, so series differ by more than colour. */
  dash?: number[];
  format: (value: number) => string;
}

export interface LineChartOptions {
  title: string;
  series: SeriesSpec[];
  /** Fixed y range (accuracy: [0, 1]); omitted for auto. */
  yRange?: [number, number];
  height?: number;
}

/**
 * A uPlot line chart over epochs that grows point by point. Series are
 * sampled at different x (training points every few batches, test points a
 * few times per epoch), so each added point fills the other series with null
 * and lines span the gaps. The canvas is decorative for screen readers; the
 * caption states the latest values in text.
 */
export class LineChart {
  readonly element: HTMLElement;
  private readonly plotHost: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly xs: number[] = [];
  private readonly ys: (number | null)[][];
  private readonly latest: (number | null)[];
  private plot: uPlot | null = null;
  private readonly resizeObserver: ResizeObserver;

  constructor(private readonly options: LineChartOptions) {
    this.ys = options.series.map(() => []);
    this.latest = options.series.map(() => null);
    this.plotHost = h('div', { class: 'chart-plot', 'aria-hidden': 'true' });
    this.summary = h('p', { class: 'chart-summary' });
    this.element = h('figure', { class: 'chart' }, h('figcaption', {}, h('strong', {}, options.title), ' ', this.summary), this.plotHost);
    this.resizeObserver = new ResizeObserver(() => this.fit());
    this.resizeObserver.observe(this.plotHost);
    // Axis text takes the page's text colour when drawn, so a light/dark switch needs a redraw.
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.plot?.redraw(false, true));
    this.renderSummary();
  }

  /**
   * Adds one value of series `index` at epoch `x`. A value at the same x as
   * the last row joins that row: uPlot wants x strictly increasing (with a
   * repeated x, its y auto-range skips the last row).
   */
  add(index: number, x: number, value: number): void {
    const last = this.xs.length - 1;
    if (last >= 0 && this.xs[last] === x) {
      this.ys[index][last] = value;
    } else {
      this.xs.push(x);
      this.ys.forEach((ys, i) => {
        ys.push(i === index ? value : null);
      });
    }
    this.latest[index] = value;
    this.plot?.setData([this.xs, ...this.ys]);
    this.renderSummary();
  }

  reset(): void {
    this.xs.length = 0;
    for (const ys of this.ys) ys.length = 0;
    this.latest.fill(null);
    this.plot?.setData([this.xs, ...this.ys]);
    this.renderSummary();
  }

  private renderSummary(): void {
    const parts = this.options.series.map((s, i) => {
      const v = this.latest[i];
      return `${s.label} ${v === null ? '—' : s.format(v)}`;
    });
    replaceChildren(this.summary, `Latest: ${parts.join(', ')}`);
  }

  /** Creates the plot once the host has a width (pages start hidden), and follows its size after. */
  private fit(): void {
    const width = this.plotHost.clientWidth;
    if (width === 0) return;
    const height = this.options.height ?? 220;
    if (this.plot) {
      this.plot.setSize({ width, height });
      return;
    }
    const axisColor = () => getComputedStyle(this.element).color;
    this.plot = new uPlot(
      {
        width,
        height,
        scales: { x: { time: false }, y: this.options.yRange ? { range: this.options.yRange } : { auto: true } },
        axes: [
          { label: 'epoch', stroke: axisColor, grid: { stroke: 'rgba(128,128,128,0.2)' } },
          { stroke: axisColor, grid: { stroke: 'rgba(128,128,128,0.2)' }, size: 50 },
        ],
        series: [
          { label: 'epoch', value: (_u, v) => (v === null ? '—' : v.toFixed(2)) },
          ...this.options.series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            dash: s.dash,
            spanGaps: true,
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : s.format(v)),
          })),
        ],
        // A static legend: the caption already states the latest values, and hover values would hide the labels.
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
      },
      [this.xs, ...this.ys],
      this.plotHost,
    );
  }
}
