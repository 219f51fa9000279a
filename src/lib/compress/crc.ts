/**
 * CRC32 and CRC64 as the .xz format uses them (xz file format 1.x, section 6 "Cyclic Redundancy
 * Checks"): CRC32 is the reflected IEEE-802.3 polynomial 0xEDB88320, CRC64 the reflected ECMA-182
 * polynomial 0xC96C5795D7870F42; both start from all ones and are inverted at the end.
 *
 * Written here (node:zlib has no CRC64) because the xz decoder checks every block of every
 * control.tar.xz it reads. Both use slicing-by-8 (eight 256-entry tables, one 8-byte word per
 * step); CRC64 is kept as two 32-bit halves in Int32Arrays (no BigInt in the loop). CRC64, the
 * check dpkg-deb and xz use by default, also skips zero runs natively (./crc64-zeros.ts).
 */

const SLICES = 8;

function crc32Tables(): Int32Array {
  const t = new Int32Array(SLICES * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    t[n] = c;
  }
  // Table s: the CRC of byte n followed by s zero bytes.
  for (let s = 1; s < SLICES; s++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(s - 1) * 256 + n]!;
      t[s * 256 + n] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
}

function crc64Tables(): { lo: Int32Array; hi: Int32Array } {
  const lo = new Int32Array(SLICES * 256);
  const hi = new Int32Array(SLICES * 256);
  for (let n = 0; n < 256; n++) {
    let l = n;
    let h = 0;
    for (let k = 0; k < 8; k++) {
      const bit = l & 1;
      l = (l >>> 1) | (h << 31);
      h >>>= 1;
      if (bit) {
        l ^= 0xd7870f42;
        h ^= 0xc96c5795;
      }
    }
    lo[n] = l;
    hi[n] = h;
  }
  for (let s = 1; s < SLICES; s++) {
    for (let n = 0; n < 256; n++) {
      const pl = lo[(s - 1) * 256 + n]!;
      const ph = hi[(s - 1) * 256 + n]!;
      const i = pl & 0xff;
      lo[s * 256 + n] = ((pl >>> 8) | (ph << 24)) ^ lo[i]!;
      hi[s * 256 + n] = (ph >>> 8) ^ hi[i]!;
    }
  }
  return { lo, hi };
}

const T32 = crc32Tables();
const T64 = crc64Tables();

/** CRC32 of data[start, end), as an unsigned 32-bit number. */
export function crc32(data: Uint8Array, start = 0, end = data.length): number {
  const t = T32;
  let c = ~0;
  let i = start;
  for (const last = end - 8; i <= last; i += 8) {
    c ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    const w = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
    c = t[1792 + (c & 0xff)]! ^ t[1536 + ((c >>> 8) & 0xff)]! ^ t[1280 + ((c >>> 16) & 0xff)]! ^ t[1024 + (c >>> 24)]!
      ^ t[768 + (w & 0xff)]! ^ t[512 + ((w >>> 8) & 0xff)]! ^ t[256 + ((w >>> 16) & 0xff)]! ^ t[w >>> 24]!;
  }
  for (; i < end; i++) c = (c >>> 8) ^ t[(c ^ data[i]!) & 0xff]!;
  return ~c >>> 0;
}

/** Advance a CRC64 state (st[0] low, st[1] high half, not inverted) over data[from, to). */
export function crc64Update(st: Int32Array, data: Uint8Array, from: number, to: number): void {
  const { lo, hi } = T64;
  let l = st[0]!;
  let h = st[1]!;
  let i = from;
  for (const last = to - 8; i <= last; i += 8) {
    const a = l ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    const b = h ^ (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24));
    const i7 = 1792 + (a & 0xff), i6 = 1536 + ((a >>> 8) & 0xff), i5 = 1280 + ((a >>> 16) & 0xff), i4 = 1024 + (a >>> 24);
    const i3 = 768 + (b & 0xff), i2 = 512 + ((b >>> 8) & 0xff), i1 = 256 + ((b >>> 16) & 0xff), i0 = b >>> 24;
    l = lo[i7]! ^ lo[i6]! ^ lo[i5]! ^ lo[i4]! ^ lo[i3]! ^ lo[i2]! ^ lo[i1]! ^ lo[i0]!;
    h = hi[i7]! ^ hi[i6]! ^ hi[i5]! ^ hi[i4]! ^ hi[i3]! ^ hi[i2]! ^ hi[i1]! ^ hi[i0]!;
  }
  for (; i < to; i++) {
    const n = (l ^ data[i]!) & 0xff;
    l = ((l >>> 8) | (h << 24)) ^ lo[n]!;
    h = (h >>> 8) ^ hi[n]!;
  }
  st[0] = l;
  st[1] = h;
}
