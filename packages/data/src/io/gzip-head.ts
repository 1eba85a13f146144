import { Gunzip } from 'fflate';

/*
 * The first bytes of a gzip file's contents, without inflating the rest: an
 * IDX file's header says how large the whole file is, which bounds inflating
 * it when nothing else does (a file given as bytes, of no known dataset).
 */

class Enough extends Error {}

/**
 * Up to `count` leading bytes of what `bytes` (gzip) inflates to; fewer when
 * the contents are shorter. A damaged stream throws fflate's error.
 */
export function gunzipHead(bytes: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(count);
  let at = 0;
  const stream = new Gunzip((chunk) => {
    const take = Math.min(count - at, chunk.length);
    out.set(chunk.subarray(0, take), at);
    at += take;
    if (at === count) throw new Enough();
  });
  const piece = 1 << 16;
  try {
    for (let i = 0; i < bytes.length && at < count; i += piece) stream.push(bytes.subarray(i, i + piece), i + piece >= bytes.length);
  } catch (e) {
    if (!(e instanceof Enough)) throw e;
  }
  return out.subarray(0, at);
}
