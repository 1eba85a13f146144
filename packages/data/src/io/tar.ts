import { DatasetError } from '../errors.js';

/** One member of a tar archive. */
export interface TarEntry {
  /** Path inside the archive, e.g. `cifar-10-batches-bin/data_batch_1.bin` (directories end without a slash). */
  readonly name: string;
  /** Regular file, directory, or anything else (links, devices...: listed, never followed). */
  readonly type: 'file' | 'directory' | 'other';
  /** The member's bytes: a view into the archive, not a copy (empty for non-files). */
  readonly data: Uint8Array;
}

const BLOCK = 512;
const decoder = new TextDecoder();

/**
 * Lists the members of an uncompressed tar archive held in memory (works in
 * browsers): POSIX ustar, GNU tar (long names, base-256 sizes) and pax
 * extended headers (`path`, `size`). Header checksums are verified and every
 * member's size is checked against the bytes present, so a truncated or
 * damaged archive throws a `DatasetError` naming `name` instead of yielding
 * short members. Members are views into `bytes`; nothing is extracted to disk.
 */
export function readTar(bytes: Uint8Array, name: string): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  // Overrides for the next header, from a GNU long-name member or a pax header.
  let nextName: string | undefined;
  let nextSize: number | undefined;
  for (;;) {
    if (at + BLOCK > bytes.length) {
      // Archives end with zero blocks; running out of bytes first means a cut-off file.
      throw new DatasetError(`tar: ${name} is truncated (no end-of-archive marker after ${entries.length} members, ${bytes.length} bytes)`);
    }
    const header = bytes.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    checkHeaderSum(header, name, at);
    const typeflag = String.fromCharCode(header[156] || 0x30);
    const size = nextSize ?? parseNumber(header.subarray(124, 136), name, at);
    const start = at + BLOCK;
    const end = start + size;
    let path = nextName ?? headerPath(header);
    if (end > bytes.length) {
      throw new DatasetError(
        `tar: ${name} is truncated (member ${path} needs ${size} bytes at offset ${start}, the archive has ${bytes.length})`,
      );
    }
    const data = bytes.subarray(start, end);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    if (typeflag === 'L') {
      nextName = cString(data);
      continue;
    }
    if (typeflag === 'x') {
      const pax = parsePax(data, name);
      nextName = pax.path ?? nextName;
      nextSize = pax.size ?? nextSize;
      continue;
    }
    if (typeflag === 'g' || typeflag === 'K') continue; // global pax header, GNU long link name
    nextName = undefined;
    nextSize = undefined;
    path = path.replace(/^\.\//, '').replace(/\/+$/, '');
    const type = typeflag === '0' || typeflag === '7' ? 'file' : typeflag === '5' ? 'directory' : 'other';
    entries.push({ name: path, type, data: type === 'file' ? data : data.subarray(0, 0) });
  }
  return entries;
}

/** The regular file `path` of `entries`; a missing member throws a `DatasetError` naming `archive`. */
export function tarMember(entries: readonly TarEntry[], path: string, archive: string): Uint8Array {
  const entry = entries.find((e) => e.name === path && e.type === 'file');
  if (!entry) {
    const files = entries.filter((e) => e.type === 'file').map((e) => e.name);
    const list = files.length > 8 ? `${files.slice(0, 8).join(', ')}, ...` : files.join(', ');
    throw new DatasetError(`tar: ${archive} has no member ${path} (it holds ${files.length} files${list ? `: ${list}` : ''})`);
  }
  return entry.data;
}

/** ustar keeps long paths as `prefix/name`; old and GNU headers use `name` alone. */
function headerPath(header: Uint8Array): string {
  const base = cString(header.subarray(0, 100));
  const ustar = cString(header.subarray(257, 263)) === 'ustar' && header[262] === 0;
  const prefix = ustar ? cString(header.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${base}` : base;
}

/** Text up to the first NUL. */
function cString(field: Uint8Array): string {
  const nul = field.indexOf(0);
  return decoder.decode(nul < 0 ? field : field.subarray(0, nul));
}

/** An octal header number, or GNU's base-256 form (high bit set) for sizes of 8 GiB and more. */
function parseNumber(field: Uint8Array, name: string, offset: number, base256 = true): number {
  if (base256 && field[0] & 0x80) {
    let value = field[0] & 0x3f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    if (value > Number.MAX_SAFE_INTEGER) throw new DatasetError(`tar: ${name} has an impossible member size at offset ${offset}`);
    return value;
  }
  const text = cString(field).trim();
  if (!/^[0-7]*$/.test(text))
    throw new DatasetError(`tar: ${name} has a corrupt header at offset ${offset} (size field '${text}' is not octal)`);
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/**
 * The header checksum: the sum of its bytes with the checksum field read as
 * spaces. Old tars summed signed bytes, so either sum is accepted.
 */
function checkHeaderSum(header: Uint8Array, name: string, offset: number): void {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : header[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  const stored = parseNumber(header.subarray(148, 156), name, offset, false);
  if (stored !== unsigned && stored !== signed) {
    throw new DatasetError(
      `tar: ${name} has a corrupt header at offset ${offset} (checksum ${stored}, computed ${unsigned}); not a tar file, or damaged`,
    );
  }
}

/** pax records `"<length> <key>=<value>\n"`; only `path` and `size` matter here. */
function parsePax(data: Uint8Array, name: string): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = space < 0 ? Number.NaN : Number(decoder.decode(data.subarray(at, space)));
    if (!(length > 0) || at + length > data.length) throw new DatasetError(`tar: ${name} has a corrupt pax header`);
    const record = decoder.decode(data.subarray(space + 1, at + length - 1));
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    if (key === 'size') {
      if (!/^\d+$/.test(value)) throw new DatasetError(`tar: ${name} has a corrupt pax size '${value}'`);
      out.size = Number(value);
    }
    at += length;
  }
  return out;
}
