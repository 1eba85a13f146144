import type { AppContext } from '../client/app-context.js';
import { RUN_SEED } from '../train-defaults.js';
import { CodePanel } from '../ui/code-panel.js';
import type { TrainingPhase } from '../worker/protocol.js';
import type { TrainForm } from './train-form.js';

const RUN_OVER: Partial<Record<TrainingPhase, string>> = {
  finished: 'The run finished. Change a setting to see its code; start again to watch it run.',
  stopped: 'The run was stopped.',
  failed: 'The run failed.',
};

/**
 * The Train page's code panel, wired up: the code follows the form (on every
 * edit, and on submit and state changes too, since values set from code, such
 * as a model's suggested settings, fire no events; settings the form cannot
 * run are flagged rather than shown), and the highlight follows the worker's
 * `loopPhase` events until the run pauses or is over.
 */
export function trainCodePanel(ctx: AppContext, form: TrainForm, formEl: HTMLFormElement): HTMLElement {
  const panel = new CodePanel();
  const refresh = () => {
    const values = form.read();
    if (typeof values === 'string') panel.showInvalid(values);
    else panel.update({ ...values, seed: RUN_SEED });
  };
  for (const type of ['input', 'change', 'submit']) formEl.addEventListener(type, refresh);
  ctx.state.subscribe(refresh);
  ctx.worker.onEvent((event) => {
    if (event.kind === 'runStart') refresh();
    if (event.kind === 'loopPhase') panel.showPhase(event.phase, event.epoch, event.batch, event.batches);
    if (event.kind === 'loopPaused') panel.paused(event.epoch, event.batch, event.batches);
    if (event.kind === 'phase' && event.phase === 'paused') panel.pausing();
    const over = event.kind === 'phase' ? RUN_OVER[event.phase] : undefined;
    if (over) panel.stopped(over);
  });
  return panel.element;
}
