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
 * Each symbol writes at least one byte and the output is bounded, so decoding always ends.
 * This runs for every control.tar.xz of every .deb a repository publishes, mostly before the
 * engine has optimised it (a CLI run is short): one symbol a call (the engine optimises by call
 * counts), literals decoded inline with the range coder in locals, and the coder's constants
 * written as literals (see ./range-decoder.ts).
 */
import type { OutputBuffer } from './output.js';
import { CORRUPT_READ, RangeDecoder } from './range-decoder.js';
import { XzError } from './xz-error.js';

const HALF = 1024; // a probability of one half (11-bit probabilities)

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

const CORRUPT_DIST = 'corrupt LZMA chunk (distance before the dictionary start)';

export class LzmaDecoder extends RangeDecoder {
  private lc = 0;
  private lp = 0;
  private pb = 0;
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;
  // The chunk being decoded: the output (also the dictionary) and where it stops.
  private buf: Uint8Array = EMPTY;
  private pos = 0;
  private end = 0;
  private dictStart = 0;

  constructor(private readonly dictSize: number) {
    super(PROBS);
  }

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
    this.start(input, from, to);
    this.buf = out.buf;
    this.dictStart = out.dictStart;
    this.pos = out.pos;
    this.end = out.pos + size;
    // One symbol a call: the engine optimises a function by how often it is called, and this
    // one is called hundreds of times a chunk (a loop here would wait for many chunks).
    while (this.pos < this.end) this.symbol();
    // The chunk ends exactly where its compressed size says, with the range coder flushed.
    if (!this.finished()) throw new XzError('corrupt LZMA chunk (does not end at its compressed size)');
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
    return dist + this.directBits(direct - 4) * 16 + this.reverseTree(ALIGN, 4);
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
