/** Bytes received so far, and the expected total when the server's Content-Length can be trusted for it. */
export type FileProgress = (loaded: number, total: number | null) => void;

/**
 * Fetches one dataset file, reporting progress. Static servers differ on
 * `.gz` files: some send them as opaque bytes, others (sirv, which `vite
 * preview` uses, Apache with `AddEncoding`) add `Content-Encoding: gzip`, and
 * the browser then hands over the inflated IDX bytes. Both are fine for
 * `MNIST.fromBytes`, which gunzips only when it sees the gzip magic; but with
 * an encoding the Content-Length counts the compressed bytes, so it is
 * neither a progress total nor a completeness check. (`fetchBytes` of
 * @kindling/data treats it as both and fails on such servers.)
 */
export async function fetchDatasetFile(url: string, onProgress: FileProgress): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  const encoded = response.headers.get('content-encoding') !== null;
  const header = response.headers.get('content-length');
  const total = encoded || header === null ? null : Number(header);
  if (!response.body) return new Uint8Array(await response.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress(loaded, total);
  }
  if (total !== null && loaded !== total) throw new Error(`${url}: the connection closed after ${loaded} of ${total} bytes`);
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
