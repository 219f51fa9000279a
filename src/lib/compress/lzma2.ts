/**
 * LZMA2: the chunked container around LZMA that .xz uses (filter 0x21). Written from the format as
 * documented (the .xz format spec, section 5.3.1 "LZMA2", and the LZMA2 chunk layout as described
 * in the LZMA SDK and XZ Utils documentation):
 *   control 0x00            end of the LZMA2 data
 *   control 0x01 / 0x02     uncompressed chunk, with / without dictionary reset;
 *                           then size - 1 (16 bits, big-endian) and the bytes
 *   control 0x03..0x7F      invalid
 *   control 0x80..0xFF      LZMA chunk: bits 5-6 say what is reset (0 nothing, 1 state, 2 state and
 *                           new properties, 3 everything and the dictionary); bits 0-4 are bits
 *                           16-20 of uncompressed size - 1; then 16 more bits of it, compressed
 *                           size - 1 (16 bits), and a properties byte when bit 6 is set.
 * The first chunk must reset the dictionary, and an LZMA chunk after a dictionary reset must bring
 * properties (as the reference decoders require). Properties are (pb * 5 + lp) * 9 + lc with
 * lc + lp <= 4 (LZMA2's limit). Output space for a chunk is reserved before it is decoded, so
 * maxOutput is enforced before anything past it is written.
 */
import { LzmaDecoder } from './lzma.js';
import type { OutputBuffer } from './output.js';
import { XzError } from './xz-error.js';

/** The dictionary size of LZMA2's one-byte filter properties (xz spec 5.3.1), or an error. */
export function lzma2DictionarySize(props: number): number {
  if (props & 0xc0) throw new XzError('unsupported LZMA2 properties (reserved bits set)');
  const bits = props & 0x3f;
  if (bits > 40) throw new XzError('unsupported LZMA2 properties (dictionary larger than 4 GiB)');
  if (bits === 40) return 0xffffffff;
  return (2 | (bits & 1)) * 2 ** ((bits >>> 1) + 11);
}

/**
 * Decode the LZMA2 data starting at input[from] (not reading at or past `to`) into out.
 * Returns the offset just after the end marker.
 */
export function decodeLzma2(input: Uint8Array, from: number, to: number, out: OutputBuffer, dictSize: number): number {
  const lzma = new LzmaDecoder(dictSize);
  let needDictReset = true;
  let needProps = true;
  let pos = from;
  const need = (n: number) => {
    if (pos + n > to) throw new XzError('truncated LZMA2 data');
  };
  for (;;) {
    need(1);
    const control = input[pos++]!;
    if (control === 0x00) return pos;
    if (control === 0x01 || control >= 0xe0) {
      needDictReset = false;
      needProps = true;
      out.dictStart = out.pos;
    } else if (needDictReset) {
      throw new XzError('corrupt LZMA2 data (first chunk does not reset the dictionary)');
    }
    if (control >= 0x80) {
      need(control >= 0xc0 ? 5 : 4);
      const usize = (control & 0x1f) * 65536 + (input[pos]! << 8) + input[pos + 1]! + 1;
      const csize = (input[pos + 2]! << 8) + input[pos + 3]! + 1;
      pos += 4;
      if (control >= 0xc0) {
        const props = input[pos++]!;
        if (props >= 9 * 5 * 5) throw new XzError('corrupt LZMA2 data (invalid LZMA properties)');
        const lc = props % 9;
        const lp = Math.floor(props / 9) % 5;
        const pb = Math.floor(props / 45);
        if (lc + lp > 4) throw new XzError('corrupt LZMA2 data (lc + lp is greater than 4)');
        lzma.setProperties(lc, lp, pb);
        needProps = false;
      } else if (needProps) {
        throw new XzError('corrupt LZMA2 data (LZMA chunk without properties)');
      }
      if (control >= 0xa0) lzma.resetState();
      need(csize);
      out.reserve(usize);
      lzma.decodeChunk(input, pos, pos + csize, out, usize);
      pos += csize;
    } else {
      if (control > 0x02) throw new XzError(`corrupt LZMA2 data (invalid control byte 0x${control.toString(16)})`);
      need(2);
      const size = (input[pos]! << 8) + input[pos + 1]! + 1;
      pos += 2;
      need(size);
      out.reserve(size);
      out.buf.set(input.subarray(pos, pos + size), out.pos);
      out.pos += size;
      pos += size;
    }
  }
}
