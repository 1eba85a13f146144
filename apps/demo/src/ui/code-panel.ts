import './code-panel.css';
import type { CodeLine, CodeSettings } from '../code/generated-code.js';
import { codeText } from '../code/generated-code.js';
import { kindlingCode } from '../code/kindling-code.js';
import { LOOP_PHASE_LABELS, type LoopPhase } from '../code/loop-phase.js';
import { pytorchCode } from '../code/pytorch-code.js';
import { trainerCommand } from '../code/trainer-command.js';
import { EVALUATIONS_PER_EPOCH } from '../train-defaults.js';
import { copyText } from './copy-text.js';
import { h, replaceChildren } from './dom.js';

const REPOSITORY = 'https://github.com/kindling-js/kindling';

interface CodeBlock {
  element: HTMLElement;
  code: HTMLElement;
  text: string;
}

function codeBlock(id: string, title: string, what: string, status: HTMLElement): CodeBlock {
  const code = h('code', {});
  const copy = h('button', { type: 'button', id: `${id}-copy` }, `Copy ${what}`);
  const block: CodeBlock = {
    code,
    text: '',
    element: h(
      'figure',
      { class: 'code-block' },
      h('figcaption', { id: `${id}-title` }, title, copy),
      // Scrollable, so it must be reachable by keyboard.
      h('pre', { id, tabindex: 0, 'aria-labelledby': `${id}-title` }, code),
    ),
  };
  copy.addEventListener('click', async () => {
    const ok = await copyText(block.text);
    status.textContent = ok ? `Copied the ${what}.` : `Could not copy the ${what}: select it and copy it by hand.`;
  });
  return block;
}

/**
 * Scrolls `pre` (not the page) so the first of `lines` inside it is in view,
 * unless the reader is pointing at or focused in it (then they are scrolling).
 */
function scrollIntoBlock(pre: HTMLPreElement | null, lines: readonly HTMLElement[]): void {
  const line = lines.find((l) => pre?.contains(l));
  if (!pre || !line || pre.matches(':hover, :focus-within')) return;
  const top = line.offsetTop;
  if (top >= pre.scrollTop && top + line.offsetHeight <= pre.scrollTop + pre.clientHeight) return;
  pre.scrollTop = Math.max(0, top - pre.clientHeight / 3);
}

/** Where in the run a reported part of the loop is (an evaluation: before training, at an epoch's end, or between its batches). */
function whereInRun(phase: LoopPhase, epoch: number, batch: number, batches: number): string {
  const of = `${batch.toLocaleString('en-US')} of ${batches.toLocaleString('en-US')}`;
  if (phase !== 'evaluate') return `epoch ${epoch}, batch ${of}`;
  if (batch === 0) return 'before training';
  return batch >= batches ? `end of epoch ${epoch}` : `epoch ${epoch}, after batch ${of}`;
}

/**
 * "The code that is running": the Train page's loop as Kindling TypeScript
 * beside the PyTorch it mirrors, both generated from the form's settings, the
 * `kindling-train` command for the same run, and copy buttons. While the
 * worker trains, the lines of the part of the loop it reports (forward,
 * loss, backward, step or evaluation) are highlighted in both.
 */
export class CodePanel {
  readonly element: HTMLElement;
  private readonly kindling: CodeBlock;
  private readonly pytorch: CodeBlock;
  private readonly command: HTMLElement;
  private readonly difference: HTMLElement;
  private readonly now: HTMLElement;
  private readonly columns: HTMLElement;
  private readonly invalidNote: HTMLElement;
  private commandText = '';
  private key = '';
  private highlighted: HTMLElement[] = [];
  private readonly linesByPhase = new Map<LoopPhase, HTMLElement[]>();

  constructor() {
    const status = h('p', { class: 'muted', role: 'status' });
    this.kindling = codeBlock('code-kindling', 'Kindling (TypeScript)', 'TypeScript', status);
    this.pytorch = codeBlock('code-pytorch', 'PyTorch (Python)', 'Python', status);
    this.command = h('code', { id: 'code-trainer-command' });
    this.difference = h('p', { class: 'muted' });
    this.now = h('p', { id: 'code-now', class: 'code-now' }, 'Not training. Start a run to see which line is running.');
    this.columns = h('div', { class: 'code-columns' }, this.kindling.element, this.pytorch.element);
    this.invalidNote = h('p', { id: 'code-invalid', class: 'code-invalid-note', role: 'status', hidden: true });
    const copyCommand = h('button', { type: 'button', id: 'code-trainer-copy' }, 'Copy command');
    copyCommand.addEventListener('click', async () => {
      const ok = await copyText(this.commandText);
      status.textContent = ok ? 'Copied the command.' : 'Could not copy the command: select it and copy it by hand.';
    });
    this.element = h(
      'section',
      { class: 'panel code-panel', 'aria-labelledby': 'code-heading' },
      h('h2', { id: 'code-heading' }, 'The code that is running'),
      h(
        'p',
        { class: 'muted' },
        'The training loop of this run in Kindling, next to the PyTorch it mirrors. Both follow the settings above; ' +
          'while training runs, the highlighted line is the part of the loop the worker is in: ' +
          'forward pass, loss, backward pass, optimizer step, or evaluation.',
      ),
      h(
        'p',
        { class: 'muted' },
        `Two differences from the script: the page also evaluates before training and up to ${EVALUATIONS_PER_EPOCH} times an epoch ` +
          '(the script once, at the end of each epoch), and it shuffles with a generator of its own (same seed) instead of the global one, ' +
          'so the numbers come close but do not match exactly.',
      ),
      this.now,
      this.invalidNote,
      this.columns,
      h('h3', {}, 'Run it yourself'),
      h(
        'p',
        {},
        'The TypeScript is a script: in a clone of the ',
        h('a', { href: REPOSITORY }, 'Kindling repository'),
        ' (after pnpm install), save it as examples/train.ts and run ',
        h('code', {}, 'node tools/run-ts.mjs examples/train.ts'),
        '. The ',
        h('a', { href: `${REPOSITORY}/tree/main/examples` }, 'examples folder'),
        ' has more scripts like it, ported from PyTorch’s tutorials. The command-line trainer, ',
        h('a', { href: `${REPOSITORY}/tree/main/apps/trainer` }, 'kindling-train'),
        ', trains the same network:',
      ),
      h(
        'div',
        { class: 'code-command' },
        h('pre', { class: 'code-shell', 'aria-label': 'kindling-train command' }, this.command),
        copyCommand,
      ),
      this.difference,
      status,
    );
  }

  /** Regenerates the code for `settings` (nothing happens when they did not change). */
  update(settings: CodeSettings): void {
    this.showInvalid(null);
    const key = JSON.stringify(settings);
    if (key === this.key) return;
    this.key = key;
    this.clearHighlight();
    this.linesByPhase.clear();
    this.render(this.kindling, kindlingCode(settings));
    this.render(this.pytorch, pytorchCode(settings));
    const { command, difference } = trainerCommand(settings);
    this.commandText = command;
    // Shown with each `--flag value` kept together when the line wraps; copied as the plain command.
    const [program, ...flags] = command.split(' --');
    replaceChildren(this.command, program, ...flags.flatMap((flag) => [' ', h('span', { class: 'code-flag' }, `--${flag}`)]));
    this.difference.textContent = difference ?? '';
  }

  /**
   * Settings the form cannot run (`message` names the field), or null when
   * they are fine again: the code, still that of the last valid settings,
   * is dimmed and the note says why.
   */
  showInvalid(message: string | null): void {
    this.columns.classList.toggle('code-outdated', message !== null);
    this.invalidNote.hidden = message === null;
    this.invalidNote.textContent = message === null ? '' : `${message} The code below is still that of the last valid settings.`;
  }

  /** Highlights the lines of `phase` in both languages. */
  showPhase(phase: LoopPhase, epoch: number, batch: number, batches: number): void {
    this.clearHighlight();
    this.highlighted = this.linesByPhase.get(phase) ?? [];
    for (const line of this.highlighted) line.classList.add('current');
    for (const block of [this.kindling, this.pytorch]) scrollIntoBlock(block.element.querySelector('pre'), this.highlighted);
    this.now.textContent = `Now: ${LOOP_PHASE_LABELS[phase]} (${whereInRun(phase, epoch, batch, batches)}).`;
    this.now.dataset.phase = phase;
  }

  /** Pause was pressed: nothing is running, so nothing stays lit. */
  pausing(): void {
    this.stopped('Pausing…');
  }

  /** The loop waits after batch `batch` of `epoch`. */
  paused(epoch: number, batch: number, batches: number): void {
    this.stopped(`Paused after batch ${batch.toLocaleString('en-US')} of ${batches.toLocaleString('en-US')} (epoch ${epoch}).`);
  }

  /** Ends the highlight when the run is over. */
  stopped(message: string): void {
    this.clearHighlight();
    this.now.textContent = message;
    delete this.now.dataset.phase;
  }

  private clearHighlight(): void {
    for (const line of this.highlighted) line.classList.remove('current');
    this.highlighted = [];
  }

  private render(block: CodeBlock, lines: CodeLine[]): void {
    block.text = codeText(lines);
    replaceChildren(
      block.code,
      ...lines.map((line) => {
        const el = h('span', { class: 'code-line', 'data-phase': line.phase }, line.text);
        if (line.phase) {
          const list = this.linesByPhase.get(line.phase) ?? [];
          list.push(el);
          this.linesByPhase.set(line.phase, list);
        }
        return el;
      }),
    );
  }
}
