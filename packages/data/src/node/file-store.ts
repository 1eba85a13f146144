import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError } from '../errors.js';
import { checkDigests } from '../io/checksum.js';
import { type NetworkOptions, resolveNetworkOptions } from '../io/network.js';
import type { DatasetStore, LoadRequest } from '../io/store.js';
import { DATA_MIRROR_ENV, defaultDataDir, mirrorsFromEnv } from './data-dir.js';
import { downloadFile, removeStaleTemps } from './download.js';
import { makeFolder } from './make-folder.js';
import { preinflate } from './preinflate.js';

/**
 * The Node store: files are cached in `<root>/<dataset>/raw/<file>` (root
 * defaults to `defaultDataDir()`), verified on every load, and fetched from
 * the mirrors in order when missing or corrupt. Mirrors come from the
 * dataset's `mirrors` option, else `$KINDLING_DATA_MIRROR`, else the
 * dataset's built-in list; each may be a URL or a local folder.
 * `network` sets the timeouts and retries of HTTP mirrors (else their
 * environment variables, else the defaults: see `NetworkOptions`), e.g.
 * `MNIST.create({ download: true, store: new FileStore({ idleTimeoutMs: 60_000 }) })`.
 */
export class FileStore implements DatasetStore {
  constructor(private readonly network: NetworkOptions = {}) {}

  /** The path `request`'s file is cached at. */
  pathOf(request: Pick<LoadRequest<unknown>, 'root' | 'folder' | 'file'>): string {
    return join(request.root ?? defaultDataDir(), request.folder, 'raw', request.file.name);
  }

  async load<T>(request: LoadRequest<T>): Promise<T> {
    const path = this.pathOf(request);
    const { file } = request;
    let bytes: Uint8Array | null = null;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (bytes !== null) {
      try {
        const md5 = file.md5 && !file.sha256 ? createHash('md5').update(bytes).digest('hex') : undefined;
        const sha256 = file.sha256 ? createHash('sha256').update(bytes).digest('hex') : undefined;
        checkDigests(file.name, file, { sha256, md5 }, path);
        await preinflate(bytes, request.inflatedBound);
        return request.decode(bytes);
      } catch (error) {
        if (!request.download) {
          throw new DatasetError(`${(error as Error).message}; delete ${path} or pass download: true to fetch it again`);
        }
        await rm(path, { force: true });
      }
    }
    if (!request.download) {
      throw new DatasetError(
        `load: ${file.name} not found at ${path}; pass download: true (set ${DATA_MIRROR_ENV} to a local folder or URL when offline)`,
      );
    }
    return this.download(request, path);
  }

  private async download<T>(request: LoadRequest<T>, path: string): Promise<T> {
    const mirrors = request.mirrorOverride ?? mirrorsFromEnv() ?? request.mirrors;
    // Not mkdir({ recursive: true }): it loops forever under /proc (see makeFolder).
    await makeFolder(join(path, '..'));
    await removeStaleTemps(path);
    // Resolved once, so a bad environment variable is one error rather than one per mirror.
    const network = resolveNetworkOptions(this.network);
    const failures: string[] = [];
    for (const mirror of mirrors) {
      let decoded: { value: T } | null = null;
      try {
        await downloadFile(mirror, request.file, path, {
          ...network,
          onProgress: request.onProgress,
          signal: request.signal,
          // Called once the checksums passed.
          validate: async (bytes) => {
            await preinflate(bytes, request.inflatedBound);
            decoded = { value: request.decode(bytes) };
          },
        });
      } catch (error) {
        if (request.signal?.aborted) throw error;
        // One cause a line: a multi-line message would read as several mirrors.
        failures.push(`  ${mirror}: ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}`);
        continue;
      }
      return (decoded as unknown as { value: T }).value;
    }
    throw new DatasetError(
      `download: could not get ${request.file.name} from any mirror:\n${failures.join('\n') || '  (no mirrors)'}\n` +
        `Nothing was written to ${path}. Set ${DATA_MIRROR_ENV} or the mirrors option to a folder or URL holding the file.`,
    );
  }
}
