import { describe, expect, test } from 'vitest';
import { type GrayImage, centerOfMass, inkBoundingBox, preprocessDigit, resampleArea } from '../src/draw/preprocess-digit.js';

function blank(width: number, height: number): GrayImage {
  return { width, height, data: new Float32Array(width * height) };
}

function fillRect(image: GrayImage, x: number, y: number, w: number, h: number): GrayImage {
  for (let j = y; j < y + h; j++) for (let i = x; i < x + w; i++) image.data[j * image.width + i] = 1;
  return image;
}

describe('MNIST-style preprocessing', () => {
  test('a blank drawing gives nothing to predict', () => {
    expect(preprocessDigit(blank(280, 280))).toBeNull();
    expect(inkBoundingBox(blank(10, 10))).toBeNull();
  });

  test('the bounding box holds exactly the ink', () => {
    expect(inkBoundingBox(fillRect(blank(50, 40), 7, 5, 10, 20))).toEqual({ x: 7, y: 5, width: 10, height: 20 });
  });

  test('area resampling keeps a uniform image uniform and averages partial cover', () => {
    const uniform = resampleArea(fillRect(blank(30, 30), 0, 0, 30, 30), { x: 0, y: 0, width: 30, height: 30 }, 7, 7);
    for (const v of uniform.data) expect(v).toBeCloseTo(1, 6);
    const half = resampleArea(fillRect(blank(2, 1), 0, 0, 1, 1), { x: 0, y: 0, width: 2, height: 1 }, 1, 1);
    expect(half.data[0]).toBeCloseTo(0.5, 6);
  });

  test('an off-centre stroke becomes a 20-pixel-tall digit centred by mass in 28×28', () => {
    const out = preprocessDigit(fillRect(blank(280, 280), 20, 30, 40, 160));
    expect(out).not.toBeNull();
    if (!out) return;
    expect(out.width).toBe(28);
    expect(out.height).toBe(28);
    const box = inkBoundingBox(out);
    expect(box?.height).toBe(20);
    expect(box?.width).toBe(5);
    const com = centerOfMass(out);
    expect(Math.abs((com?.x ?? 0) - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs((com?.y ?? 0) - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.max(...out.data)).toBeLessThanOrEqual(1);
  });

  test('a wide shape is scaled by its longer side and keeps its aspect ratio', () => {
    const out = preprocessDigit(fillRect(blank(280, 280), 10, 100, 200, 50));
    const box = out && inkBoundingBox(out);
    expect(box?.width).toBe(20);
    expect(box?.height).toBe(5);
  });
});
