import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InflateLimitError, gunzip, readTar, setGunzipImplementation, tarMember } from '../src/index.js';
import { encodeTar } from './cifar-helpers.js';

const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

function hasTar(): boolean {
  try {
    execFileSync('tar', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('readTar', () => {
  it('lists files and directories, members are views of the archive', () => {
    const a = bytes(1000);
    const tar = encodeTar([{ name: 'dir/', type: 'directory' }, { name: 'dir/a.bin', data: a }, { name: 'dir/empty' }]);
    const entries = readTar(tar, 'x.tar');
    expect(entries.map((e) => [e.name, e.type, e.data.length])).toEqual([
      ['dir', 'directory', 0],
      ['dir/a.bin', 'file', 1000],
      ['dir/empty', 'file', 0],
    ]);
    expect(tarMember(entries, 'dir/a.bin', 'x.tar')).toEqual(a);
    expect(tarMember(entries, 'dir/a.bin', 'x.tar').buffer).toBe(tar.buffer);
  });

  it('names the archive and the member when one is missing', () => {
    const entries = readTar(encodeTar([{ name: 'a', data: bytes(3) }]), 'x.tar');
    expect(() => tarMember(entries, 'b', 'x.tar')).toThrow(/^tar: x.tar has no member b \(it holds 1 files: a\)$/);
  });

  it('refuses truncated archives and damaged headers with one-line errors', () => {
    const tar = encodeTar([
      { name: 'a', data: bytes(2000) },
      { name: 'b', data: bytes(10) },
    ]);
    expect(() => readTar(tar.subarray(0, 1500), 'x.tar')).toThrow(
      /^tar: x.tar is truncated \(member a needs 2000 bytes at offset 512, the archive has 1500\)$/,
    );
    // Cut exactly after a member: no end-of-archive marker.
    expect(() => readTar(tar.subarray(0, 512 + 2048), 'x.tar')).toThrow(
      /^tar: x.tar is truncated \(no end-of-archive marker after 1 members/,
    );
    const damaged = tar.slice();
    damaged[10] ^= 0x40;
    expect(() => readTar(damaged, 'x.tar')).toThrow(/^tar: x.tar has a corrupt header at offset 0 \(checksum \d+, computed \d+\)/);
    expect(() => readTar(bytes(4096), 'x.tar')).toThrow(/corrupt header at offset 0/);
    expect(() => readTar(new Uint8Array(0), 'x.tar')).toThrow(/truncated/);
  });

  describe.runIf(hasTar())('archives written by tar(1)', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'kindling-tar-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    for (const format of ['gnu', 'ustar', 'pax']) {
      it(`reads the ${format} format, long names included`, async () => {
        const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
        const long = `${'n'.repeat(90)}.bin`;
        await mkdir(join(dir, 'src', deep), { recursive: true });
        const files: Record<string, Uint8Array> = { 'a.bin': bytes(3073 * 3, 2), [`${deep}/${long}`]: bytes(513, 3), 'b.txt': bytes(0) };
        for (const [name, data] of Object.entries(files)) await writeFile(join(dir, 'src', name), data);
        const archive = join(dir, 'x.tar');
        const names = format === 'ustar' ? ['a.bin', 'b.txt'] : Object.keys(files);
        execFileSync('tar', [`--format=${format}`, '-cf', archive, '-C', join(dir, 'src'), ...names]);
        const entries = readTar(new Uint8Array(await readFile(archive)), 'x.tar');
        for (const name of names) expect(tarMember(entries, name, 'x.tar')).toEqual(files[name]);
      });
    }
  });
});

describe('gunzip with a size bound', () => {
  const zeros = new Uint8Array(4 << 20);
  const gz = new Uint8Array(gzipSync(zeros));
  // toEqual walks typed arrays element by element (slow for megabytes).
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

  it('inflates up to the bound and refuses more (fflate)', () => {
    expect(same(gunzip(gz, 'z.gz', { maxSize: zeros.length }), zeros)).toBe(true);
    expect(() => gunzip(gz, 'z.gz', { maxSize: 1000 })).toThrow(/^gunzip: z.gz inflates to more than 1000 bytes, the most expected/);
  });

  it('stops at the bound even when the trailer lies about the size', () => {
    const lying = gz.slice();
    lying.set([0xe8, 0x03, 0, 0], lying.length - 4); // claims 1000 bytes
    expect(() => gunzip(lying, 'z.gz', { maxSize: 1000 })).toThrow(/inflates to more than 1000 bytes/);
  });

  it('bounds the node:zlib decoder the same way', async () => {
    await import('../src/node/index.js');
    expect(same(gunzip(gz, 'z.gz', { maxSize: zeros.length }), zeros)).toBe(true);
    const lying = gz.slice();
    lying.set([0xe8, 0x03, 0, 0], lying.length - 4);
    expect(() => gunzip(lying, 'z.gz', { maxSize: 1000 })).toThrow(/inflates to more than 1000 bytes/);
  });

  it('reports a custom decoder refusing with InflateLimitError as the bound (runs last: it replaces the decoder)', () => {
    setGunzipImplementation(() => {
      throw new InflateLimitError('too big');
    });
    expect(() => gunzip(gz, 'z.gz', { maxSize: 1 << 30 })).toThrow(/^gunzip: z.gz inflates to more than 1073741824 bytes/);
  });
});
