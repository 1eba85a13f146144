import { data } from 'kindling';

/**
 * CI's switch, not part of the tutorials. With `KINDLING_EXAMPLE_LIMIT=n` in the environment a
 * dataset shrinks to its first `n` samples (`data.Subset`), so the examples' test
 * (`examples/test/examples.test.ts`) runs every script on the real files in seconds. Unset (or not
 * a positive integer), the dataset is returned untouched and the example runs as the notebook did.
 */
export function limit<T>(dataset: data.MapDataset<T>): data.MapDataset<T> {
  const n = Number(process.env.KINDLING_EXAMPLE_LIMIT);
  if (!Number.isInteger(n) || n <= 0 || n >= dataset.length) return dataset;
  return new data.Subset(
    dataset,
    Array.from({ length: n }, (_, i) => i),
  );
}
