// Kernels the thread pool runs as *tasks*: WebAssembly exports taking
// (descriptor, scratch, tid, part), where the descriptor is an int32 block in
// memory describing the whole job (assembly/window.ts lays it out), `scratch`
// is the thread's matmul scratch, `tid` its index (0 = the caller) and `part`
// the slice of the job to compute. Parts write disjoint outputs, so any thread
// may take any part.

/** The task exports, by name; a task's code is its index plus one (0 is matmul). */
export const TASKS = [
  'conv2dForward',
  'conv2dInputGrad',
  'conv2dWeightGrad',
  'unfoldPart',
  'foldPart',
  'maxPool2d',
  'avgPool2d',
  'channelMoments',
  'channelAffine',
  'winogradForward',
  'winogradWeightGrad',
  'winogradWeightsPart',
  'winogradWeightsBackPart',
  'philoxPart',
  'axpyPart',
] as const;

/** A task the kernels can run across threads. */
export type KernelTask = (typeof TASKS)[number];

/** The pool's code for a task. */
export function taskCode(task: KernelTask): number {
  return TASKS.indexOf(task) + 1;
}
