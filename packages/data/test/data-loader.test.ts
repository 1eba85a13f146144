import './setup.js';
import {
  COLLECTION_THRESHOLD_BYTES,
  Generator,
  type Tensor,
  arange,
  manualSeed,
  memory,
  setCollectionThreshold,
  tensor,
} from '@kindling/tensor';
import { canRequestCollection, requestedCollections } from '@kindling/tensor/internal';
import { describe, expect, it } from 'vitest';
import {
  BatchSampler,
  DataLoader,
  Dataset,
  IterableDataset,
  RandomSampler,
  SequentialSampler,
  SubsetRandomSampler,
  TensorDataset,
} from '../src/index.js';

const ints = (t: Tensor) => Array.from(t.readSync());

async function collect<B>(loader: AsyncIterable<B>): Promise<B[]> {
  const out: B[] = [];
  for await (const b of loader) out.push(b);
  return out;
}

/** Counts calls, to tell the batched path from the per-sample one. */
class Counting extends Dataset<[Tensor, number]> {
  items = 0;
  batches: number[][] = [];
  constructor(
    readonly n: number,
    readonly batched: boolean,
  ) {
    super();
    if (batched) {
      (this as unknown as { getBatch: (i: Int32Array) => [Tensor, Tensor] }).getBatch = (idx) => {
        this.batches.push([...idx]);
        return [tensor(Float32Array.from(idx)), tensor(Int32Array.from(idx, (i) => i % 2))];
      };
    }
  }
  get length(): number {
    return this.n;
  }
  getItem(i: number): [Tensor, number] {
    this.items++;
    return [tensor(i, { dtype: 'float32' }), i % 2];
  }
}

describe('samplers', () => {
  it('sequential, random (seeded, new order every epoch), subset random, with replacement', () => {
    expect([...new SequentialSampler({ length: 4 })]).toEqual([0, 1, 2, 3]);
    const r = new RandomSampler({ length: 50 }, { generator: new Generator(1) });
    const e1 = [...r];
    const e2 = [...r];
    expect([...e1].sort((a, b) => a - b)).toEqual([...Array(50).keys()]);
    expect(e2).not.toEqual(e1);
    expect([...new RandomSampler({ length: 50 }, { generator: new Generator(1) })]).toEqual(e1);
    const withReplacement = [...new RandomSampler({ length: 3 }, { replacement: true, numSamples: 100, generator: new Generator(2) })];
    expect(withReplacement.length).toBe(100);
    expect(withReplacement.every((i) => i >= 0 && i < 3)).toBe(true);
    expect(new RandomSampler({ length: 3 }, { numSamples: 7 }).indices().length).toBe(7);
    expect([...new SubsetRandomSampler([10, 20, 30], new Generator(3))].sort()).toEqual([10, 20, 30]);
  });

  it('BatchSampler groups, keeps or drops the last batch', () => {
    const seq = new SequentialSampler({ length: 5 });
    expect([...new BatchSampler(seq, 2)].map((b) => [...b])).toEqual([[0, 1], [2, 3], [4]]);
    expect([...new BatchSampler(seq, 2, true)].map((b) => [...b])).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(new BatchSampler(seq, 2).length).toBe(3);
    expect(new BatchSampler(seq, 2, true).length).toBe(2);
    expect(() => new BatchSampler(seq, 0)).toThrow(/positive integer/);
  });
});

describe('DataLoader', () => {
  const x = arange(10, { dtype: 'float32' });
  const y = arange(10);
  const ds = new TensorDataset(x, y);

  it('batches in order, with a smaller last batch or dropping it', async () => {
    const loader = new DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = await collect(loader);
    expect(batches.map(([, b]) => ints(b))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    const dropped = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(dropped.length).toBe(2);
    expect((await collect(dropped)).length).toBe(2);
  });

  it('shuffles with a seeded generator, differently every epoch, covering every sample once', async () => {
    const loader = new DataLoader(ds, { batchSize: 3, shuffle: true, generator: new Generator(7) });
    const epoch1 = (await collect(loader)).flatMap(([, b]) => ints(b));
    const epoch2 = (await collect(loader)).flatMap(([, b]) => ints(b));
    expect([...epoch1].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(epoch2).not.toEqual(epoch1);
    const again = new DataLoader(ds, { batchSize: 3, shuffle: true, generator: new Generator(7) });
    expect((await collect(again)).flatMap(([, b]) => ints(b))).toEqual(epoch1);
    // Without a generator, the global seed fixes the order.
    manualSeed(5);
    const g1 = (await collect(new DataLoader(ds, { batchSize: 10, shuffle: true })))[0][1];
    manualSeed(5);
    const g2 = (await collect(new DataLoader(ds, { batchSize: 10, shuffle: true })))[0][1];
    expect(ints(g1)).toEqual(ints(g2));
  });

  it('builds a batch with one getBatch call when the dataset has it, else collates samples', async () => {
    const batched = new Counting(5, true);
    const b1 = await collect(new DataLoader(batched, { batchSize: 2 }));
    expect(batched.items).toBe(0);
    expect(batched.batches).toEqual([[0, 1], [2, 3], [4]]);
    expect(ints(b1[2][0])).toEqual([4]);
    const plain = new Counting(5, false);
    const b2 = await collect(new DataLoader(plain, { batchSize: 2 }));
    expect(plain.items).toBe(5);
    expect(b2[0][0].shape).toEqual([2]);
    expect(b2[0][1].dtype).toBe('int32');
    expect(ints(b2[1][1])).toEqual([0, 1]);
  });

  it('uses a custom collate, sampler and batchSampler', async () => {
    const collate = (samples: Tensor[][]) => samples.map((s) => s[1].itemSync());
    const custom = new DataLoader(ds, { batchSize: 3, collate });
    expect(await collect(custom)).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    const sampled = new DataLoader(ds, {
      batchSize: 2,
      sampler: {
        length: 3,
        *[Symbol.iterator]() {
          yield* [9, 0, 5];
        },
      },
    });
    expect((await collect(sampled)).map(([, b]) => ints(b))).toEqual([[9, 0], [5]]);
    const grouped = new DataLoader(ds, { batchSampler: [[1, 2, 3], [0]] });
    expect((await collect(grouped)).map(([, b]) => ints(b))).toEqual([[1, 2, 3], [0]]);
  });

  it('rejects conflicting options like PyTorch', () => {
    expect(() => new DataLoader(ds, { batchSampler: [[0]], batchSize: 2 })).toThrow(/mutually exclusive/);
    expect(() => new DataLoader(ds, { sampler: new SequentialSampler(ds), shuffle: true })).toThrow(/mutually exclusive with shuffle/);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/positive integer/);
    expect(
      () =>
        new DataLoader(
          IterableDataset.from(() => [1]),
          { shuffle: true },
        ),
    ).toThrow(/IterableDataset has no indices/);
  });

  it('prefetches the next batch while the consumer awaits, and frees it on early exit', async () => {
    const data = new Counting(20, true);
    const loader = new DataLoader(data, { batchSize: 2, prefetch: 2 });
    const iterator = loader[Symbol.asyncIterator]();
    await iterator.next();
    expect(data.batches.length).toBe(1);
    // Nothing is built ahead of the first batch: a pass may stop there (`next(iter(loader))`).
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(data.batches.length).toBe(1);
    await iterator.next();
    expect(data.batches.length).toBe(2);
    // The consumer's step awaits something (a GPU read, I/O): the next batches get built meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(data.batches.length).toBe(4);
    const before = memory().cpu.tensors;
    await iterator.return?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(memory().cpu.tensors).toBe(before - 4); // two prefetched batches of two tensors
    const none = new Counting(6, true);
    const eager = new DataLoader(none, { batchSize: 2, prefetch: 0 })[Symbol.asyncIterator]();
    await eager.next();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(none.batches.length).toBe(1);
  });

  it('gives the event loop a turn for every batch, with and without prefetching', async () => {
    for (const prefetch of [0, 1, 2]) {
      // A task that re-queues itself counts the turns of the event loop.
      let turns = 0;
      let running = true;
      const tick = () => {
        turns++;
        if (running) setImmediate(tick);
      };
      setImmediate(tick);
      let batches = 0;
      for await (const [x, y] of new DataLoader(new Counting(16, true), { batchSize: 2, prefetch })) {
        x.dispose();
        y.dispose();
        batches++;
      }
      running = false;
      expect(batches).toBe(8);
      // Consuming batches without awaiting anything else would leave this at 0. Batches made
      // ahead are each made in a turn, but `prefetch` of them may share one.
      expect(turns).toBeGreaterThanOrEqual(Math.floor(batches / Math.max(1, prefetch)) - 1);
    }
  });

  it('keeps memory bounded in a loop that never disposes: unreachable tensors are collected between batches', async () => {
    expect(canRequestCollection()).toBe(true);
    setCollectionThreshold(1 << 20);
    try {
      const loader = new DataLoader(new TensorDataset(arange(4096).reshape(512, 8).cast('float32')), { batchSize: 8 });
      const collectionsBefore = requestedCollections();
      let peak = 0;
      for (let epoch = 0; epoch < 4; epoch++) {
        for await (const [x] of loader) {
          // 256 KiB of garbage per batch, never disposed.
          x.reshape(1, 64).expand(1024, 64).contiguous().mul(2);
          peak = Math.max(peak, memory().cpu.bytes);
        }
      }
      expect(requestedCollections()).toBeGreaterThan(collectionsBefore);
      // 256 batches made 64 MiB of garbage; without collections between batches all of it stays.
      expect(peak).toBeLessThan(16 << 20);
    } finally {
      setCollectionThreshold(COLLECTION_THRESHOLD_BYTES);
    }
  });

  it('surfaces a batch error at the batch that failed', async () => {
    const broken = new Counting(6, true);
    let calls = 0;
    (broken as unknown as { getBatch: () => unknown }).getBatch = () => {
      if (++calls === 2) throw new Error('boom at batch 2');
      return [tensor([0]), tensor([0])];
    };
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const _ of new DataLoader(broken, { batchSize: 2 })) seen.push(calls);
      })(),
    ).rejects.toThrow('boom at batch 2');
    expect(seen.length).toBe(1);
  });

  it('batches an IterableDataset', async () => {
    const stream = IterableDataset.from(async function* () {
      for (let i = 0; i < 5; i++) yield { v: i };
    }, 5);
    const loader = new DataLoader(stream, { batchSize: 2 });
    expect(loader.length).toBe(3);
    expect((await collect(loader)).map((b) => ints(b.v))).toEqual([[0, 1], [2, 3], [4]]);
    expect((await collect(new DataLoader(stream, { batchSize: 2, dropLast: true }))).length).toBe(2);
    expect(() => new DataLoader(IterableDataset.from(() => [1])).length).toThrow(/does not know its length/);
  });
});
