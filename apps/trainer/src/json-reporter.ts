import { type Divergence, describeDivergence } from './divergence.js';
import type { EpochSummary, Reporter, RunEnd } from './reporter.js';

/**
 * `--json`: one JSON object per epoch on stdout (`epoch`, `trainLoss`,
 * `testLoss`, `testAccuracy`, `seconds`, `samplesPerSecond`, `lr`), nothing
 * else, so the output pipes into `jq` or a log collector. Notes go to stderr.
 * A diverged run ends with one object `{"error": "diverged", ...}` naming where.
 */
export class JsonReporter implements Reporter {
  constructor(
    private readonly write: (line: string) => void = (l) => process.stdout.write(l),
    private readonly writeNote: (line: string) => void = (l) => process.stderr.write(l),
  ) {}

  download(): void {}
  runStart(): void {}
  epochStart(): void {}
  batch(): void {}

  epochEnd(s: EpochSummary): void {
    this.write(`${JSON.stringify(s)}\n`);
  }

  runEnd(end: RunEnd): void {
    if (end.interrupted) this.writeNote('interrupted: saved a resumable checkpoint\n');
  }

  /** `{"error":"diverged","quantity":"loss","value":"NaN","epoch":1,"step":12,"globalStep":12,"lr":1000,"message":...}`. */
  diverged(d: Divergence): void {
    this.write(`${JSON.stringify({ error: 'diverged', ...d, message: describeDivergence(d) })}\n`);
  }

  note(message: string): void {
    this.writeNote(`${message}\n`);
  }
}
