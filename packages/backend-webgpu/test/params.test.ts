import { describe, expect, test } from 'vitest';
import { type Field, f32, i32, i32s, paramLayout, u32, u32s } from '../src/kernels/params.js';

describe('paramLayout', () => {
  const layout = paramLayout({ n: u32, offset: i32, beta: f32, shape: u32s(2), strides: i32s(2) });

  test('lays fields out in declaration order and reads each as its type', () => {
    expect(layout.size).toBe(7);
    expect(layout.get('n')).toBe('prm[0]');
    expect(layout.get('offset')).toBe('bitcast<i32>(prm[1])');
    expect(layout.get('beta')).toBe('bitcast<f32>(prm[2])');
    expect(layout.at('shape', 1)).toBe('prm[4]');
    expect(layout.at('strides', 0)).toBe('bitcast<i32>(prm[5])');
  });

  test('packs numbers as u32 words: i32 as two’s complement, f32 as its bits', () => {
    const words = layout.pack({ n: 12, offset: -1, beta: 1.5, shape: [3, 4], strides: [-4, 1] });
    expect(words).toEqual([12, 0xffffffff, 0x3fc00000, 3, 4, 0xfffffffc, 1]);
    expect(layout.pack({ n: 0, offset: 0, beta: Number.NaN, shape: [0, 0], strides: [0, 0] })[2]).toBe(0x7fc00000);
  });

  test('refuses arrays of the wrong length, elements out of range and names of the wrong kind', () => {
    expect(() => layout.pack({ n: 1, offset: 0, beta: 0, shape: [1], strides: [1, 1] })).toThrow(/shape needs 2 values/);
    expect(() => layout.at('shape', 2)).toThrow(/shape\[2\] is out of its length/);
    // A layout built from a computed record takes any name, so the kind is checked when the shader is generated.
    const computed = paramLayout({ n: u32, shape: u32s(1) } as Record<string, Field>);
    expect(() => computed.get('shape')).toThrow(/shape is not a scalar/);
    expect(() => computed.at('n', 0)).toThrow(/n is not an array/);
    expect(() => computed.get('missing')).toThrow(/missing is not a scalar/);
  });
});
