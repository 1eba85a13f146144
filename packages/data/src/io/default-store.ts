import { DatasetError } from '../errors.js';
import { type DatasetStore, type LoadRequest, getDefaultStore } from './store.js';
import { UrlStore } from './url-store.js';

/** What to import in Node so datasets read folders and cache downloads on disk. */
export const NODE_STORE_HINT = "import '@kindling/data/node' (or import 'kindling', which does it)";

function runningInNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

const isUrl = (location: string): boolean => /^https?:\/\//i.test(location);

/**
 * The store of Node when `@kindling/data/node` was not imported: URLs are
 * fetched as in a browser, but a folder (the default cache folder included)
 * needs the file store, so instead of a fetch error about a bad URL the user
 * is told which import installs it.
 */
class NodeWithoutFileStore implements DatasetStore {
  private readonly urls = new UrlStore();

  load<T>(request: LoadRequest<T>): Promise<T> {
    const folders: string[] = [];
    if (request.root === undefined) folders.push('the default cache folder');
    else if (!isUrl(request.root)) folders.push(`root "${request.root}"`);
    for (const mirror of (request.download && request.mirrorOverride) || []) {
      if (!isUrl(mirror)) folders.push(`mirror "${mirror}"`);
    }
    if (folders.length === 0) return this.urls.load(request);
    return Promise.reject(
      new DatasetError(
        `${request.folder}: ${folders[0]} is on disk, but no dataset store for Node's file system is installed; add ${NODE_STORE_HINT}`,
      ),
    );
  }
}

/**
 * The store a dataset uses: the one its options name, else the default one
 * (`setDefaultStore`, which `@kindling/data/node` calls), else URLs in a
 * browser, or in Node a store that explains the missing import when the
 * request needs the file system.
 */
export function resolveStore(store: DatasetStore | undefined): DatasetStore {
  return store ?? getDefaultStore() ?? (runningInNode() ? new NodeWithoutFileStore() : new UrlStore());
}
