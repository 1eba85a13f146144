import { describe, expect, it } from 'vitest';
import { type FusedKernelName, onFusedUse } from '../src/backend-entry.js';
import { declareFusedUse } from '../src/fused-use.js';
// Importing the package evaluates every op module, which declares what it may call.
import '../src/index.js';

describe('declared fused kernels (what on-demand backends load)', () => {
  it('are declared by the op modules that call them, and replayed to a listener that subscribes late', () => {
    const seen: FusedKernelName[] = [];
    onFusedUse((names) => seen.push(...names));
    expect(new Set(seen)).toEqual(
      new Set([
        'conv2d',
        'conv2dInputGrad',
        'conv2dWeightGrad',
        'im2col',
        'col2im',
        'maxPool2d',
        'avgPool2d',
        'channelMoments',
        'channelAffine',
      ]),
    );
  });

  it('notify listeners of each new declaration once', () => {
    const calls: (readonly FusedKernelName[])[] = [];
    onFusedUse((names) => calls.push(names));
    calls.length = 0;
    declareFusedUse('softmax', 'conv2d');
    declareFusedUse('softmax');
    expect(calls).toEqual([['softmax']]);
  });
});
