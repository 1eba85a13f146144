/**
 * PyTorch `.pth` import: `torch.save` zip files read through a restricted
 * unpickler that never executes code.
 */
export { loadPth, type PthCheckpoint, type PthExtraValue } from './load-pth.js';
