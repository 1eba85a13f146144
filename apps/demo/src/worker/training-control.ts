import { yieldToEventLoop } from './yield-to-event-loop.js';

/**
 * Pause, resume and stop for a training run. The loop calls `checkpoint()`
 * after every batch: it gives the worker a chance to read its messages, then
 * waits while paused. Stopping also releases a paused loop.
 */
export class TrainingControl {
  private paused = false;
  private stopped = false;
  private release: (() => void) | null = null;

  constructor(private readonly onPauseChange: (paused: boolean) => void) {}

  get isPaused(): boolean {
    return this.paused;
  }

  pause(): void {
    if (this.paused || this.stopped) return;
    this.paused = true;
    this.onPauseChange(true);
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.release?.();
    this.onPauseChange(false);
  }

  stop(): void {
    this.stopped = true;
    this.paused = false;
    this.release?.();
  }

  /**
   * Whether to keep going, after the worker has looked at its messages (and
   * any pause is over). `onPause` is called when the loop stops here to wait.
   */
  async checkpoint(onPause?: () => void): Promise<boolean> {
    await yieldToEventLoop();
    if (this.paused && !this.stopped) onPause?.();
    while (this.paused && !this.stopped) {
      await new Promise<void>((resolve) => {
        this.release = resolve;
      });
      this.release = null;
    }
    return !this.stopped;
  }
}
