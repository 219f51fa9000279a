/**
 * The xz decoder on untrusted input: every truncation, every bit flip, wrong magic, filters it
 * does not do, bombs, and container fields put wrong one at a time (test/helpers/xz-craft.ts).
 * Everything must be refused with an XzError saying what is wrong; nothing may hang, crash with
 * another error, or come back as data a check should have caught.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { xzDecompressSync, XzError } from '../../../../src/lib/compress/xz.js';
import { blockHeader, checkOf, crc32, index, le32, lzma2Stored, storedStream, stream, streamFooter, streamHeader, vli } from '../../../helpers/xz-craft.js';

const MAX = 16 * 1024 * 1024;
const xz = (input: Buffer, args: string[]): Buffer => execFileSync('xz', ['-c', '-T1', ...args], { input, maxBuffer: 256 * 1024 * 1024 });
const unxz = (data: Uint8Array, maxOutput = MAX): Buffer => xzDecompressSync(data, { maxOutput });
const plain = Buffer.from('Package: python3-x\nVersion: 1.0-1\nArchitecture: all\n'.repeat(20));

/** Decode; return 'ok' with the data or the XzError's message; anything else fails the test. */
function outcome(data: Uint8Array): { ok: Buffer } | { error: string } {
  try {
    return { ok: unxz(data) };
  } catch (err) {
    assert.ok(err instanceof XzError, `not an XzError: ${String(err)}`);
    assert.ok(err.message.length > 0 && err.message.length < 120);
    return { error: err.message };
  }
}

test('every truncation of a small stream is refused', () => {
  for (const file of [xz(plain, ['--check=crc64']), xz(plain, ['--check=none']), storedStream(plain, 10)]) {
    for (let n = 0; n < file.length; n++) {
      const r = outcome(file.subarray(0, n));
      assert.ok('error' in r, `a ${n}-byte prefix of ${file.length} was accepted`);
    }
    assert.deepEqual(unxz(file), plain);
  }
  assert.throws(() => unxz(Buffer.alloc(0)), /not an xz file \(too short\)/);
});

test('every bit flip is refused when there is a check; without one nothing crashes', () => {
  for (const check of ['crc32', 'crc64', 'sha256']) {
    const file = xz(plain, [`--check=${check}`, '-9']);
    for (let i = 0; i < file.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = Buffer.from(file);
        bad[i] ^= 1 << bit;
        const r = outcome(bad);
        assert.ok('error' in r, `${check}: flipping bit ${bit} of byte ${i} of ${file.length} was accepted`);
      }
    }
  }
  // Without a check a flipped data bit may decode to other bytes; it must still end cleanly.
  const file = xz(plain, ['--check=none']);
  let accepted = 0;
  for (let i = 0; i < file.length; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const bad = Buffer.from(file);
      bad[i] ^= 1 << bit;
      if ('ok' in outcome(bad)) accepted++;
    }
  }
  assert.ok(accepted < file.length * 8, 'most flips are still caught by the container and LZMA2 checks');
});

test('random garbage after a valid header is refused, never hangs', () => {
  const header = streamHeader(4);
  for (let i = 0; i < 300; i++) {
    const r = outcome(Buffer.concat([header, randomBytes(1 + (i % 200))]));
    assert.ok('error' in r);
  }
});

test('wrong magic: .lzma, gzip, and a near miss', () => {
  assert.throws(() => unxz(xz(plain, ['--format=lzma'])), /not an xz file \(bad magic bytes\)/);
  assert.throws(() => unxz(execFileSync('gzip', ['-c'], { input: plain })), /not an xz file \(bad magic bytes\)/);
  const near = xz(plain, []);
  near[3] = 0x59;
  assert.throws(() => unxz(near), /not an xz file \(bad magic bytes\)/);
});

test('filters other than LZMA2 alone are refused by name', () => {
  assert.throws(() => unxz(xz(plain, ['--x86', '--lzma2'])), /unsupported xz filter x86 BCJ \(only LZMA2 alone is supported\)/);
  assert.throws(() => unxz(xz(plain, ['--delta=dist=4', '--lzma2'])), /unsupported xz filter delta/);
  assert.throws(() => unxz(xz(plain, ['--arm64', '--lzma2'])), /unsupported xz filter ARM64 BCJ/);
  const twoLzma2 = stream([{ payload: lzma2Stored(plain), plain, filters: [[0x21, Buffer.from([0x16])], [0x21, Buffer.from([0x16])]] }]);
  assert.throws(() => unxz(twoLzma2), /unsupported xz filter chain/);
  const unknown = stream([{ payload: lzma2Stored(plain), plain, filters: [[0x4000, Buffer.alloc(0)]] }]);
  assert.throws(() => unxz(unknown), /unsupported xz filter 0x4000/);
});

test('a bomb is refused at maxOutput, without allocating what it claims', () => {
  const bomb = xz(Buffer.alloc(100 * 1024 * 1024), ['-1']);
  assert.ok(bomb.length < 100_000);
  const before = process.memoryUsage().arrayBuffers;
  assert.throws(() => unxz(bomb, 32 * 1024 * 1024), { name: 'XzLimitError', message: 'output exceeds the limit of 33554432 bytes' });
  // Geometric growth leaves the smaller buffers as garbage: at most ~2 x maxOutput, never 100 MB.
  assert.ok(process.memoryUsage().arrayBuffers - before < 72 * 1024 * 1024, 'stayed near maxOutput');
  // A block header that declares more than maxOutput is refused before any decoding.
  const big = stream([{ payload: lzma2Stored(plain), plain, uncompressedSize: 2 ** 40 }]);
  assert.throws(() => unxz(big), { name: 'XzLimitError' });
});

test('the index must describe the blocks: records, count, sizes, CRC32, backward size', () => {
  const payload = lzma2Stored(plain);
  const header = blockHeader({ payload, plain });
  const sum = checkOf(1, plain);
  const pad = Buffer.alloc((4 - (payload.length % 4)) % 4);
  const unpadded = header.length + payload.length + sum.length;
  const build = (idx: Buffer, backward = idx.length) => Buffer.concat([streamHeader(1), header, payload, pad, sum, idx, streamFooter(backward, 1)]);
  assert.deepEqual(unxz(build(index([[unpadded, plain.length]]))), plain);
  assert.throws(() => unxz(build(index([[unpadded, plain.length + 1]]))), /index \(an uncompressed size differs from the block\)/);
  assert.throws(() => unxz(build(index([[unpadded + 4, plain.length]]))), /index \(a block size differs from the block\)/);
  assert.throws(() => unxz(build(index([[unpadded, plain.length], [unpadded, plain.length]]))), /index \(number of records differs/);
  assert.throws(() => unxz(build(index([]))), /index \(number of records differs/);
  const badCrc = index([[unpadded, plain.length]]);
  badCrc[badCrc.length - 1] ^= 0xff;
  assert.throws(() => unxz(build(badCrc)), /index \(CRC32 mismatch\)/);
  const idx = index([[unpadded, plain.length]]);
  assert.throws(() => unxz(build(idx, idx.length + 4)), /backward size does not match the index/);
  // Non-zero index padding, with a CRC32 that matches it.
  const body = Buffer.concat([Buffer.from([0]), vli(1), vli(unpadded), vli(plain.length)]);
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4, 1)]);
  if (padded.length > body.length) assert.throws(() => unxz(build(Buffer.concat([padded, le32(crc32(padded))]))), /index \(non-zero padding\)/);
});

test('block headers: CRC32, reserved flags, sizes that lie, header padding, LZMA2 properties', () => {
  const good = { payload: lzma2Stored(plain), plain };
  assert.deepEqual(unxz(stream([{ ...good, compressedSize: good.payload.length, uncompressedSize: plain.length }])), plain);
  assert.throws(() => unxz(stream([{ ...good, compressedSize: good.payload.length + 1 }])), /compressed size differs from its header|truncated/);
  assert.throws(() => unxz(stream([{ ...good, compressedSize: good.payload.length - 1 }])), /truncated LZMA2 data/);
  assert.throws(() => unxz(stream([{ ...good, uncompressedSize: plain.length - 1 }])), /uncompressed size differs from its header/);
  assert.throws(() => unxz(stream([{ ...good, compressedSize: 0 }])), /compressed size 0/);
  assert.throws(() => unxz(stream([{ ...good, flagBits: 0x04 }])), /reserved flag bits/);
  assert.throws(() => unxz(stream([{ ...good, padByte: 1 }])), /non-zero padding/);
  assert.throws(() => unxz(stream([{ ...good, filters: [[0x21, Buffer.from([41])]] }])), /dictionary larger than 4 GiB/);
  assert.throws(() => unxz(stream([{ ...good, filters: [[0x21, Buffer.from([0x40])]] }])), /reserved bits set/);
  assert.throws(() => unxz(stream([{ ...good, filters: [[0x21, Buffer.from([0x16, 0])]] }])), /LZMA2 properties are not one byte/);
  assert.deepEqual(unxz(stream([{ ...good, filters: [[0x21, Buffer.from([40])]] }])), plain);
  const file = storedStream(plain);
  file[12 + 3] ^= 0x10; // a header byte under the header CRC32
  assert.throws(() => unxz(file), /block header \(CRC32 mismatch\)/);
});

test('stream header and footer: CRC32, flags, unsupported checks, magic', () => {
  const file = storedStream(plain);
  const flags = Buffer.from(file);
  flags[7] = 0x02; // check type 2 is reserved, with a valid header CRC32
  le32(crc32(flags.subarray(6, 8))).copy(flags, 8);
  assert.throws(() => unxz(flags), /unsupported integrity check type 0x2/);
  const reserved = Buffer.from(file);
  reserved[6] = 0x01;
  le32(crc32(reserved.subarray(6, 8))).copy(reserved, 8);
  assert.throws(() => unxz(reserved), /reserved bits set/);
  const hcrc = Buffer.from(file);
  hcrc[8] ^= 1;
  assert.throws(() => unxz(hcrc), /stream header \(CRC32 mismatch\)/);
  const fmagic = Buffer.from(file);
  fmagic[fmagic.length - 1] = 0x00;
  assert.throws(() => unxz(fmagic), /stream footer \(bad magic bytes\)/);
  const fflags = Buffer.from(file);
  fflags[fflags.length - 3] = 0x04; // footer says CRC64, header CRC32 (footer CRC32 fixed up)
  le32(crc32(fflags.subarray(fflags.length - 8, fflags.length - 2))).copy(fflags, fflags.length - 12);
  assert.throws(() => unxz(fflags), /flags differ from the header/);
  const fcrc = Buffer.from(file);
  fcrc[fcrc.length - 12] ^= 1;
  assert.throws(() => unxz(fcrc), /stream footer \(CRC32 mismatch\)/);
});

test('LZMA2 chunks: first chunk must reset the dictionary, control bytes, properties, lc + lp', () => {
  const chunk = (control: number, data: Buffer) => Buffer.concat([Buffer.from([control, (data.length - 1) >> 8, (data.length - 1) & 0xff]), data]);
  const one = (payload: Buffer, p = plain) => unxz(stream([{ payload, plain: p }]));
  const a = Buffer.from('abc');
  assert.deepEqual(one(Buffer.concat([chunk(1, a), chunk(2, a), chunk(1, a), Buffer.from([0])]), Buffer.from('abcabcabc')), Buffer.from('abcabcabc'));
  assert.throws(() => one(Buffer.concat([chunk(2, a), Buffer.from([0])]), a), /first chunk does not reset the dictionary/);
  assert.throws(() => one(Buffer.concat([chunk(1, a), Buffer.from([0x03])]), a), /invalid control byte 0x3/);
  // An LZMA chunk with state reset but no properties right after a dictionary reset.
  const lzmaNoProps = Buffer.from([0xa0, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 0, 0]);
  assert.throws(() => one(Buffer.concat([chunk(1, a), lzmaNoProps, Buffer.from([0])]), a), /LZMA chunk without properties/);
  // Properties: (pb * 5 + lp) * 9 + lc; lc = 4 with lp = 1 is past LZMA2's lc + lp <= 4.
  const withProps = (props: number) => Buffer.from([0xe0, 0x00, 0x00, 0x00, 0x04, props, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => one(withProps((0 * 5 + 1) * 9 + 4), a), /lc \+ lp is greater than 4/);
  assert.throws(() => one(withProps(225), a), /invalid LZMA properties/);
  // A range coder whose first byte is not 0.
  assert.throws(() => one(Buffer.from([0xe0, 0x00, 0x00, 0x00, 0x04, 0x5d, 1, 0, 0, 0, 0, 0]), a), /bad range coder start/);
  // Missing end byte: the block padding is read as the end byte, and the index catches the size.
  assert.throws(() => one(chunk(1, a), a), /index \(a block size differs from the block\)/);
  assert.throws(() => unxz(Buffer.concat([streamHeader(0), blockHeader({ payload: a, plain: a }), chunk(1, a)])), /truncated LZMA2 data/);
});

test('garbage LZMA data inside a valid container ends cleanly (range decoder, distances, sizes)', () => {
  // LZMA chunks of random bytes (lc=3 lp=0 pb=2, 64 KiB claimed) and random bit flips of real
  // LZMA data without a check: decoding may fail anywhere or produce bytes, never anything else.
  const outcomes = new Set<string>();
  for (let i = 0; i < 400; i++) {
    const body = randomBytes(20 + (i % 300));
    body[0] = 0;
    const chunk = Buffer.concat([Buffer.from([0xe0, 0xff, 0xff, (body.length - 1) >> 8, (body.length - 1) & 0xff, 0x5d]), body, Buffer.from([0])]);
    const r = outcome(stream([{ payload: chunk, plain: Buffer.alloc(0) }], 0));
    outcomes.add('error' in r ? r.error.replace(/\d+/g, 'N') : 'ok');
  }
  const big = xz(Buffer.concat([plain, randomBytes(500), plain.subarray(100), plain]), ['--check=none', '-9e']);
  for (let i = 0; i < 2000; i++) {
    const bad = Buffer.from(big);
    const at = 12 + 12 + Math.floor(Math.random() * (big.length - 60));
    bad[at] ^= 1 << (i % 8);
    const r = outcome(bad);
    outcomes.add('error' in r ? r.error.replace(/\d+/g, 'N') : 'ok');
  }
  assert.ok([...outcomes].some((o) => /distance|range coder|reads past|match runs past|does not end/.test(o)), [...outcomes].join('; '));
});
