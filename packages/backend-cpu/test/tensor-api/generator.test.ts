import { describe, expect, it } from 'vitest';
import '../../src/index.js';
import { Generator, defaultGenerator, manualSeed, rand, randint, randn, randperm } from '@kindling/tensor';
import { philoxBlock, philoxFill } from '@kindling/tensor/backend';

describe('Philox4x32-10', () => {
  it('matches the Random123 known-answer vector (counter 0, key 0)', () => {
    const out = new Uint32Array(4);
    philoxBlock(0, 0, 0, 0, out);
    expect([...out].map((x) => x.toString(16))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
  });

  it('uniforms are 24-bit, in [0, 1), exact in float32', () => {
    const u = new Float64Array(1000);
    philoxFill('uniform', { seed: [1, 2], offset: 0 }, u);
    for (const v of u) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      expect(Math.fround(v)).toBe(v);
      expect(Number.isInteger(v * 2 ** 24)).toBe(true);
    }
  });
});

describe('Generator and manualSeed', () => {
  it('manualSeed makes every random op reproducible', () => {
    manualSeed(42);
    const a = [rand(5).tolistSync(), randn(3, 2).tolistSync(), randint(0, 10, [4]).tolistSync(), randperm(6).tolistSync()];
    manualSeed(42);
    const b = [rand(5).tolistSync(), randn(3, 2).tolistSync(), randint(0, 10, [4]).tolistSync(), randperm(6).tolistSync()];
    expect(b).toEqual(a);
    manualSeed(43);
    expect(rand(5).tolistSync()).not.toEqual(a[0]);
  });

  it('draws advance the stream: two draws equal one draw of both sizes', () => {
    const g = new Generator(7);
    const first = [...rand(3, { generator: g }).readSync(), ...rand(4, { generator: g }).readSync()];
    g.manualSeed(7);
    expect([...rand(7, { generator: g }).readSync()]).toEqual(first);
  });

  it('separate generators are independent of the default one', () => {
    manualSeed(1);
    const g = new Generator(1);
    const x = rand(4, { generator: g }).tolistSync();
    rand(100); // draws from the default generator only
    g.manualSeed(1);
    expect(rand(4, { generator: g }).tolistSync()).toEqual(x);
    manualSeed(1);
    expect(rand(4).tolistSync()).toEqual(x);
  });

  it('getState/setState round-trips, including 64-bit seeds', () => {
    const g = new Generator(0x1234_5678_9abc_def0n);
    rand(10, { generator: g });
    const state = g.getState();
    expect(state).toEqual({ seed: String(0x1234_5678_9abc_def0n), offset: 10 });
    const next = rand(5, { generator: g }).tolistSync();
    const h = new Generator();
    h.setState(state);
    expect(rand(5, { generator: h }).tolistSync()).toEqual(next);
    expect(h.initialSeed()).toBe(0x1234_5678_9abc_def0n);
  });

  it('randperm is a permutation, randint stays in range', () => {
    const g = new Generator(3);
    const p = randperm(50, { generator: g }).tolistSync() as number[];
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const r = randint(-3, 4, [1000], { generator: g }).tolistSync() as number[];
    expect(Math.min(...r)).toBe(-3);
    expect(Math.max(...r)).toBe(3);
  });

  it('the default generator starts at seed 0', () => {
    expect(typeof defaultGenerator.initialSeed()).toBe('bigint');
  });
});
