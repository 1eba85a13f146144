import { type GrayImage, grayFromRgba } from './preprocess-digit.js';
import { h } from '../ui/dom.js';

const SIZE = 280;
/** About a tenth of a 20-pixel digit box once scaled down: MNIST's stroke width. */
const LINE_WIDTH = 20;
const KEY_STEP = 10;
const KEY_BIG_STEP = 30;

type Point = { x: number; y: number };

/**
 * A square canvas to draw a digit on: white ink on black, like MNIST. Mouse,
 * touch and pen draw through pointer events. From the keyboard, the arrow
 * keys move a cursor, Space or Enter puts the pen down or lifts it, and
 * Delete or Backspace clears the canvas.
 */
export class DrawingCanvas {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly cursorEl: HTMLElement;
  private last: Point | null = null;
  private pointerDown = false;
  private keyboardPen = false;
  private cursor: Point = { x: SIZE / 2, y: SIZE / 2 };
  private empty = true;

  constructor(
    private readonly onChange: () => void,
    describedBy: string,
  ) {
    this.canvas = h('canvas', {
      width: SIZE,
      height: SIZE,
      tabindex: 0,
      role: 'application',
      'aria-roledescription': 'drawing area',
      'aria-label': 'Draw a digit here',
      'aria-describedby': describedBy,
      class: 'draw-canvas',
    });
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('this browser cannot draw on a canvas (no 2D context)');
    this.ctx = ctx;
    this.cursorEl = h('div', { class: 'draw-cursor', 'aria-hidden': 'true' });
    this.element = h('div', { class: 'draw-surface' }, this.canvas, this.cursorEl);
    this.clear();
    this.canvas.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    this.canvas.addEventListener('pointermove', (e) => this.onPointerMove(e));
    for (const type of ['pointerup', 'pointercancel'] as const) this.canvas.addEventListener(type, () => this.onPointerUp());
    this.canvas.addEventListener('keydown', (e) => this.onKeyDown(e));
    // The cursor is for keyboard drawing; a mouse or finger focusing the canvas does not need it.
    this.canvas.addEventListener('focus', () => {
      if (this.canvas.matches(':focus-visible')) this.showCursor();
    });
    this.canvas.addEventListener('blur', () => {
      this.keyboardPen = false;
      this.cursorEl.classList.remove('visible', 'pen-down');
    });
  }

  get isEmpty(): boolean {
    return this.empty;
  }

  clear(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, SIZE, SIZE);
    this.empty = true;
    this.last = null;
    this.onChange();
  }

  image(): GrayImage {
    return grayFromRgba(this.ctx.getImageData(0, 0, SIZE, SIZE).data, SIZE, SIZE);
  }

  private toCanvas(e: PointerEvent): Point {
    const rect = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - rect.left) / rect.width) * SIZE, y: ((e.clientY - rect.top) / rect.height) * SIZE };
  }

  private stroke(from: Point, to: Point): void {
    const ctx = this.ctx;
    ctx.strokeStyle = '#fff';
    ctx.fillStyle = '#fff';
    ctx.lineWidth = LINE_WIDTH;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
    this.empty = false;
    this.onChange();
  }

  private onPointerDown(e: PointerEvent): void {
    e.preventDefault();
    this.canvas.focus({ preventScroll: true });
    this.canvas.setPointerCapture(e.pointerId);
    this.pointerDown = true;
    this.last = this.toCanvas(e);
    this.stroke(this.last, this.last);
  }

  private onPointerMove(e: PointerEvent): void {
    if (!this.pointerDown || !this.last) return;
    const p = this.toCanvas(e);
    this.stroke(this.last, p);
    this.last = p;
  }

  private onPointerUp(): void {
    this.pointerDown = false;
    this.last = null;
  }

  private onKeyDown(e: KeyboardEvent): void {
    const step = e.shiftKey ? KEY_BIG_STEP : KEY_STEP;
    const moves: Record<string, Point> = {
      ArrowUp: { x: 0, y: -step },
      ArrowDown: { x: 0, y: step },
      ArrowLeft: { x: -step, y: 0 },
      ArrowRight: { x: step, y: 0 },
    };
    const move = moves[e.key];
    if (move) {
      const next = { x: clamp(this.cursor.x + move.x), y: clamp(this.cursor.y + move.y) };
      if (this.keyboardPen) this.stroke(this.cursor, next);
      this.cursor = next;
    } else if (e.key === ' ' || e.key === 'Enter') {
      this.keyboardPen = !this.keyboardPen;
      if (this.keyboardPen) this.stroke(this.cursor, this.cursor);
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      this.clear();
    } else if (e.key === 'Escape') {
      this.keyboardPen = false;
    } else {
      return;
    }
    e.preventDefault();
    this.showCursor();
  }

  private showCursor(): void {
    this.cursorEl.classList.add('visible');
    this.cursorEl.classList.toggle('pen-down', this.keyboardPen);
    this.cursorEl.style.left = `${(this.cursor.x / SIZE) * 100}%`;
    this.cursorEl.style.top = `${(this.cursor.y / SIZE) * 100}%`;
  }
}

function clamp(v: number): number {
  return Math.min(SIZE - 1, Math.max(0, v));
}
