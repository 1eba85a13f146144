import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type { LoopPhase } from '../src/code/loop-phase.js';
import { LoopPhaseReporter } from '../src/worker/loop-phase-reporter.js';
import type { WorkerEvent } from '../src/worker/protocol.js';
import { TrainingControl } from '../src/worker/training-control.js';

type PhaseEvent = Extract<WorkerEvent, { kind: 'loopPhase' }>;

describe('LoopPhaseReporter', () => {
  let now = 0;
  let events: PhaseEvent[] = [];
  let reporter: LoopPhaseReporter;

  beforeEach(() => {
    now = 0;
    events = [];
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    // A fixed pseudo-random sequence for the sampling jitter.
    let seed = 1;
    const random = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    reporter = new LoopPhaseReporter((e) => events.push(e as PhaseEvent), 1000, 100, random);
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Runs `batches` batches whose parts take these milliseconds, with `gap` ms outside them after each. */
  function run(batches: number, ms: Record<Exclude<LoopPhase, 'evaluate'>, number>, gap = 0, firstBatch = 1): void {
    for (let batch = firstBatch; batch < firstBatch + batches; batch++) {
      for (const phase of ['forward', 'loss', 'backward', 'step'] as const) {
        reporter.mark(phase, 0, batch);
        now += ms[phase];
      }
      reporter.between();
      now += gap;
    }
  }

  const countOf = (phase: LoopPhase) => events.filter((e) => e.phase === phase).length;

  test('each part is reported in proportion to the time it takes: the longest, backward, most', () => {
    // 1,000 batches of 10 ms: forward 2, loss 0.5, backward 6, step 1.5.
    run(1000, { forward: 2, loss: 0.5, backward: 6, step: 1.5 });
    expect(events.length).toBeGreaterThanOrEqual(95);
    expect(events.length).toBeLessThanOrEqual(101);
    expect(countOf('backward')).toBeGreaterThan(countOf('forward') + countOf('loss') + countOf('step'));
    expect(countOf('backward') / events.length).toBeCloseTo(0.6, 1);
    expect(countOf('forward') / events.length).toBeCloseTo(0.2, 1);
    expect(countOf('step') / events.length).toBeCloseTo(0.15, 1);
    expect(countOf('loss')).toBeLessThan(countOf('step'));
    // Never more often than 3/4 of the interval: batches of 10 ms are at least 7 apart.
    for (const [i, e] of events.entries()) {
      expect(e).toMatchObject({ kind: 'loopPhase', epoch: 1, batches: 1000 });
      if (i > 0) expect(e.batch).toBeGreaterThanOrEqual((events[i - 1]?.batch ?? 0) + 7);
    }
  });

  test('a moment between the parts (reading numbers, loading the next batch) reports nothing', () => {
    // 2 ms of loop, 8 ms outside it: about a fifth of the samples land in the loop.
    run(1000, { forward: 0.5, loss: 0.5, backward: 0.5, step: 0.5 }, 8);
    expect(events.length).toBeGreaterThan(5);
    expect(events.length).toBeLessThan(40);
  });

  test('an evaluation is reported as it starts, once, and the loop is sampled again after it', () => {
    run(20, { forward: 1, loss: 1, backward: 1, step: 1 });
    const before = events.length;
    reporter.mark('evaluate', 0, 20, true);
    expect(events.at(-1)).toEqual({ kind: 'loopPhase', phase: 'evaluate', epoch: 1, batch: 20, batches: 1000 });
    now += 500;
    run(30, { forward: 1, loss: 1, backward: 1, step: 1 }, 0, 21);
    const after = events.slice(before + 1);
    expect(after.map((e) => e.phase)).not.toContain('evaluate');
    // The first part after the evaluation is reported as soon as it ends, not an interval later.
    expect(after[0]).toEqual({ kind: 'loopPhase', phase: 'forward', epoch: 1, batch: 21, batches: 1000 });
  });

  test('a pause is said at once, naming the batch the loop waits after; the loop is sampled afresh after it', async () => {
    const all: WorkerEvent[] = [];
    reporter = new LoopPhaseReporter(
      (e) => all.push(e),
      1000,
      100,
      () => 0.5,
    );
    const control = new TrainingControl(() => {});
    run(3, { forward: 40, loss: 10, backward: 40, step: 10 });
    // Not paused: checkpoint goes on without a word.
    expect(await control.checkpoint(() => reporter.paused(0, 3))).toBe(true);
    const before = all.length;
    control.pause();
    const waiting = control.checkpoint(() => reporter.paused(0, 3));
    await vi.waitFor(() => expect(all.length).toBe(before + 1));
    expect(all.at(-1)).toEqual({ kind: 'loopPaused', epoch: 1, batch: 3, batches: 1000 });
    now += 60_000;
    control.resume();
    expect(await waiting).toBe(true);
    // The minute paused is no part of the loop: the first report after it is a part that ran after it.
    reporter.mark('forward', 0, 4);
    now += 40;
    reporter.mark('loss', 0, 4);
    expect(all.length).toBe(before + 1);
    now += 80;
    reporter.mark('backward', 0, 4);
    expect(all.at(-1)).toEqual({ kind: 'loopPhase', phase: 'loss', epoch: 1, batch: 4, batches: 1000 });
  });
});
