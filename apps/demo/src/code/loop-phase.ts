/**
 * The parts of a training loop the code panel highlights while the worker
 * trains: the four lines of every step (forward, loss, backward, step), and
 * the test-set evaluation between them.
 */
export type LoopPhase = 'forward' | 'loss' | 'backward' | 'step' | 'evaluate';

export const LOOP_PHASE_LABELS: Record<LoopPhase, string> = {
  forward: 'forward pass',
  loss: 'loss',
  backward: 'backward pass',
  step: 'optimizer step',
  evaluate: 'evaluation on the test images',
};
