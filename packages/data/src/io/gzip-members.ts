/**
 * Gzip trailer checks for the pure-JavaScript decoder. fflate inflates but
 * never reads a member's trailer (CRC-32 and ISIZE), so a flipped bit in the
 * deflate stream would come out as different pixels with no error; node:zlib
 * checks both itself. fflate keeps its CRC-32 table private, hence this one
 * (the standard reflected polynomial 0xEDB88320, as in RFC 1952).
 */

/** What `GzipMemberCheck` throws when a member's trailer disagrees with what was inflated. */
export class GzipTrailerError extends Error {}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 (gzip's, zip's) of `bytes`, continuing from `crc` (the CRC of what came before). */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const hex = (n: number) => n.toString(16).padStart(8, '0');

/** A little-endian uint32 at `at`, or undefined if the bytes stop before it ends. */
function uint32At(bytes: Uint8Array, at: number): number | undefined {
  if (at < 0 || at + 4 > bytes.length) return undefined;
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

/**
 * Follows a streaming gzip decoder over the compressed `bytes`: feed it every
 * inflated chunk (`data`), each new member's offset (`member`, fflate's
 * `onmember`) and the end (`end`); it checks each member's CRC-32 and ISIZE
 * against its trailer, the 8 bytes before the next member or the file's end.
 */
export class GzipMemberCheck {
  private crc = 0;
  private size = 0;
  private index = 1;

  constructor(private readonly bytes: Uint8Array) {}

  /** One more chunk of the current member's output. */
  data(chunk: Uint8Array): void {
    this.crc = crc32(chunk, this.crc);
    this.size += chunk.length;
  }

  /** A new member starts at `offset`: the one before ends there. */
  member(offset: number): void {
    this.check(offset, true);
    this.index++;
    this.crc = 0;
    this.size = 0;
  }

  /** The input is exhausted: the last member's trailer is the last 8 bytes. */
  end(): void {
    this.check(this.bytes.length, this.index > 1);
  }

  private check(end: number, multiMember: boolean): void {
    const which = multiMember ? ` in member ${this.index}` : '';
    const crc = uint32At(this.bytes, end - 8);
    const size = uint32At(this.bytes, end - 4);
    if (crc === undefined || size === undefined) throw new GzipTrailerError(`no 8-byte trailer${which}`);
    if (crc !== this.crc) throw new GzipTrailerError(`CRC-32 mismatch${which} (expected ${hex(crc)}, got ${hex(this.crc)})`);
    // ISIZE is the size mod 2^32 (RFC 1952).
    if (size !== this.size % 2 ** 32) {
      throw new GzipTrailerError(`ISIZE mismatch${which} (the trailer says ${size} bytes, inflated ${this.size})`);
    }
  }
}
