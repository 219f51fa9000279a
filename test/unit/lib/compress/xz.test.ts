/**
 * The xz decoder against the reference encoder: what the `xz` CLI (XZ Utils) writes, for every
 * preset, check, chunk kind, block layout and LZMA property the format allows, must come back
 * byte for byte. A small LZMA2 chunk walker checks that the inputs really exercise what each test
 * names (uncompressed chunks, state resets, several blocks) instead of assuming it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { xzDecompressSync } from '../../../../src/lib/compress/xz.js';
import { listArMembers } from '../../../../src/distro/deb/ar.js';
import { makeDeb } from '../../../helpers/packages.js';

const MAX = 64 * 1024 * 1024;
const xz = (input: Buffer, args: string[]): Buffer =>
  execFileSync('xz', ['-c', '-T1', ...args], { input, maxBuffer: 256 * 1024 * 1024 });
const unxz = (data: Buffer): Buffer => xzDecompressSync(data, { maxOutput: MAX });
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Deterministic, compressible "text": words from a small vocabulary, numbers, line structure. */
function text(bytes: number, seed = 1): Buffer {
  const words = ['package', 'version', 'depends', 'python3', 'the', 'of', 'import', 'def', 'return', 'self', '0', '1.2-3', 'lib', 'usr', 'share', '{', '}', 'control'];
  let x = seed;
  const out: string[] = [];
  let n = 0;
  while (n < bytes) {
    x = (x * 1103515245 + 12345) >>> 0;
    const w = words[x % words.length]! + ((x >>> 8) % 7 === 0 ? `${x % 1000}` : '');
    const piece = (x >>> 16) % 11 === 0 ? `${w}\n` : `${w} `;
    out.push(piece);
    n += piece.length;
  }
  return Buffer.from(out.join('')).subarray(0, bytes);
}

interface ChunkStats { stored: number; lzma: number; stateResets: number; propsResets: number; dictResets: number; continued: number; blocks: number; sized: number }

/** Walk the LZMA2 chunks of every block of a single-stream .xz (headers trusted: test inputs). */
function chunkStats(file: Buffer): ChunkStats {
  const s: ChunkStats = { stored: 0, lzma: 0, stateResets: 0, propsResets: 0, dictResets: 0, continued: 0, blocks: 0, sized: 0 };
  let pos = 12;
  while (file[pos] !== 0) {
    s.blocks++;
    if ((file[pos + 1]! & 0xc0) === 0xc0) s.sized++;
    pos += (file[pos]! + 1) * 4;
    for (;;) {
      const c = file[pos]!;
      if (c === 0) { pos++; break; }
      if (c < 0x80) {
        s.stored++;
        if (c === 1) s.dictResets++;
        pos += 3 + ((file[pos + 1]! << 8) | file[pos + 2]!) + 1;
        continue;
      }
      s.lzma++;
      const reset = (c >> 5) & 3;
      if (reset === 0) s.continued++;
      if (reset >= 1) s.stateResets++;
      if (reset >= 2) s.propsResets++;
      if (reset === 3) s.dictResets++;
      pos += 5 + ((file[pos + 3]! << 8) | file[pos + 4]!) + 1 + (reset >= 2 ? 1 : 0);
    }
    // Padding to 4 relative to the stream start, then the check (CRC64 in these tests).
    while ((pos - 12) % 4) pos++;
    pos += 8;
  }
  return s;
}

test('every preset -0 … -9 and -e round-trips', () => {
  const input = Buffer.concat([text(200_000), randomBytes(3000), text(50_000, 7)]);
  for (const preset of ['-0', '-1', '-2', '-3', '-4', '-5', '-6', '-7', '-8', '-9', '-0e', '-6e', '-9e']) {
    assert.equal(sha(unxz(xz(input, [preset]))), sha(input), preset);
  }
});

test('every check type round-trips and is verified: none, crc32, crc64, sha256', () => {
  const input = text(30_000, 3);
  for (const check of ['none', 'crc32', 'crc64', 'sha256']) {
    const file = xz(input, [`--check=${check}`]);
    assert.deepEqual(unxz(file), input, check);
    if (check === 'none') continue;
    // The check field is the last thing before the index: flip its first byte.
    const size = { crc32: 4, crc64: 8, sha256: 32 }[check]!;
    const idx = file.length - 12 - indexSize(file);
    const bad = Buffer.from(file);
    bad[idx - size] ^= 0x01;
    assert.throws(() => unxz(bad), /integrity check failed/, check);
  }
});

function indexSize(file: Buffer): number {
  return (file.readUInt32LE(file.length - 8) + 1) * 4;
}

test('empty and 1-byte inputs', () => {
  assert.equal(unxz(xz(Buffer.alloc(0), [])).length, 0);
  assert.deepEqual(unxz(xz(Buffer.from('x'), [])), Buffer.from('x'));
  assert.deepEqual(unxz(xz(Buffer.from([0]), ['--check=sha256'])), Buffer.from([0]));
});

test('incompressible data comes in uncompressed LZMA2 chunks', () => {
  const input = randomBytes(400_000);
  const file = xz(input, ['-6']);
  const s = chunkStats(file);
  assert.ok(s.stored >= 2, `stored chunks: ${JSON.stringify(s)}`);
  assert.deepEqual(unxz(file), input);
});

test('several MB across many LZMA2 chunks, with state resets and uncompressed chunks between', () => {
  const parts: Buffer[] = [];
  for (let i = 0; i < 6; i++) parts.push(text(700_000, i + 10), randomBytes(150_000));
  const input = Buffer.concat(parts);
  const file = xz(input, ['-3']);
  const s = chunkStats(file);
  assert.ok(s.lzma >= 5 && s.stored >= 2 && s.stateResets >= 2 && s.continued >= 1, JSON.stringify(s));
  assert.equal(sha(unxz(file)), sha(input));
});

test('several blocks: --block-size, single- and multi-threaded (sizes in the block headers)', () => {
  const input = Buffer.concat([text(900_000, 5), randomBytes(20_000), text(300_000, 6)]);
  let sized = 0;
  for (const args of [['-T1', '--block-size=100KiB'], ['-T2', '--block-size=256KiB'], ['-T1', '--block-list=1000,70000,200KiB']]) {
    const file = execFileSync('xz', ['-c', '-6', ...args], { input, maxBuffer: 64 * 1024 * 1024 });
    const s = chunkStats(file);
    assert.ok(s.blocks >= 3, args.join(' '));
    sized += s.sized;
    assert.equal(sha(unxz(file)), sha(input), args.join(' '));
  }
  assert.ok(sized >= 3, 'some blocks carry their sizes in the header');
});

test('concatenated streams and stream padding', () => {
  const a = text(10_000, 1);
  const b = randomBytes(5000);
  const c = Buffer.alloc(0);
  const xa = xz(a, ['--check=crc32']);
  const xb = xz(b, ['--check=sha256']);
  const xc = xz(c, ['--check=none']);
  const want = Buffer.concat([a, b, c]);
  assert.deepEqual(unxz(Buffer.concat([xa, xb, xc])), want);
  assert.deepEqual(unxz(Buffer.concat([xa, Buffer.alloc(4), xb, Buffer.alloc(12), xc, Buffer.alloc(8)])), want);
  // And what the xz CLI itself makes of the same bytes.
  const cli = execFileSync('xz', ['-dc'], { input: Buffer.concat([xa, Buffer.alloc(4), xb, xc, Buffer.alloc(4)]) });
  assert.deepEqual(cli, want);
  assert.throws(() => unxz(Buffer.concat([xa, Buffer.alloc(3)])), /stream padding is not a multiple of four/);
  assert.throws(() => unxz(Buffer.concat([xa, Buffer.alloc(4), Buffer.from('junk')])), /data after the stream/);
});

test('LZMA properties: lc/lp/pb combinations, dictionary sizes, match finders, modes', () => {
  const input = Buffer.concat([text(120_000, 9), randomBytes(2000), text(40_000, 2)]);
  // A binary-ish input where lp/pb matter (4-byte records).
  const records = Buffer.alloc(80_000);
  for (let i = 0; i < records.length; i += 4) records.writeUInt32LE((i * 2654435761) >>> 12 & 0xffff, i);
  const options = [
    'lc=0,lp=0,pb=0', 'lc=4,lp=0,pb=2', 'lc=0,lp=4,pb=4', 'lc=1,lp=3,pb=1', 'lc=2,lp=2,pb=3', 'lc=3,lp=1,pb=4', 'lc=4,lp=0,pb=0',
    'dict=4KiB', 'dict=12KiB,lc=0', 'dict=1MiB,mf=hc3', 'mf=hc4,mode=fast', 'mf=bt2,nice=273', 'mf=bt3,depth=1000', 'preset=9e,mf=bt4',
  ];
  for (const opt of options) {
    for (const data of [input, records]) assert.equal(sha(unxz(xz(data, [`--lzma2=${opt}`]))), sha(data), opt);
  }
});

test('a real control.tar.xz from dpkg-deb', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-xz-'));
  try {
    const file = await makeDeb(dir, { name: 'python3-xzcheck', version: '2.0-1' });
    const deb = await readFile(file);
    const member = listArMembers(deb).find((m) => m.name === 'control.tar.xz')!;
    const data = deb.subarray(member.offset, member.offset + member.size);
    const want = execFileSync('xz', ['-dc'], { input: data });
    assert.deepEqual(unxz(data), want);
    assert.match(unxz(data).toString('latin1'), /Package: python3-xzcheck/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the output is exactly maxOutput bytes at most: equal passes, one less is refused', () => {
  const input = text(50_000, 4);
  const file = xz(input, []);
  assert.deepEqual(xzDecompressSync(file, { maxOutput: input.length }), input);
  assert.throws(() => xzDecompressSync(file, { maxOutput: input.length - 1 }), { name: 'XzLimitError', message: /exceeds the limit of 49999 bytes/ });
});
