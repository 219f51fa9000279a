/**
 * CRC64 over data that is mostly zeros, fast from the first call. A control.tar is ~10 KiB of
 * which a few hundred bytes are not zero (tar pads to 10 KiB), and a CLI run decodes a few
 * thousand of them, so zero runs are found (an unrolled word scan, and one native compare for a
 * tail that may be all zeros) and skipped instead of hashed byte by byte.
 *
 * Why a zero run can be skipped: a zero byte maps the (uninverted) CRC state s to
 * T[s & 0xff] ^ (s >>> 8), which is linear in s over GF(2). So n zero bytes are one linear map,
 * given by the images of the 64 state bits: one step per run of 64 * 2^k bytes. The map for
 * 2^(k+1) is the map for 2^k applied twice.
 */
import { crc64Update } from './crc.js';

const RUN = 64; // the shortest zero run skipped
const LEVELS = 8; // runs of 64 B ... 8 KiB
const ZEROS = new Uint8Array(RUN);

/**
 * The map of a zero run of RUN << k bytes, as tables over the 16 nibbles of the state
 * (lo/hi[nibble * 16 + value]): 256 entries a level, cheap to build on first use (a CLI run pays
 * for building them before the engine has optimised anything), 32 loads to apply.
 */
interface ZeroRun { lo: Int32Array; hi: Int32Array }
const levels: ZeroRun[] = [];

function level(k: number): ZeroRun {
  const have = levels[k];
  if (have) return have;
  // The images of the 64 state bits: for k = 0 by running the byte tables over RUN zeros, for
  // k > 0 by applying the map of half the run to the half-run images (twice the run).
  const bitLo = new Int32Array(64);
  const bitHi = new Int32Array(64);
  const st = new Int32Array(2);
  const half = k > 0 ? level(k - 1) : undefined;
  for (let bit = 0; bit < 64; bit++) {
    if (half) {
      st[0] = half.lo[(bit >>> 2) * 16 + (1 << (bit & 3))]!;
      st[1] = half.hi[(bit >>> 2) * 16 + (1 << (bit & 3))]!;
      skip(st, half);
    } else {
      st[0] = bit < 32 ? 1 << bit : 0;
      st[1] = bit < 32 ? 0 : 1 << (bit - 32);
      crc64Update(st, ZEROS, 0, RUN);
    }
    bitLo[bit] = st[0]!;
    bitHi[bit] = st[1]!;
  }
  const lo = new Int32Array(256);
  const hi = new Int32Array(256);
  for (let nib = 0; nib < 16; nib++) {
    for (let v = 1; v < 16; v++) {
      const bit = nib * 4 + (31 - Math.clz32(v & -v));
      lo[nib * 16 + v] = lo[nib * 16 + (v & (v - 1))]! ^ bitLo[bit]!;
      hi[nib * 16 + v] = hi[nib * 16 + (v & (v - 1))]! ^ bitHi[bit]!;
    }
  }
  const run = { lo, hi };
  levels[k] = run;
  return run;
}

/** Apply a zero-run map to the state (bits 0-31 in st[0], 32-63 in st[1]). */
function skip(st: Int32Array, z: ZeroRun): void {
  const sl = st[0]!;
  const sh = st[1]!;
  let l = 0;
  let h = 0;
  for (let nib = 0; nib < 8; nib++) {
    const a = nib * 16 + ((sl >>> (nib * 4)) & 15);
    const b = (nib + 8) * 16 + ((sh >>> (nib * 4)) & 15);
    l ^= z.lo[a]! ^ z.lo[b]!;
    h ^= z.hi[a]! ^ z.hi[b]!;
  }
  st[0] = l;
  st[1] = h;
}

const state = new Int32Array(2);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** CRC64 of data[start, end) as its 8 little-endian bytes, the order the .xz check field stores. */
export function crc64(data: Uint8Array, start = 0, end = data.length): Uint8Array {
  const st = state;
  st[0] = ~0;
  st[1] = ~0;
  // Bytes up to an 8-byte boundary of the memory, aligned words, then the last bytes.
  const head = LITTLE_ENDIAN ? Math.min(end, start + ((8 - ((data.byteOffset + start) & 7)) & 7)) : end;
  crc64Update(st, data, start, head);
  const words = (end - head) >>> 3;
  if (words > 0) crc64Words(st, data, head, words);
  crc64Update(st, data, head + words * 8, end);
  const l = ~st[0]!;
  const h = ~st[1]!;
  return Uint8Array.of(l & 0xff, (l >>> 8) & 0xff, (l >>> 16) & 0xff, l >>> 24, h & 0xff, (h >>> 8) & 0xff, (h >>> 16) & 0xff, h >>> 24);
}

/**
 * `words` aligned 8-byte words from data[at]: a zero run found by an unrolled word scan (or one
 * native compare when all that is left may be zero, as at the end of a tar) is skipped in steps
 * of the largest zero-run maps that fit; everything else goes to the byte tables.
 */
function crc64Words(st: Int32Array, data: Uint8Array, at: number, words: number): void {
  const w = new Int32Array(data.buffer, data.byteOffset + at, words * 2);
  const n = w.length;
  let from = 0; // first word not yet in the CRC
  let j = 0;
  while (j < n) {
    if ((w[j]! | w[j + 1]!) !== 0) {
      j += 2;
      continue;
    }
    // A zero word at j: how long is the run (in words, a multiple of 8 past j + 2)?
    let k = j + 2;
    for (const last = n - 8; k <= last && (w[k]! | w[k + 1]! | w[k + 2]! | w[k + 3]! | w[k + 4]! | w[k + 5]! | w[k + 6]! | w[k + 7]!) === 0;) {
      k += 8;
      if (k - j === 34 && n - k >= 512 && allZero(data, at + k * 4, at + n * 4)) k = n;
    }
    const runBytes = (k - j) * 4;
    if (runBytes < RUN) {
      j = k + 2;
      continue;
    }
    crc64Update(st, data, at + from * 4, at + j * 4);
    let left = runBytes - (runBytes % RUN);
    for (let lv = LEVELS - 1; lv >= 0; lv--) {
      const len = RUN << lv;
      for (; left >= len; left -= len) skip(st, level(lv));
    }
    j += (runBytes - (runBytes % RUN)) / 4;
    from = j;
  }
  crc64Update(st, data, at + from * 4, at + n * 4);
}

let zeroBlock: Buffer | undefined;

/** Whether data[from, to) is all zeros, by native compares of up to 64 KiB. */
function allZero(data: Uint8Array, from: number, to: number): boolean {
  const zeros = zeroBlock ?? (zeroBlock = Buffer.alloc(1 << 16));
  for (let i = from; i < to; i += zeros.length) {
    const len = Math.min(zeros.length, to - i);
    if (zeros.compare(data, i, i + len, 0, len) !== 0) return false;
  }
  return true;
}
