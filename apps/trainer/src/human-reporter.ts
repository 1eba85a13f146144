import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import type { DownloadProgress } from '@kindling/data';
import type { EpochSummary, Reporter, RunEnd, RunInfo } from './reporter.js';

type Write = (text: string) => void;

const fixed = (n: number, digits = 4) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
const percent = (n: number) => `${(100 * n).toFixed(2)}%`;

/**
 * Output for people: a progress bar per epoch (only on a terminal), a line
 * per epoch, and at the end a table of the epochs, per-class accuracy and
 * the confusion matrix.
 */
export class HumanReporter implements Reporter {
  private bar: SingleBar | null = null;
  private readonly epochs: EpochSummary[] = [];
  private readonly downloads = new Map<string, SingleBar | null>();

  constructor(
    private readonly write: Write = (t) => process.stdout.write(t),
    private readonly interactive: boolean = process.stdout.isTTY === true,
  ) {}

  download(p: DownloadProgress): void {
    if (!this.downloads.has(p.file)) {
      this.write(`Fetching ${p.file} from ${p.source}\n`);
      const bar = this.interactive
        ? new SingleBar({ format: `  {file} [{bar}] {percentage}% of {totalMb} MB`, hideCursor: true, clearOnComplete: true })
        : null;
      bar?.start(p.total ?? 1, 0, { file: p.file, totalMb: p.total === undefined ? '?' : (p.total / 1e6).toFixed(1) });
      this.downloads.set(p.file, bar);
    }
    const bar = this.downloads.get(p.file);
    bar?.update(Math.min(p.loaded, p.total ?? p.loaded));
    if (p.total !== undefined && p.loaded >= p.total) bar?.stop();
  }

  runStart(info: RunInfo): void {
    for (const bar of this.downloads.values()) bar?.stop();
    this.write(
      `Training ${info.model} (${info.parameters.toLocaleString('en-US')} parameters) on ${info.dataset}: ` +
        `${info.trainSize.toLocaleString('en-US')} train / ${info.testSize.toLocaleString('en-US')} test images, ` +
        `${info.optimizer}, device ${info.device}\n`,
    );
    if (info.resumedFrom) this.write(`Resumed from ${info.resumedFrom} after epoch ${info.startEpoch}\n`);
  }

  epochStart(epoch: number, epochs: number, batches: number): void {
    if (!this.interactive) return;
    this.bar = new SingleBar({
      format: `Epoch ${epoch}/${epochs} [{bar}] {value}/{total} batches | loss {loss} | {speed} samples/s | ETA {eta_formatted}`,
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    });
    this.bar.start(batches, 0, { loss: '-', speed: '-' });
  }

  batch(done: number, runningLoss: number, samplesPerSecond: number): void {
    this.bar?.update(done, { loss: fixed(runningLoss), speed: Math.round(samplesPerSecond) });
  }

  epochEnd(s: EpochSummary): void {
    this.bar?.stop();
    this.bar = null;
    this.epochs.push(s);
    this.write(
      `Epoch ${s.epoch}: train loss ${fixed(s.trainLoss)}, test loss ${fixed(s.testLoss)}, ` +
        `test accuracy ${percent(s.testAccuracy)} (${s.seconds.toFixed(1)} s, ${Math.round(s.samplesPerSecond)} samples/s)\n`,
    );
  }

  runEnd(end: RunEnd): void {
    this.bar?.stop();
    if (this.epochs.length > 0) {
      const table = new Table({ head: ['epoch', 'train loss', 'test loss', 'test accuracy', 'lr', 'seconds'], style: { head: [] } });
      for (const s of this.epochs) {
        table.push([s.epoch, fixed(s.trainLoss), fixed(s.testLoss), percent(s.testAccuracy), s.lr.toPrecision(3), s.seconds.toFixed(1)]);
      }
      this.write(`\n${table.toString()}\n`);
    }
    if (end.evaluation) {
      const e = end.evaluation;
      const perClass = new Table({ head: ['class', 'accuracy', 'images'], style: { head: [] } });
      end.classes.forEach((name, i) => {
        perClass.push([name, percent(e.perClassAccuracy[i]), e.confusion[i].reduce((a, b) => a + b, 0)]);
      });
      this.write(`\nPer-class test accuracy (overall ${percent(e.accuracy)}):\n${perClass.toString()}\n`);
      const confusion = new Table({ head: ['true \\ predicted', ...end.classes.map((_, i) => String(i))], style: { head: [] } });
      end.classes.forEach((name, i) => {
        confusion.push([name, ...e.confusion[i].map(String)]);
      });
      this.write(`\nConfusion matrix:\n${confusion.toString()}\n`);
    }
    if (end.interrupted) this.write('\nInterrupted: saved a resumable checkpoint.\n');
    for (const c of end.checkpoints) this.write(`Saved ${c}\n`);
  }

  /** Ends the progress bar's line so the CLI's error line starts on its own. */
  diverged(): void {
    this.bar?.stop();
    this.bar = null;
  }

  note(message: string): void {
    this.write(`${message}\n`);
  }
}
