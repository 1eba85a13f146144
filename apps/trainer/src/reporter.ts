import type { DownloadProgress } from '@kindling/data';
import type { Divergence } from './divergence.js';
import type { Evaluation } from './evaluate.js';

/** One epoch's results, as printed and as `--json` emits them. */
export interface EpochSummary {
  epoch: number;
  trainLoss: number;
  testLoss: number;
  testAccuracy: number;
  seconds: number;
  samplesPerSecond: number;
  lr: number;
}

export interface RunInfo {
  dataset: string;
  device: string;
  trainSize: number;
  testSize: number;
  parameters: number;
  model: string;
  optimizer: string;
  epochs: number;
  startEpoch: number;
  resumedFrom?: string;
}

export interface RunEnd {
  evaluation: Evaluation | null;
  classes: readonly string[];
  interrupted: boolean;
  checkpoints: string[];
}

/** How a run talks to its user: a human on a terminal, a log file, or a program reading JSON lines. */
export interface Reporter {
  /** Bytes of a dataset file arriving from a mirror (first run only; later runs read the cache). */
  download(progress: DownloadProgress): void;
  runStart(info: RunInfo): void;
  epochStart(epoch: number, epochs: number, batches: number): void;
  batch(done: number, runningLoss: number, samplesPerSecond: number): void;
  epochEnd(summary: EpochSummary): void;
  runEnd(end: RunEnd): void;
  note(message: string): void;
  /** The run stopped on a non-finite loss, gradient or weight (the CLI then prints the error line and exits 3). */
  diverged?(divergence: Divergence): void;
  /** The command is over, finished or failed: stop anything still drawing (progress bars and their timers). */
  close?(): void;
}
