import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './line-chart.css';
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
  /** How the y axis labels its ticks (accuracy: "80%"); omitted for uPlot's numbers. */
  yTicks?: (value: number) => string;
  height?: number;
  /** One sentence under the title saying what the chart shows. */
  note?: string;
}

/** Until the first point, the axes span these ranges, so an empty chart still reads as a chart. */
const EMPTY_X: [number, number] = [0, 1];
const EMPTY_Y: [number, number] = [0, 1];
/**
 * New points are drawn at most this often. A fast CPU run sends a training
 * point every ~30 ms, and a uPlot redraw of both charts at that rate kept the
 * page's main thread busy (long tasks, janky scrolling); four frames a second
 * still reads as a live curve.
 */
export const REDRAW_INTERVAL_MS = 250;

/** uPlot's range callback: the data's span, or `empty` when there is no data yet. */
function rangeOr(empty: [number, number], fixed?: [number, number]) {
  return (_u: uPlot, min: number | null, max: number | null): [number, number] => {
    if (fixed) return fixed;
    if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return empty;
    if (min === max) return [min - 0.5, max + 0.5];
    const pad = (max - min) * 0.05;
    return [min - pad, max + pad];
  };
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
  private readonly emptyHint: HTMLElement;
  private readonly xs: number[] = [];
  private readonly ys: (number | null)[][];
  private readonly latest: (number | null)[];
  private plot: uPlot | null = null;
  private readonly resizeObserver: ResizeObserver;
  /** The axis text colour, read from the page's CSS when the plot is made and when the colour scheme changes, not on every draw. */
  private axisColor = '';
  private redrawTimer: ReturnType<typeof setTimeout> | null = null;
  private lastRedraw = -Infinity;
  /** Redraws with new data so far, in `data-redraws` too: the e2e tests check that they stay throttled. */
  private redraws = 0;

  constructor(private readonly options: LineChartOptions) {
    this.ys = options.series.map(() => []);
    this.latest = options.series.map(() => null);
    this.plotHost = h('div', { class: 'chart-plot', 'aria-hidden': 'true' });
    this.summary = h('p', { class: 'chart-summary' });
    this.emptyHint = h('p', { class: 'chart-empty muted' }, 'Start training to draw the curves.');
    this.element = h(
      'figure',
      { class: 'chart' },
      h(
        'figcaption',
        {},
        h('strong', {}, options.title),
        ' ',
        this.summary,
        options.note ? h('span', { class: 'chart-note' }, options.note) : null,
      ),
      h('div', { class: 'chart-area' }, this.plotHost, this.emptyHint),
    );
    this.resizeObserver = new ResizeObserver(() => this.fit());
    this.resizeObserver.observe(this.plotHost);
    // Axis text takes the page's text colour when drawn, so a light/dark switch needs a redraw.
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
      this.axisColor = getComputedStyle(this.element).color;
      this.plot?.redraw(false, true);
    });
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
    this.scheduleRedraw();
  }

  reset(): void {
    this.xs.length = 0;
    for (const ys of this.ys) ys.length = 0;
    this.latest.fill(null);
    this.redraw();
  }

  /** Draws the points added since the last redraw, at most every REDRAW_INTERVAL_MS. */
  private scheduleRedraw(): void {
    if (this.redrawTimer !== null) return;
    const wait = Math.max(0, this.lastRedraw + REDRAW_INTERVAL_MS - performance.now());
    this.redrawTimer = setTimeout(() => this.redraw(), wait);
  }

  private redraw(): void {
    if (this.redrawTimer !== null) clearTimeout(this.redrawTimer);
    this.redrawTimer = null;
    this.lastRedraw = performance.now();
    this.plot?.setData([this.xs, ...this.ys]);
    this.redraws++;
    this.element.dataset.redraws = String(this.redraws);
    this.renderSummary();
  }

  private renderSummary(): void {
    this.emptyHint.hidden = this.xs.length > 0;
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
    this.axisColor = getComputedStyle(this.element).color;
    const axisColor = () => this.axisColor;
    const yTicks = this.options.yTicks;
    this.plot = new uPlot(
      {
        width,
        height,
        scales: {
          x: { time: false, range: (_u, min, max) => (this.xs.length === 0 ? EMPTY_X : [min, Math.max(max, min + 0.01)]) },
          y: { range: rangeOr(EMPTY_Y, this.options.yRange) },
        },
        axes: [
          { label: 'epoch', stroke: axisColor, grid: { stroke: 'rgba(128,128,128,0.2)' } },
          {
            stroke: axisColor,
            grid: { stroke: 'rgba(128,128,128,0.2)' },
            size: 50,
            ...(yTicks ? { values: (_u: uPlot, ticks: number[]) => ticks.map(yTicks) } : {}),
          },
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
