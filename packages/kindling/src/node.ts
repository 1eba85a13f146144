/**
 * @packageDocumentation
 * The Node entry of `kindling` (the `node` export condition picks it): the
 * whole default entry, plus what needs Node's file system, so `import
 * 'kindling'` alone is enough to
 *
 * - load datasets from local folders and mirrors, and cache downloads on disk
 *   (it imports `@kindling/data/node`, which installs the file store and
 *   node:zlib);
 * - `await save(obj, path)` / `await load(path)`: `torch.save` / `torch.load`
 *   of a checkpoint dict (JSON values beside tensors, one safetensors file);
 * - `kd.data` and `kd.checkpoint` with their Node helpers (`FileStore`,
 *   `defaultDataDir`, `saveFile`, `loadTrainingStateFile`...).
 */
import '@kindling/data/node';

export * from './index.js';
/** `torch.save(obj, path)` / `torch.load(path)`: a checkpoint dict of JSON values and tensors in one safetensors file. */
export { save, load } from '@kindling/checkpoint/node';
/** `torch.utils.data` and torchvision, with Node's disk cache and downloader. */
export * as data from './node-data.js';
/** safetensors checkpoints (bytes) and their Node file helpers. */
export * as checkpoint from './node-checkpoint.js';
