import { describe, expect, test } from 'vitest';
import { Store } from '../src/client/store.js';

describe('Store', () => {
  test('tells its subscribers about changes only', () => {
    const store = new Store({ phase: 'idle', count: 0 });
    const seen: string[] = [];
    store.subscribe((v) => seen.push(`${v.phase} ${v.count}`));
    store.update({ phase: 'training' });
    // The worker repeats its phase at every evaluation: an update that changes nothing re-renders nothing.
    store.update({ phase: 'training' });
    store.update({ phase: 'training', count: 0 });
    store.update({ count: 1 });
    expect(seen).toEqual(['idle 0', 'training 0', 'training 1']);
  });
});
