/**
 * CRC32 and CRC64 of the xz checks: against node:zlib's crc32 and a bit-at-a-time BigInt CRC64
 * (the definition, ECMA-182 reflected), on data with zero runs of every length around the
 * zero-run skipping thresholds, at every alignment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32 } from '../../../../src/lib/compress/crc.js';
import { crc64 } from '../../../../src/lib/compress/crc64-zeros.js';

function crc64Reference(data: Uint8Array): string {
  const poly = 0xc96c5795d7870f42n;
  let c = 0xffffffffffffffffn;
  for (const byte of data) {
    c ^= BigInt(byte);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
  }
  return (c ^ 0xffffffffffffffffn).toString(16).padStart(16, '0');
}
const hex64 = (le: Uint8Array) => Buffer.from(le).reverse().toString('hex');

test('check values of "123456789"', () => {
  assert.equal(crc32(Buffer.from('123456789')).toString(16), 'cbf43926');
  assert.equal(hex64(crc64(Buffer.from('123456789'))), '995dc9bbdf1939fa');
  assert.equal(hex64(crc64(new Uint8Array(0))), '0000000000000000');
});

test('crc32 equals zlib on every length and offset', () => {
  const data = randomBytes(3000);
  for (let start = 0; start < 9; start++) {
    for (const len of [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 2990]) {
      assert.equal(crc32(data, start, start + len), zlibCrc32(data.subarray(start, start + len)) >>> 0, `${start}+${len}`);
    }
  }
});

test('crc64 equals the bitwise definition around zero runs of every size, at every alignment', () => {
  const runs = [1, 7, 8, 31, 63, 64, 65, 127, 128, 129, 200, 255, 256, 511, 512, 2047, 2048, 2049, 4100, 8191, 8192, 8193, 20000, 70000];
  for (const run of runs) {
    const data = Buffer.concat([randomBytes(37), Buffer.alloc(run), randomBytes(5), Buffer.alloc(run >> 1), randomBytes(3)]);
    for (let start = 0; start < 9; start++) {
      const view = data.subarray(start);
      assert.equal(hex64(crc64(view)), crc64Reference(view), `run ${run}, offset ${start}`);
      assert.equal(hex64(crc64(data, start, data.length - 1)), crc64Reference(data.subarray(start, data.length - 1)), `run ${run}, range from ${start}`);
    }
  }
  // All zeros to the end (the native tail check), and a plain Uint8Array.
  const tail = new Uint8Array(Buffer.concat([randomBytes(300), Buffer.alloc(12000)]));
  assert.equal(hex64(crc64(tail)), crc64Reference(tail));
  const dense = randomBytes(5000);
  assert.equal(hex64(crc64(dense)), crc64Reference(dense));
});
