import { MultiBar, SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import type { DownloadProgress } from '@kindling/data';
import { colorEnabled, formatBytes, tableStyle } from './color.js';
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
  private readonly downloads: Downloads;
  private readonly style: { head: string[]; border: string[] };

  /**
   * `interactive`: draw progress bars (on `barStream`, stderr by default);
   * otherwise a plain line per file fetched. `color`: whether tables may carry ANSI colour (see {@link colorEnabled}).
   */
  constructor(
    private readonly write: Write = (t) => process.stdout.write(t),
    private readonly interactive: boolean = process.stdout.isTTY === true && process.stderr.isTTY === true,
    color: boolean = colorEnabled(process.stdout),
    private readonly barStream: NodeJS.WritableStream = process.stderr,
  ) {
    this.downloads = new Downloads(write, interactive, barStream);
    this.style = tableStyle(color);
  }

  download(p: DownloadProgress): void {
    this.downloads.update(p);
  }

  runStart(info: RunInfo): void {
    this.downloads.finish();
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
      stream: this.barStream,
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
      const table = new Table({ head: ['epoch', 'train loss', 'test loss', 'test accuracy', 'lr', 'seconds'], style: this.style });
      for (const s of this.epochs) {
        table.push([s.epoch, fixed(s.trainLoss), fixed(s.testLoss), percent(s.testAccuracy), s.lr.toPrecision(3), s.seconds.toFixed(1)]);
      }
      this.write(`\n${table.toString()}\n`);
    }
    if (end.evaluation) {
      const e = end.evaluation;
      const perClass = new Table({ head: ['class', 'accuracy', 'images'], style: this.style });
      end.classes.forEach((name, i) => {
        perClass.push([name, percent(e.perClassAccuracy[i]), e.confusion[i].reduce((a, b) => a + b, 0)]);
      });
      this.write(`\nPer-class test accuracy (overall ${percent(e.accuracy)}):\n${perClass.toString()}\n`);
      const confusion = new Table({ head: ['true \\ predicted', ...end.classes.map((_, i) => String(i))], style: this.style });
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

  close(): void {
    this.bar?.stop();
    this.bar = null;
    this.downloads.stop();
  }

  note(message: string): void {
    this.write(`${message}\n`);
  }
}

/**
 * Dataset files arriving concurrently: on a terminal one bar per file, each on
 * its own line (a multi-bar); otherwise a line per file when it is complete.
 */
class Downloads {
  private multi: MultiBar | null = null;
  private readonly files = new Map<string, { bar: ReturnType<MultiBar['create']> | null; loaded: number; done: boolean }>();

  constructor(
    private readonly write: Write,
    private readonly interactive: boolean,
    private readonly stream: NodeJS.WritableStream,
  ) {}

  update(p: DownloadProgress): void {
    let file = this.files.get(p.file);
    if (!file) {
      let bar = null;
      if (this.interactive) {
        this.multi ??= new MultiBar({
          format: '  {file} [{bar}] {percentage}% of {size}',
          hideCursor: true,
          clearOnComplete: false,
          stream: this.stream,
        });
        this.multi.log(`Fetching ${p.file} from ${p.source}\n`);
        bar = this.multi.create(p.total ?? 1, 0, { file: p.file, size: p.total === undefined ? '?' : formatBytes(p.total) });
      } else {
        this.write(`Fetching ${p.file} from ${p.source}\n`);
      }
      file = { bar, loaded: 0, done: false };
      this.files.set(p.file, file);
    }
    file.loaded = p.loaded;
    file.bar?.update(Math.min(p.loaded, p.total ?? p.loaded));
    if (p.total !== undefined && p.loaded >= p.total) this.complete(p.file);
  }

  private complete(name: string): void {
    const file = this.files.get(name);
    if (!file || file.done) return;
    file.done = true;
    file.bar?.stop();
    if (!this.interactive) this.write(`Fetched ${name} (${formatBytes(file.loaded)})\n`);
  }

  /** Stops drawing (a failed download): the bars stay as they were, and nothing is reported fetched. */
  stop(): void {
    this.multi?.stop();
    this.multi = null;
  }

  /** The data is loaded: ends every bar (files of unknown size included) so the run's output starts below them. */
  finish(): void {
    for (const name of this.files.keys()) this.complete(name);
    // A last redraw first: it prints the "Fetching" lines still waiting in the log buffer.
    this.multi?.update();
    this.multi?.stop();
    this.multi = null;
  }
}
