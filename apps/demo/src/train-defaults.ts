/**
 * Fixed choices of the Train page's runs, shared by the worker that trains
 * and the code panel that shows the same run as a script, so the two cannot
 * drift apart. Plain data: the page imports it without pulling in tensors.
 */

/** SGD's momentum: the form offers "SGD with momentum 0.9", as PyTorch's tutorials use it. */
export const SGD_MOMENTUM = 0.9;

/** The seed of every run (weights, dropout, shuffling), so a run can be repeated. */
export const RUN_SEED = 0;

/** Test-set evaluations per epoch, besides the one before training: enough points for a curve even in a one-epoch run. */
export const EVALUATIONS_PER_EPOCH = 4;
