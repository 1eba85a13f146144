import { describe, expect, it } from 'vitest';
import { colorEnabled, formatBytes } from '../src/color.js';
import { HumanReporter } from '../src/human-reporter.js';

/**
 * A minimal terminal: applies what cli-progress and readline write (text,
 * \r, \n, cursor up/down, column, clear line/screen down) to a grid of lines.
 */
class FakeTerminal {
  readonly isTTY = true;
  readonly columns = 120;
  lines: string[] = [''];
  private row = 0;
  private col = 0;

  write(chunk: string): boolean {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: it parses terminal escape codes
    const re = /\x1b\[(\d*)([A-Za-z])|\x1b\[\?\d+[hl]|\x1b[78]|\r|\n|[^\x1b\r\n]+/g;
    for (const m of chunk.matchAll(re)) {
      const t = m[0];
      if (t === '\r') this.col = 0;
      else if (t === '\n') this.moveTo(this.row + 1, 0);
      else if (m[2] !== undefined) this.control(m[2], m[1] === '' ? 1 : Number(m[1]));
      else if (!t.startsWith('\x1b')) {
        const line = this.lines[this.row].padEnd(this.col);
        this.lines[this.row] = line.slice(0, this.col) + t + line.slice(this.col + t.length);
        this.col += t.length;
      }
    }
    return true;
  }

  private moveTo(row: number, col: number): void {
    this.row = Math.max(0, row);
    while (this.lines.length <= this.row) this.lines.push('');
    this.col = col;
  }

  private control(code: string, n: number): void {
    if (code === 'A') this.moveTo(this.row - n, this.col);
    else if (code === 'B') this.moveTo(this.row + n, this.col);
    else if (code === 'G') this.col = n - 1;
    else if (code === 'K') this.lines[this.row] = this.lines[this.row].slice(0, this.col);
    else if (code === 'J') this.lines = [...this.lines.slice(0, this.row), this.lines[this.row].slice(0, this.col)];
  }
}

const files = [
  ['train-images-idx3-ubyte.gz', 9_912_422],
  ['train-labels-idx1-ubyte.gz', 28_881],
  ['t10k-images-idx3-ubyte.gz', 1_648_877],
  ['t10k-labels-idx1-ubyte.gz', 4_542],
] as const;
const source = 'https://mirror.example/mnist';

describe('dataset download progress', () => {
  it('on a terminal: one bar per file, each on its own line, small files in KB', async () => {
    const terminal = new FakeTerminal();
    let stdout = '';
    const reporter = new HumanReporter((t) => (stdout += t), true, false, terminal as unknown as NodeJS.WritableStream);
    // Interleaved, as concurrent downloads report.
    for (const [file, total] of files) reporter.download({ file, loaded: 0, total, source });
    for (const [file, total] of files) reporter.download({ file, loaded: Math.floor(total / 2), total, source });
    // Mid-download, after a redraw (cli-progress redraws on a timer): four bars on four lines, each about half done.
    await new Promise((ok) => setTimeout(ok, 300));
    for (const [file] of files)
      expect(terminal.lines.filter((l) => l.startsWith(`  ${file} [`) && /\] (49|50)% of /.test(l))).toHaveLength(1);
    for (const [file, total] of files) reporter.download({ file, loaded: total, total, source });
    reporter.runStart({
      dataset: 'mnist',
      device: 'cpu',
      trainSize: 60000,
      testSize: 10000,
      parameters: 1,
      model: 'MLP',
      optimizer: 'sgd',
      epochs: 1,
      startEpoch: 0,
    });
    const screen = terminal.lines.join('\n');
    for (const [file] of files) {
      expect(terminal.lines.filter((l) => l.includes(`Fetching ${file} from ${source}`))).toHaveLength(1);
      expect(terminal.lines.filter((l) => l.startsWith(`  ${file} [`))).toHaveLength(1);
    }
    expect(screen).toMatch(/ {2}train-images-idx3-ubyte\.gz \[.*\] 100% of 9\.9 MB/);
    expect(screen).toMatch(/ {2}train-labels-idx1-ubyte\.gz \[.*\] 100% of 28\.9 KB/);
    expect(screen).toMatch(/ {2}t10k-labels-idx1-ubyte\.gz \[.*\] 100% of 4\.5 KB/);
    expect(screen).not.toContain('0.0 MB');
    expect(stdout).toMatch(/^Training MLP/);
  });

  it('close() after a failed download stops the bars without reporting the file fetched', () => {
    const terminal = new FakeTerminal();
    let stdout = '';
    const reporter = new HumanReporter((t) => (stdout += t), true, false, terminal as unknown as NodeJS.WritableStream);
    reporter.download({ file: files[0][0], loaded: 1000, total: files[0][1], source });
    reporter.close();
    expect(terminal.lines.some((l) => l.startsWith(`  ${files[0][0]} [`))).toBe(true);
    expect(stdout).toBe('');
  });

  it('not on a terminal: a plain line per file started and finished, no escape codes', () => {
    let stdout = '';
    const reporter = new HumanReporter((t) => (stdout += t), false, false);
    for (const [file, total] of files) reporter.download({ file, loaded: 0, total, source });
    for (const [file, total] of files) reporter.download({ file, loaded: total, total, source });
    expect(stdout.split('\n').filter((l) => l.startsWith('Fetched '))).toEqual([
      'Fetched train-images-idx3-ubyte.gz (9.9 MB)',
      'Fetched train-labels-idx1-ubyte.gz (28.9 KB)',
      'Fetched t10k-images-idx3-ubyte.gz (1.6 MB)',
      'Fetched t10k-labels-idx1-ubyte.gz (4.5 KB)',
    ]);
    expect(stdout).not.toContain('\x1b');
  });
});

describe('one colour decision', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  it.each([
    [tty, {}, true],
    [pipe, {}, false],
    [tty, { NO_COLOR: '1' }, false],
    [tty, { NO_COLOR: '' }, true],
    [pipe, { FORCE_COLOR: '1' }, true],
    [tty, { FORCE_COLOR: '0' }, false],
    [tty, { NO_COLOR: '1', FORCE_COLOR: '1' }, true],
    [tty, { TERM: 'dumb' }, false],
  ])('%j %j: %s', (stream, env, expected) => {
    expect(colorEnabled(stream, env)).toBe(expected);
  });

  it('formatBytes', () => {
    expect([formatBytes(512), formatBytes(4542), formatBytes(9_912_422)]).toEqual(['512 B', '4.5 KB', '9.9 MB']);
  });
});
