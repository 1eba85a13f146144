/**
 * @packageDocumentation
 * `kindling`: the whole library under one import, laid out like `torch`.
 *
 * ```ts
 * import * as kd from 'kindling';
 * const model = new kd.nn.Sequential(new kd.nn.Linear(784, 10), new kd.nn.LogSoftmax(1));
 * const optimizer = new kd.optim.SGD(model.parameters(), { lr: 0.003 });
 * ```
 *
 * Importing it registers the CPU backend and installs autograd. `kd.nn`,
 * `kd.optim`, `kd.data` and `kd.checkpoint` mirror `torch.nn`, `torch.optim`,
 * `torch.utils.data` (+ torchvision's MNIST and transforms) and safetensors
 * checkpoints. This is the browser-safe entry; in Node the package's `node`
 * export condition loads `./node.js` instead, which adds the disk cache for
 * datasets and `kd.save(obj, path)` / `kd.load(path)` (`torch.save` /
 * `torch.load`).
 */
import '@kindling/backend-cpu';

/** `torch.set_num_threads` / `torch.get_num_threads` for the CPU backend, and `cpuReady` to await its fast kernels. */
export { cpuReady, getNumThreads, setNumThreads } from '@kindling/backend-cpu';

export * from '@kindling/tensor';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled, detectAnomaly, setDetectAnomaly, isAnomalyEnabled } from '@kindling/autograd';
/** `torch.autograd`: `grad`, `gradcheck`, `defineFunction` (custom ops). */
export * as autograd from '@kindling/autograd';
/** `torch.nn`: modules, layers, losses, `nn.functional` as `nn.F`, `nn.init`. */
export * as nn from '@kindling/nn';
/** `torch.optim`: optimizers and learning-rate schedulers. */
export * as optim from '@kindling/optim';
/** `torch.utils.data` and torchvision's datasets/transforms (browser-safe; in Node, `import 'kindling'` adds the disk cache). */
export * as data from '@kindling/data';
/** Python's builtins the tutorials use: `const [images, labels] = await next(iter(trainloader))`, `len(trainloader)`. */
export { iter, next, len, StopIteration } from '@kindling/data';
/**
 * The tutorials' `helper` module: `vis.imshow(image)` and `vis.viewClassify(img, ps)` (`helper.imshow`,
 * `helper.view_classify`), drawn in the terminal and written as PNG files.
 */
export * as vis from '@kindling/vis';
/** safetensors `save`/`load` of state dicts and resumable training states (bytes; file helpers in `@kindling/checkpoint/node`). */
export * as checkpoint from '@kindling/checkpoint';
