/**
 * `kd.checkpoint` in Node: the byte-level checkpoint functions (`save`/`load`
 * of a state dict, as in every entry) and the Node file helpers. The file
 * versions of `torch.save`/`torch.load` are the top-level `kd.save`/`kd.load`.
 */
export * from '@kindling/checkpoint';
export {
  saveFile,
  loadFile,
  saveTrainingStateFile,
  loadTrainingStateFile,
  writeFileAtomic,
} from '@kindling/checkpoint/node';
