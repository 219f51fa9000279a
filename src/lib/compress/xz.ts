/**
 * A synchronous .xz decoder, written from "The .xz File Format" 1.x (tukaani.org; section numbers
 * below are the spec's). It exists because reading control.tar.xz of every .deb through a wasm,
 * stream-based decoder cost ~95 µs a file, which dominated publishing a repository; this one
 * decodes a small control.tar.xz in a few µs.
 *
 * Supported: concatenated streams with stream padding (2.2), any number of blocks, the LZMA2 filter
 * alone (5.3.1; any other filter, e.g. BCJ or delta, is refused), checks none/CRC32/CRC64/SHA-256,
 * all verified (3.4), and the index verified against the blocks (4). Everything read is untrusted:
 * every read is bounds-checked, every CRC32 is checked, declared sizes must match what was decoded,
 * and the output never passes opts.maxOutput (checked before writing). Failures throw XzError
 * (XzLimitError for maxOutput) with a short reason.
 */
import { crc32 } from './crc.js';
import { decodeLzma2, lzma2DictionarySize } from './lzma2.js';
import { OutputBuffer } from './output.js';
import { checkSize, verifyCheck } from './xz-check.js';
import { XzError } from './xz-error.js';
import { decodeIndex, le32, readVli, type BlockRecord } from './xz-index.js';

export { XzError, XzLimitError } from './xz-error.js';

const HEADER_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const FILTER_LZMA2 = 0x21;
/** Filter IDs of the spec (5.3) and XZ Utils, to name what is refused. */
const FILTER_NAMES: Record<number, string> = {
  0x03: 'delta', 0x04: 'x86 BCJ', 0x05: 'PowerPC BCJ', 0x06: 'IA-64 BCJ', 0x07: 'ARM BCJ',
  0x08: 'ARM-Thumb BCJ', 0x09: 'SPARC BCJ', 0x0a: 'ARM64 BCJ', 0x0b: 'RISC-V BCJ',
};

export interface XzOptions {
  /** The most bytes the output may have; more is refused with XzLimitError before it is written. */
  maxOutput: number;
}

/** The decompressed bytes of a complete .xz file (one or more streams). */
export function xzDecompressSync(input: Uint8Array, opts: XzOptions): Buffer {
  // A plain Uint8Array view whatever the caller passed (Buffer or not): one kind of array in the hot loop.
  const data = new Uint8Array(input.buffer, input.byteOffset, input.length);
  const out = new OutputBuffer(opts.maxOutput);
  let pos = 0;
  do {
    pos = decodeStream(data, pos, out);
    // 2.2 Stream Padding: null bytes, a multiple of four, before the next stream or the end.
    const padStart = pos;
    while (pos < data.length && data[pos] === 0) pos++;
    if ((pos - padStart) % 4 !== 0) throw new XzError('corrupt xz file (stream padding is not a multiple of four bytes)');
  } while (pos < data.length);
  return out.result();
}

/** 2.1 Stream: header, blocks, index, footer. Returns the offset after the footer. */
function decodeStream(data: Uint8Array, start: number, out: OutputBuffer): number {
  // 2.1.1 Stream Header: magic, two flag bytes, CRC32 of the flags.
  for (let i = 0; i < 6 && start + i < data.length; i++) {
    if (data[start + i] !== HEADER_MAGIC[i]) throw new XzError(start === 0 ? 'not an xz file (bad magic bytes)' : 'corrupt xz file (data after the stream)');
  }
  if (data.length - start < 12) throw new XzError(start === 0 && data.length < 6 ? 'not an xz file (too short)' : 'truncated xz stream header');
  if (crc32(data, start + 6, start + 8) !== le32(data, start + 8)) throw new XzError('corrupt xz stream header (CRC32 mismatch)');
  const flags0 = data[start + 6]!;
  const flags1 = data[start + 7]!;
  if (flags0 !== 0 || flags1 & 0xf0) throw new XzError('unsupported xz stream flags (reserved bits set)');
  const checkType = flags1 & 0x0f;
  const csize = checkSize(checkType);
  let pos = start + 12;
  const records: BlockRecord[] = [];
  // 3 Block, until the index indicator (a block header size byte of 0x00).
  for (;;) {
    if (pos >= data.length) throw new XzError('truncated xz stream (no index)');
    if (data[pos] === 0x00) break;
    pos = decodeBlock(data, pos, out, checkType, csize, records);
  }
  const indexStart = pos;
  pos = decodeIndex(data, pos, records);
  // 2.1.2 Stream Footer: CRC32 of (backward size, flags), backward size, flags, magic "YZ".
  if (data.length - pos < 12) throw new XzError('truncated xz stream footer');
  if (crc32(data, pos + 4, pos + 10) !== le32(data, pos)) throw new XzError('corrupt xz stream footer (CRC32 mismatch)');
  if ((le32(data, pos + 4) + 1) * 4 !== pos - indexStart) throw new XzError('corrupt xz stream footer (backward size does not match the index)');
  if (data[pos + 8] !== flags0 || data[pos + 9] !== flags1) throw new XzError('corrupt xz stream footer (flags differ from the header)');
  if (data[pos + 10] !== 0x59 || data[pos + 11] !== 0x5a) throw new XzError('corrupt xz stream footer (bad magic bytes)');
  return pos + 12;
}

/** 3 Block: header, LZMA2 data, padding, check. Returns the offset after the check. */
function decodeBlock(data: Uint8Array, start: number, out: OutputBuffer, checkType: number, csize: number, records: BlockRecord[]): number {
  // 3.1 Block Header: size byte, flags, optional sizes, filter flags, padding, CRC32.
  const headerSize = (data[start]! + 1) * 4;
  if (start + headerSize > data.length) throw new XzError('truncated xz block header');
  const crcAt = start + headerSize - 4;
  if (crc32(data, start, crcAt) !== le32(data, crcAt)) throw new XzError('corrupt xz block header (CRC32 mismatch)');
  const flags = data[start + 1]!;
  if (flags & 0x3c) throw new XzError('unsupported xz block header (reserved flag bits set)');
  const cursor = { pos: start + 2 };
  const compressedSize = flags & 0x40 ? readVli(data, cursor, crcAt) : -1;
  const uncompressedSize = flags & 0x80 ? readVli(data, cursor, crcAt) : -1;
  if (compressedSize === 0) throw new XzError('corrupt xz block header (compressed size 0)');
  const filters = (flags & 0x03) + 1;
  let dictSize = 0;
  for (let i = 0; i < filters; i++) {
    // 3.1.5 Filter Flags: ID, size of properties, properties.
    const id = readVli(data, cursor, crcAt);
    const propsSize = readVli(data, cursor, crcAt);
    if (propsSize > crcAt - cursor.pos) throw new XzError('corrupt xz block header (filter properties overflow the header)');
    if (id !== FILTER_LZMA2) {
      const name = FILTER_NAMES[id] ?? `0x${id.toString(16)}`;
      throw new XzError(`unsupported xz filter ${name} (only LZMA2 alone is supported)`);
    }
    if (filters !== 1) throw new XzError('unsupported xz filter chain (only LZMA2 alone is supported)');
    if (propsSize !== 1) throw new XzError('corrupt xz block header (LZMA2 properties are not one byte)');
    dictSize = lzma2DictionarySize(data[cursor.pos]!);
    cursor.pos += 1;
  }
  for (let p = cursor.pos; p < crcAt; p++) if (data[p] !== 0) throw new XzError('corrupt xz block header (non-zero padding)');

  const dataStart = start + headerSize;
  const limit = compressedSize >= 0 ? dataStart + compressedSize : data.length;
  if (limit > data.length) throw new XzError('truncated xz block');
  const outStart = out.pos;
  if (uncompressedSize >= 0) out.reserve(uncompressedSize);
  const dataEnd = decodeLzma2(data, dataStart, limit, out, dictSize);
  const compressed = dataEnd - dataStart;
  const uncompressed = out.pos - outStart;
  if (compressedSize >= 0 && compressed !== compressedSize) throw new XzError('corrupt xz block (compressed size differs from its header)');
  if (uncompressedSize >= 0 && uncompressed !== uncompressedSize) throw new XzError('corrupt xz block (uncompressed size differs from its header)');
  // 3.3 Block Padding: null bytes to a multiple of four; 3.4 Check.
  let pos = dataEnd;
  for (; (pos - start) % 4 !== 0; pos++) {
    if (pos >= data.length) throw new XzError('truncated xz block');
    if (data[pos] !== 0) throw new XzError('corrupt xz block (non-zero block padding)');
  }
  if (pos + csize > data.length) throw new XzError('truncated xz block (check)');
  verifyCheck(checkType, out.buf, outStart, out.pos, data.subarray(pos, pos + csize));
  records.push({ unpaddedSize: headerSize + compressed + csize, uncompressedSize: uncompressed });
  return pos + csize;
}
