/**
 * LZMA decoding of one LZMA2 chunk: the range decoder and the LZMA symbol decoder, written from the
 * LZMA specification (Igor Pavlov, lzma-specification.txt in the LZMA SDK; section names below are
 * its own). LZMA2 (./lzma2.ts) owns the chunking, resets and properties; it calls decodeChunk with
 * the exact compressed and uncompressed sizes of a chunk, so here:
 *   - every input read is inside the chunk (a read past it is an error, never a zero byte);
 *   - a match may not start before the dictionary, be farther than the dictionary size, or run past
 *     the chunk's uncompressed size (LZMA2 chunks end on a symbol boundary);
 *   - the end-of-stream marker is refused (LZMA2 does not use it) and the chunk must use all its
 *     input and leave the range decoder finished (code 0), as the reference decoders require.
 * Each loop iteration writes at least one byte and the output is bounded, so it always ends.
 * Small methods for the range coder (the engine inlines them), int32 fields, one shared
 * probability array: this runs for every control.tar.xz of every .deb a repository publishes.
 */
import type { OutputBuffer } from './output.js';
import { XzError } from './xz-error.js';

// "The range decoder": probabilities are 11-bit (2048 is one), adapt by 1/32 (>>> 5), and the
// range is renormalised below 2^24 (16777216). These are written as literals in the hot code:
// a module constant costs the engine a context load and a hole check on every use before it
// has optimised the function, which is most of a short CLI run.
const HALF = 1024;

// "The probability model": offsets into one Uint16Array.
const IS_MATCH = 0; // [state << 4 | posState]
const IS_REP = IS_MATCH + 12 * 16;
const IS_REP_G0 = IS_REP + 12;
const IS_REP_G1 = IS_REP_G0 + 12;
const IS_REP_G2 = IS_REP_G1 + 12;
const IS_REP0_LONG = IS_REP_G2 + 12; // [state << 4 | posState]
const POS_SLOT = IS_REP0_LONG + 12 * 16; // [lenState][64]
const SPEC_POS = POS_SLOT + 4 * 64; // 1 + kNumFullDistances - kEndPosModelIndex = 115
const ALIGN = SPEC_POS + 115; // 16
const LEN = ALIGN + 16; // choice, choice2, low[16][8], mid[16][8], high[256]
const LEN_SIZE = 2 + 16 * 8 + 16 * 8 + 256;
const REP_LEN = LEN + LEN_SIZE;
const LITERAL = REP_LEN + LEN_SIZE; // 0x300 per literal context
const END_POS_MODEL = 14; // kEndPosModelIndex
const MATCH_MIN = 2; // kMatchMinLen
const EMPTY = new Uint8Array(0);

/**
 * Probabilities, shared by every decoder: decoding is synchronous and one block at a time, and a
 * state reset refills them, so one array saves allocating ~28 KB per block.
 */
const PROBS = new Uint16Array(LITERAL + (0x300 << 4));

const CORRUPT_READ = 'corrupt LZMA chunk (reads past its compressed size)';
const CORRUPT_DIST = 'corrupt LZMA chunk (distance before the dictionary start)';

export class LzmaDecoder {
  private lc = 0;
  private lp = 0;
  private pb = 0;
  private readonly probs = PROBS;
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;
  // "The range decoder": range and code are unsigned 32-bit, kept as int32 (| 0) and compared
  // as unsigned (>>> 0), so they stay small integers for the engine.
  private range = 0;
  private code = 0;
  private input: Uint8Array = EMPTY;
  private inPos = 0;
  private inEnd = 0;
  // The chunk being decoded: the output (also the dictionary) and where it stops.
  private buf: Uint8Array = EMPTY;
  private pos = 0;
  private end = 0;
  private dictStart = 0;

  constructor(private readonly dictSize: number) {}

  /** New lc/lp/pb (the caller checked lc + lp <= 4); LZMA2 always resets the state with them. */
  setProperties(lc: number, lp: number, pb: number): void {
    this.lc = lc;
    this.lp = lp;
    this.pb = pb;
  }

  /** "The state": all probabilities to one half, state and the four rep distances to 0. */
  resetState(): void {
    this.probs.fill(HALF, 0, LITERAL + (0x300 << (this.lc + this.lp)));
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
  }

  /** Decode input[from, to) into exactly `size` bytes at out.pos (the caller reserved them). */
  decodeChunk(input: Uint8Array, from: number, to: number, out: OutputBuffer, size: number): void {
    // 5 init bytes; the first is always 0, and code == range (all ones) is corrupt.
    if (to - from < 5 || input[from] !== 0) throw new XzError('corrupt LZMA chunk (bad range coder start)');
    this.code = (input[from + 1]! << 24) | (input[from + 2]! << 16) | (input[from + 3]! << 8) | input[from + 4]!;
    this.range = -1;
    if (this.code === -1) throw new XzError('corrupt LZMA chunk (bad range coder start)');
    this.input = input;
    this.inPos = from + 5;
    this.inEnd = to;
    this.buf = out.buf;
    this.dictStart = out.dictStart;
    this.pos = out.pos;
    this.end = out.pos + size;
    // One symbol a call: the engine optimises a function by how often it is called, and this
    // one is called hundreds of times a chunk (a loop here would wait for many chunks).
    while (this.pos < this.end) this.symbol();
    // The chunk ends exactly where its compressed size says, with the range coder flushed.
    if (this.inPos !== to || this.code !== 0) throw new XzError('corrupt LZMA chunk (does not end at its compressed size)');
    out.pos = this.pos;
    this.buf = EMPTY;
    this.input = EMPTY;
  }

  /**
   * One LZMA symbol: the isMatch bit, then a literal (decoded here with the range coder in
   * locals: literals are most of the bits) or a match (through the methods below).
   */
  private symbol(): void {
    const probs = this.probs;
    const input = this.input;
    const buf = this.buf;
    const pos = this.pos;
    const dictStart = this.dictStart;
    const state = this.state;
    let range = this.range;
    let code = this.code;
    let inPos = this.inPos;
    const posState = (pos - dictStart) & ((1 << this.pb) - 1);
    const mi = IS_MATCH + (state << 4) + posState;
    const mp = probs[mi]!;
    const mbound = ((range >>> 11) * mp) | 0;
    if (code >>> 0 >= mbound >>> 0) {
      // A match.
      range = (range - mbound) | 0;
      code = (code - mbound) | 0;
      probs[mi] = mp - (mp >>> 5);
      if (range >>> 0 < 16777216) {
        if (inPos >= this.inEnd) throw new XzError(CORRUPT_READ);
        range <<= 8;
        code = (code << 8) | input[inPos++]!;
      }
      this.range = range;
      this.code = code;
      this.inPos = inPos;
      const n = this.match(posState);
      const rep0 = this.rep0;
      if (rep0 >= pos - dictStart) throw new XzError(CORRUPT_DIST);
      if (rep0 >= this.dictSize) throw new XzError('corrupt LZMA chunk (distance beyond the dictionary size)');
      if (n > this.end - pos) throw new XzError('corrupt LZMA chunk (match runs past the chunk size)');
      copyMatch(buf, pos, rep0 + 1, n);
      this.pos = pos + n;
      return;
    }
    range = mbound;
    probs[mi] = mp + ((2048 - mp) >>> 5);
    if (range >>> 0 < 16777216) {
      if (inPos >= this.inEnd) throw new XzError(CORRUPT_READ);
      range <<= 8;
      code = (code << 8) | input[inPos++]!;
    }
    // "Literals": the context is the previous byte's top lc bits and the position's low lp bits.
    const lc = this.lc;
    const prev = pos > dictStart ? buf[pos - 1]! : 0;
    const base = LITERAL + 0x300 * ((((pos - dictStart) & ((1 << this.lp) - 1)) << lc) + (prev >>> (8 - lc)));
    let sym = 1;
    if (state >= 7) {
      // After a match, each bit is coded in the context of the byte at rep0 (its bit, from the
      // top) until the first bit that differs; the rest as a plain literal.
      const rep0 = this.rep0;
      if (rep0 >= pos - dictStart) throw new XzError(CORRUPT_DIST);
      let match = buf[pos - rep0 - 1]!;
      do {
        const matchBit = (match >>> 7) & 1;
        match <<= 1;
        const i = base + ((1 + matchBit) << 8) + sym;
        const p = probs[i]!;
        const bound = ((range >>> 11) * p) | 0;
        let b = 0;
        if (code >>> 0 < bound >>> 0) {
          range = bound;
          probs[i] = p + ((2048 - p) >>> 5);
        } else {
          range = (range - bound) | 0;
          code = (code - bound) | 0;
          probs[i] = p - (p >>> 5);
          b = 1;
        }
        if (range >>> 0 < 16777216) {
          if (inPos >= this.inEnd) throw new XzError(CORRUPT_READ);
          range <<= 8;
          code = (code << 8) | input[inPos++]!;
        }
        sym = (sym << 1) | b;
        if (b !== matchBit) break;
      } while (sym < 0x100);
    }
    while (sym < 0x100) {
      const p = probs[base + sym]!;
      const bound = ((range >>> 11) * p) | 0;
      if (code >>> 0 < bound >>> 0) {
        range = bound;
        probs[base + sym] = p + ((2048 - p) >>> 5);
        sym <<= 1;
      } else {
        range = (range - bound) | 0;
        code = (code - bound) | 0;
        probs[base + sym] = p - (p >>> 5);
        sym = (sym << 1) | 1;
      }
      if (range >>> 0 < 16777216) {
        if (inPos >= this.inEnd) throw new XzError(CORRUPT_READ);
        range <<= 8;
        code = (code << 8) | input[inPos++]!;
      }
    }
    buf[pos] = sym & 0xff;
    this.pos = pos + 1;
    this.state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
    this.range = range;
    this.code = code;
    this.inPos = inPos;
  }

  /**
   * After an isMatch 1 bit: which match ("Simple match", "Rep match", "Short rep"), with its
   * length. Updates state and the rep distances; the match is rep0 + 1 bytes back. A short rep
   * is a match of length 1. (Checked against the dictionary by the caller.)
   */
  private match(posState: number): number {
    const state = this.state;
    if (this.bit(IS_REP + state) === 0) {
      // A new distance; the reps shift down.
      const len = this.length(LEN, posState);
      this.state = state < 7 ? 7 : 10;
      const dist = this.distance(len);
      if (dist === 0xffffffff) throw new XzError('corrupt LZMA chunk (end marker inside LZMA2)');
      this.rep3 = this.rep2;
      this.rep2 = this.rep1;
      this.rep1 = this.rep0;
      this.rep0 = dist;
      return len + MATCH_MIN;
    }
    if (this.bit(IS_REP_G0 + state) === 0) {
      if (this.bit(IS_REP0_LONG + (state << 4) + posState) === 0) {
        this.state = state < 7 ? 9 : 11;
        return 1;
      }
    } else {
      let dist: number;
      if (this.bit(IS_REP_G1 + state) === 0) {
        dist = this.rep1;
      } else {
        if (this.bit(IS_REP_G2 + state) === 0) {
          dist = this.rep2;
        } else {
          dist = this.rep3;
          this.rep3 = this.rep2;
        }
        this.rep2 = this.rep1;
      }
      this.rep1 = this.rep0;
      this.rep0 = dist;
    }
    this.state = state < 7 ? 8 : 11;
    return this.length(REP_LEN, posState) + MATCH_MIN;
  }

  /** One adaptive bit ("DecodeBit"), normalising right after it (so the byte count is exact). */
  private bit(i: number): number {
    const probs = this.probs;
    const p = probs[i]!;
    const bound = ((this.range >>> 11) * p) | 0;
    let b: number;
    if (this.code >>> 0 < bound >>> 0) {
      this.range = bound;
      probs[i] = p + ((2048 - p) >>> 5);
      b = 0;
    } else {
      this.range = (this.range - bound) | 0;
      this.code = (this.code - bound) | 0;
      probs[i] = p - (p >>> 5);
      b = 1;
    }
    if (this.range >>> 0 < 16777216) this.shift();
    return b;
  }

  /** Normalisation: one more input byte, which must be inside the chunk. */
  private shift(): void {
    if (this.inPos >= this.inEnd) throw new XzError(CORRUPT_READ);
    this.range <<= 8;
    this.code = (this.code << 8) | this.input[this.inPos++]!;
  }

  /*
   * The multi-bit decoders below repeat bit() with the coder in locals: they are most of the
   * decoding time (8 bits a literal), and a call per bit costs more than the bit.
   */

  /** "BitTreeDecode" over probs[base + 1 ...]: `bits` bits, most significant first. */
  private tree(base: number, bits: number): number {
    const probs = this.probs;
    let range = this.range;
    let code = this.code;
    let m = 1;
    for (const stop = 1 << bits; m < stop;) {
      const p = probs[base + m]!;
      const bound = ((range >>> 11) * p) | 0;
      if (code >>> 0 < bound >>> 0) {
        range = bound;
        probs[base + m] = p + ((2048 - p) >>> 5);
        m <<= 1;
      } else {
        range = (range - bound) | 0;
        code = (code - bound) | 0;
        probs[base + m] = p - (p >>> 5);
        m = (m << 1) | 1;
      }
      if (range >>> 0 < 16777216) {
        if (this.inPos >= this.inEnd) throw new XzError(CORRUPT_READ);
        range <<= 8;
        code = (code << 8) | this.input[this.inPos++]!;
      }
    }
    this.range = range;
    this.code = code;
    return m - (1 << bits);
  }

  /** "BitTreeReverseDecode" over probs[base + 1 ...]: least significant bit first. */
  private reverseTree(base: number, bits: number): number {
    const probs = this.probs;
    let range = this.range;
    let code = this.code;
    let m = 1;
    let sym = 0;
    for (let k = 0; k < bits; k++) {
      const p = probs[base + m]!;
      const bound = ((range >>> 11) * p) | 0;
      if (code >>> 0 < bound >>> 0) {
        range = bound;
        probs[base + m] = p + ((2048 - p) >>> 5);
        m <<= 1;
      } else {
        range = (range - bound) | 0;
        code = (code - bound) | 0;
        probs[base + m] = p - (p >>> 5);
        m = (m << 1) | 1;
        sym |= 1 << k;
      }
      if (range >>> 0 < 16777216) {
        if (this.inPos >= this.inEnd) throw new XzError(CORRUPT_READ);
        range <<= 8;
        code = (code << 8) | this.input[this.inPos++]!;
      }
    }
    this.range = range;
    this.code = code;
    return sym;
  }

  /** "The length decoder": 0..7, 8 + 0..7 or 16 + 0..255 (plus MATCH_MIN by the caller). */
  private length(base: number, posState: number): number {
    if (this.bit(base) === 0) return this.tree(base + 2 + (posState << 3), 3);
    if (this.bit(base + 1) === 0) return 8 + this.tree(base + 2 + 128 + (posState << 3), 3);
    return 16 + this.tree(base + 2 + 256, 8);
  }

  /** "The distance decoder": a slot, then reverse-coded bits, or direct bits and 4 align bits. */
  private distance(len: number): number {
    const slot = this.tree(POS_SLOT + ((len < 3 ? len : 3) << 6), 6);
    if (slot < 4) return slot;
    const direct = (slot >>> 1) - 1;
    const dist = ((2 | (slot & 1)) << direct) >>> 0;
    if (slot < END_POS_MODEL) return dist + this.reverseTree(SPEC_POS + dist - slot, direct);
    let bits = 0;
    for (let k = direct - 4; k > 0; k--) {
      // "DecodeDirectBits": halve the range, the bit is whether code is in the upper half.
      this.range = this.range >>> 1;
      let b = 0;
      if (this.code >>> 0 >= this.range) {
        this.code = (this.code - this.range) | 0;
        b = 1;
      }
      if (this.code >>> 0 >= this.range) throw new XzError('corrupt LZMA chunk (range coder)');
      bits = (bits << 1) | b;
      if (this.range < 16777216) this.shift();
    }
    return dist + bits * 16 + this.reverseTree(ALIGN, 4);
  }
}

/** Copy n bytes from `distance` back (may overlap: a run repeats the last `distance` bytes). */
function copyMatch(buf: Uint8Array, pos: number, distance: number, n: number): void {
  const src = pos - distance;
  if (n < 32) {
    for (let k = 0; k < n; k++) buf[pos + k] = buf[src + k]!;
  } else if (distance === 1) {
    buf.fill(buf[src]!, pos, pos + n);
  } else if (distance >= n) {
    buf.copyWithin(pos, src, src + n);
  } else {
    // Overlapping: copy what exists, which doubles what can be copied next.
    let done = 0;
    while (done < n) {
      const k = Math.min(n - done, distance + done);
      buf.copyWithin(pos + done, src, src + k);
      done += k;
    }
  }
}
