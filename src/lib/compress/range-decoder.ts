/**
 * The LZMA range decoder ("The range decoder" in the LZMA specification, lzma-specification.txt
 * of the LZMA SDK): adaptive bits with 11-bit probabilities (2048 is one, adapted by 1/32), bit
 * trees, reverse bit trees and direct bits, over input[inPos, inEnd) of one LZMA2 chunk. A read
 * past inEnd is an error (never a zero byte), and code >= range, which no encoder produces, is
 * refused.
 *
 * range and code are unsigned 32-bit values kept as int32 (| 0) and compared as unsigned
 * (>>> 0), so the engine keeps them as small integers. The constants (11, 2048, 5, 2^24) are
 * written as literals: a module constant costs a context load and a hole check on every use
 * until the engine has optimised the function, which is much of a short CLI run. The multi-bit
 * decoders repeat bit() with the coder in locals: a call per bit costs more than the bit.
 */
import { XzError } from './xz-error.js';

export const CORRUPT_READ = 'corrupt LZMA chunk (reads past its compressed size)';
const EMPTY = new Uint8Array(0);

export class RangeDecoder {
  protected range = 0;
  protected code = 0;
  protected input: Uint8Array = EMPTY;
  protected inPos = 0;
  protected inEnd = 0;

  constructor(protected readonly probs: Uint16Array) {}

  /** Start on input[from, to): 5 init bytes, the first always 0; code == range is corrupt. */
  protected start(input: Uint8Array, from: number, to: number): void {
    if (to - from < 5 || input[from] !== 0) throw new XzError('corrupt LZMA chunk (bad range coder start)');
    this.code = (input[from + 1]! << 24) | (input[from + 2]! << 16) | (input[from + 3]! << 8) | input[from + 4]!;
    this.range = -1;
    if (this.code === -1) throw new XzError('corrupt LZMA chunk (bad range coder start)');
    this.input = input;
    this.inPos = from + 5;
    this.inEnd = to;
  }

  /** Whether all of the input was used and the coder is flushed (code 0), as a chunk must end. */
  protected finished(): boolean {
    return this.inPos === this.inEnd && this.code === 0;
  }

  /** One adaptive bit ("DecodeBit"), normalising right after it (so the byte count is exact). */
  protected bit(i: number): number {
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
  protected shift(): void {
    if (this.inPos >= this.inEnd) throw new XzError(CORRUPT_READ);
    this.range <<= 8;
    this.code = (this.code << 8) | this.input[this.inPos++]!;
  }

  /** "BitTreeDecode" over probs[base + 1 ...]: `bits` bits, most significant first. */
  protected tree(base: number, bits: number): number {
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
  protected reverseTree(base: number, bits: number): number {
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

  /** "DecodeDirectBits": halve the range, each bit is whether code is in the upper half. */
  protected directBits(count: number): number {
    let bits = 0;
    for (let k = count; k > 0; k--) {
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
    return bits;
  }
}
