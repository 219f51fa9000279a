/**
 * The decoder's output, which is also the LZMA dictionary: we keep the whole output anyway, so a
 * match copies from earlier in this buffer instead of from a separate circular window. It grows
 * geometrically and never beyond maxOutput; a write that would pass maxOutput is refused *before*
 * anything is written (a decompression bomb costs at most maxOutput bytes of memory).
 *
 * `dictStart` is where the current LZMA2 dictionary began (its last dictionary reset): matches may
 * not reach before it, and LZMA's position bits count from it.
 *
 * Small outputs are carved from a shared 256 KiB slab, as Node's Buffer pool does for small
 * Buffers: allocating a fresh 10 KiB ArrayBuffer per control.tar costs more than decoding it (the
 * engine collects external memory eagerly). A slab is freed once no result views it any more.
 * The memory is not zero-filled: only bytes below `pos` are ever read (matches are checked
 * against what was written) or returned, and a view never reaches past its own slice.
 */
import { XzLimitError } from './xz-error.js';

const SLAB = 256 * 1024;
const SLAB_MAX_PIECE = 32 * 1024;
let slab: ArrayBuffer | undefined;
let slabUsed = SLAB;

function allocate(size: number): Uint8Array {
  if (size > SLAB_MAX_PIECE) {
    const own = Buffer.allocUnsafeSlow(size);
    return new Uint8Array(own.buffer, own.byteOffset, size);
  }
  if (!slab || slabUsed + size > SLAB) {
    slab = Buffer.allocUnsafeSlow(SLAB).buffer as ArrayBuffer;
    slabUsed = 0;
  }
  const piece = new Uint8Array(slab, slabUsed, size);
  slabUsed += (size + 7) & ~7; // keep pieces 8-byte aligned (the CRC64 reads aligned words)
  return piece;
}

export class OutputBuffer {
  buf: Uint8Array = new Uint8Array(0);
  pos = 0;
  dictStart = 0;

  constructor(readonly maxOutput: number) {
    if (!Number.isSafeInteger(maxOutput) || maxOutput < 0) throw new RangeError(`invalid maxOutput ${maxOutput}`);
  }

  /** Room for n more bytes, or an error if that would pass maxOutput. */
  reserve(n: number): void {
    const need = this.pos + n;
    if (need > this.maxOutput) throw new XzLimitError(`output exceeds the limit of ${this.maxOutput} bytes`);
    if (need <= this.buf.length) return;
    const grown = allocate(Math.min(this.maxOutput, Math.max(need, this.buf.length * 2)));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }

  /** The bytes written so far (a view, not a copy). */
  result(): Buffer {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, this.pos);
  }
}
