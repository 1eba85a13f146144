import type { LoopPhase } from '../code/loop-phase.js';
import type { WorkerEvent } from './protocol.js';

/** How often the page hears where the loop is: a batch can take well under a millisecond, and the page must not flood. */
export const LOOP_PHASE_INTERVAL_MS = 100;

interface Running {
  phase: LoopPhase;
  epoch: number;
  batch: number;
}

const same = (a: Running | null, b: Running | null) => a?.phase === b?.phase && a?.epoch === b?.epoch && a?.batch === b?.batch;

/**
 * Tells the page which part of the training loop is running, for the code
 * panel's highlight. The loop calls `mark` as it enters each part, and
 * `between` when it leaves the highlighted lines (reading numbers, loading
 * the next batch). Once an interval has passed, the next mark reports the
 * part that was running at that moment, the one just ending, so each part
 * is lit in proportion to the time it takes (the CNN's backward pass most);
 * reporting the part being entered instead would light each part in
 * proportion to the time of the one before it. A moment that falls between
 * the parts reports nothing. Evaluations are reported as they start.
 * Events go out about once per interval, never more often than 3/4 of it.
 */
export class LoopPhaseReporter {
  /** When the next moment is sampled. */
  private next = Number.NEGATIVE_INFINITY;
  private running: Running | null = null;
  private sent: Running | null = null;

  constructor(
    private readonly emit: (event: WorkerEvent) => void,
    private readonly batches: number,
    private readonly intervalMs = LOOP_PHASE_INTERVAL_MS,
    private readonly random: () => number = Math.random,
  ) {}

  /** `epoch` counts from 0 and `batch` from 1, as the loop does; events count epochs from 1. `force` reports `phase` now. */
  mark(phase: LoopPhase, epoch: number, batch: number, force = false): void {
    const entered = { phase, epoch: epoch + 1, batch };
    if (force) {
      this.running = entered;
      this.send(entered, performance.now());
    } else {
      this.enter(entered);
    }
  }

  /** The loop left the highlighted lines: the time until the next mark belongs to no part of it. */
  between(): void {
    this.enter(null);
  }

  /** The loop waits, paused, after batch `batch` (from 1) of `epoch` (from 0): said at once, with nothing lit. */
  paused(epoch: number, batch: number): void {
    this.running = null;
    this.sent = null;
    this.emit({ kind: 'loopPaused', epoch: epoch + 1, batch, batches: this.batches });
  }

  private enter(next: Running | null): void {
    const now = performance.now();
    const ended = this.running;
    this.running = next;
    if (now < this.next) return;
    if (ended === null) {
      // The moment fell between the parts: skip it, and sample again an interval from now.
      this.schedule(now);
    } else if (!same(ended, this.sent)) {
      this.send(ended, now);
    }
    // An evaluation, already reported as it started, is not reported again as it ends: the next part is sampled instead.
  }

  /**
   * The next moment to sample, 75-125% of the interval away: a fixed interval
   * could keep landing on the same part of a loop whose batches take a fixed time.
   */
  private schedule(now: number): void {
    this.next = now + this.intervalMs * (0.75 + 0.5 * this.random());
  }

  private send(running: Running, now: number): void {
    this.schedule(now);
    this.sent = running;
    this.emit({ kind: 'loopPhase', ...running, batches: this.batches });
  }
}
